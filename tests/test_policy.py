"""The redeem policy online, against a real sandbox on loopback: look up, confirm, redeem, void."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from posapp.core.api.models import RedeemRequest
from posapp.core.clock import ManualClock
from posapp.core.codes import encode_plain
from posapp.core.policy import AcceptedOnline, NeedsConfirmation, Refused, Voided
from posapp.core.store import StoreError, ledger, outbox, transaction
from tests.test_sync_support import make_till, start_sandbox


@pytest.fixture
def rig(tmp_path):
    clock = ManualClock()
    server = start_sandbox(tmp_path / "sandbox", clock)
    shop = server.store.create_shop("Bar Centrale", "Calimera")
    rig = make_till(server, shop, tmp_path / "till.sqlite3", clock)
    rig.clock = clock
    yield rig
    rig.close()
    server.stop()


def test_look_up_confirm_redeem_with_the_outbox_id(rig):
    v = rig.voucher(2500)
    first = rig.policy.submit(v["code"])
    assert isinstance(first, NeedsConfirmation)
    s = first.summary
    assert (s.code, s.face_value_cents, s.balance_cents, s.source) == (
        v["code"],
        2500,
        2500,
        "online",
    )
    assert (s.default_amount_cents, s.max_amount_cents, s.partial_allowed) == (2500, 2500, False)

    seen = {}

    def check_outbox_first(redemption_id):  # runs inside the sandbox before it redeems
        conn = sqlite3.connect(rig.store.path)
        seen["ledger"] = conn.execute(
            "SELECT state FROM ledger WHERE redemption_id = ?", (redemption_id,)
        ).fetchone()
        seen["outbox"] = conn.execute(
            "SELECT op FROM outbox WHERE redemption_id = ?", (redemption_id,)
        ).fetchone()
        conn.close()

    rig.server.store.desk.on_redeem_started = check_outbox_first
    done = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(done, AcceptedOnline)
    assert seen == {"ledger": ("pending",), "outbox": ("redeem",)}
    (remote,) = rig.on_sandbox(v["voucher_id"])
    assert remote["redemption_id"] == done.redemption_id and remote["offline"] is False
    row = rig.store.call(ledger.get, done.redemption_id)
    assert (row.state, row.amount_cents, row.balance_after_cents) == ("accepted", 2500, 0)
    assert rig.store.call(outbox.next_items, rig.till.account_id, 10) == []
    again = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(again, Refused) and again.reason == "refused.voucher_used"
    assert again.text("it") == "Buono già utilizzato"


def test_partial_use_and_balance_refusal_text(rig):
    v = rig.voucher(1000, partial_allowed=True)
    done = rig.policy.submit(v["code"], 300, confirmed=True)
    assert isinstance(done, AcceptedOnline) and done.balance_after_cents == 700
    over = rig.policy.submit(v["code"], 800, confirmed=True)
    assert isinstance(over, Refused) and over.reason == "refused.insufficient_balance"
    assert "7,00" in over.text("it") and "7.00" in over.text("en")
    whole = rig.voucher(1000)
    part = rig.policy.submit(whole["code"], 300, confirmed=True)
    assert isinstance(part, Refused) and part.reason == "refused.partial_not_allowed"
    assert len(rig.on_sandbox()) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "reject.empty"),
        ("hello world", "reject.unknown_format"),
        (
            encode_plain(12345)[:-1] + ("A" if encode_plain(12345)[-1] != "A" else "B"),
            "reject.bad_check",
        ),
        (encode_plain(987654321), "refused.unknown_voucher"),
    ],
)
def test_bad_codes_are_refused_with_a_reason_and_nothing_is_written(rig, text, reason):
    outcome = rig.policy.submit(text, confirmed=True)
    assert isinstance(outcome, Refused) and outcome.reason == reason
    assert rig.store.call(ledger.recent) == []


def test_cancelled_and_expired_vouchers(rig):
    gone = rig.voucher(1000, cancelled=True)
    late = rig.voucher(1000, expires_at=rig.clock.now() + timedelta(hours=1))
    rig.clock.advance(timedelta(hours=2))
    assert rig.policy.submit(gone["code"]).reason == "refused.voucher_cancelled"
    assert rig.policy.submit(late["code"]).reason == "refused.voucher_expired"


def test_unauthorized_sends_the_till_back_to_pairing(rig):
    v = rig.voucher(1000)
    rig.server.store.revoke_till(rig.till.account.till_id)
    outcome = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(outcome, Refused) and outcome.needs_pairing
    assert rig.store.call(outbox.next_items, rig.till.account_id, 10) == []
    assert rig.on_sandbox() == []


def test_void_online_within_the_window_only(rig):
    v = rig.voucher(1000)
    done = rig.policy.submit(v["code"], confirmed=True)
    voided = rig.policy.void(done.redemption_id, "wrong voucher")
    assert voided == Voided(done.redemption_id, queued=False)
    assert rig.server.store.get_voucher(v["voucher_id"])["balance_cents"] == 1000
    assert rig.on_sandbox(v["voucher_id"])[0]["status"] == "voided"
    assert rig.store.call(ledger.get, done.redemption_id).state == "voided"
    assert rig.policy.void(done.redemption_id, "again").reason == "refused.not_voidable"
    late = rig.policy.submit(v["code"], confirmed=True)
    rig.clock.advance(timedelta(minutes=11))
    refused = rig.policy.void(late.redemption_id, "too late")
    assert isinstance(refused, Refused) and refused.reason == "refused.void_window_expired"


def _fill_the_disk(rig):
    """Cap the file at its size, then fill it with rows shaped like the real ones until writes
    keep failing: the next redemption needs a page that is not there (SQLITE_FULL)."""
    store, now = rig.store, rig.clock.now()
    pages = store.call(lambda c: c.execute("PRAGMA page_count").fetchone()[0])
    store.call(lambda c: c.execute(f"PRAGMA max_page_count = {pages + 2}"))
    failures = 0
    for i in range(20_000):
        req = RedeemRequest.new(encode_plain(10**6 + i), 100, rig.till.account.till_id, now, True)
        try:
            store.call(_record, rig.till.account_id, 10**6 + i, req)
            failures = 0
        except StoreError as exc:
            assert exc.code == "disk_full"
            failures += 1
            if failures == 30:
                return
    raise AssertionError("the disk never filled")


def _record(conn, account_id, voucher_id, req):
    with transaction(conn):
        ledger.insert_pending(conn, account_id, voucher_id, req)


def test_full_disk_refuses_and_nothing_reaches_the_platform(rig):
    v = rig.voucher(1000)
    _fill_the_disk(rig)
    before = rig.store.call(ledger.pending_stats)
    outcome = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(outcome, Refused) and outcome.reason == "store.disk_full"
    assert outcome.params["detail"].startswith("the disk is full")
    assert "disco" in outcome.text("it").lower() and "disk" in outcome.text("en").lower()
    assert rig.on_sandbox() == []
    assert rig.store.call(ledger.pending_stats) == before


def test_every_reason_the_policy_can_give_has_words_in_both_languages():
    import re
    from pathlib import Path

    from posapp.core import messages, policy
    from posapp.core.codes import RejectReason
    from posapp.core.store import db, offline_rules

    keys = set()
    for module in (policy, offline_rules):
        keys |= set(
            re.findall(
                r'"((?:refused|offline|reject|store)\.[a-z_]+)"', Path(module.__file__).read_text()
            )
        )
    keys |= {
        f"store.{code}"
        for code in re.findall(r'StoreError\(\s*"([a-z_]+)"', Path(db.__file__).read_text())
    }
    keys |= {"store.db_too_new"} | {f"reject.{reason.value}" for reason in RejectReason}
    assert len(keys) > 20
    missing = sorted(k for k in keys if k not in messages.CATALOG)
    assert missing == []
    for key in keys:
        assert messages.CATALOG[key].keys() >= {"it", "en"}


def test_a_code_signed_with_a_rotated_key_fetches_the_new_keys_online(rig):
    v = rig.voucher(1200)
    assert rig.sync.run().ok  # the till knows the first key only
    rig.server.store.rotate_key()
    signed = rig.server.store.sign_voucher(v["voucher_id"])
    outcome = rig.policy.submit(signed, confirmed=True)
    assert isinstance(outcome, AcceptedOnline) and outcome.amount_cents == 1200
    rig.offline()  # and the new key now proves codes offline too
    other = rig.voucher(800)
    assert rig.policy.submit(rig.server.store.sign_voucher(other["voucher_id"])).summary.source == (
        "offline"
    )
