"""Platform accounts: persisted without tokens, and scanned codes routed to the right platform."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from posapp.core.accounts import (
    AccountConflict,
    AccountDirectory,
    PlatformAccount,
    account_id_for,
    client_for,
)
from posapp.core.api.errors import RefusedError
from posapp.core.api.models import RedeemRequest
from posapp.core.clock import ManualClock
from posapp.core.codes import VoucherRef, encode_plain, parse_code, sign_code
from posapp.core.credentials import CredentialsUnavailable, TokenStore
from posapp.core.keys import KeySet, generate_signing_key
from posapp.sandbox.server import SandboxServer

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
EXPIRES = datetime(2027, 6, 30, tzinfo=UTC)


def _account(account_id: str, url: str, hosts: tuple[str, ...] = ()) -> PlatformAccount:
    return PlatformAccount(
        account_id=account_id,
        name=account_id.title(),
        api_url=url,
        shop_id=3,
        shop_name="Bar Centrale",
        till_id=11,
        till_name="Cassa 1",
        voucher_hosts=hosts,
    )


def _ref(text: str, keys: KeySet | None = None) -> VoucherRef:
    ref = parse_code(text, keys.get if keys is not None else None, NOW)
    assert isinstance(ref, VoucherRef), ref
    return ref


def test_json_round_trip_and_no_token_on_disk(_isolated_data_dir: Path) -> None:
    account = _account("galatina", "https://api.galatina.example", ("buoni.galatina.example",))
    assert PlatformAccount.from_json(account.to_json()) == account
    directory = AccountDirectory()
    directory.add(account)
    TokenStore().set("galatina", "tok_secret_1234567890")
    reloaded = AccountDirectory()
    assert reloaded.accounts() == (account,)
    for path in _isolated_data_dir.rglob("*"):
        if path.is_file():
            assert "tok_secret" not in path.read_text(encoding="utf-8")
    assert (_isolated_data_dir / "accounts.json").exists()


@pytest.mark.parametrize(
    "raw",
    [
        None,
        {"account_id": "x"},
        {**_account("a", "https://a.example").to_json(), "shop_id": "3"},
        {**_account("a", "https://a.example").to_json(), "till_id": True},
        {**_account("a", "https://a.example").to_json(), "voucher_hosts": "a.example"},
    ],
)
def test_malformed_account_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        PlatformAccount.from_json(raw)


def test_damaged_file_is_set_aside_not_lost(_isolated_data_dir: Path) -> None:
    path = _isolated_data_dir / "accounts.json"
    path.write_text("{not json", encoding="utf-8")
    directory = AccountDirectory()
    assert directory.accounts() == ()
    kept = [p for p in _isolated_data_dir.iterdir() if p.name.startswith("accounts.json.")]
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "{not json"
    good = _account("a", "https://a.example")
    path.write_text(json.dumps({"accounts": [good.to_json(), {"bad": 1}]}), encoding="utf-8")
    assert AccountDirectory().accounts() == (good,)  # the bad entry is skipped, the good one kept


def test_route_by_url_host_and_voucher_hosts() -> None:
    directory = AccountDirectory()
    galatina = _account("galatina", "https://api.galatina.example/", ("buoni.galatina.example",))
    salento = _account("salento", "https://salento.example:8443")
    directory.add(galatina)
    directory.add(salento)
    code = encode_plain(123456)
    assert directory.route(_ref(f"https://API.Galatina.example/v/{code}")) == galatina
    assert directory.route(_ref(f"https://buoni.galatina.example/?c={code}")) == galatina
    assert directory.route(_ref(f"https://salento.example/{code}")) == salento
    assert directory.route(_ref(f"https://elsewhere.example/{code}")) is None
    # a plain code with two accounts is ambiguous
    assert directory.route(_ref(code)) is None


def test_route_plain_code_with_one_account() -> None:
    directory = AccountDirectory()
    assert directory.route(_ref(encode_plain(5))) is None
    only = _account("galatina", "https://api.galatina.example")
    directory.add(only)
    assert directory.route(_ref(encode_plain(5))) == only
    directory.remove("galatina")
    assert directory.accounts() == ()


def test_route_signed_code_by_key_owner() -> None:
    directory = AccountDirectory()
    galatina = _account("galatina", "https://api.galatina.example")
    salento = _account("salento", "https://salento.example")
    directory.add(galatina)
    directory.add(salento)
    priv_g, key_g = generate_signing_key("0000000a")
    priv_s, key_s = generate_signing_key("0000000b")
    keys = KeySet([key_g, key_s])
    owners = {"0000000a": "galatina", "0000000b": "salento"}
    signed_g = sign_code(priv_g, "0000000a", 77, 3, 2000, EXPIRES)
    signed_s = sign_code(priv_s, "0000000b", 78, 3, 1000, EXPIRES)
    assert directory.route(_ref(signed_g, keys), owners.get) == galatina
    assert directory.route(_ref(signed_s, keys), owners.get) == salento
    assert directory.route(_ref(signed_s, keys), {}.get) is None


def test_account_id_is_safe_and_client_uses_keyring(memory_keyring) -> None:
    assert account_id_for("Galatina / Centro") == "Galatina-Centro"
    with pytest.raises(ValueError):
        account_id_for("///")
    account = _account("galatina", "http://127.0.0.1:9")
    assert client_for(account, TokenStore()).token is None
    TokenStore().set("galatina", "tok_abc")
    client = client_for(account, TokenStore())
    assert client.token == "tok_abc" and client.base_url == "http://127.0.0.1:9"
    assert memory_keyring.store == {("posapp", "galatina"): "tok_abc"}


def test_shared_host_decides_nothing() -> None:
    directory = AccountDirectory()
    directory.add(_account("a", "https://api.example/a"))
    directory.add(_account("b", "https://api.example/b"))
    assert directory.route(_ref(f"https://api.example/{encode_plain(9)}")) is None


# -- two real platforms side by side -------------------------------------------------------------

TIMEOUT = (2.0, 5.0)


@pytest.fixture
def platforms(tmp_path):
    """Two sandboxes (two platform ids) on loopback, one shop on each, one clock."""
    clock = ManualClock(NOW)
    servers = []
    for platform_id in ("galatina", "salento"):
        server = SandboxServer(
            tmp_path / platform_id,
            fresh=True,
            clock=clock,
            seed_demo=False,
            platform_id=platform_id,
            platform_name=f"Buoni {platform_id.title()}",
        ).start()
        servers.append(server)
    shops = [s.store.create_shop("Bar Centrale", "Galatina") for s in servers]
    yield servers, shops, clock
    for server in servers:
        server.stop()


def test_two_platforms_paired_side_by_side(platforms, memory_keyring, _isolated_data_dir) -> None:
    (gal, sal), (gal_shop, sal_shop), clock = platforms
    directory, tokens = AccountDirectory(), TokenStore()
    a = directory.pair(
        gal.url,
        gal.store.new_pairing_code(gal_shop),
        "Cassa 1",
        tokens,
        voucher_hosts=("buoni.galatina.example",),
        timeout=TIMEOUT,
    )
    b = directory.pair(
        sal.url,
        sal.store.new_pairing_code(sal_shop),
        "Cassa 1",
        tokens,
        voucher_hosts=("BUONI.salento.example",),
        timeout=TIMEOUT,
    )
    assert (a.account_id, b.account_id) == ("galatina", "salento")
    assert (a.name, b.shop_id) == ("Buoni Galatina", sal_shop)
    assert set(memory_keyring.store) == {("posapp", "galatina"), ("posapp", "salento")}
    saved = (_isolated_data_dir / "accounts.json").read_text(encoding="utf-8")
    for token in memory_keyring.store.values():
        assert token not in saved
    assert AccountDirectory().accounts() == (a, b)  # persisted

    clients = {acct.account_id: client_for(acct, tokens, timeout=TIMEOUT) for acct in (a, b)}
    owners = {kid: acct_id for acct_id, c in clients.items() for kid in c.keys()}
    all_keys = KeySet([k for c in clients.values() for k in c.keys().values()])

    def key_owner(kid: str) -> str | None:
        return owners.get(kid)

    gal_v = gal.store.create_voucher(gal_shop, 2000)
    sal_v = sal.store.create_voucher(sal_shop, 3000)
    texts = {
        gal.store.sign_voucher(gal_v["voucher_id"]): ("galatina", gal, gal_v),
        sal.store.sign_voucher(sal_v["voucher_id"]): ("salento", sal, sal_v),
        f"https://buoni.galatina.example/v/{gal_v['code']}": ("galatina", gal, gal_v),
        f"https://buoni.salento.example/?c={sal_v['code']}": ("salento", sal, sal_v),
    }
    for text, (expected, _, voucher) in texts.items():
        ref = parse_code(text, all_keys.get, clock.now())
        assert isinstance(ref, VoucherRef), ref
        account = directory.route(ref, key_owner)
        assert account is not None and account.account_id == expected, text
        assert clients[expected].lookup(ref.code).voucher_id == voucher["voucher_id"]
    assert directory.route(_ref(gal_v["code"]), key_owner) is None  # plain code: ambiguous

    # a redemption goes to the platform it was routed to, and only there
    ref = parse_code(gal.store.sign_voucher(gal_v["voucher_id"]), all_keys.get, clock.now())
    account = directory.route(ref, key_owner)
    request = RedeemRequest.new(ref.code, 2000, account.till_id, clock.now(), offline=False)
    clients[account.account_id].redeem(request)
    assert len(gal.store.list_redemptions()) == 1 and sal.store.list_redemptions() == []
    with pytest.raises(RefusedError) as elsewhere:
        clients["salento"].lookup(gal_v["code"])
    assert elsewhere.value.code == "unknown_voucher"

    # removing one account forgets its token; the other keeps working
    directory.remove("salento", tokens)
    assert tokens.get("salento") is None and directory.accounts() == (a,)
    assert clients["galatina"].whoami().till_id == a.till_id


def test_pairing_with_no_keyring_keeps_the_code_unspent(
    platforms, memory_keyring, _isolated_data_dir
) -> None:
    (gal, _), (gal_shop, _), _ = platforms
    code = gal.store.new_pairing_code(gal_shop)
    directory = AccountDirectory()
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialsUnavailable):
        directory.pair(gal.url, code, "Cassa 1", TokenStore(), timeout=TIMEOUT)
    assert directory.accounts() == ()
    assert list(_isolated_data_dir.iterdir()) == []  # nothing written, not even the account
    keyring.set_keyring(memory_keyring)  # the keyring is back: the same code still pairs
    account = directory.pair(gal.url, code, "Cassa 1", TokenStore(), timeout=TIMEOUT)
    assert client_for(account, TokenStore()).whoami().till_name == "Cassa 1"


def test_a_second_platform_with_the_same_id_never_replaces_the_first(
    tmp_path, memory_keyring, _isolated_data_dir
) -> None:
    """Two town platforms from one vendor may both call themselves "citygram": pairing with the
    second must not take over the first one's account, token and outbox."""
    clock = ManualClock(NOW)
    first, second = (
        SandboxServer(
            tmp_path / name, fresh=True, clock=clock, seed_demo=False, platform_id="citygram"
        ).start()
        for name in ("calimera", "martano")
    )
    try:
        shops = [s.store.create_shop("Bar Centrale", "Calimera") for s in (first, second)]
        directory, tokens = AccountDirectory(), TokenStore()
        code = first.store.new_pairing_code(shops[0])
        account = directory.pair(first.url, code, "Cassa 1", tokens, timeout=TIMEOUT)
        token = tokens.get("citygram")
        other_code = second.store.new_pairing_code(shops[1])
        with pytest.raises(AccountConflict):
            directory.pair(second.url, other_code, "Cassa 1", tokens, timeout=TIMEOUT)
        assert directory.accounts() == (account,)
        assert AccountDirectory().accounts() == (account,)
        assert tokens.get("citygram") == token
        assert client_for(account, tokens, timeout=TIMEOUT).whoami().till_id == account.till_id
        # the refused platform's code is not spent, and re-pairing the same platform still works
        assert second.store.pair(other_code, "Cassa 9")["till_name"] == "Cassa 9"
        again = directory.pair(
            first.url + "/", first.store.new_pairing_code(shops[0]), "Cassa 1", tokens
        )
        assert directory.accounts() == (again,) and tokens.get("citygram") != token
    finally:
        first.stop()
        second.stop()
