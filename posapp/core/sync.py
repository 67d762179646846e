"""Sync one platform account: upload the outbox in order (batches), then download by cursor.

Network I/O runs on the caller's thread (a worker, never the store thread); the store sees only
short transactions, so the counter keeps redeeming while a sync runs. Transient failures back off
with full jitter and honour Retry-After; a permanent refusal becomes a conflict row the owner must
acknowledge.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from posapp.core.api.errors import (
    ApiError,
    ConflictError,
    RefusedError,
    ServerError,
    UnauthorizedError,
)
from posapp.core.clock import Clock, SystemClock, parse_utc, utc_iso
from posapp.core.drain import CHECKPOINT_EVERY_S, Checkpointer
from posapp.core.store import Store, StoreError, cache, ledger, outbox
from posapp.core.store import transactions as tx

log = logging.getLogger("posapp.sync")
MAX_BATCH = 500
APPLY_CHUNK = 50


@dataclass
class SyncReport:
    accepted: int = 0
    conflicts: int = 0
    voided: int = 0
    retries: int = 0
    requests: int = 0
    pending_left: int = 0
    vouchers: int = 0
    revocations: int = 0
    keys: int = 0
    ok: bool = False
    needs_pairing: bool = False
    error: str | None = None
    conflict_reasons: list[str] = field(default_factory=list)
    checkpoint: datetime | None = None  # the drain checkpoint the platform kept (drain.py)


class _GiveUp(Exception):
    """Transient failures outlasted this run's attempts: stop here, keep everything queued."""


