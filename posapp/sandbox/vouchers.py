"""Vouchers, their derived status, the change sequence and the cursors over it.

Every insert or update of a voucher takes the next value of one monotonic counter (`voucher_seq`),
so `GET /v1/shop/vouchers?cursor=` returns exactly the vouchers changed since the till last asked.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from posapp.core.clock import Clock, parse_utc, utc_iso
from posapp.core.codes import MAX_VOUCHER_ID, canonical_plain, encode_plain
from posapp.sandbox.db import Database
from posapp.sandbox.errors import ApiFailure

VOUCHER_SEQ = "voucher_seq"
MAX_PAGE = 1000
DEFAULT_PAGE = 500


def encode_cursor(kind: str, seq: int) -> str:
    """An opaque cursor: base64url of "<kind>:<seq>" (kind keeps voucher and revocation apart)."""
    return base64.urlsafe_b64encode(f"{kind}:{seq}".encode()).rstrip(b"=").decode("ascii")


def decode_cursor(kind: str, cursor: str | None) -> int:
    """The sequence number in a cursor this server issued; 400 invalid_cursor otherwise."""
    if cursor is None or cursor == "":
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        prefix, _, number = raw.partition(":")
        seq = int(number)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiFailure(400, "invalid_cursor") from None
    if prefix != kind or seq < 0 or seq > 2**62 or not number.isdigit():
        raise ApiFailure(400, "invalid_cursor")
    return seq


def voucher_status(row: sqlite3.Row, shop_id: int | None, now: datetime) -> str:
    """valid | partly_used | used | expired | cancelled | other_shop, as seen by `shop_id`."""
    if shop_id is not None and row["shop_id"] != shop_id:
        return "other_shop"
    if row["cancelled"]:
        return "cancelled"
    if parse_utc(row["expires_at"]) <= now:
        return "expired"
    if row["balance_cents"] == 0:
        return "used"
    if row["balance_cents"] < row["face_value_cents"]:
        return "partly_used"
    return "valid"


def voucher_json(row: sqlite3.Row, shop_id: int | None, now: datetime) -> dict[str, Any]:
    """The Voucher document of the API. Another shop's voucher says only `other_shop`: its value,
    balance and expiry are that shop's business, not a number to show a stranger."""
    if shop_id is not None and row["shop_id"] != shop_id:
        return {
            "code": row["code"],
            "voucher_id": row["voucher_id"],
            "shop_id": row["shop_id"],
            "status": "other_shop",
            "face_value_cents": None,
            "balance_cents": None,
            "currency": row["currency"],
            "expires_at": None,
            "partial_allowed": None,
        }
    return {
        "code": row["code"],
        "voucher_id": row["voucher_id"],
        "shop_id": row["shop_id"],
        "status": voucher_status(row, shop_id, now),
        "face_value_cents": row["face_value_cents"],
        "balance_cents": row["balance_cents"],
        "currency": row["currency"],
        "expires_at": row["expires_at"],
        "partial_allowed": bool(row["partial_allowed"]),
    }


class VoucherBook:
    """Voucher rows: create, change, find and page through them."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def create(
        self,
        shop_id: int,
        face_value_cents: int,
        *,
        balance_cents: int | None = None,
        expires_at: datetime | None = None,
        partial_allowed: bool = False,
        currency: str = "EUR",
        voucher_id: int | None = None,
        cancelled: bool = False,
    ) -> dict[str, Any]:
        """Issue a voucher (as the platform does when a citizen buys one); returns its row."""
        if face_value_cents <= 0 or face_value_cents >= 2**32:
            raise ValueError("face value must be positive cents below 2**32")
        balance = face_value_cents if balance_cents is None else balance_cents
        if not 0 <= balance <= face_value_cents:
            raise ValueError("balance must lie between 0 and the face value")
        now = self.clock.now()
        expires = expires_at or now + timedelta(days=365)
        if voucher_id is None:
            voucher_id = 1 + secrets.randbelow(MAX_VOUCHER_ID)
        code = encode_plain(voucher_id)
        with self.db.write() as conn:
            if conn.execute("SELECT 1 FROM shops WHERE shop_id = ?", (shop_id,)).fetchone() is None:
                raise KeyError(f"no shop {shop_id}")
            seq = Database.next_seq(conn, VOUCHER_SEQ)
            conn.execute(
                "INSERT INTO vouchers (voucher_id, code, shop_id, face_value_cents, balance_cents,"
                " currency, expires_at, cancelled, partial_allowed, created_at, seq)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    voucher_id,
                    code,
                    shop_id,
                    face_value_cents,
                    balance,
                    currency,
                    utc_iso(expires),
                    int(cancelled),
                    int(partial_allowed),
                    utc_iso(now),
                    seq,
                ),
            )
        return self.get(voucher_id)

    def get(self, voucher_id: int) -> dict[str, Any]:
        row = (
            self.db.connection()
            .execute("SELECT * FROM vouchers WHERE voucher_id = ?", (voucher_id,))
            .fetchone()
        )
        if row is None:
            raise KeyError(f"no voucher {voucher_id}")
        return dict(row)

    def find(self, code: str) -> sqlite3.Row | None:
        """The voucher of a plain code in any accepted spelling, or None."""
        canonical = canonical_plain(code)
        if canonical is None:
            return None
        return (
            self.db.connection()
            .execute("SELECT * FROM vouchers WHERE code = ?", (canonical,))
            .fetchone()
        )

    def cancel(self, voucher_id: int, *, revoke: bool = False, reason: str = "cancelled") -> None:
        """Cancel a voucher; with `revoke`, also publish it on the revocation list."""
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT shop_id FROM vouchers WHERE voucher_id = ?", (voucher_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no voucher {voucher_id}")
            seq = Database.next_seq(conn, VOUCHER_SEQ)
            conn.execute(
                "UPDATE vouchers SET cancelled = 1, seq = ? WHERE voucher_id = ?",
                (seq, voucher_id),
            )
            if revoke:
                conn.execute(
                    "INSERT INTO revocations (voucher_id, shop_id, revoked_at, reason)"
                    " VALUES (?, ?, ?, ?)",
                    (voucher_id, row["shop_id"], utc_iso(self.clock.now()), reason),
                )

    def page(self, shop_id: int, cursor: str | None, limit: int) -> dict[str, Any]:
        """Vouchers of `shop_id` changed after `cursor`, oldest change first."""
        after = decode_cursor("v", cursor)
        now = self.clock.now()
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM vouchers WHERE shop_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (shop_id, after, limit + 1),
            ).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1]["seq"] if rows else after
        return {
            "items": [voucher_json(row, shop_id, now) for row in rows],
            "next_cursor": encode_cursor("v", last),
            "has_more": has_more,
        }

    def revocations(self, shop_id: int, cursor: str | None, limit: int) -> dict[str, Any]:
        """Revocations of this shop's vouchers after `cursor`, in the order they were made."""
        after = decode_cursor("r", cursor)
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT r.rev_seq, r.voucher_id, v.code, r.revoked_at, r.reason"
                " FROM revocations r JOIN vouchers v ON v.voucher_id = r.voucher_id"
                " WHERE r.shop_id = ? AND r.rev_seq > ? ORDER BY r.rev_seq LIMIT ?",
                (shop_id, after, limit + 1),
            ).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1]["rev_seq"] if rows else after
        items = [
            {
                "voucher_id": r["voucher_id"],
                "code": r["code"],
                "revoked_at": r["revoked_at"],
                "reason": r["reason"],
            }
            for r in rows
        ]
        return {"items": items, "next_cursor": encode_cursor("r", last), "has_more": has_more}
