"""The shop's daily summary: accepted (not voided) redemptions of one Europe/Rome day, all tills.

A redemption's day and hour are those of its effective time, the platform's own: when the platform
recorded it (online), or its claimed time if within the bounds the platform checks (offline). A
till's clock never moves a sale to another day. Money of different currencies is never summed:
`totals` has one line per currency, the other figures are of one currency (EUR by default).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from posapp.core.clock import parse_utc, utc_iso
from posapp.sandbox.db import Database

SHOP_TIMEZONE = ZoneInfo("Europe/Rome")


def day_bounds(day: date, tz: ZoneInfo = SHOP_TIMEZONE) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day in UTC (23 or 25 hours long on DST days)."""
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def _add(table: dict[Any, dict[str, Any]], key: Any, seed: dict[str, Any], cents: int) -> None:
    line = table.setdefault(key, {**seed, "count": 0, "total_cents": 0})
    line["count"] += 1
    line["total_cents"] += cents


def daily_summary(db: Database, shop_id: int, day: date, currency: str = "EUR") -> dict[str, Any]:
    """Count and total by till, by local hour and by operator (of `currency`), and one total per
    currency; only tills, hours and operators with sales are listed."""
    start, end = day_bounds(day)
    rows = (
        db.connection()
        .execute(
            "SELECT r.till_id, COALESCE(t.name, '') AS till_name, r.amount_cents, r.currency,"
            " r.operator, COALESCE(r.effective_at, r.occurred_at) AS at"
            " FROM redemptions r LEFT JOIN tills t ON t.till_id = r.till_id"
            " WHERE r.shop_id = ? AND r.status = 'accepted'"
            " AND COALESCE(r.effective_at, r.occurred_at) >= ?"
            " AND COALESCE(r.effective_at, r.occurred_at) < ?",
            (shop_id, utc_iso(start), utc_iso(end)),
        )
        .fetchall()
    )
    totals: dict[str, dict[str, Any]] = {}
    by_till: dict[int, dict[str, Any]] = {}
    by_hour: dict[int, dict[str, Any]] = {}
    by_operator: dict[str, dict[str, Any]] = {}
    count = total = 0
    for row in rows:
        cents = row["amount_cents"]
        _add(totals, row["currency"], {"currency": row["currency"]}, cents)
        if row["currency"] != currency:
            continue
        count, total = count + 1, total + cents
        till = {"till_id": row["till_id"], "till_name": row["till_name"]}
        _add(by_till, row["till_id"], till, cents)
        hour = parse_utc(row["at"]).astimezone(SHOP_TIMEZONE).hour
        _add(by_hour, hour, {"hour": hour}, cents)
        operator = row["operator"] or ""
        _add(by_operator, operator, {"operator": operator}, cents)
    return {
        "date": day.isoformat(),
        "shop_id": shop_id,
        "currency": currency,
        "count": count,
        "total_cents": total,
        "by_till": [by_till[k] for k in sorted(by_till)],
        "by_hour": [by_hour[k] for k in sorted(by_hour)],
        "by_operator": [by_operator[k] for k in sorted(by_operator)],
        "totals": [totals[k] for k in sorted(totals)],
    }