class SyncEngine:
    """One account's sync; `run()` is safe to call from any thread except the store's."""

    def __init__(
        self,
        store: Store,
        till: object,  # policy.Till: account, client, monitor
        clock: Clock | None = None,
        *,
        batch_size: int = MAX_BATCH,
        use_batch: bool = True,
        max_attempts: int = 4,
        base_delay_s: float = 0.5,
        max_delay_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        horizon: Callable[[], datetime] | None = None,
        checkpoint_every_s: float = CHECKPOINT_EVERY_S,
    ) -> None:
        """`horizon`: RecordingTimes.horizon of the policy recording sales into this store (the
        drain checkpoint is never later than a sale still being recorded); default: now."""
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch size must be 1..{MAX_BATCH}")
        self.store = store
        self.till = till
        self.account_id: str = till.account.account_id  # type: ignore[attr-defined]
        self.client = till.client  # type: ignore[attr-defined]
        self.monitor = till.monitor  # type: ignore[attr-defined]
        self.clock = clock or SystemClock()
        self.batch_size = batch_size
        self.use_batch = use_batch
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.sleep = sleep
        self.rng = rng
        self.horizon = horizon or self.clock.now
        self.checkpoints = Checkpointer(self.client, self.clock, checkpoint_every_s)

    # -- the cycle -----------------------------------------------------------------------------
    def run(self) -> SyncReport:
        """Upload everything queued before this call, then download; never raises an ApiError."""
        report = SyncReport()
        try:
            drained_through = self.upload(report)
            if report.pending_left == 0:
                self._checkpoint(report, drained_through)
                self.download(report)
                now = self.clock.now()
                self.store.call(tx.set_state_txn, self.account_id, "last_good_sync", utc_iso(now))
                self.monitor.synced(now)
                report.ok = True
        except UnauthorizedError:
            report.needs_pairing, report.error = True, "unauthorized"
        except _GiveUp as exc:
            report.error = str(exc)
        except ApiError as exc:  # a download that failed for good (bad response, refusal)
            report.error = exc.code
        except StoreError as exc:  # full disk, damaged file: reported, never raised at the UI
            log.error("sync of %s stopped: %s", self.account_id, exc)
            report.error = exc.code
        except Exception:  # a bug: everything stays queued (each step is its own transaction)
            log.exception("sync of %s failed unexpectedly", self.account_id)
            report.error = "internal"
        try:
            refresh_queue_state(self.store, self.account_id, self.monitor)
        except StoreError as exc:
            report.error = report.error or exc.code
        return report

    def upload(self, report: SyncReport) -> datetime | None:
        """Send what is queued now; returns the time up to which everything recorded was in
        that snapshot (None while trusted time is not anchored on a platform's answer)."""
        anchored = getattr(self.clock, "anchored", True)
        drained_through = self.horizon()  # before the snapshot: see drain.py
        last_seq = self.store.call(tx.max_seq, self.account_id)
        try:
            self._upload(report, last_seq)
        finally:
            report.pending_left = self.store.call(tx.count_upto, self.account_id, last_seq)
        return drained_through if anchored else None

    def _checkpoint(self, report: SyncReport, drained_through: datetime | None) -> None:
        """Everything of the snapshot is answered: say so to the platform (drain.py)."""
        settled = bool(report.accepted or report.conflicts or report.voided)
        if drained_through is not None and self.checkpoints.due(settled):
            report.checkpoint = self.checkpoints.send(drained_through)

    def _upload(self, report: SyncReport, last_seq: int) -> None:
        in_flight_rounds = 0
        while True:
            items = [
                i
                for i in self.store.call(outbox.next_items, self.account_id, self.batch_size)
                if i.seq <= last_seq
            ]
            if not items:
                break
            if items[0].op == "void" or not self.use_batch:
                self._send_one(items[0], report)
                continue
            run = []
            for item in items:
                if item.op != "redeem":
                    break
                run.append(item)
            results = self._retrying(
                report,
                run,
                lambda r=run: self.client.redeem_batch(
                    [ledger.request_from_body(i.body) for i in r]
                ),
            )
            if results is None:  # the whole batch was refused (malformed): one by one
                for item in run:
                    self._send_one(item, report)
                continue
            # an item whose id is still in flight (the counter's own online attempt, right now)
            # was not judged: it stays queued and is sent again, never made a conflict
            busy = [i for i, r in zip(run, results, strict=True) if _in_flight(r)]
            done = [(i, r) for i, r in zip(run, results, strict=True) if not _in_flight(r)]
            now = self.clock.now()
            for first in range(0, len(done), APPLY_CHUNK):  # short transactions: the counter
                chunk = done[first : first + APPLY_CHUNK]  # never waits long for the store
                self.store.call(
                    tx.apply_batch_txn,
                    self.account_id,
                    [i for i, _ in chunk],
                    [r for _, r in chunk],
                    now,
                )
            for _, result in done:
                if result.outcome == "accepted":
                    report.accepted += 1
                else:
                    report.conflicts += 1
                    report.conflict_reasons.append(tx.reason(result)[0])
            if busy:
                in_flight_rounds += 1
                report.retries += 1
                self.store.call(tx.note_txn, [i.seq for i in busy], "request_in_flight")
                if in_flight_rounds >= self.max_attempts:
                    raise _GiveUp(f"still in flight after {in_flight_rounds} attempts")
                self.sleep(self.delay(in_flight_rounds, None))

    def _send_one(self, item: outbox.OutboxItem, report: SyncReport) -> None:
        if item.op == "void":
            body = json.loads(item.body)
            # a queued void was decided while offline (or its online answer was lost): its
            # time is the operator's, so the platform bounds it and judges its window there
            call = lambda: self.client.void(  # noqa: E731
                item.redemption_id, body["reason"], parse_utc(body["voided_at"]), offline=True
            )
        else:
            call = lambda: self.client.redeem(ledger.request_from_body(item.body))  # noqa: E731
        try:
            result = self._retrying(report, [item], call, refusal_is_final=True)
        except RefusedError as exc:
            self.store.call(tx.conflict_txn, item, exc.code, exc.message, self.clock.now())
            report.conflicts += 1
            report.conflict_reasons.append(exc.code)
            return
        self.store.call(tx.apply_one_txn, self.account_id, item, result, self.clock.now())
        if result.status == "accepted":
            report.accepted += 1
        elif result.status == "voided":
            report.voided += 1
        else:
            report.conflicts += 1
            report.conflict_reasons.append(result.reason_code or result.status)

    def _retrying(self, report, items, call, refusal_is_final: bool = False):
        """Call with backoff (full jitter, Retry-After honoured); RefusedError ends a batch."""
        for attempt in range(1, self.max_attempts + 1):
            report.requests += 1
            try:
                return call()
            except (UnauthorizedError, _GiveUp):
                raise
            except RefusedError:
                if refusal_is_final:
                    raise
                return None
            except ApiError as exc:  # offline, 5xx, garbage, in flight: retry with the same body
                if isinstance(exc, ConflictError) and exc.code == "idempotency_key_reused":
                    # the platform holds this id with another body: retrying cannot change that,
                    # and the queue behind it must not stall forever; the owner sees a conflict
                    if refusal_is_final:
                        raise RefusedError(exc.code, exc.message, exc.status) from None
                    return None
                report.retries += 1
                self.store.call(tx.note_txn, [i.seq for i in items], f"{exc.code} {exc.status}")
                if attempt == self.max_attempts:
                    raise _GiveUp(f"{exc.code} after {attempt} attempts") from None
                self.sleep(self.delay(attempt, getattr(exc, "retry_after", None)))
        raise AssertionError("unreachable")

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)], never below Retry-After."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2**attempt)
        wait = self.rng() * ceiling
        if retry_after is not None:
            if retry_after > self.max_delay_s:
                raise _GiveUp(f"server asks to wait {retry_after:.0f} s")
            wait = max(wait, retry_after)
        return wait

    # -- download ------------------------------------------------------------------------------
    def download(self, report: SyncReport) -> None:
        cursor = self.store.call(cache.get_state, self.account_id, "vouchers_cursor")
        # read before each page is requested (the generator fetches on the next loop turn): a
        # balance the counter learns while a page travels must not be raised by that page
        fence = self.store.call(cache.learned_counter, self.account_id)
        for page in self.client.iter_vouchers(cursor):
            fence = self.store.call(tx.vouchers_txn, self.account_id, page, self.clock.now(), fence)
            report.vouchers += len(page.items)
        cursor = self.store.call(cache.get_state, self.account_id, "revocations_cursor")
        for page in self.client.iter_revocations(cursor):
            self.store.call(tx.revocations_txn, self.account_id, page)
            report.revocations += len(page.items)
        keys = list(self.client.keys().values())
        self.store.call(tx.keys_txn, self.account_id, keys)
        report.keys = len(keys)


def _in_flight(result: object) -> bool:
    return getattr(result, "outcome", None) == "rejected" and (
        getattr(result, "error_code", None) == "request_in_flight"
    )


def refresh_queue_state(store: Store, account_id: str, monitor: object) -> None:
    """Push the queue figures (pending, oldest, conflicts, last good sync) to the monitor."""
    stats, conflicts, last = store.call(tx.queue_figures, account_id)
    oldest = parse_utc(stats.oldest_occurred_at) if stats.oldest_occurred_at else None
    monitor.update_queue(stats.count, stats.value_cents, oldest, conflicts, last)  # type: ignore[attr-defined]


__all__ = ["ServerError", "SyncEngine", "SyncReport", "refresh_queue_state"]
