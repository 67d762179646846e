"""Payouts: the platform pays each shop for its redeemed vouchers in periodic payouts.

Closing a period (an admin action of the sandbox, outside the contract) puts every accepted
redemption of the shop not yet in a payout and recorded before the period's end into a new
`scheduled` payout, one per currency; marking it paid records the date and the bank reference.
A redemption voided after its payout was closed cannot be taken out of it: it becomes an
adjustment, a negative line, in the shop's next payout. Each change of a payout takes the next
value of a change sequence, so `GET /v1/shop/payouts?cursor=` returns what changed since.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from posapp.core.clock import Clock, utc_iso
from posapp.sandbox.db import Database
from posapp.sandbox.errors import ApiFailure
from posapp.sandbox.vouchers import decode_cursor, encode_cursor

PAYOUT_SEQ = "payout_seq"
SCHEMA = """
CREATE TABLE IF NOT EXISTS payouts (
    payout_id INTEGER PRIMARY KEY,
    shop_id INTEGER NOT NULL,
    currency TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('scheduled', 'paid')),
    amount_cents INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    paid_at TEXT,
    bank_reference TEXT,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payouts_by_shop_seq ON payouts (shop_id, seq);
CREATE TABLE IF NOT EXISTS payout_lines (
    payout_id INTEGER NOT NULL REFERENCES payouts(payout_id),
    redemption_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('redemption', 'adjustment')),
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (redemption_id, kind)
);
"""


class PayoutDesk:
    """Close periods, mark payouts paid, and page through a shop's payouts."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.db.connection().executescript(SCHEMA)

    def close_period(self, shop_id: int, period_end: datetime | None = None) -> list[int]:
        """New scheduled payouts (one per currency with lines) for what is due up to
        `period_end` (default now); returns their ids (none when nothing is due)."""
        now = self.clock.now()
        end = utc_iso(period_end or now)
        made: list[int] = []
        with self.db.write() as conn:
            start_row = conn.execute(
                "SELECT MAX(period_end) FROM payouts WHERE shop_id = ?", (shop_id,)
            ).fetchone()
            start = start_row[0]
            due = conn.execute(
                "SELECT redemption_id, amount_cents, currency FROM redemptions"
                " WHERE shop_id = ? AND status = 'accepted' AND payout_id IS NULL"
                " AND COALESCE(effective_at, recorded_at) <= ? ORDER BY seq",
                (shop_id, end),
            ).fetchall()
            # voided after their payout closed, not yet taken back: negative lines
            late = conn.execute(
                "SELECT r.redemption_id, r.amount_cents, r.currency FROM redemptions r"
                " WHERE r.shop_id = ? AND r.status = 'voided' AND r.payout_id IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM payout_lines l WHERE l.redemption_id ="
                " r.redemption_id AND l.kind = 'adjustment') ORDER BY r.seq",
                (shop_id,),
            ).fetchall()
            lines: dict[str, list[tuple[str, str, int]]] = {}
            for row in due:
                lines.setdefault(row["currency"], []).append(
                    (row["redemption_id"], "redemption", row["amount_cents"])
                )
            for row in late:
                lines.setdefault(row["currency"], []).append(
                    (row["redemption_id"], "adjustment", -row["amount_cents"])
                )
            for currency in sorted(lines):
                payout_id = int(
                    conn.execute(
                        "INSERT INTO payouts (shop_id, currency, period_start, period_end, state,"
                        " amount_cents, closed_at, seq) VALUES (?, ?, ?, ?, 'scheduled', ?, ?, ?)",
                        (
                            shop_id,
                            currency,
                            start,
                            end,
                            sum(cents for *_, cents in lines[currency]),
                            utc_iso(now),
                            Database.next_seq(conn, PAYOUT_SEQ),
                        ),
                    ).lastrowid
                )
                conn.executemany(
                    "INSERT INTO payout_lines (payout_id, redemption_id, kind, amount_cents)"
                    " VALUES (?, ?, ?, ?)",
                    [(payout_id, *line) for line in lines[currency]],
                )
                conn.executemany(
                    "UPDATE redemptions SET payout_id = ? WHERE redemption_id = ?",
                    [(payout_id, rid) for rid, kind, _ in lines[currency] if kind == "redemption"],
                )
                made.append(payout_id)
        return made

    def mark_paid(
        self, payout_id: int, bank_reference: str, paid_at: datetime | None = None
    ) -> None:
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT state FROM payouts WHERE payout_id = ?", (payout_id,)
            ).fetchone()
            if row is None:
                raise ApiFailure(404, "not_found", "no such payout")
            if row["state"] == "paid":
                return
            conn.execute(
                "UPDATE payouts SET state = 'paid', paid_at = ?, bank_reference = ?, seq = ?"
                " WHERE payout_id = ?",
                (
                    utc_iso(paid_at or self.clock.now()),
                    bank_reference,
                    Database.next_seq(conn, PAYOUT_SEQ),
                    payout_id,
                ),
            )

    def page(self, shop_id: int, cursor: str | None, limit: int) -> dict[str, Any]:
        """Payouts of the shop changed after `cursor` (made or paid), oldest change first."""
        after = decode_cursor("p", cursor)
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM payouts WHERE shop_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (shop_id, after, limit + 1),
            ).fetchall()
            has_more = len(rows) > limit
            rows = rows[:limit]
            items = [self._json(conn, row) for row in rows]
        last = rows[-1]["seq"] if rows else after
        return {"items": items, "next_cursor": encode_cursor("p", last), "has_more": has_more}

    @staticmethod
    def _json(conn: Any, row: Any) -> dict[str, Any]:
        lines = conn.execute(
            "SELECT redemption_id, kind, amount_cents FROM payout_lines WHERE payout_id = ?"
            " ORDER BY rowid",
            (row["payout_id"],),
        ).fetchall()
        return {
            "payout_id": row["payout_id"],
            "shop_id": row["shop_id"],
            "currency": row["currency"],
            "period_start": row["period_start"],
            "period_end": row["period_end"],
            "state": row["state"],
            "amount_cents": row["amount_cents"],
            "closed_at": row["closed_at"],
            "paid_at": row["paid_at"],
            "bank_reference": row["bank_reference"],
            "redemption_ids": [r["redemption_id"] for r in lines if r["kind"] == "redemption"],
            "lines": [dict(r) for r in lines],
        }
