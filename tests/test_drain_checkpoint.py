"""The till's last contact bounds what it can claim offline (issue 8 item 1): the drain checkpoint.

A till online all along cannot date an "offline" redemption two days back and spend a voucher that
expired yesterday, once it has said everything it recorded is uploaded; an honest till back from a
day offline, uploading in several batches and interrupted midway, gets no false conflict; a sale
being recorded while the queue's snapshot is taken is not bounded by it. Real sandbox on loopback,
manual clocks on both sides."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

from posapp.core.clock import ManualClock, utc_iso
from posapp.core.policy import AcceptedOffline, AcceptedOnline, Voided
from posapp.core.settings import OfflineCaps
from posapp.core.store import ledger, outbox
from posapp.core.sync import SyncEngine
from tests.support.trust import trust_rig
from tests.test_sync_support import make_till, start_sandbox

OUT = "offline_time_out_of_bounds"
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CAPS = OfflineCaps(
    max_hours_since_sync=48,
    max_value_per_redemption_cents=10_000,
    max_pending_count=100,
    max_pending_value_cents=10**7,
)
HTTP = 10.0


@pytest.fixture
def rig(tmp_path):
    """A till whose sync engine sends drain checkpoints with its policy's recording horizon,
    as PosService wires it; one manual clock is the platform's and the till's."""
    clock = ManualClock(START)
    server = start_sandbox(tmp_path / "sandbox", clock)
    shop = server.store.create_shop("Salumeria Greco", "Maglie")
    rig = make_till(server, shop, tmp_path / "till.sqlite3", clock, CAPS)
    rig.clock = clock
    rig.sync = SyncEngine(
        rig.store,
        rig.till,
        clock,
        batch_size=2,
        sleep=lambda _s: None,
        horizon=rig.policy.recording.horizon,
    )
    yield rig
    rig.close()
    server.stop()


def _post(rig, path: str, body: dict, **headers: str) -> requests.Response:
    auth = {"Authorization": f"Bearer {rig.till.client.token}", **headers}
    return requests.post(rig.server.url + path, json=body, headers=auth, timeout=HTTP)


def _offline_body(rig, code: str, cents: int, when: datetime) -> dict:
    import uuid

    return {
        "redemption_id": str(uuid.uuid4()),
        "voucher_code": code,
        "amount_cents": cents,
        "currency": "EUR",
        "till_id": rig.till.account.till_id,
        "occurred_at": utc_iso(when),
        "offline": True,
    }


def _drained(rig) -> datetime | None:
    return rig.server.store.drained_through(rig.till.account.till_id)


def test_two_days_back_from_a_till_online_all_along_is_a_conflict(rig):
    """The issue's attack: offline: true, dated two days back, by a till that never went
    offline, to spend a voucher that expired yesterday."""
    expiring = rig.voucher(2000, expires_at=START + timedelta(days=1))
    also = rig.voucher(3000, expires_at=START + timedelta(days=1))
    first = rig.sync.run()
    assert first.ok and first.checkpoint == START  # the first sync of a run always says it
    rig.clock.advance(timedelta(minutes=5))
    assert rig.sync.run().checkpoint is None  # idle: not again before 10 minutes
    for _ in range(8):  # online for two days, syncing (a sync every 6 hours will do here)
        rig.clock.advance(timedelta(hours=6))
        assert rig.sync.run().ok
    assert _drained(rig) == rig.clock.now()  # the idle till kept saying it
    claimed = START + timedelta(hours=12)  # "sold offline" while the voucher was valid
    body = _offline_body(rig, expiring["code"], 2000, claimed)
    reply = _post(rig, "/v1/redemptions", body, **{"Idempotency-Key": body["redemption_id"]})
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, OUT), reply.text
    assert "last confirmed upload" in reply.json()["error"]["message"]
    stored = rig.server.store.desk.get(body["redemption_id"], rig.shop_id)
    assert (stored["status"], stored["reason_code"]) == ("conflict", OUT)  # kept, not dropped
    batch = _post(
        rig, "/v1/redemptions/batch", {"items": [_offline_body(rig, also["code"], 3000, claimed)]}
    )
    (result,) = batch.json()["results"]
    assert (result["outcome"], result["error"]["code"]) == ("conflict", OUT)
    assert "last confirmed upload" in result["error"]["message"]
    for voucher in (expiring, also):
        assert (
            rig.server.store.get_voucher(voucher["voucher_id"])["balance_cents"]
            == voucher["face_value_cents"]
        )


def test_without_a_checkpoint_only_the_older_bounds_hold(rig):
    """The control: the same claim from a till that never said it drained is judged by the
    pairing, issuance and maximum-age bounds alone, so it is the checkpoint that refuses it."""
    voucher = rig.voucher(2000, expires_at=START + timedelta(days=3))
    rig.clock.advance(timedelta(days=2))
    body = _offline_body(rig, voucher["code"], 2000, START + timedelta(hours=12))
    reply = _post(rig, "/v1/redemptions", body, **{"Idempotency-Key": body["redemption_id"]})
    assert reply.status_code == 201, reply.text
    assert _drained(rig) is None


def test_an_offline_void_before_the_checkpoint_is_refused_a_late_one_is_a_conflict(rig):
    sold = rig.voucher(1500)
    rig.sync.run()
    sale = rig.policy.submit(sold["code"], confirmed=True)
    assert isinstance(sale, AcceptedOnline), sale
    rig.clock.advance(timedelta(minutes=11))
    assert rig.sync.run().checkpoint == rig.clock.now()
    reply = _post(
        rig,
        f"/v1/redemptions/{sale.redemption_id}/void",
        {"reason": "errore", "voided_at": utc_iso(START + timedelta(minutes=2)), "offline": True},
    )
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, OUT), reply.text
    assert "last confirmed upload" in reply.json()["error"]["message"]
    assert rig.server.store.get_voucher(sold["voucher_id"])["balance_cents"] == 0


def test_an_honest_till_a_day_offline_uploading_in_interrupted_batches_has_no_conflict(rig):
    vouchers = [rig.voucher(1000 + i) for i in range(8)]
    late = rig.voucher(700)
    assert rig.sync.run().checkpoint == START
    rig.offline()
    ids = []
    for voucher in vouchers:  # a day at the counter without a line: a sale every 3 hours
        rig.clock.advance(timedelta(hours=3))
        outcome = rig.policy.submit(voucher["code"], confirmed=True)
        assert isinstance(outcome, AcceptedOffline), outcome
        ids.append(outcome.redemption_id)
    rig.clock.advance(timedelta(minutes=4))  # the last one was a mistake: voided, queued
    assert rig.policy.void(ids[-1], "errore") == Voided(ids[-1], queued=True)
    rig.clock.advance(timedelta(hours=2))
    # the line comes back: the first batch goes, the second is lost after the platform
    # committed it, and this run gives up: nothing may be said about the queue yet
    rig.sync.max_attempts = 1
    rig.server.faults.set(
        [
            {"kind": "latency", "seconds": 0.0, "path": "/v1/redemptions/batch", "count": 1},
            {"kind": "drop_after_commit", "path": "/v1/redemptions/batch", "count": 1},
        ]
    )
    interrupted = rig.sync.run()
    assert not interrupted.ok and interrupted.accepted == 2 and interrupted.pending_left > 0
    assert interrupted.checkpoint is None and _drained(rig) == START
    assert [r["count"] for r in rig.server.faults.rules()] == [0, 0]  # both really happened
    # an hour later, still offline at the counter, one more sale; then the rest goes
    rig.clock.advance(timedelta(hours=1))
    extra = rig.policy.submit(late["code"], confirmed=True)
    assert isinstance(extra, AcceptedOffline)
    rig.sync.max_attempts = 4
    snapshot = rig.clock.now()
    done = rig.sync.run()
    assert done.ok and done.conflicts == 0 and done.voided == 1, done
    assert done.checkpoint == snapshot and _drained(rig) == snapshot
    remote = {r["redemption_id"]: r for r in rig.on_sandbox()}
    assert [remote[i]["status"] for i in ids] == ["accepted"] * 7 + ["voided"]
    assert remote[extra.redemption_id]["status"] == "accepted"
    assert rig.store.call(outbox.conflicts, None) == []
    assert {r.state for r in rig.store.call(ledger.recent, None, 20)} == {"accepted", "voided"}


class _StallingStore:
    """The policy's view of the store, holding one kind of write on the counter's thread (as a
    lookup that timed out or a stalled disk would) until the test lets it go."""

    def __init__(self, store, fn):
        self._store, self._fn = store, fn
        self.entered, self.go = threading.Event(), threading.Event()

    def call(self, fn, *args):
        if fn is self._fn:
            self.entered.set()
            assert self.go.wait(30)
        return self._store.call(fn, *args)

    def __getattr__(self, name):
        return getattr(self._store, name)


def _stalled(service, fn, action):
    """Run `action` on a counter thread whose `fn` write waits; returns (thread, results,
    stall, time taken just before the action)."""
    stall = _StallingStore(service.policy.store, fn)
    service.policy.store = stall
    results: list = []
    taken = service.clock.now()
    thread = threading.Thread(target=lambda: results.append(action()))
    thread.start()
    assert stall.entered.wait(30)
    return thread, results, stall, taken


def _ms(when: datetime) -> datetime:
    return when.replace(microsecond=when.microsecond // 1000 * 1000)  # the wire's precision


def test_a_sale_recorded_while_the_snapshot_is_taken_is_not_bounded(tmp_path):
    """A sale whose time was taken before the sync's snapshot but written after it (a lookup
    that timed out, a stalled disk): the checkpoint stays before it, and it is accepted."""
    from posapp.core import policy as policy_module

    with trust_rig(tmp_path) as trig:
        service = trig.service
        account = trig.account.account_id
        assert service.engines[account].horizon == service.policy.recording.horizon
        voucher, before = trig.voucher(1200), trig.voucher(800)
        assert service.sync_now()[account].ok
        trig.offline()
        assert isinstance(service.submit(before["code"], confirmed=True), AcceptedOffline)
        thread, outcomes, stall, taken = _stalled(
            service,
            policy_module._offline_txn,
            lambda: service.submit(voucher["code"], confirmed=True),
        )
        try:  # (more than 5 minutes after a sync, the offline rules would refuse the sale)
            trig.advance(minutes=4)
            report = service.sync_now()[account]  # the first sale goes: a drain, a checkpoint
        finally:
            stall.go.set()
            thread.join(30)
        assert report.ok and report.accepted == 1
        assert _ms(taken) <= report.checkpoint < taken + timedelta(seconds=1)
        (outcome,) = outcomes
        assert isinstance(outcome, AcceptedOffline), outcome
        trig.advance(minutes=1)
        report = service.sync_now()[account]
        assert report.ok and report.accepted == 1 and report.conflicts == 0, report
        (stored,) = trig.server.store.list_redemptions(voucher_id=voucher["voucher_id"])
        assert stored["status"] == "accepted" and stored["offline"]


def test_a_void_queued_while_the_snapshot_is_taken_is_not_bounded(tmp_path):
    """The same for a void whose time was taken 20 minutes before it reached the outbox: were
    the checkpoint the sync's own time, the platform would refuse the void as predating it."""
    from posapp.core.store import transactions as tx

    with trust_rig(tmp_path) as trig:
        service = trig.service
        account = trig.account.account_id
        voucher = trig.voucher(900)
        assert service.sync_now()[account].ok
        trig.offline()
        sale = service.submit(voucher["code"], confirmed=True)
        assert isinstance(sale, AcceptedOffline)
        trig.advance(minutes=2)
        thread, voids, stall, taken = _stalled(
            service, tx.queue_void_txn, lambda: service.void(sale.redemption_id, "errore")
        )
        try:
            trig.advance(minutes=20)
            report = service.sync_now()[account]  # the sale goes; the void is not queued yet
        finally:
            stall.go.set()
            thread.join(30)
        assert report.ok and report.accepted == 1
        assert _ms(taken) <= report.checkpoint < taken + timedelta(seconds=1)
        assert voids == [Voided(sale.redemption_id, queued=True)]
        trig.advance(minutes=1)
        report = service.sync_now()[account]
        assert report.ok and report.voided == 1 and report.conflicts == 0, report
        (stored,) = trig.server.store.list_redemptions(voucher_id=voucher["voucher_id"])
        assert stored["status"] == "voided" and stored["voided_at"] == utc_iso(_ms(taken))


