"""Every fault the sandbox injects, on the online redeem and on the sync upload: each redemption
is applied exactly once, with the id written before the first attempt, and no call outlives its
timeout."""

from __future__ import annotations

import time

import pytest

from posapp.core.clock import ManualClock
from posapp.core.policy import AcceptedOffline, AcceptedOnline
from posapp.core.store import ledger, outbox
from tests.test_sync_support import TIMEOUT, make_till, start_sandbox

LIMIT_S = sum(TIMEOUT) + 0.5  # the client's whole budget, plus scheduling slack

FAULTS = [
    {"kind": "latency", "seconds": 1.5},  # slower than the read timeout: the server commits later
    {"kind": "error_5xx", "retry_after": 0},
    {"kind": "drop_after_commit"},
    {"kind": "reset"},
    {"kind": "garbage"},
    {"kind": "hang"},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    clock = ManualClock()
    server = start_sandbox(tmp_path_factory.mktemp("sandbox"), clock)
    server.clock = clock
    yield server
    server.stop()


@pytest.fixture
def rig(server, tmp_path):
    server.faults.clear()
    shop = server.store.create_shop("Edicola", "Adelfia")
    rig = make_till(
        server, shop, tmp_path / "till.sqlite3", server.clock, timeout=TIMEOUT, slow_request_s=0.9
    )
    yield rig
    server.faults.clear()
    rig.close()


def _settle(rig, voucher_id, redemption_id):
    """Faults off, sync, and check: one redemption on the platform, ours, accepted."""
    rig.server.faults.clear()
    rig.till.monitor.synced()
    report = rig.sync.run()
    assert report.ok, report
    remote = rig.on_sandbox(voucher_id)
    assert [(r["redemption_id"], r["status"]) for r in remote] == [(redemption_id, "accepted")]
    assert rig.store.call(ledger.get, redemption_id).state == "accepted"
    assert rig.store.call(outbox.next_items, rig.till.account_id, 10) == []


@pytest.mark.parametrize("fault", FAULTS, ids=[f["kind"] for f in FAULTS])
def test_fault_on_the_online_redeem(rig, fault):
    v = rig.voucher(1000)
    rig.server.faults.set([{**fault, "path": "/v1/redemptions", "method": "POST", "count": 1}])
    started = time.monotonic()
    outcome = rig.policy.submit(v["code"], confirmed=True)
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT_S + 0.2, f"{fault['kind']}: the counter waited {elapsed:.2f} s"
    if fault["kind"] == "latency":  # no answer in time, but the id is kept
        assert isinstance(outcome, AcceptedOffline) and outcome.unconfirmed
    else:
        assert isinstance(outcome, AcceptedOffline), outcome
        assert outcome.unconfirmed
    time.sleep(0.05 if fault["kind"] != "latency" else 1.2)  # let a late commit land
    _settle(rig, v["voucher_id"], outcome.redemption_id)


@pytest.mark.parametrize("fault", FAULTS, ids=[f["kind"] for f in FAULTS])
def test_fault_on_the_batch_upload(rig, fault):
    v = rig.voucher(1000)
    assert rig.sync.run().ok
    rig.offline()
    outcome = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(outcome, AcceptedOffline)
    rig.server.faults.set([{**fault, "path": "/v1/redemptions/batch", "count": 1}])
    rig.till.monitor.synced()
    started = time.monotonic()
    report = rig.sync.run()
    assert time.monotonic() - started < 2 * LIMIT_S + 1.5
    assert report.accepted == 1 and report.retries == 1, report
    if fault["kind"] == "latency":
        time.sleep(1.2)
    _settle(rig, v["voucher_id"], outcome.redemption_id)


@pytest.mark.parametrize("kind", ["hang", "reset", "error_5xx"])
def test_fault_on_the_lookup_falls_back_to_offline_rules(rig, kind):
    v = rig.voucher(1000)
    assert rig.sync.run().ok
    rig.server.faults.set([{"kind": kind, "path": "/v1/vouchers/", "count": 1, "retry_after": 0}])
    started = time.monotonic()
    outcome = rig.policy.submit(v["code"], confirmed=True)
    assert time.monotonic() - started < LIMIT_S
    assert isinstance(outcome, AcceptedOffline) and not outcome.unconfirmed
    _settle(rig, v["voucher_id"], outcome.redemption_id)


def test_slow_and_failing_requests_switch_the_till_offline_then_back(rig):
    vs = [rig.voucher(500) for _ in range(3)]
    assert rig.sync.run().ok
    rig.server.faults.set([{"kind": "reset", "path": "/v1/vouchers/", "count": 2}])
    first = rig.policy.submit(vs[0]["code"], confirmed=True)
    second = rig.policy.submit(vs[1]["code"], confirmed=True)
    assert isinstance(first, AcceptedOffline) and isinstance(second, AcceptedOffline)
    assert not rig.till.monitor.online  # 2 of the last 5 failed
    started = time.monotonic()
    third = rig.policy.submit(vs[2]["code"], confirmed=True)
    assert time.monotonic() - started < 0.2  # offline: no network wait at the counter
    assert isinstance(third, AcceptedOffline)
    report = rig.sync.run()  # the forced sync works: online again at once
    assert report.ok and report.accepted == 3 and rig.till.monitor.online
    online = rig.policy.submit(rig.voucher(500)["code"], confirmed=True)
    assert isinstance(online, AcceptedOnline)
