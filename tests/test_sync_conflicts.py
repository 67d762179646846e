"""Sync's edge cases around conflicts: an item still in flight is not a conflict, an id the
platform holds with another body does not stall the queue, a void behind a conflicted redemption
is not a second conflict, and a bug in a sync is a report, not an exception."""

from __future__ import annotations

import pytest

from posapp.core.api.client import ApiClient
from posapp.core.clock import ManualClock
from posapp.core.connectivity import ConnectivityMonitor
from posapp.core.policy import AcceptedOffline, AcceptedOnline, Till
from posapp.core.store import ledger, outbox
from posapp.core.sync import SyncEngine
from tests.test_sync_support import PATIENT, make_till, start_sandbox


@pytest.fixture
def rig(tmp_path):
    clock = ManualClock()
    server = start_sandbox(tmp_path / "sandbox", clock)
    shop = server.store.create_shop("Pescheria", "Galatina")
    rig = make_till(server, shop, tmp_path / "till.sqlite3", clock)
    rig.clock = clock
    yield rig
    rig.close()
    server.stop()


def _engine(rig, **options):
    """A second sync engine on the same store, with its own connection to the platform."""
    client = ApiClient(rig.server.url, rig.till.client.token, timeout=PATIENT)
    till = Till(rig.till.account, client, ConnectivityMonitor())
    return SyncEngine(rig.store, till, rig.clock, sleep=lambda s: None, rng=lambda: 0.5, **options)


def test_an_item_still_in_flight_is_retried_never_a_conflict(rig):
    v = rig.voucher(1000)
    assert rig.sync.run().ok
    background = _engine(rig)
    reports = []

    def sync_while_the_counter_redeems(redemption_id):  # inside the platform, mid-redeem
        if not reports:
            reports.append(None)
            reports[0] = background.run()

    rig.server.store.desk.on_redeem_started = sync_while_the_counter_redeems
    outcome = rig.policy.submit(v["code"], confirmed=True)
    rig.server.store.desk.on_redeem_started = None
    background.client.close()
    assert isinstance(outcome, AcceptedOnline)
    assert reports[0].conflicts == 0 and not reports[0].ok and reports[0].pending_left == 1
    assert rig.store.call(outbox.conflicts) == []
    assert rig.store.call(ledger.get, outcome.redemption_id).state == "accepted"
    assert rig.sync.run().ok
    assert [r["status"] for r in rig.on_sandbox()] == ["accepted"]


def test_an_id_held_with_another_body_becomes_a_conflict_and_the_queue_moves_on(rig):
    v, w = rig.voucher(1000), rig.voucher(800)
    assert rig.sync.run().ok
    rig.server.faults.set([{"kind": "drop_after_commit", "path": "/v1/redemptions", "count": 1}])
    first = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(first, AcceptedOffline) and first.unconfirmed
    rig.offline()
    behind = rig.policy.submit(w["code"], confirmed=True)
    assert isinstance(behind, AcceptedOffline)
    rig.store.call(  # the stored body no longer matches what the platform holds
        lambda c: c.execute(
            "UPDATE outbox SET body = replace(body, '\"amount_cents\":1000', "
            "'\"amount_cents\":999') WHERE redemption_id = ?",
            (first.redemption_id,),
        )
    )
    single = _engine(rig, use_batch=False)
    report = single.run()
    single.client.close()
    assert report.ok, report
    assert report.conflict_reasons == ["idempotency_key_reused"] and report.accepted == 1
    (conflict,) = rig.store.call(outbox.conflicts)
    assert conflict.redemption_id == first.redemption_id
    assert rig.store.call(ledger.get, behind.redemption_id).state == "accepted"


def test_a_void_behind_a_conflicted_redemption_is_not_a_second_conflict(rig, tmp_path):
    v = rig.voucher(1000)
    assert rig.sync.run().ok
    rig.offline()
    taken = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(taken, AcceptedOffline)
    assert rig.policy.void(taken.redemption_id, "wrong customer").queued
    other = make_till(rig.server, rig.shop_id, tmp_path / "other.sqlite3", rig.clock, None, "C2")
    assert isinstance(other.policy.submit(v["code"], confirmed=True), AcceptedOnline)
    other.close()
    rig.till.monitor.synced()
    report = rig.sync.run()
    assert report.ok and report.conflicts == 1, report
    (conflict,) = rig.store.call(outbox.conflicts)
    assert (conflict.op, conflict.redemption_id) == ("redeem", taken.redemption_id)
    row = rig.store.call(ledger.get, taken.redemption_id)
    assert row.state == "conflict" and row.void_reason == "wrong customer"
    assert rig.store.call(outbox.next_items, rig.till.account_id, 10) == []
    assert rig.server.store.get_voucher(v["voucher_id"])["balance_cents"] == 0


def test_a_bug_during_sync_is_reported_and_keeps_everything(rig):
    v = rig.voucher(1000)
    assert rig.sync.run().ok
    rig.offline()
    taken = rig.policy.submit(v["code"], confirmed=True)

    def broken_batch(items):
        raise RuntimeError("a bug in the upload")

    rig.till.client.redeem_batch = broken_batch
    report = rig.sync.run()
    assert not report.ok and report.error == "internal"
    (item,) = rig.store.call(outbox.next_items, rig.till.account_id, 10)
    assert item.redemption_id == taken.redemption_id


def _queue_offline(rig, n):
    vouchers = [rig.voucher(100) for _ in range(n)]
    assert rig.sync.run().ok
    rig.offline()
    ids = [rig.policy.submit(v["code"], confirmed=True).redemption_id for v in vouchers]
    rig.till.monitor.synced()
    return ids


def test_a_401_between_two_batches_keeps_the_rest_queued(rig, tmp_path):
    small = make_till(rig.server, rig.shop_id, tmp_path / "small.sqlite3", rig.clock)
    small.sync.batch_size = 2
    ids = _queue_offline(small, 5)
    client, real_call = small.till.client, small.till.client._call

    def revoke_after_the_first_batch(method, path, **kw):
        result = real_call(method, path, **kw)
        if path.endswith("/batch"):
            rig.server.store.revoke_till(small.till.account.till_id)
        return result

    client._call = revoke_after_the_first_batch
    report = small.sync.run()
    assert report.needs_pairing and report.accepted == 2 and report.pending_left == 3
    left = [i.redemption_id for i in small.store.call(outbox.next_items, small.till.account_id, 9)]
    assert left == ids[2:]
    assert sorted(r["redemption_id"] for r in rig.on_sandbox()) == sorted(ids[:2])
    small.close()


def test_a_batch_answered_with_fewer_results_than_items_loses_nothing(rig):
    ids = _queue_offline(rig, 3)
    client, real_call = rig.till.client, rig.till.client._call

    def short_answer(method, path, **kw):
        raw = real_call(method, path, **kw)  # the platform applied all three
        if path.endswith("/batch"):
            raw["results"] = raw["results"][:-1]
        return raw

    client._call = short_answer
    report = rig.sync.run()
    assert not report.ok and report.pending_left == 3 and report.conflicts == 0
    assert {r.state for r in rig.store.call(ledger.recent)} == {"pending"}
    client._call = real_call
    report = rig.sync.run()  # replays: each applied once, each settled
    assert report.ok and report.accepted == 3
    remote = rig.on_sandbox()
    assert sorted(r["redemption_id"] for r in remote) == sorted(ids) and len(remote) == 3
