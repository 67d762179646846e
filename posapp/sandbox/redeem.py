"""Redemptions: redeem once per id forever, replay the first result, record offline conflicts, void.

Every outcome is a row of `redemptions` keyed by the client's redemption id, with a hash of the
canonical request body; nothing expires. The balance check and the balance update happen in one
`BEGIN IMMEDIATE` transaction, so parallel redeems of one voucher can never overdraw it.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from posapp.core.clock import Clock, parse_utc, utc_iso
from posapp.core.codes import canonical_plain
from posapp.sandbox.db import Database
from posapp.sandbox.errors import MESSAGES, ApiFailure
from posapp.sandbox.summary import day_bounds
from posapp.sandbox.timebounds import OUT_OF_BOUNDS, TimeRules
from posapp.sandbox.vouchers import VOUCHER_SEQ, decode_cursor, encode_cursor

REDEMPTION_SEQ = "redemption_seq"


def id_key(redemption_id: str) -> str:
    """The stored form of a redemption id: one UUID in any spelling (case, braces, no dashes)
    is one id."""
    try:
        return str(uuid.UUID(redemption_id.strip()))
    except ValueError:
        return redemption_id.lower()


@dataclass(frozen=True)
class RedeemInput:
    """A RedeemRequest in canonical form: the thing idempotency compares."""

    redemption_id: str
    voucher_code: str
    amount_cents: int
    currency: str
    till_id: int
    occurred_at: datetime
    offline: bool
    operator: str | None = None

    def canonical(self) -> dict[str, Any]:
        code = canonical_plain(self.voucher_code) or self.voucher_code
        canonical = {
            "redemption_id": id_key(self.redemption_id),
            "voucher_code": code,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
            "till_id": self.till_id,
            "occurred_at": utc_iso(self.occurred_at),
            "offline": self.offline,
        }
        if self.operator is not None:  # absent keeps the hashes of older requests valid
            canonical["operator"] = self.operator
        return canonical

    def body_hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def redemption_json(row: Any) -> dict[str, Any]:
    """The Redemption document of the API."""
    return {
        "redemption_id": row["redemption_id"],
        "voucher_code": row["voucher_code"],
        "voucher_id": row["voucher_id"],
        "amount_cents": row["amount_cents"],
        "currency": row["currency"],
        "till_id": row["till_id"],
        "occurred_at": row["occurred_at"],
        "recorded_at": row["recorded_at"],
        "offline": bool(row["offline"]),
        "status": row["status"],
        "balance_after_cents": row["balance_after_cents"],
        "reason_code": row["reason_code"],
        "reason_message": row["reason_message"],
        "voided_at": row["voided_at"],
        "void_reason": row["void_reason"],
        "operator": row["operator"],
        "payout_id": _payout_id(row),
        "effective_at": row["effective_at"],
        "till_name": row["till_name"] if "till_name" in row.keys() else None,
    }


def _payout_id(row: Any) -> int | None:
    return row["payout_id"] if "payout_id" in row.keys() else None


def first_result(redemption: dict[str, Any]) -> dict[str, Any]:
    """What the first answer to this id was: a replay answers it, not the current state (as IETF
    idempotency keys and Stripe do). Only a void changes a stored redemption afterwards, so the
    first result of a voided one is the accepted one, without the void."""
    if redemption["status"] != "voided":
        return redemption
    return {**redemption, "status": "accepted", "voided_at": None, "void_reason": None}


def _refusal(req: RedeemInput, voucher: Any, shop_id: int, at: datetime) -> str | None:
    """The reason code why this voucher cannot cover this request at `at`, or None."""
    if req.amount_cents <= 0 or req.amount_cents >= 2**32:
        return "invalid_amount"
    if voucher is None:
        return "unknown_voucher"
    if voucher["shop_id"] != shop_id:
        return "other_shop"
    if req.currency != voucher["currency"]:
        return "currency_mismatch"
    if voucher["cancelled"]:
        return "voucher_cancelled"
    if parse_utc(voucher["expires_at"]) <= at:
        return "voucher_expired"
    balance = voucher["balance_cents"]
    if balance == 0:
        return "voucher_used"
    if req.amount_cents > balance:
        return "insufficient_balance"
    if not voucher["partial_allowed"] and req.amount_cents != balance:
        return "partial_not_allowed"
    return None


class RedemptionDesk:
    """Redeem, replay, void and list redemptions."""

    def __init__(self, db: Database, clock: Clock, rules: TimeRules) -> None:
        self.db = db
        self.clock = clock
        self.rules = rules
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()
        # Test seam: called with the redemption id once it is marked in flight, before the work.
        self.on_redeem_started: Callable[[str], None] | None = None

    @contextmanager
    def claim(self, redemption_id: str) -> Iterator[None]:
        """Mark an id in flight for the duration; a second claim meanwhile is 409. One UUID in
        any spelling (case, braces, no dashes) is one id."""
        key = id_key(redemption_id)
        with self._lock:
            if key in self._in_flight:
                raise ApiFailure(409, "request_in_flight")
            self._in_flight.add(key)
        try:
            hook = self.on_redeem_started
            if hook is not None:
                hook(key)
            yield
        finally:
            with self._lock:
                self._in_flight.discard(key)

    def redeem(
        self, req: RedeemInput, shop_id: int, *, batch: bool, by_till: int | None = None
    ) -> tuple[dict[str, Any], bool]:
        """(Redemption document, replayed?). A refusal is stored as `refused` (or `conflict` in a
        batch: an offline fact the voucher cannot cover). 422 idempotency_key_reused if the id is
        known with another body. `by_till`: the authenticated till (its drain checkpoint bounds
        the offline items it uploads, whichever till made them)."""
        body_hash = req.body_hash()
        rid = id_key(req.redemption_id)
        with self.db.write() as conn:
            old = conn.execute(
                "SELECT * FROM redemptions WHERE redemption_id = ?", (rid,)
            ).fetchone()
            if old is not None:
                if old["body_hash"] != body_hash:
                    raise ApiFailure(422, "idempotency_key_reused")
                return first_result(redemption_json(old)), True
            now = self.clock.now()
            canonical = canonical_plain(req.voucher_code)
            voucher = None
            if canonical is not None:
                voucher = conn.execute(
                    "SELECT * FROM vouchers WHERE code = ?", (canonical,)
                ).fetchone()
            # Online: the platform's time. Offline: the claimed time, if within the bounds the
            # platform can check (pairing, issuance, maximum offline age, future skew).
            at = min(req.occurred_at, now) if req.offline else now
            reason = message = None
            if req.offline:
                message = self._offline_time_refusal(conn, req, voucher, now, by_till)
                reason = OUT_OF_BOUNDS if message is not None else None
            reason = reason or _refusal(req, voucher, shop_id, at)
            if reason is None:
                balance_after = voucher["balance_cents"] - req.amount_cents
                seq = Database.next_seq(conn, VOUCHER_SEQ)
                conn.execute(
                    "UPDATE vouchers SET balance_cents = ?, seq = ? WHERE voucher_id = ?",
                    (balance_after, seq, voucher["voucher_id"]),
                )
                status = "accepted"
            else:
                balance_after = voucher["balance_cents"] if voucher is not None else None
                status = "conflict" if batch or reason == OUT_OF_BOUNDS else "refused"
            conn.execute(
                "INSERT INTO redemptions (redemption_id, body_hash, voucher_code, voucher_id,"
                " shop_id, amount_cents, currency, till_id, occurred_at, recorded_at, offline,"
                " status, balance_after_cents, reason_code, reason_message, effective_at,"
                " operator, seq)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rid,
                    body_hash,
                    canonical or req.voucher_code,
                    voucher["voucher_id"] if voucher is not None else None,
                    shop_id,
                    req.amount_cents,
                    req.currency,
                    req.till_id,
                    utc_iso(req.occurred_at),
                    utc_iso(now),
                    int(req.offline),
                    status,
                    balance_after,
                    reason,
                    message or (MESSAGES.get(reason) if reason else None),
                    utc_iso(at),
                    req.operator,
                    Database.next_seq(conn, REDEMPTION_SEQ),
                ),
            )
            row = conn.execute(
                "SELECT * FROM redemptions WHERE redemption_id = ?", (rid,)
            ).fetchone()
        return redemption_json(row), False

    def _offline_time_refusal(
        self, conn: Any, req: RedeemInput, voucher: Any, now: datetime, by_till: int | None
    ) -> str | None:
        till = conn.execute(
            "SELECT created_at FROM tills WHERE till_id = ?", (req.till_id,)
        ).fetchone()
        paired = parse_utc(till["created_at"]) if till is not None else None
        issued = parse_utc(voucher["created_at"]) if voucher is not None else None
        drained = drained_through(conn, req.till_id, by_till)
        return self.rules.out_of_bounds(req.occurred_at, now, drained, paired, issued)

    def get(self, redemption_id: str, shop_id: int) -> dict[str, Any]:
        row = (
            self.db.connection()
            .execute(
                "SELECT * FROM redemptions WHERE redemption_id = ? AND shop_id = ?",
                (id_key(redemption_id), shop_id),
            )
            .fetchone()
        )
        if row is None:
            raise ApiFailure(404, "unknown_redemption")
        return redemption_json(row)

    def void(
        self,
        redemption_id: str,
        shop_id: int,
        reason: str,
        voided_at: datetime,
        *,
        offline: bool = False,
        by_till: int | None = None,
    ) -> dict[str, Any]:
        """Void an accepted redemption within the window; the balance comes back exactly once.

        Online, the void happens when the platform receives it (the till's `voided_at` is
        informational); offline, the claimed time counts if the platform can believe it: not
        before the redemption, not older than the maximum offline age, not before the drain
        checkpoint of the till sending it (`by_till`), not in the future."""
        rid = id_key(redemption_id)
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT * FROM redemptions WHERE redemption_id = ? AND shop_id = ?",
                (rid, shop_id),
            ).fetchone()
            if row is None:
                raise ApiFailure(404, "unknown_redemption")
            if row["status"] == "voided":
                return redemption_json(row)
            if row["status"] != "accepted":
                raise ApiFailure(422, "not_voidable")
            now = self.clock.now()
            done = parse_utc(row["effective_at"] or row["recorded_at"])
            when = voided_at if offline else now
            if offline:
                drained = drained_through(conn, by_till)
                message = self.rules.out_of_bounds(
                    voided_at, now, drained, done - self.rules.future_skew
                )
                if message is not None:
                    raise ApiFailure(422, OUT_OF_BOUNDS, message)
            if when - done > self.rules.void_window:
                raise ApiFailure(422, "void_window_expired")
            seq = Database.next_seq(conn, VOUCHER_SEQ)
            conn.execute(
                "UPDATE vouchers SET balance_cents = balance_cents + ?, seq = ?"
                " WHERE voucher_id = ?",
                (row["amount_cents"], seq, row["voucher_id"]),
            )
            conn.execute(
                "UPDATE redemptions SET status = 'voided', voided_at = ?, void_reason = ?,"
                " void_offline = ? WHERE redemption_id = ?",
                (utc_iso(when), reason, int(offline), rid),
            )
            row = conn.execute(
                "SELECT * FROM redemptions WHERE redemption_id = ?", (rid,)
            ).fetchone()
        return redemption_json(row)

    def page(
        self,
        shop_id: int,
        till_id: int | None,
        cursor: str | None,
        limit: int,
        first_day: date | None = None,
        last_day: date | None = None,
    ) -> dict[str, Any]:
        """Redemptions of a shop (or of one of its tills) in the platform's sequence, after
        `cursor`, in their current state: how a till rebuilds its history. `first_day` and
        `last_day` keep those of a period of shop-local days, judged at the time the day
        summary counts them (the platform's own for online ones)."""
        after = decode_cursor("h", cursor)
        sql = (
            "SELECT r.*, t.name AS till_name FROM redemptions r"
            " LEFT JOIN tills t ON t.till_id = r.till_id WHERE r.shop_id = ? AND r.seq > ?"
        )
        args: list[Any] = [shop_id, after]
        if till_id is not None:
            sql, args = sql + " AND r.till_id = ?", [*args, till_id]
        if first_day is not None:
            sql += " AND COALESCE(r.effective_at, r.occurred_at) >= ?"
            args.append(utc_iso(day_bounds(first_day)[0]))
        if last_day is not None:
            sql += " AND COALESCE(r.effective_at, r.occurred_at) < ?"
            args.append(utc_iso(day_bounds(last_day)[1]))
        with self.db.read() as conn:
            rows = conn.execute(sql + " ORDER BY r.seq LIMIT ?", [*args, limit + 1]).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1]["seq"] if rows else after
        return {
            "items": [redemption_json(row) for row in rows],
            "next_cursor": encode_cursor("h", last),
            "has_more": has_more,
        }

    def list(self, *, shop_id: int | None = None, voucher_id: int | None = None) -> list[dict]:
        """Stored redemptions, oldest first (for tests and the demo)."""
        sql, args = "SELECT * FROM redemptions WHERE 1=1", []
        if shop_id is not None:
            sql, args = sql + " AND shop_id = ?", [*args, shop_id]
        if voucher_id is not None:
            sql, args = sql + " AND voucher_id = ?", [*args, voucher_id]
        rows = self.db.connection().execute(sql + " ORDER BY recorded_at, rowid", args).fetchall()
        return [redemption_json(row) for row in rows]


def drained_through(conn: Any, *till_ids: int | None) -> datetime | None:
    """The latest drain checkpoint of these tills (see timebounds.py), or None."""
    marks = []
    for till_id in {t for t in till_ids if t is not None}:
        row = conn.execute(
            "SELECT drained_through FROM tills WHERE till_id = ?", (till_id,)
        ).fetchone()
        if row is not None and row[0]:
            marks.append(parse_utc(row[0]))
    return max(marks, default=None)


def replay_status(redemption: dict[str, Any]) -> int:
    """The HTTP status a stored redemption is (re)played with on POST /v1/redemptions."""
    if redemption["status"] in ("accepted", "voided"):
        return 201
    return 404 if redemption["reason_code"] == "unknown_voucher" else 422
