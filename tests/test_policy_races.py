"""The redeem policy under concurrency and failure: two counters on one voucher, the local
bookkeeping failing after the platform answered, a bug mid-redeem. The counter always gets an
outcome, never more than the balance, and what the platform applied is never reported refused."""

from __future__ import annotations

import threading

import pytest

from posapp.core.clock import ManualClock
from posapp.core.policy import AcceptedOffline, AcceptedOnline, RedeemPolicy, Refused, Voided
from posapp.core.settings import OfflineCaps
from posapp.core.store import StoreError, ledger, outbox
from posapp.core.store import transactions as tx
from tests.test_sync_support import make_till, start_sandbox

HOOKED: list = []


@pytest.fixture(autouse=True)
def _every_hook_ran():
    """A race test whose hook never ran tested no race: fail it."""
    HOOKED.clear()
    yield
    assert all(h.hooked for h in HOOKED), "a race hook never ran"


class HookedStore:
    """The real store, with a hook run before one transaction function (a race or a failure).
    Bound to the function object, not its name: a renamed or wrapped function fails loudly
    instead of silently never running the hook."""

    def __init__(self, store, target, hook):
        assert callable(target)
        self._store, self._target, self._hook = store, target, hook
        self.hooked = 0
        HOOKED.append(self)

    def call(self, fn, *args):
        if fn is self._target:
            self.hooked += 1
            self._hook()
        return self._store.call(fn, *args)

    def __getattr__(self, name):
        return getattr(self._store, name)


@pytest.fixture
def rig(tmp_path):
    clock = ManualClock()
    server = start_sandbox(tmp_path / "sandbox", clock)
    shop = server.store.create_shop("Ferramenta", "Adelfia")
    rig = make_till(server, shop, tmp_path / "till.sqlite3", clock)
    rig.clock = clock
    yield rig
    rig.close()
    server.stop()


def _policy(rig, target, hook):
    return RedeemPolicy(HookedStore(rig.store, target, hook), [rig.till], OfflineCaps(), rig.clock)


