"""The short transactions the policy and sync hand to the store thread, one call each.

Every function takes the connection first and runs on the owner thread (`Store.call(fn, ...)`);
each write is one BEGIN IMMEDIATE transaction, so a kill leaves all of it or none of it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from posapp.core.api.models import BatchItemResult, RedeemRequest, Redemption, VoucherInfo
from posapp.core.clock import utc_iso
from posapp.core.store import cache, ledger, outbox
from posapp.core.store.db import transaction
from posapp.core.store.offline_rules import Refused, online_refusal


def settle_online(
    conn: sqlite3.Connection, account_id: str, result: Redemption, now: datetime
) -> None:
    """The platform answered one of ours: ledger state, cached balance, outbox row, in one go."""
    ledger.apply_result(conn, result, now)
    if result.status == "voided":
        outbox.remove(conn, result.redemption_id, "void")
        return
    outbox.remove(conn, result.redemption_id, "redeem")
    if result.status == "accepted":
        cache.set_server_balance(conn, account_id, result.voucher_id, result.balance_after_cents)


def record_txn(
    conn,
    account_id: str,
    voucher_id: int,
    req: RedeemRequest,
    balance: int | None = None,
    partial: bool = True,
    operator: str | None = None,
) -> Refused | None:
    """Ledger + outbox rows before the online attempt; with `balance` (the platform's, just
    looked up) the amount is checked against it minus this till's pending in the same
    transaction, and a Refused comes back instead of an insert."""
    with transaction(conn):
        if balance is not None:
            refusal = online_refusal(
                conn, account_id, voucher_id, balance, partial, req.amount_cents
            )
            if refusal is not None:
                return refusal
        ledger.insert_pending(conn, account_id, voucher_id, req, operator)
    return None


def note_lookup(conn, account_id: str, info: VoucherInfo) -> int:
    """The platform just told us a voucher's balance and status. If that is worse than the
    cache (used, cancelled or spent elsewhere), the cache follows at once: the line may drop
    before the next download, and offline acceptance must not trust the old figure. Returns this
    till's pending cents on the voucher."""
    pending = ledger.voucher_pending_cents(conn, account_id, info.voucher_id)
    cached = cache.get_voucher(conn, account_id, info.voucher_id)
    if cached is None:
        return pending
    closed = info.status not in ("valid", "partly_used") and info.status != cached.status
    if info.balance_cents < cached.server_balance_cents or closed:
        with transaction(conn):
            cache.set_server_balance(conn, account_id, info.voucher_id, info.balance_cents)
            if closed:
                conn.execute(
                    "UPDATE vouchers SET status = ? WHERE account_id = ? AND voucher_id = ?",
                    (info.status, account_id, info.voucher_id),
                )
    return pending


def drop_txn(conn, redemption_id: str, code: str, message: str) -> None:
    """Refused before anything was applied: the row stays as refused, the outbox row goes."""
    with transaction(conn):
        ledger.mark(conn, redemption_id, "refused", code, message)
        outbox.remove(conn, redemption_id, "redeem")


def settle_txn(conn, account_id: str, result: Redemption, now: datetime) -> None:
    with transaction(conn):
        settle_online(conn, account_id, result, now)


