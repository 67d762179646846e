"""The owner's figures straight from this till's database: one day's breakdown, a period's rows
and the shop's outstanding vouchers from the cached voucher list.

Days are the shop's Europe/Rome days (`local_day`, `local_hour`, computed once at insert), so a
redemption at 00:30 on the night clocks go back belongs to that Sunday, and its hour is the wall
clock's: on 25 October 2026 the hour 02 holds both 02:00 hours, as the platform's summary counts.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from posapp.core.clock import parse_utc, utc_iso
from posapp.core.store.history import SELECT, HistoryRow, PageKey, from_raw
from posapp.core.store.ledger import LOCAL_TZ


@dataclass(frozen=True)
class DayCell:
    """Redemptions of one day sharing hour, till, operator, online/offline and state."""

    account_id: str
    hour: int
    till_id: int
    operator: str | None
    offline: bool
    state: str  # pending | accepted | conflict | refused | voided (a void applied)
    count: int
    cents: int


def day_cells(conn: sqlite3.Connection, day: date, account_id: str | None = None) -> list[DayCell]:
    """Every redemption of `day` grouped finely enough for each total the owner sees."""
    where, args = "local_day = ?", [day.isoformat()]
    if account_id is not None:
        where += " AND account_id = ?"
        args.append(account_id)
    sql = (
        "SELECT account_id, local_hour, till_id, operator, offline, "
        "CASE WHEN voided_at IS NOT NULL OR state = 'voided' THEN 'voided' ELSE state END AS st, "
        "COUNT(*), SUM(amount_cents) FROM ledger INDEXED BY ledger_day_time WHERE "
    )
    rows = conn.execute(sql + where + " GROUP BY 1, 2, 3, 4, 5, 6", args)
    return [DayCell(a, h, t, o, bool(off), s, c, v) for a, h, t, o, off, s, c, v in rows]


def sent_pending(conn: sqlite3.Connection, day: date) -> list[tuple[str, DayCell]]:
    """This till's redemptions of `day` that were sent to the platform and never answered (an
    online attempt whose answer was lost, or a queued one whose upload failed after sending):
    the platform may already count them. (redemption id, its one-row cell), oldest first."""
    rows = conn.execute(
        "SELECT l.redemption_id, l.account_id, l.local_hour, l.till_id, l.operator, l.offline, "
        "l.amount_cents FROM ledger l WHERE l.local_day = ? AND l.state = 'pending' "
        "AND l.voided_at IS NULL AND (l.offline = 0 OR EXISTS (SELECT 1 FROM outbox o WHERE "
        "o.redemption_id = l.redemption_id AND o.op = 'redeem' AND o.attempts > 0)) "
        "ORDER BY l.occurred_at, l.rowid",
        (day.isoformat(),),
    )
    return [
        (rid, DayCell(a, h, t, o, bool(off), "pending", 1, cents))
        for rid, a, h, t, o, off, cents in rows
    ]


def period_page(
    conn: sqlite3.Connection,
    first: date,
    last: date,
    after: PageKey | None = None,
    limit: int = 2000,
) -> list[HistoryRow]:
    """Redemptions from `first` to `last` (Europe/Rome days, inclusive), oldest first, in pages.

    Walks ledger_time from the page's start (keyset): each page costs its own rows, whatever the
    period's length; the UTC bounds are a day wider than the Rome days, `local_day` is exact."""
    low = datetime.combine(first - timedelta(days=1), time(0), UTC)
    high = datetime.combine(last + timedelta(days=2), time(0), UTC)
    where = "l.local_day BETWEEN ? AND ? AND l.occurred_at >= ? AND l.occurred_at < ?"
    args: list[object] = [first.isoformat(), last.isoformat(), utc_iso(low), utc_iso(high)]
    if after is not None:
        where += " AND l.occurred_at >= ? AND (l.occurred_at > ? OR l.rowid > ?)"
        args.extend((after.occurred_at, after.occurred_at, after.rowid))
    sql = f"{SELECT} INDEXED BY ledger_time WHERE {where} ORDER BY l.occurred_at, l.rowid LIMIT ?"
    return [from_raw(r) for r in conn.execute(sql, (*args, limit))]


def period_totals(conn: sqlite3.Connection, first: date, last: date) -> tuple[int, int]:
    """(count, cents) of the period's redemptions that took money: pending or accepted, no void."""
    row = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM ledger INDEXED BY ledger_day "
        "WHERE local_day BETWEEN ? AND ? AND state IN ('pending', 'accepted') "
        "AND voided_at IS NULL",
        (first.isoformat(), last.isoformat()),
    ).fetchone()
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class OutstandingGroup:
    """Vouchers sold for this shop and not yet spent, of one face value and expiry day."""

    account_id: str
    face_value_cents: int
    expires_on: date | None
    count: int
    owed_cents: int  # what the shop still owes its customers on them


def outstanding(conn: sqlite3.Connection, shop_ids: dict[str, int]) -> list[OutstandingGroup]:
    """From the cached voucher list of each account (`shop_ids`: account -> this shop's id):
    usable vouchers of this shop, balance minus this till's pending, soonest expiry first."""
    groups: list[OutstandingGroup] = []
    for account_id, shop_id in shop_ids.items():
        rows = conn.execute(
            "SELECT v.face_value_cents, v.expires_at, COUNT(*), "
            "SUM(v.server_balance_cents - COALESCE(p.pending, 0)) FROM vouchers v "
            "LEFT JOIN (SELECT voucher_id, SUM(amount_cents) AS pending FROM ledger "
            "  WHERE account_id = ?1 AND state = 'pending' AND voided_at IS NULL "
            "  GROUP BY voucher_id) p ON p.voucher_id = v.voucher_id "
            "WHERE v.account_id = ?1 AND v.shop_id = ?2 AND v.status IN ('valid', 'partly_used') "
            "AND v.server_balance_cents - COALESCE(p.pending, 0) > 0 "
            "GROUP BY 1, 2 ORDER BY 2, 1",
            (account_id, shop_id),
        )
        merged: dict[tuple[int, date | None], tuple[int, int]] = {}
        for face, expiry, count, owed in rows:  # expiry is UTC: the shop's day is Rome's
            when = parse_utc(expiry).astimezone(LOCAL_TZ).date() if expiry else None
            c, v = merged.get((face, when), (0, 0))
            merged[(face, when)] = (c + count, v + owed)
        for (face, when), (count, owed) in merged.items():
            groups.append(OutstandingGroup(account_id, face, when, count, owed))
    groups.sort(key=lambda g: (g.expires_on or date.max, g.face_value_cents))
    return groups
