"""The shop's daily summary: accepted (not voided) redemptions of one Europe/Rome day, all tills."""

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


def daily_summary(db: Database, shop_id: int, day: date) -> dict[str, Any]:
    """Count and total by till and by local hour; only hours and tills with sales are listed."""
    start, end = day_bounds(day)
    rows = (
        db.connection()
        .execute(
            "SELECT r.till_id, COALESCE(t.name, '') AS till_name, r.amount_cents, r.occurred_at"
            " FROM redemptions r LEFT JOIN tills t ON t.till_id = r.till_id"
            " WHERE r.shop_id = ? AND r.status = 'accepted'"
            " AND r.occurred_at >= ? AND r.occurred_at < ?",
            (shop_id, utc_iso(start), utc_iso(end)),
        )
        .fetchall()
    )
    by_till: dict[int, dict[str, Any]] = {}
    by_hour: dict[int, dict[str, Any]] = {}
    for row in rows:
        till = by_till.setdefault(
            row["till_id"],
            {
                "till_id": row["till_id"],
                "till_name": row["till_name"],
                "count": 0,
                "total_cents": 0,
            },
        )
        till["count"] += 1
        till["total_cents"] += row["amount_cents"]
        hour = parse_utc(row["occurred_at"]).astimezone(SHOP_TIMEZONE).hour
        slot = by_hour.setdefault(hour, {"hour": hour, "count": 0, "total_cents": 0})
        slot["count"] += 1
        slot["total_cents"] += row["amount_cents"]
    return {
        "date": day.isoformat(),
        "shop_id": shop_id,
        "currency": "EUR",
        "count": len(rows),
        "total_cents": sum(row["amount_cents"] for row in rows),
        "by_till": [by_till[k] for k in sorted(by_till)],
        "by_hour": [by_hour[k] for k in sorted(by_hour)],
    }
