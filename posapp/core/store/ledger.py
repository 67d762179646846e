"""This till's redemptions (the ledger) and their outbox rows: plain SQL, short transactions.

A redemption is written with its outbox row in one transaction before any network attempt, so a
kill at any instant leaves both (sync will send it, with the same id) or neither (nothing promised).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from posapp.core.api.models import RedeemRequest, Redemption
from posapp.core.clock import utc_iso

LOCAL_TZ = ZoneInfo("Europe/Rome")
# The ledger rows that count as money taken: accepted by the platform or waiting to be sent.
ACTIVE = ("pending", "accepted")


def canonical_body(req: RedeemRequest) -> str:
    """The exact bytes stored in the outbox and re-sent on every retry."""
    return json.dumps(req.to_json(), sort_keys=True, separators=(",", ":"))


def request_from_body(body: str) -> RedeemRequest:
    return RedeemRequest.from_json(json.loads(body))


@dataclass(frozen=True)
class LedgerRow:
    redemption_id: str
    account_id: str
    voucher_code: str
    voucher_id: int
    amount_cents: int
    currency: str
    till_id: str
    occurred_at: str
    offline: bool
    state: str
    balance_after_cents: int | None
    reason_code: str | None
    reason_message: str | None
    voided_at: str | None
    void_reason: str | None
    operator: str | None = None
    receipt_number: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> LedgerRow:
        return cls(*(row[name] for name in cls.__dataclass_fields__))  # type: ignore[arg-type]


_COLUMNS = ", ".join(LedgerRow.__dataclass_fields__)


def insert_pending(
    conn: sqlite3.Connection,
    account_id: str,
    voucher_id: int,
    req: RedeemRequest,
    operator: str | None = None,
) -> None:
    """Ledger row + outbox row; the caller holds the transaction. `operator` is who took it (the
    request's own `operator` when the API model carries one)."""
    when = req.occurred_at.astimezone(LOCAL_TZ)
    operator = operator if operator is not None else getattr(req, "operator", None)
    conn.execute(
        "INSERT INTO ledger (redemption_id, account_id, voucher_code, voucher_id, amount_cents, "
        "currency, till_id, occurred_at, offline, state, local_day, local_hour, operator) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
        (
            req.redemption_id,
            account_id,
            req.voucher_code,
            voucher_id,
            req.amount_cents,
            req.currency,
            req.till_id,
            utc_iso(req.occurred_at),
            int(req.offline),
            when.date().isoformat(),
            when.hour,
            operator,
        ),
    )
    conn.execute(
        "INSERT INTO outbox (account_id, op, redemption_id, body, created_at) "
        "VALUES (?, 'redeem', ?, ?, ?)",
        (account_id, req.redemption_id, canonical_body(req), utc_iso(req.occurred_at)),
    )


def get(conn: sqlite3.Connection, redemption_id: str) -> LedgerRow | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM ledger WHERE redemption_id = ?",  # noqa: S608
        (redemption_id,),
    ).fetchone()
    return LedgerRow.from_row(row) if row else None


def known_ids(conn: sqlite3.Connection, redemption_ids: list[str]) -> set[str]:
    """Which of these redemption ids the ledger holds (asked 500 at a time)."""
    found: set[str] = set()
    for start in range(0, len(redemption_ids), 500):
        chunk = redemption_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT redemption_id FROM ledger WHERE redemption_id IN ({marks})"  # noqa: S608
        found.update(r[0] for r in conn.execute(sql, chunk))
    return found


def recent(
    conn: sqlite3.Connection, account_id: str | None = None, limit: int = 50
) -> list[LedgerRow]:
    where, args = ("WHERE account_id = ?", (account_id,)) if account_id else ("", ())
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM ledger {where} ORDER BY occurred_at DESC LIMIT ?",  # noqa: S608
        (*args, limit),
    )
    return [LedgerRow.from_row(r) for r in rows]


RECEIPT_MAX = 40


def clean_receipt(number: str) -> str | None:
    """The receipt number as stored: trimmed, printable, 1..40 characters; None if not valid."""
    text = number.strip() if isinstance(number, str) else ""
    if not text or len(text) > RECEIPT_MAX or not text.isprintable():
        return None
    return text