def _both(policy, *calls):
    results = [None] * len(calls)

    def run(i, args):
        results[i] = policy.submit(*args)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_two_counters_never_take_a_voucher_beyond_its_balance(rig):
    v = rig.voucher(1000)
    # the answers are lost: the platform cannot be the judge, only this till's ledger can
    rig.server.faults.set([{"kind": "reset", "path": "/v1/redemptions", "count": None}])
    barrier = threading.Barrier(2, timeout=5)  # both looked it up before either records
    policy = _policy(rig, tx.record_txn, barrier.wait)
    results = _both(policy, (v["code"], None, True), (v["code"], None, True))
    taken = [r for r in results if isinstance(r, AcceptedOffline | AcceptedOnline)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(taken) == 1 and len(refused) == 1, results
    assert refused[0].reason == "offline.already_redeemed_here"
    assert (
        rig.store.call(ledger.voucher_pending_cents, rig.till.account_id, v["voucher_id"]) == 1000
    )


def test_two_partial_amounts_together_beyond_the_balance(rig):
    v = rig.voucher(1000, partial_allowed=True)
    rig.server.faults.set([{"kind": "reset", "path": "/v1/redemptions", "count": None}])
    barrier = threading.Barrier(2, timeout=5)
    policy = _policy(rig, tx.record_txn, barrier.wait)
    results = _both(policy, (v["code"], 700, True), (v["code"], 600, True))
    taken = [r for r in results if isinstance(r, AcceptedOffline)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(taken) == 1 and len(refused) == 1, results
    assert refused[0].reason == "refused.insufficient_balance"
    left = 1000 - taken[0].amount_cents
    assert refused[0].params["balance_cents"] == left


def _disk_full():
    raise StoreError("disk_full", "the disk is full: nothing was saved, free some space")


def test_accepted_by_the_platform_is_reported_accepted_even_if_settling_fails(rig):
    v = rig.voucher(1000)
    policy = _policy(rig, tx.settle_txn, _disk_full)
    outcome = policy.submit(v["code"], confirmed=True)
    assert isinstance(outcome, AcceptedOnline) and outcome.balance_after_cents == 0
    row = rig.store.call(ledger.get, outcome.redemption_id)
    assert row.state == "pending"  # with its outbox row: sync settles it by replay
    report = rig.sync.run()
    assert report.ok and report.accepted == 1
    assert rig.store.call(ledger.get, outcome.redemption_id).state == "accepted"
    assert [r["redemption_id"] for r in rig.on_sandbox()] == [outcome.redemption_id]


def test_voided_by_the_platform_is_reported_voided_even_if_settling_fails(rig):
    v = rig.voucher(1000)
    done = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(done, AcceptedOnline)
    policy = _policy(rig, tx.settle_txn, _disk_full)
    assert policy.void(done.redemption_id, "mistake") == Voided(done.redemption_id, queued=False)
    assert rig.server.store.get_voucher(v["voucher_id"])["balance_cents"] == 1000
    assert rig.store.call(ledger.daily_totals, rig.clock.now().date()).count == 0
    assert rig.sync.run().ok  # the queued void replays and settles
    assert rig.store.call(ledger.get, done.redemption_id).state == "voided"


def test_a_bug_after_the_record_keeps_the_redemption_for_sync(rig):
    v = rig.voucher(1000)
    client = rig.till.client
    real = client.redeem

    def redeem_then_break(req):
        real(req)
        raise RuntimeError("a bug after the platform applied it")

    client.redeem = redeem_then_break
    outcome = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(outcome, AcceptedOffline) and outcome.unconfirmed
    client.redeem = real
    assert rig.sync.run().ok
    assert [(r["redemption_id"], r["status"]) for r in rig.on_sandbox()] == [
        (outcome.redemption_id, "accepted")
    ]


def test_a_bug_before_the_record_is_a_refusal_not_a_stack_trace(rig):
    v = rig.voucher(1000)

    def broken_lookup(code):
        raise RuntimeError("a bug in the lookup")

    rig.till.client.lookup = broken_lookup
    outcome = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(outcome, Refused) and outcome.reason == "store.db_error"
    assert rig.store.call(ledger.recent) == []
    assert rig.store.call(outbox.next_items, rig.till.account_id, 10) == []


def test_a_boolean_is_not_an_amount(rig):
    v = rig.voucher(1000, partial_allowed=True)
    outcome = rig.policy.submit(v["code"], True, confirmed=True)
    assert isinstance(outcome, Refused) and outcome.reason == "refused.invalid_amount"


def test_a_void_racing_a_sync_that_made_it_a_conflict_is_refused_not_queued(rig, tmp_path):
    v = rig.voucher(1000)
    assert rig.sync.run().ok
    rig.offline()
    taken = rig.policy.submit(v["code"], confirmed=True)
    assert isinstance(taken, AcceptedOffline)
    other = make_till(rig.server, rig.shop_id, tmp_path / "other.sqlite3", rig.clock, None, "C2")
    assert isinstance(other.policy.submit(v["code"], confirmed=True), AcceptedOnline)
    other.close()
    reports = []

    def sync_first():  # the background sync settles it between the check and the queueing
        if not reports:
            reports.append(rig.sync.run())

    policy = _policy(rig, tx.queue_void_txn, sync_first)
    outcome = policy.void(taken.redemption_id, "mistake")
    assert reports[0].conflicts == 1
    assert isinstance(outcome, Refused) and outcome.reason == "refused.not_voidable"
    assert rig.store.call(outbox.next_items, rig.till.account_id, 10) == []
    rig.sync.run()
    assert len(rig.store.call(outbox.conflicts)) == 1  # no second, not_voidable conflict
    assert rig.store.call(ledger.get, taken.redemption_id).state == "conflict"
