"""Offline acceptance with a controllable clock: proof, each cap, balances, refusal texts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from posapp.core.money import format_cents
from posapp.core.policy import AcceptedOffline, NeedsConfirmation, Refused
from posapp.core.store import ledger, outbox
from tests.test_sync_support import offline_rig


@pytest.fixture
def rig(tmp_path):
    with offline_rig(tmp_path, "Forno Aurora", "Galatone") as rig:
        yield rig


def _synced_offline(rig):
    report = rig.sync.run()
    assert report.ok, report
    rig.offline()


def test_offline_needs_a_sync_first_and_refuses_when_it_is_too_old(rig):
    v = rig.voucher(1000)
    rig.offline()
    never = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(never, Refused) and never.reason == "offline.not_proven"  # nothing cached
    _synced_offline(rig)
    rig.clock.advance(timedelta(hours=23, minutes=59))
    assert isinstance(rig.policy.submit(v["code"]), NeedsConfirmation)
    rig.clock.advance(timedelta(minutes=2))
    stale = rig.policy.submit(v["code"], confirmed=True)
    assert stale.reason == "offline.stale_sync"
    assert stale.text("it") == "Nessun aggiornamento da oltre 24 ore: serve la connessione"
    assert stale.text("en") == "No update for more than 24 hours: a connection is needed"
    assert rig.store.call(ledger.recent) == []


def test_offline_needs_proof(rig):
    _synced_offline(rig)
    unknown = rig.voucher(1000)  # issued after the last sync: not in the cached list
    outcome = rig.policy.submit(unknown["code"], confirmed=True)
    assert outcome.reason == "offline.not_proven"
    assert outcome.text("it") == "Senza connessione non si può verificare questo buono"


def test_signed_code_verified_offline_once_and_revocation_wins(rig):
    signed_v = rig.voucher(2000)
    revoked_v = rig.voucher(2000)
    _synced_offline(rig)  # keys downloaded; signed_v is in the list too, but the code proves itself
    code = rig.server.store.sign_voucher(signed_v["voucher_id"])
    ok = rig.policy.submit(code, confirmed=True)
    assert isinstance(ok, AcceptedOffline) and ok.amount_cents == 2000
    again = rig.policy.submit(code, confirmed=True)
    assert again.reason == "offline.already_redeemed_here"
    assert again.text("en") == "Voucher already used at this till"
    rig.server.store.revoke_voucher(revoked_v["voucher_id"], "stolen")
    rig.till.monitor.synced()
    _synced_offline(rig)
    refused = rig.policy.submit(rig.server.store.sign_voucher(revoked_v["voucher_id"]))
    assert refused.reason == "offline.revoked"


def test_signed_code_alone_is_proof_without_a_list_entry(rig):
    _synced_offline(rig)  # keys known
    late = rig.voucher(1500)  # not in the cached list
    outcome = rig.policy.submit(rig.server.store.sign_voucher(late["voucher_id"]))
    assert isinstance(outcome, NeedsConfirmation)
    assert outcome.summary.source == "offline" and outcome.summary.default_amount_cents == 1500
    assert isinstance(
        rig.policy.submit(rig.server.store.sign_voucher(late["voucher_id"]), confirmed=True),
        AcceptedOffline,
    )


def test_value_cap_per_redemption(rig):
    big = rig.voucher(8000)
    big_partial = rig.voucher(8000, partial_allowed=True)
    _synced_offline(rig)
    refused = rig.policy.submit(big["code"], confirmed=True)
    assert refused.reason == "offline.over_value_cap"
    assert (
        refused.text("it")
        == f"Senza connessione il massimo per buono è {format_cents(5000, lang='it')}"
    )
    summary = rig.policy.submit(big_partial["code"]).summary
    assert summary.max_amount_cents == 5000 and summary.balance_cents == 8000
    assert rig.policy.submit(big_partial["code"], 5001, confirmed=True).reason == (
        "offline.over_value_cap"
    )
    assert isinstance(rig.policy.submit(big_partial["code"], 5000, confirmed=True), AcceptedOffline)


def test_pending_count_cap(rig):
    vs = [rig.voucher(500) for _ in range(4)]
    _synced_offline(rig)
    for v in vs[:3]:
        assert isinstance(rig.policy.submit(v["code"], confirmed=True), AcceptedOffline)
    refused = rig.policy.submit(vs[3]["code"], confirmed=True)
    assert refused.reason == "offline.over_pending_count"
    assert "(massimo 3)" in refused.text("it")


def test_pending_value_cap(rig):
    vs = [rig.voucher(2500) for _ in range(3)]
    _synced_offline(rig)
    assert isinstance(rig.policy.submit(vs[0]["code"], confirmed=True), AcceptedOffline)
    assert isinstance(rig.policy.submit(vs[1]["code"], confirmed=True), AcceptedOffline)
    refused = rig.policy.submit(vs[2]["code"], confirmed=True)
    assert refused.reason == "offline.over_pending_value"
    assert refused.text(
        "en"
    ) == "Total waiting to be sent is over €60.00: a connection is needed" or (
        "60" in refused.text("en")
    )


def test_partial_offline_only_against_the_cached_balance(rig):
    v = rig.voucher(1000, partial_allowed=True)
    _synced_offline(rig)
    assert isinstance(rig.policy.submit(v["code"], 600, confirmed=True), AcceptedOffline)
    summary = rig.policy.submit(v["code"]).summary
    assert summary.balance_cents == 400 and summary.default_amount_cents == 400
    over = rig.policy.submit(v["code"], 500, confirmed=True)
    assert over.reason == "offline.insufficient_cached_balance"
    assert (
        over.text("it")
        == f"Credito insufficiente: restano {format_cents(400, lang='it')} (ultimo dato noto)"
    )
    assert isinstance(rig.policy.submit(v["code"], 400, confirmed=True), AcceptedOffline)
    assert rig.policy.submit(v["code"], 1, confirmed=True).reason in (
        "offline.already_redeemed_here",
        "offline.insufficient_cached_balance",
    )
    rig.till.monitor.synced()
    report = rig.sync.run()
    assert report.ok and report.accepted == 2 and report.conflicts == 0
    assert rig.server.store.get_voucher(v["voucher_id"])["balance_cents"] == 0


def test_the_same_till_never_accepts_a_voucher_twice(rig):
    v = rig.voucher(1000)
    _synced_offline(rig)
    first = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(first, AcceptedOffline) and not first.unconfirmed
    second = rig.policy.submit(v["code"], confirmed=True)
    assert second.reason == "offline.already_redeemed_here"
    rows = rig.store.call(ledger.recent)
    assert len(rows) == 1 and rows[0].offline
    (item,) = rig.store.call(outbox.next_items, rig.till.account_id, 10)
    assert '"offline":true' in item.body


def test_cached_status_and_expiry_are_checked_offline(rig):
    used = rig.voucher(1000, balance_cents=0)
    soon = rig.voucher(1000, expires_at=rig.clock.now() + timedelta(hours=1))
    _synced_offline(rig)
    assert rig.policy.submit(used["code"]).reason == "refused.voucher_used"
    rig.clock.advance(timedelta(hours=2))
    assert rig.policy.submit(soon["code"]).reason == "refused.voucher_expired"


def test_offline_void_is_queued_behind_its_redemption(rig):
    v = rig.voucher(1000)
    _synced_offline(rig)
    done = rig.policy.submit(v["code"], confirmed=True)
    voided = rig.policy.void(done.redemption_id, "mistake")
    assert voided.queued
    ops = [i.op for i in rig.store.call(outbox.next_items, rig.till.account_id, 10)]
    assert ops == ["redeem", "void"]
    assert rig.store.call(ledger.daily_totals, rig.clock.now().date()).count == 0
    rig.till.monitor.synced()
    report = rig.sync.run()
    assert report.ok and report.accepted == 1 and report.voided == 1
    (remote,) = rig.on_sandbox(v["voucher_id"])
    assert remote["status"] == "voided" and remote["redemption_id"] == done.redemption_id
    assert rig.server.store.get_voucher(v["voucher_id"])["balance_cents"] == 1000


def test_a_genuine_signed_code_of_another_shop_is_refused_offline(rig):
    other_shop = rig.server.store.create_shop("Altro negozio", "Galatone")
    foreign = rig.server.store.create_voucher(other_shop, 1000)
    _synced_offline(rig)
    outcome = rig.policy.submit(
        rig.server.store.sign_voucher(foreign["voucher_id"]), confirmed=True
    )
    assert isinstance(outcome, Refused) and outcome.reason == "refused.other_shop"
    assert rig.store.call(ledger.recent) == []
