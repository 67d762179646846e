"""Sync against the loopback sandbox: upload first, in order, in batches, with backoff; conflicts
kept; download by cursor; redeeming while a sync runs."""

from __future__ import annotations

import threading

import pytest

from posapp.core.clock import ManualClock
from posapp.core.policy import AcceptedOffline
from posapp.core.settings import OfflineCaps
from posapp.core.store import cache, ledger, outbox
from tests.test_sync_support import make_till, start_sandbox

CAPS = OfflineCaps(max_pending_count=5000, max_pending_value_cents=10**9)


@pytest.fixture
def rig(tmp_path):
    clock = ManualClock()
    server = start_sandbox(tmp_path / "sandbox", clock)
    shop = server.store.create_shop("Merceria Rosa", "Martano")
    rig = make_till(server, shop, tmp_path / "till.sqlite3", clock, CAPS, batch_size=100)
    rig.clock = clock
    yield rig
    rig.close()
    server.stop()


def _queue(rig, n, cents=100):
    vouchers = [rig.voucher(cents) for _ in range(n)]
    assert rig.sync.run().ok
    rig.offline()
    ids = []
    for v in vouchers:
        outcome = rig.policy.submit(v["code"], confirmed=True)
        assert isinstance(outcome, AcceptedOffline), outcome
        ids.append(outcome.redemption_id)
        rig.clock.advance(1)
    return vouchers, ids


def test_upload_in_order_in_batches_then_download(rig):
    _, ids = _queue(rig, 250)
    rig.till.monitor.synced()
    report = rig.sync.run()
    assert report.ok and report.accepted == 250 and report.conflicts == 0
    assert report.requests == 3  # 100 + 100 + 50 per batch, nothing one by one
    remote = [r["redemption_id"] for r in rig.on_sandbox()]
    assert remote == ids  # recorded in the order they happened
    assert all(r["offline"] for r in rig.on_sandbox())
    assert rig.store.call(outbox.next_items, rig.till.account_id, 10) == []
    assert {r.state for r in rig.store.call(ledger.recent, None, 300)} == {"accepted"}
    state = rig.till.monitor.state
    assert state.online and state.pending_count == 0 and state.last_good_sync == rig.clock.now()


def test_download_is_incremental_by_cursor(rig):
    for _ in range(3):
        rig.voucher()
    first = rig.sync.run()
    assert first.vouchers == 3 and first.keys >= 1
    assert rig.sync.run().vouchers == 0
    rig.voucher()
    assert rig.sync.run().vouchers == 1
    cursor = rig.store.call(cache.get_state, rig.till.account_id, "vouchers_cursor")
    assert cursor is not None


def test_retry_after_is_honoured_and_backoff_has_full_jitter(rig):
    _queue(rig, 3)
    rig.server.faults.set(
        [{"kind": "error_5xx", "path": "/v1/redemptions/batch", "retry_after": 3}]
    )
    report = rig.sync.run()
    assert report.ok and report.accepted == 3 and report.retries == 1
    assert rig.sleeps == [3.0]  # jitter said 0.5 * 1 s, the server said 3 s: 3 s it is
    rig.sync.rng = lambda: 0.999
    assert rig.sync.delay(3, None) == pytest.approx(0.999 * 4.0)
    rig.sync.rng = lambda: 0.0
    assert rig.sync.delay(10, None) == 0.0
    assert rig.sync.delay(10, 2.0) == 2.0


def test_transient_failures_keep_everything_queued_with_the_same_body(rig):
    _, ids = _queue(rig, 2)
    bodies = [i.body for i in rig.store.call(outbox.next_items, rig.till.account_id, 10)]
    rig.server.faults.set([{"kind": "reset", "path": "/v1/redemptions", "count": None}])
    report = rig.sync.run()
    assert not report.ok and report.pending_left == 2 and report.retries == rig.sync.max_attempts
    items = rig.store.call(outbox.next_items, rig.till.account_id, 10)
    assert [i.body for i in items] == bodies and items[0].attempts == rig.sync.max_attempts
    assert rig.till.monitor.state.last_good_sync is not None  # the first sync, not this one
    rig.server.faults.clear()
    assert rig.sync.run().accepted == 2
    assert sorted(r["redemption_id"] for r in rig.on_sandbox()) == sorted(ids)


def test_a_permanent_refusal_becomes_a_conflict_kept_until_acknowledged(rig):
    (v,), (rid,) = _queue(rig, 1, cents=1000)
    # meanwhile the customer spent it elsewhere (another till, online)
    other = make_till(rig.server, rig.shop_id, rig.store.path.with_name("other.sqlite3"), rig.clock)
    assert other.policy.submit(v["code"], confirmed=True).__class__.__name__ == "AcceptedOnline"
    other.close()
    report = rig.sync.run()
    assert report.conflicts == 1 and report.conflict_reasons == ["voucher_used"]
    (conflict,) = rig.store.call(outbox.conflicts)
    assert (conflict.redemption_id, conflict.reason_code, conflict.amount_cents) == (
        rid,
        "voucher_used",
        1000,
    )
    assert conflict.reason_message
    assert rig.store.call(ledger.get, rid).state == "conflict"
    assert rig.till.monitor.state.open_conflicts == 1
    statuses = sorted(r["status"] for r in rig.on_sandbox(v["voucher_id"]))
    assert statuses == ["accepted", "conflict"]  # kept on the platform too, never lost
    rig.sync.run()
    assert len(rig.store.call(outbox.conflicts)) == 1  # a later sync does not drop it
    assert rig.store.call(outbox.acknowledge, conflict.id, rig.clock.now())
    assert rig.store.call(outbox.conflicts) == []


def test_redeeming_while_a_sync_runs_is_safe(rig):
    _queue(rig, 300)
    extra = [rig.voucher(100) for _ in range(20)]
    rig.server.faults.set(
        [{"kind": "latency", "path": "/v1/redemptions/batch", "seconds": 0.3, "count": None}]
    )
    rig.till.monitor.synced()
    report = {}
    worker = threading.Thread(target=lambda: report.update(r=rig.sync.run()))
    worker.start()
    results = []
    for v in extra:  # the line is up: each is looked up and redeemed online meanwhile
        results.append(rig.policy.submit(v["code"], confirmed=True))
    worker.join(30)
    assert not worker.is_alive()
    assert all(type(o).__name__ == "AcceptedOnline" for o in results), results
    assert report["r"].accepted == 300
    rig.server.faults.clear()
    rig.sync.run()
    remote = rig.on_sandbox()
    assert len(remote) == 320 and len({r["redemption_id"] for r in remote}) == 320
    assert rig.store.call(outbox.next_items, rig.till.account_id, 10) == []


def test_unauthorized_sync_keeps_everything_and_asks_for_pairing(rig):
    _, ids = _queue(rig, 2)
    rig.server.store.revoke_till(rig.till.account.till_id)
    report = rig.sync.run()
    assert report.needs_pairing and not report.ok and report.pending_left == 2
    items = rig.store.call(outbox.next_items, rig.till.account_id, 10)
    assert [i.redemption_id for i in items] == ids


def test_a_store_failure_is_reported_not_raised(rig):
    _queue(rig, 1)
    rig.store.close()
    report = rig.sync.run()
    assert not report.ok and report.error == "db_closed"
    assert rig.on_sandbox() == []