def set_receipt(conn: sqlite3.Connection, redemption_id: str, number: str | None) -> bool:
    """Store (or clear, with None) the fiscal receipt number of one redemption; False if no
    such redemption. Local only: the platform never sees it."""
    cur = conn.execute(
        "UPDATE ledger SET receipt_number = ? WHERE redemption_id = ?", (number, redemption_id)
    )
    return cur.rowcount == 1


def apply_result(conn: sqlite3.Connection, redemption: Redemption, now: datetime) -> None:
    """Record what the platform said about one of our redemptions (caller holds the transaction)."""
    conn.execute(
        "UPDATE ledger SET state = ?, balance_after_cents = ?, reason_code = ?, "
        "reason_message = ?, voided_at = COALESCE(?, voided_at), "
        "void_reason = COALESCE(?, void_reason), settled_at = ? "
        "WHERE redemption_id = ?",
        (
            redemption.status,
            redemption.balance_after_cents,
            redemption.reason_code,
            redemption.reason_message,
            utc_iso(redemption.voided_at) if redemption.voided_at else None,
            redemption.void_reason,
            utc_iso(now),
            redemption.redemption_id,
        ),
    )


def mark(
    conn: sqlite3.Connection, redemption_id: str, state: str, code: str | None, message: str | None
) -> None:
    conn.execute(
        "UPDATE ledger SET state = ?, reason_code = ?, reason_message = ? WHERE redemption_id = ?",
        (state, code, message, redemption_id),
    )


def voucher_pending_cents(conn: sqlite3.Connection, account_id: str, voucher_id: int) -> int:
    """Money this till took on a voucher that the platform has not confirmed yet."""
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE account_id = ? AND voucher_id = ? "
        "AND state = 'pending' AND voided_at IS NULL",
        (account_id, voucher_id),
    ).fetchone()
    return int(row[0])


def voucher_active_count(conn: sqlite3.Connection, account_id: str, voucher_id: int) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM ledger WHERE account_id = ? AND voucher_id = ? "
        "AND state IN ('pending', 'accepted') AND voided_at IS NULL",
        (account_id, voucher_id),
    ).fetchone()
    return int(row[0])


@dataclass(frozen=True)
class PendingStats:
    count: int
    value_cents: int
    oldest_occurred_at: str | None


def pending_stats(conn: sqlite3.Connection, account_id: str | None = None) -> PendingStats:
    """What still waits for the platform: redemptions and voids in the outbox."""
    where, args = ("AND o.account_id = ?", (account_id,)) if account_id else ("", ())
    sql = (
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN o.op = 'redeem' THEN l.amount_cents END), 0), "
        "MIN(o.created_at) FROM outbox o JOIN ledger l ON l.redemption_id = o.redemption_id "
        "WHERE 1 = 1 "
    )
    row = conn.execute(sql + where, args).fetchone()
    return PendingStats(int(row[0]), int(row[1]), row[2])


@dataclass(frozen=True)
class Totals:
    count: int
    total_cents: int
    by_hour: dict[int, tuple[int, int]]
    by_till: dict[str, tuple[int, int]]


def daily_totals(conn: sqlite3.Connection, day: date, account_id: str | None = None) -> Totals:
    """Money taken on one Europe/Rome day (pending + accepted, not voided), by hour and by till."""
    where = "local_day = ? AND state IN ('pending', 'accepted') AND voided_at IS NULL"
    args: tuple = (day.isoformat(),)
    if account_id is not None:
        where += " AND account_id = ?"
        args = (day.isoformat(), account_id)
    sql = (
        "SELECT local_hour, till_id, COUNT(*), SUM(amount_cents) FROM ledger INDEXED BY ledger_day"
    )
    rows = conn.execute(f"{sql} WHERE {where} GROUP BY local_hour, till_id", args).fetchall()
    by_hour: dict[int, tuple[int, int]] = {}
    by_till: dict[str, tuple[int, int]] = {}
    for hour, till, count, cents in rows:
        c, v = by_hour.get(hour, (0, 0))
        by_hour[hour] = (c + count, v + cents)
        c, v = by_till.get(till, (0, 0))
        by_till[till] = (c + count, v + cents)
    return Totals(
        sum(c for c, _ in by_hour.values()),
        sum(v for _, v in by_hour.values()),
        dict(sorted(by_hour.items())),
        dict(sorted(by_till.items())),
    )