def queue_void_txn(conn, account_id: str, redemption_id: str, reason: str, when: datetime) -> bool:
    """Queue a void behind its redemption; False (nothing written) if meanwhile the redemption
    stopped being voidable (a sync made it a conflict, or it was voided already)."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE ledger SET voided_at = ?, void_reason = ? WHERE redemption_id = ? "
            "AND state IN ('pending', 'accepted') AND voided_at IS NULL",
            (utc_iso(when), reason, redemption_id),
        )
        if cur.rowcount != 1:
            return False
        outbox.enqueue_void(conn, account_id, redemption_id, reason, when)
    return True


def queue_figures(conn, account_id: str):
    return (
        ledger.pending_stats(conn, account_id),
        outbox.open_conflict_count(conn, account_id),
        cache.last_good_sync(conn, account_id),
    )


def max_seq(conn, account_id: str) -> int:
    row = conn.execute("SELECT MAX(seq) FROM outbox WHERE account_id = ?", (account_id,)).fetchone()
    return int(row[0] or 0)


def count_upto(conn, account_id: str, last_seq: int) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE account_id = ? AND seq <= ?", (account_id, last_seq)
    ).fetchone()
    return int(row[0])


def note_txn(conn, seqs: list[int], error: str) -> None:
    with transaction(conn):
        outbox.note_failure(conn, seqs, error)


def set_state_txn(conn, account_id: str, key: str, value: str) -> None:
    with transaction(conn):
        cache.set_state(conn, account_id, key, value)


def record_conflict(conn, item, code: str, message: str, now: datetime) -> None:
    row = ledger.get(conn, item.redemption_id)
    code_, amount = (row.voucher_code, row.amount_cents) if row else ("?", 0)
    if item.op == "redeem":
        ledger.mark(conn, item.redemption_id, "conflict", code, message)
        if code != "idempotency_key_reused":
            # the platform took nothing for it, so a void queued behind it has nothing to undo:
            # sending it would only come back as a second, misleading conflict (not_voidable).
            # The ledger keeps the operator's void (voided_at, void_reason); the conflict row
            # shows the redemption. (Reused id: the platform may hold it accepted; keep the void.)
            outbox.remove(conn, item.redemption_id, "void")
    else:  # the void did not happen: the redemption stands, and counts again
        conn.execute(
            "UPDATE ledger SET voided_at = NULL, void_reason = NULL WHERE redemption_id = ?",
            (item.redemption_id,),
        )
    outbox.add_conflict(conn, item, code_, amount, code, message, now)


def conflict_txn(conn, item, code: str, message: str, now: datetime) -> None:
    with transaction(conn):
        record_conflict(conn, item, code, message, now)


def apply_one_txn(conn, account_id: str, item, result: Redemption, now: datetime) -> None:
    with transaction(conn):
        if result.status in ("accepted", "voided"):
            settle_online(conn, account_id, result, now)
        else:
            ledger.apply_result(conn, result, now)
            code = result.reason_code or result.status
            record_conflict(conn, item, code, result.reason_message or code, now)


def apply_batch_txn(conn, account_id: str, items, results, now: datetime) -> None:
    with transaction(conn):
        for item, result in zip(items, results, strict=True):
            if result.outcome == "accepted" and result.redemption is not None:
                settle_online(conn, account_id, result.redemption, now)
                continue
            if result.redemption is not None:
                ledger.apply_result(conn, result.redemption, now)
            code, message = reason(result)
            record_conflict(conn, item, code, message or code, now)


def vouchers_txn(conn, account_id: str, page, now: datetime, fence: int | None = None) -> int:
    """Store one page (see cache.upsert_vouchers for `fence`); return the fence for the next."""
    with transaction(conn):
        cache.upsert_vouchers(conn, account_id, page.items, now, fence)
        if page.next_cursor is not None:
            cache.set_state(conn, account_id, "vouchers_cursor", page.next_cursor)
        return cache.learned_counter(conn, account_id)


def revocations_txn(conn, account_id: str, page) -> None:
    with transaction(conn):
        cache.add_revocations(conn, account_id, page.items)
        if page.next_cursor is not None:
            cache.set_state(conn, account_id, "revocations_cursor", page.next_cursor)


def keys_txn(conn, account_id: str, keys: list) -> None:
    with transaction(conn):
        cache.replace_keys(conn, account_id, keys)


def reason(result: BatchItemResult) -> tuple[str, str]:
    if result.redemption is not None and result.redemption.reason_code:
        return result.redemption.reason_code, result.redemption.reason_message or ""
    return result.error_code or result.outcome, result.error_message or ""
