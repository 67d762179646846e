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

from posapp.core.api.errors import ApiError, RefusedError, ServerError, UnauthorizedError
from posapp.core.api.models import BatchItemResult, Redemption
from posapp.core.clock import Clock, SystemClock, parse_utc, utc_iso
from posapp.core.store import Store, StoreError, cache, ledger, outbox, transaction
from posapp.core.store.offline_rules import settle_online

log = logging.getLogger("posapp.sync")
MAX_BATCH = 500


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
    ) -> None:
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

    # -- the cycle -----------------------------------------------------------------------------
    def run(self) -> SyncReport:
        """Upload everything queued before this call, then download; never raises an ApiError."""
        report = SyncReport()
        try:
            self.upload(report)
            if report.pending_left == 0:
                self.download(report)
                now = self.clock.now()
                self.store.call(_set_state_txn, self.account_id, "last_good_sync", utc_iso(now))
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
        try:
            refresh_queue_state(self.store, self.account_id, self.monitor)
        except StoreError as exc:
            report.error = report.error or exc.code
        return report

    def upload(self, report: SyncReport) -> None:
        last_seq = self.store.call(_max_seq, self.account_id)
        try:
            self._upload(report, last_seq)
        finally:
            report.pending_left = self.store.call(_count_upto, self.account_id, last_seq)

    def _upload(self, report: SyncReport, last_seq: int) -> None:
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
            self.store.call(_apply_batch_txn, self.account_id, run, results, self.clock.now())
            for result in results:
                if result.outcome == "accepted":
                    report.accepted += 1
                else:
                    report.conflicts += 1
                    report.conflict_reasons.append(_reason(result)[0])

    def _send_one(self, item: outbox.OutboxItem, report: SyncReport) -> None:
        if item.op == "void":
            body = json.loads(item.body)
            call = lambda: self.client.void(  # noqa: E731
                item.redemption_id, body["reason"], parse_utc(body["voided_at"])
            )
        else:
            call = lambda: self.client.redeem(ledger.request_from_body(item.body))  # noqa: E731
        try:
            result = self._retrying(report, [item], call, refusal_is_final=True)
        except RefusedError as exc:
            self.store.call(_conflict_txn, item, exc.code, exc.message, self.clock.now())
            report.conflicts += 1
            report.conflict_reasons.append(exc.code)
            return
        self.store.call(_apply_one_txn, self.account_id, item, result, self.clock.now())
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
                report.retries += 1
                self.store.call(_note_txn, [i.seq for i in items], f"{exc.code} {exc.status}")
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
        for page in self.client.iter_vouchers(cursor):
            self.store.call(_vouchers_txn, self.account_id, page, self.clock.now())
            report.vouchers += len(page.items)
        cursor = self.store.call(cache.get_state, self.account_id, "revocations_cursor")
        for page in self.client.iter_revocations(cursor):
            self.store.call(_revocations_txn, self.account_id, page)
            report.revocations += len(page.items)
        keys = list(self.client.keys().values())
        self.store.call(_keys_txn, self.account_id, keys)
        report.keys = len(keys)


def _reason(result: BatchItemResult) -> tuple[str, str]:
    if result.redemption is not None and result.redemption.reason_code:
        return result.redemption.reason_code, result.redemption.reason_message or ""
    return result.error_code or result.outcome, result.error_message or ""


def refresh_queue_state(store: Store, account_id: str, monitor: object) -> None:
    """Push the queue figures (pending, oldest, conflicts, last good sync) to the monitor."""
    stats, conflicts, last = store.call(_queue_figures, account_id)
    oldest = parse_utc(stats.oldest_occurred_at) if stats.oldest_occurred_at else None
    monitor.update_queue(stats.count, stats.value_cents, oldest, conflicts, last)  # type: ignore[attr-defined]


# -- store-thread functions (short transactions) ------------------------------------------------
def _queue_figures(conn, account_id: str):
    return (
        ledger.pending_stats(conn, account_id),
        outbox.open_conflict_count(conn, account_id),
        cache.last_good_sync(conn, account_id),
    )


def _max_seq(conn, account_id: str) -> int:
    row = conn.execute("SELECT MAX(seq) FROM outbox WHERE account_id = ?", (account_id,)).fetchone()
    return int(row[0] or 0)


def _count_upto(conn, account_id: str, last_seq: int) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE account_id = ? AND seq <= ?", (account_id, last_seq)
    ).fetchone()
    return int(row[0])


def _note_txn(conn, seqs: list[int], error: str) -> None:
    with transaction(conn):
        outbox.note_failure(conn, seqs, error)


def _set_state_txn(conn, account_id: str, key: str, value: str) -> None:
    with transaction(conn):
        cache.set_state(conn, account_id, key, value)


def _record_conflict(conn, item, code: str, message: str, now: datetime) -> None:
    row = ledger.get(conn, item.redemption_id)
    code_, amount = (row.voucher_code, row.amount_cents) if row else ("?", 0)
    if item.op == "redeem":
        ledger.mark(conn, item.redemption_id, "conflict", code, message)
    else:  # the void did not happen: the redemption stands, and counts again
        conn.execute(
            "UPDATE ledger SET voided_at = NULL, void_reason = NULL WHERE redemption_id = ?",
            (item.redemption_id,),
        )
    outbox.add_conflict(conn, item, code_, amount, code, message, now)


def _conflict_txn(conn, item, code: str, message: str, now: datetime) -> None:
    with transaction(conn):
        _record_conflict(conn, item, code, message, now)


def _apply_one_txn(conn, account_id: str, item, result: Redemption, now: datetime) -> None:
    with transaction(conn):
        if result.status in ("accepted", "voided"):
            settle_online(conn, account_id, result, now)
        else:
            ledger.apply_result(conn, result, now)
            code = result.reason_code or result.status
            _record_conflict(conn, item, code, result.reason_message or code, now)


def _apply_batch_txn(conn, account_id: str, items, results, now: datetime) -> None:
    with transaction(conn):
        for item, result in zip(items, results, strict=True):
            if result.outcome == "accepted" and result.redemption is not None:
                settle_online(conn, account_id, result.redemption, now)
                continue
            if result.redemption is not None:
                ledger.apply_result(conn, result.redemption, now)
            code, message = _reason(result)
            _record_conflict(conn, item, code, message or code, now)


def _vouchers_txn(conn, account_id: str, page, now: datetime) -> None:
    with transaction(conn):
        cache.upsert_vouchers(conn, account_id, page.items, now)
        if page.next_cursor is not None:
            cache.set_state(conn, account_id, "vouchers_cursor", page.next_cursor)


def _revocations_txn(conn, account_id: str, page) -> None:
    with transaction(conn):
        cache.add_revocations(conn, account_id, page.items)
        if page.next_cursor is not None:
            cache.set_state(conn, account_id, "revocations_cursor", page.next_cursor)


def _keys_txn(conn, account_id: str, keys: list) -> None:
    with transaction(conn):
        cache.replace_keys(conn, account_id, keys)


__all__ = ["ServerError", "SyncEngine", "SyncReport", "refresh_queue_state"]
