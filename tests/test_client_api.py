"""Every /v1 endpoint through the real ApiClient against a real sandbox on a loopback port."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from posapp.core.api.client import ApiClient
from posapp.core.api.errors import ConflictError, RefusedError, UnauthorizedError
from posapp.core.api.models import RedeemRequest
from posapp.core.clock import ManualClock
from posapp.core.codes import VoucherRef, parse_code
from posapp.sandbox.server import SandboxServer

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # 10:00 in Rome


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def sandbox(tmp_path, clock):
    server = SandboxServer(
        tmp_path / "sandbox",
        fresh=True,
        clock=clock,
        seed_demo=False,
        platform_id="galatina",
        platform_name="Buoni Galatina",
    )
    with server:
        yield server


@pytest.fixture
def shop(sandbox) -> int:
    return sandbox.store.create_shop("Bar Centrale", "Galatina")


@pytest.fixture
def client(sandbox, shop):
    api = ApiClient(sandbox.url, timeout=(2.0, 5.0))
    api.pair(sandbox.store.new_pairing_code(shop), "Cassa 1")
    yield api
    api.close()


def _request(client: ApiClient, clock: ManualClock, code: str, cents: int, **kw) -> RedeemRequest:
    return RedeemRequest.new(code, cents, client.whoami().till_id, clock.now(), offline=False, **kw)


def test_health_pairing_and_whoami(sandbox, shop) -> None:
    api = ApiClient(sandbox.url)
    health = api.health()
    assert (health.status, health.platform_id, health.server_time) == ("ok", "galatina", START)
    code = sandbox.store.new_pairing_code(shop)
    paired = api.pair(code.lower(), "Cassa 2")  # typed in lower case still pairs
    assert api.token == paired.token
    assert (paired.till.shop_id, paired.till.till_name) == (shop, "Cassa 2")
    assert paired.till.platform_name == "Buoni Galatina"
    assert api.whoami() == paired.till
    with pytest.raises(RefusedError) as used:
        ApiClient(sandbox.url).pair(code, "Cassa 3")
    assert (used.value.code, used.value.status) == ("pairing_code_used", 422)


def test_lookup_then_partial_and_full_redeem(client, sandbox, shop, clock) -> None:
    voucher = sandbox.store.create_voucher(shop, 2000, partial_allowed=True)
    info = client.lookup(voucher["code"])
    assert (info.status, info.balance_cents, info.partial_allowed) == ("valid", 2000, True)
    first = client.redeem(_request(client, clock, voucher["code"], 500))
    assert (first.status, first.balance_after_cents, first.amount_cents) == ("accepted", 1500, 500)
    assert client.lookup(voucher["code"]).status == "partly_used"
    rest = client.redeem(_request(client, clock, voucher["code"], 1500))
    assert rest.balance_after_cents == 0
    assert client.lookup(voucher["code"]).status == "used"
    with pytest.raises(RefusedError) as used:
        client.redeem(_request(client, clock, voucher["code"], 100))
    assert (used.value.code, used.value.status) == ("voucher_used", 422)

    whole = sandbox.store.create_voucher(shop, 1000)
    with pytest.raises(RefusedError) as partial:
        client.redeem(_request(client, clock, whole["code"], 400))
    assert partial.value.code == "partial_not_allowed"
    with pytest.raises(RefusedError) as unknown:
        client.lookup("0000-0000-000")
    assert (unknown.value.code, unknown.value.status) == ("unknown_voucher", 404)


def test_replay_same_result_and_conflicting_replay(client, sandbox, shop, clock) -> None:
    voucher = sandbox.store.create_voucher(shop, 2000, partial_allowed=True)
    request = _request(client, clock, voucher["code"], 700)
    first = client.redeem(request)
    assert client.redeem(request) == first  # replay: the first result, not a second charge
    with pytest.raises(ConflictError) as reused:
        client.redeem(replace(request, amount_cents=800))
    assert (reused.value.code, reused.value.status) == ("idempotency_key_reused", 422)
    assert client.lookup(voucher["code"]).balance_cents == 1300
    assert client.get_redemption(request.redemption_id) == first
    # a refusal is stored under its id and replayed as a refusal
    too_much = _request(client, clock, voucher["code"], 5000)
    for _ in range(2):
        with pytest.raises(RefusedError) as refused:
            client.redeem(too_much)
        assert refused.value.code == "insufficient_balance"
    assert client.get_redemption(too_much.redemption_id).status == "refused"


def test_void_restores_balance_once(client, sandbox, shop, clock) -> None:
    voucher = sandbox.store.create_voucher(shop, 2000, partial_allowed=True)
    done = client.redeem(_request(client, clock, voucher["code"], 1200))
    clock.advance(60)
    voided = client.void(done.redemption_id, "wrong amount", clock.now())
    assert (voided.status, voided.void_reason, voided.voided_at) == (
        "voided",
        "wrong amount",
        clock.now(),
    )
    assert client.void(done.redemption_id, "wrong amount", clock.now()) == voided
    assert client.lookup(voucher["code"]).balance_cents == 2000
    late = client.redeem(_request(client, clock, voucher["code"], 300))
    clock.advance(timedelta(hours=1))
    with pytest.raises(RefusedError) as expired:
        client.void(late.redemption_id, "too late", clock.now())
    assert expired.value.code == "void_window_expired"
    assert client.lookup(voucher["code"]).balance_cents == 1700


def test_batch_with_conflicts(client, sandbox, shop, clock) -> None:
    voucher = sandbox.store.create_voucher(shop, 1000, partial_allowed=True)
    till_id = client.whoami().till_id
    online = _request(client, clock, voucher["code"], 200)
    client.redeem(online)
    offline = [
        RedeemRequest.new(voucher["code"], 600, till_id, clock.now(), offline=True),
        RedeemRequest.new(voucher["code"], 600, till_id, clock.now(), offline=True),
        online,  # the same id and body again: a replay, accepted with the first result
        replace(online, amount_cents=999),  # same id, other body: rejected
    ]
    results = client.redeem_batch(offline)
    assert [r.outcome for r in results] == ["accepted", "conflict", "accepted", "rejected"]
    assert results[0].redemption.balance_after_cents == 200
    conflict = results[1].redemption
    assert (conflict.status, conflict.reason_code, conflict.offline) == (
        "conflict",
        "insufficient_balance",
        True,
    )
    assert results[3].error_code == "idempotency_key_reused"
    assert client.get_redemption(offline[1].redemption_id).status == "conflict"  # kept, not lost
    assert client.lookup(voucher["code"]).balance_cents == 200
    with pytest.raises(ValueError):
        client.redeem_batch(offline * 126)


def test_cursor_paging_through_all_vouchers(client, sandbox, shop, clock) -> None:
    other = sandbox.store.create_shop("Macelleria", "Galatina")
    sandbox.store.create_voucher(other, 1000)
    made = [
        sandbox.store.create_voucher(shop, 100 * (i + 1), partial_allowed=True) for i in range(7)
    ]
    pages = list(client.iter_vouchers(limit=3))
    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert [v.voucher_id for p in pages for v in p.items] == [v["voucher_id"] for v in made]
    cursor = pages[-1].next_cursor
    assert client.vouchers(cursor).items == ()
    client.redeem(_request(client, clock, made[4]["code"], 100))
    changed = client.vouchers(cursor)
    assert [(v.voucher_id, v.balance_cents) for v in changed.items] == [
        (made[4]["voucher_id"], 400)
    ]
    with pytest.raises(RefusedError) as bad:
        client.vouchers("not-a-cursor")
    assert bad.value.code == "invalid_cursor"


def test_key_rotation_and_signed_codes(client, sandbox, shop, clock) -> None:
    voucher = sandbox.store.create_voucher(shop, 2500)
    old_code = sandbox.store.sign_voucher(voucher["voucher_id"])
    before = client.keys()
    assert len(before) == 1
    new_kid = sandbox.store.rotate_key()
    new_code = sandbox.store.sign_voucher(voucher["voucher_id"])
    keys = client.keys()
    assert set(keys) == set(before) | {new_kid}
    for code, kid in ((new_code, new_kid), (old_code, next(iter(before)))):
        ref = parse_code(code, keys.get, clock.now())
        assert isinstance(ref, VoucherRef) and ref.verified, ref
        assert (ref.kid, ref.voucher_id, ref.value_cents) == (kid, voucher["voucher_id"], 2500)
    assert not isinstance(parse_code(new_code, before.get, clock.now()), VoucherRef)


def test_revocation_list(client, sandbox, shop) -> None:
    vouchers = [sandbox.store.create_voucher(shop, 1000) for _ in range(4)]
    for v in vouchers[:3]:
        sandbox.store.revoke_voucher(v["voucher_id"], "segnalato rubato")
    pages = list(client.iter_revocations(limit=2))
    items = [r for p in pages for r in p.items]
    assert [r.voucher_id for r in items] == [v["voucher_id"] for v in vouchers[:3]]
    assert {r.reason for r in items} == {"segnalato rubato"}
    assert items[0].code == vouchers[0]["code"]
    assert client.lookup(vouchers[0]["code"]).status == "cancelled"
    assert client.revocations(pages[-1].next_cursor).items == ()


def test_unauthorized_after_roll_and_after_revoke(client, sandbox) -> None:
    old = client.token
    stale = ApiClient(sandbox.url, old)
    new = client.roll_token()
    assert new != old and client.token == new
    assert client.whoami().till_name == "Cassa 1"
    with pytest.raises(UnauthorizedError) as rolled:
        stale.whoami()
    assert rolled.value.status == 401 and old not in str(rolled.value)
    keep = ApiClient(sandbox.url, new)
    client.revoke()
    assert client.token is None
    with pytest.raises(UnauthorizedError):
        keep.keys()
    with pytest.raises(UnauthorizedError):
        client.whoami()  # no token at all: says so without a request


def test_daily_summary_across_tills(client, sandbox, shop, clock) -> None:
    second = ApiClient(sandbox.url)
    second.pair(sandbox.store.new_pairing_code(shop), "Cassa 2")
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    client.redeem(_request(client, clock, voucher["code"], 1000))
    clock.advance(timedelta(hours=2))
    second.redeem(_request(second, clock, voucher["code"], 250))
    voided = client.redeem(_request(client, clock, voucher["code"], 999))
    client.void(voided.redemption_id, "mistake", clock.now())
    day = client.summary(date(2026, 11, 26))
    assert (day.date, day.shop_id, day.count, day.total_cents) == (
        date(2026, 11, 26),
        shop,
        2,
        1250,
    )
    assert sorted((t.till_name, t.total_cents) for t in day.by_till) == [
        ("Cassa 1", 1000),
        ("Cassa 2", 250),
    ]
    assert sorted((h.hour, h.count) for h in day.by_hour) == [(10, 1), (12, 1)]
    assert client.summary(date(2026, 11, 25)).count == 0


def test_token_never_logged(client, sandbox, shop, clock, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    voucher = sandbox.store.create_voucher(shop, 1000)
    client.lookup(voucher["code"])
    client.redeem(_request(client, clock, voucher["code"], 1000))
    token = client.token
    assert token and "posapp.api" in {r.name for r in caplog.records}
    assert token not in caplog.text and token not in repr(client)


def test_request_in_flight_is_conflict(client, sandbox, shop, clock) -> None:
    voucher = sandbox.store.create_voucher(shop, 1000)
    request = _request(client, clock, voucher["code"], 1000)
    started, release = threading.Event(), threading.Event()

    def hold(redemption_id: str) -> None:
        started.set()
        release.wait(5)

    sandbox.store.desk.on_redeem_started = hold
    first: list = []
    worker = threading.Thread(target=lambda: first.append(client.redeem(request)))
    worker.start()
    try:
        assert started.wait(5)
        sandbox.store.desk.on_redeem_started = None
        second = ApiClient(sandbox.url, client.token)
        with pytest.raises(ConflictError) as busy:
            second.redeem(request)
        assert (busy.value.code, busy.value.status) == ("request_in_flight", 409)
    finally:
        release.set()
        worker.join(5)
    assert first and first[0].status == "accepted"
    assert client.redeem(request) == first[0]
