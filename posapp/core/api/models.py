"""What the /v1 API answers, as frozen dataclasses checked field by field.

Every `from_json` validates types strictly: a missing or mistyped field raises BadResponseError
(never KeyError or TypeError), so a platform that breaks the contract is one typed error, not a
crash later.
Unknown extra fields are ignored, so the platform can add fields without breaking older tills.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from posapp.core.api.errors import BadResponseError
from posapp.core.clock import parse_utc, utc_iso

T = TypeVar("T")

VOUCHER_STATUSES = frozenset({"valid", "partly_used", "used", "expired", "cancelled", "other_shop"})
REDEMPTION_STATUSES = frozenset({"accepted", "refused", "conflict", "voided"})
BATCH_OUTCOMES = frozenset({"accepted", "conflict", "rejected"})


class _Reader:
    """Typed access to one JSON object; every failure names the object and the field."""

    def __init__(self, raw: Any, what: str) -> None:
        if not isinstance(raw, Mapping):
            raise BadResponseError("bad_response", f"{what}: expected an object")
        self.raw = raw
        self.what = what

    def _fail(self, name: str, expected: str) -> BadResponseError:
        return BadResponseError("bad_response", f"{self.what}.{name}: expected {expected}")

    def _get(self, name: str) -> Any:
        """Every field of the contract is required; `nullable` ones may hold null."""
        if name not in self.raw:
            raise BadResponseError("bad_response", f"{self.what}.{name}: missing")
        return self.raw[name]

    def str(self, name: str, *, nullable: bool = False) -> Any:
        value = self._get(name)
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise self._fail(name, "a string")
        return value

    def int(self, name: str, *, nullable: bool = False) -> Any:
        value = self._get(name)
        if value is None and nullable:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(name, "an integer")
        return value

    def bool(self, name: str) -> bool:
        value = self._get(name)
        if not isinstance(value, bool):
            raise self._fail(name, "a boolean")
        return value

    def time(self, name: str, *, nullable: bool = False) -> Any:
        text = self.str(name, nullable=nullable)
        if text is None:
            return None
        try:
            return parse_utc(text)
        except (ValueError, OverflowError):  # "9999-12-31T23:59:59-23:59" overflows in UTC
            raise self._fail(name, "an ISO 8601 UTC timestamp") from None

    def day(self, name: str) -> date:
        try:
            return date.fromisoformat(self.str(name))
        except ValueError:
            raise self._fail(name, "a date YYYY-MM-DD") from None

    def choice(self, name: str, allowed: frozenset[str]) -> str:
        value = self.str(name)
        if value not in allowed:
            raise self._fail(name, "one of " + ", ".join(sorted(allowed)))
        return value

    def list(self, name: str, parse: Callable[[Any], T]) -> tuple[T, ...]:
        value = self._get(name)
        if not isinstance(value, list):
            raise self._fail(name, "a list")
        return tuple(parse(item) for item in value)

    def cursor(self, name: str) -> str | None:
        """Cursors are opaque: a string or an integer on the wire, always a string here."""
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self._fail(name, "a cursor (string or integer)")
        return str(value)


@dataclass(frozen=True)
class Health:
    status: str
    server_time: datetime
    platform_id: str
    api_version: str

    @classmethod
    def from_json(cls, raw: Any) -> Health:
        r = _Reader(raw, "health")
        return cls(
            r.str("status"), r.time("server_time"), r.str("platform_id"), r.str("api_version")
        )


@dataclass(frozen=True)
class TillInfo:
    till_id: int
    till_name: str
    shop_id: int
    shop_name: str
    platform_id: str
    platform_name: str

    @classmethod
    def from_json(cls, raw: Any) -> TillInfo:
        r = _Reader(raw, "till")
        return cls(
            r.int("till_id"),
            r.str("till_name"),
            r.int("shop_id"),
            r.str("shop_name"),
            r.str("platform_id"),
            r.str("platform_name"),
        )


@dataclass(frozen=True)
class PairingResult:
    """The answer to pairing; the token is kept out of repr so it never reaches a log."""

    token: str = field(repr=False)
    till: TillInfo

    @classmethod
    def from_json(cls, raw: Any) -> PairingResult:
        return cls(_Reader(raw, "pairing").str("token"), TillInfo.from_json(raw))


@dataclass(frozen=True)
class VoucherInfo:
    code: str
    voucher_id: int
    shop_id: int
    status: str
    face_value_cents: int
    balance_cents: int
    currency: str
    expires_at: datetime
    partial_allowed: bool

    @classmethod
    def from_json(cls, raw: Any) -> VoucherInfo:
        r = _Reader(raw, "voucher")
        return cls(
            r.str("code"),
            r.int("voucher_id"),
            r.int("shop_id"),
            r.choice("status", VOUCHER_STATUSES),
            r.int("face_value_cents"),
            r.int("balance_cents"),
            r.str("currency"),
            r.time("expires_at"),
            r.bool("partial_allowed"),
        )


@dataclass(frozen=True)
class RedeemRequest:
    """A redemption as the till asks for it; `redemption_id` is made once, kept for retries."""

    redemption_id: str
    voucher_code: str
    amount_cents: int
    currency: str
    till_id: int
    occurred_at: datetime
    offline: bool

    @classmethod
    def new(
        cls,
        voucher_code: str,
        amount_cents: int,
        till_id: int,
        occurred_at: datetime,
        offline: bool,
        currency: str = "EUR",
    ) -> RedeemRequest:
        """A request with a fresh uuid4 id (written to the outbox before the first attempt)."""
        if occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        return cls(
            str(uuid.uuid4()), voucher_code, amount_cents, currency, till_id, occurred_at, offline
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "redemption_id": self.redemption_id,
            "voucher_code": self.voucher_code,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
            "till_id": self.till_id,
            "occurred_at": utc_iso(self.occurred_at),
            "offline": self.offline,
        }

    @classmethod
    def from_json(cls, raw: Any) -> RedeemRequest:
        r = _Reader(raw, "redeem_request")
        return cls(
            r.str("redemption_id"),
            r.str("voucher_code"),
            r.int("amount_cents"),
            r.str("currency"),
            r.int("till_id"),
            r.time("occurred_at"),
            r.bool("offline"),
        )


@dataclass(frozen=True)
class Redemption:
    redemption_id: str
    voucher_code: str
    voucher_id: int | None
    amount_cents: int
    currency: str
    till_id: int
    occurred_at: datetime
    recorded_at: datetime
    offline: bool
    status: str
    balance_after_cents: int | None
    reason_code: str | None
    reason_message: str | None
    voided_at: datetime | None
    void_reason: str | None

    @classmethod
    def from_json(cls, raw: Any) -> Redemption:
        r = _Reader(raw, "redemption")
        return cls(
            r.str("redemption_id"),
            r.str("voucher_code"),
            r.int("voucher_id", nullable=True),
            r.int("amount_cents"),
            r.str("currency"),
            r.int("till_id"),
            r.time("occurred_at"),
            r.time("recorded_at"),
            r.bool("offline"),
            r.choice("status", REDEMPTION_STATUSES),
            r.int("balance_after_cents", nullable=True),
            r.str("reason_code", nullable=True),
            r.str("reason_message", nullable=True),
            r.time("voided_at", nullable=True),
            r.str("void_reason", nullable=True),
        )


@dataclass(frozen=True)
class BatchItemResult:
    """One item's fate in a batch upload; `error_code`/`error_message` are set when rejected."""

    redemption_id: str
    outcome: str
    redemption: Redemption | None
    error_code: str | None
    error_message: str | None

    @classmethod
    def from_json(cls, raw: Any) -> BatchItemResult:
        r = _Reader(raw, "batch_result")
        redemption = raw.get("redemption")
        error = raw.get("error")
        code = message = None
        if error is not None:
            e = _Reader(error, "batch_result.error")
            code, message = e.str("code"), e.str("message")
        outcome = r.choice("outcome", BATCH_OUTCOMES)
        parsed = Redemption.from_json(redemption) if redemption is not None else None
        if outcome != "rejected" and parsed is None:
            raise BadResponseError("bad_response", f"batch_result: {outcome} without a redemption")
        return cls(r.str("redemption_id"), outcome, parsed, code, message)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a cursor-paged list; pass `next_cursor` back to get what changed after it."""

    items: tuple[T, ...]
    next_cursor: str | None
    has_more: bool

    @classmethod
    def from_json(cls, raw: Any, parse: Callable[[Any], T]) -> Page[T]:
        r = _Reader(raw, "page")
        return cls(r.list("items", parse), r.cursor("next_cursor"), r.bool("has_more"))


@dataclass(frozen=True)
class Revocation:
    voucher_id: int
    code: str
    revoked_at: datetime
    reason: str

    @classmethod
    def from_json(cls, raw: Any) -> Revocation:
        r = _Reader(raw, "revocation")
        return cls(
            r.int("voucher_id"),
            r.str("code"),
            r.time("revoked_at"),
            r.str("reason"),
        )


@dataclass(frozen=True)
class TillTotal:
    till_id: int
    till_name: str
    count: int
    total_cents: int

    @classmethod
    def from_json(cls, raw: Any) -> TillTotal:
        r = _Reader(raw, "till_total")
        return cls(r.int("till_id"), r.str("till_name"), r.int("count"), r.int("total_cents"))


@dataclass(frozen=True)
class HourTotal:
    hour: int
    count: int
    total_cents: int

    @classmethod
    def from_json(cls, raw: Any) -> HourTotal:
        r = _Reader(raw, "hour_total")
        return cls(r.int("hour"), r.int("count"), r.int("total_cents"))


@dataclass(frozen=True)
class DailySummary:
    """A shop's accepted, not voided redemptions of one day in Europe/Rome, across all its tills."""

    date: date
    shop_id: int
    currency: str
    count: int
    total_cents: int
    by_till: tuple[TillTotal, ...]
    by_hour: tuple[HourTotal, ...]

    @classmethod
    def from_json(cls, raw: Any) -> DailySummary:
        r = _Reader(raw, "summary")
        return cls(
            r.day("date"),
            r.int("shop_id"),
            r.str("currency"),
            r.int("count"),
            r.int("total_cents"),
            r.list("by_till", TillTotal.from_json),
            r.list("by_hour", HourTotal.from_json),
        )


__all__ = [
    "BatchItemResult",
    "DailySummary",
    "Health",
    "HourTotal",
    "Page",
    "PairingResult",
    "RedeemRequest",
    "Redemption",
    "Revocation",
    "TillInfo",
    "TillTotal",
    "VoucherInfo",
]