def test_the_platform_keeps_the_latest_checkpoint_never_ahead_of_its_clock(rig):
    voucher = rig.voucher(2000, partial_allowed=True)
    clock = rig.clock
    sold = _offline_body(rig, voucher["code"], 500, clock.now())
    key = {"Idempotency-Key": sold["redemption_id"]}
    assert _post(rig, "/v1/redemptions", sold, **key).status_code == 201
    clock.advance(timedelta(hours=1))

    def checkpoint(when: str) -> requests.Response:
        return _post(rig, "/v1/till/checkpoint", {"drained_through": when})

    ahead = checkpoint(utc_iso(clock.now() + timedelta(hours=1)))  # a till clock ahead
    assert ahead.status_code == 200 and ahead.json() == {"drained_through": utc_iso(clock.now())}
    older = checkpoint(utc_iso(clock.now() - timedelta(hours=2)))  # changes nothing
    assert older.json() == {"drained_through": utc_iso(clock.now())}
    assert _drained(rig) == clock.now()
    # a replay of what was uploaded before the checkpoint answers its first result
    replay = _post(rig, "/v1/redemptions", sold, **key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["status"] == "accepted"
    # within the skew: a till clock a little behind is no conflict
    close = _offline_body(rig, voucher["code"], 500, clock.now() - timedelta(minutes=4))
    assert _post(rig, "/v1/redemptions", close, **{"Idempotency-Key": close["redemption_id"]}).ok
    # only a paired till, only a time with its zone
    anonymous = requests.post(
        rig.server.url + "/v1/till/checkpoint",
        json={"drained_through": utc_iso(clock.now())},
        timeout=HTTP,
    )
    assert anonymous.status_code == 401
    for bad in ("yesterday", "2026-11-26T09:00:00", "1999-01-01T00:00:00Z"):
        reply = checkpoint(bad)
        assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_request")
    assert _drained(rig) == clock.now()
