"""The outbox (what still has to reach the platform, in order) and the conflicts the owner must see.

An outbox row leaves only when the platform answered it: accepted, voided, or refused for good, in
which case a conflict row keeps the body and the server's reason until the owner acknowledges it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from posapp.core.clock import utc_iso


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    account_id: str
    op: str
    redemption_id: str
    body: str
    attempts: int


def next_items(conn: sqlite3.Connection, account_id: str, limit: int) -> list[OutboxItem]:
    rows = conn.execute(
        "SELECT seq, account_id, op, redemption_id, body, attempts FROM outbox "
        "WHERE account_id = ? ORDER BY seq LIMIT ?",
        (account_id, limit),
    )
    return [OutboxItem(*row) for row in rows]


def has_item(conn: sqlite3.Connection, redemption_id: str, op: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM outbox WHERE redemption_id = ? AND op = ?", (redemption_id, op)
    ).fetchone()
    return row is not None


def remove(conn: sqlite3.Connection, redemption_id: str, op: str) -> None:
    conn.execute("DELETE FROM outbox WHERE redemption_id = ? AND op = ?", (redemption_id, op))


def note_failure(conn: sqlite3.Connection, seqs: list[int], error: str) -> None:
    conn.executemany(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
        [(error[:200], seq) for seq in seqs],
    )


def enqueue_void(
    conn: sqlite3.Connection, account_id: str, redemption_id: str, reason: str, voided_at: datetime
) -> None:
    body = json.dumps({"reason": reason, "voided_at": utc_iso(voided_at)}, sort_keys=True)
    conn.execute(
        "INSERT INTO outbox (account_id, op, redemption_id, body, created_at) "
        "VALUES (?, 'void', ?, ?, ?)",
        (account_id, redemption_id, body, utc_iso(voided_at)),
    )


@dataclass(frozen=True)
class Conflict:
    id: int
    account_id: str
    op: str
    redemption_id: str
    voucher_code: str
    amount_cents: int
    reason_code: str
    reason_message: str
    created_at: str
    acknowledged_at: str | None


def add_conflict(
    conn: sqlite3.Connection,
    item: OutboxItem,
    voucher_code: str,
    amount_cents: int,
    code: str,
    message: str,
    now: datetime,
) -> None:
    """Move an outbox row to the conflicts (caller holds the transaction): kept, never dropped."""
    conn.execute(
        "INSERT INTO conflicts (account_id, op, redemption_id, voucher_code, amount_cents, body, "
        "reason_code, reason_message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            item.account_id,
            item.op,
            item.redemption_id,
            voucher_code,
            amount_cents,
            item.body,
            code,
            message,
            utc_iso(now),
        ),
    )
    conn.execute("DELETE FROM outbox WHERE seq = ?", (item.seq,))


_CONFLICT_COLUMNS = ", ".join(Conflict.__dataclass_fields__)


def conflicts(
    conn: sqlite3.Connection, account_id: str | None = None, *, include_acknowledged: bool = False
) -> list[Conflict]:
    clauses, args = [], []
    if account_id is not None:
        clauses.append("account_id = ?")
        args.append(account_id)
    if not include_acknowledged:
        clauses.append("acknowledged_at IS NULL")
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    sql = f"SELECT {_CONFLICT_COLUMNS} FROM conflicts {where} ORDER BY id"  # noqa: S608
    rows = conn.execute(sql, args)
    return [Conflict(*row) for row in rows]


def open_conflict_count(conn: sqlite3.Connection, account_id: str | None = None) -> int:
    if account_id is None:
        row = conn.execute("SELECT COUNT(*) FROM conflicts WHERE acknowledged_at IS NULL")
    else:
        row = conn.execute(
            "SELECT COUNT(*) FROM conflicts WHERE acknowledged_at IS NULL AND account_id = ?",
            (account_id,),
        )
    return int(row.fetchone()[0])


def acknowledge(conn: sqlite3.Connection, conflict_id: int, now: datetime) -> bool:
    """The owner saw it: mark, never delete (the history keeps it)."""
    cur = conn.execute(
        "UPDATE conflicts SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
        (utc_iso(now), conflict_id),
    )
    return cur.rowcount == 1
