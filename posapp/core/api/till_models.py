"""What the /v1 API says about the till and its shop: health, pairing, identity, the day's totals.

Checked field by field like every answer (see fields.py); unknown extra fields are ignored, so the
platform can add fields without breaking older tills.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from posapp.core.api.fields import FieldReader


@dataclass(frozen=True)
class Health:
    """`max_offline_age_hours` and `void_window_minutes` are None from a platform that does not
    say (older ones)."""

    status: str
    server_time: datetime
    platform_id: str
    api_version: str
    max_offline_age_hours: float | None = None
    void_window_minutes: float | None = None

    @classmethod
    def from_json(cls, raw: Any) -> Health:
        r = FieldReader(raw, "health")
        return cls(
            r.str("status"),
            r.time("server_time"),
            r.str("platform_id"),
            r.str("api_version"),
            r.number("max_offline_age_hours", optional=True),
            r.number("void_window_minutes", optional=True),
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
        r = FieldReader(raw, "till")
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
        return cls(FieldReader(raw, "pairing").str("token"), TillInfo.from_json(raw))


@dataclass(frozen=True)
class TillTotal:
    till_id: int
    till_name: str
    count: int
    total_cents: int

    @classmethod
    def from_json(cls, raw: Any) -> TillTotal:
        r = FieldReader(raw, "till_total")
        return cls(r.int("till_id"), r.str("till_name"), r.int("count"), r.int("total_cents"))


@dataclass(frozen=True)
class HourTotal:
    hour: int
    count: int
    total_cents: int

    @classmethod
    def from_json(cls, raw: Any) -> HourTotal:
        r = FieldReader(raw, "hour_total")
        return cls(r.int("hour"), r.int("count"), r.int("total_cents"))


@dataclass(frozen=True)
class OperatorTotal:
    operator: str
    count: int
    total_cents: int

    @classmethod
    def from_json(cls, raw: Any) -> OperatorTotal:
        r = FieldReader(raw, "operator_total")
        return cls(r.str("operator"), r.int("count"), r.int("total_cents"))


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    count: int
    total_cents: int

    @classmethod
    def from_json(cls, raw: Any) -> CurrencyTotal:
        r = FieldReader(raw, "currency_total")
        return cls(r.str("currency"), r.int("count"), r.int("total_cents"))


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
    by_operator: tuple[OperatorTotal, ...] = ()
    totals: tuple[CurrencyTotal, ...] = ()

    @classmethod
    def from_json(cls, raw: Any) -> DailySummary:
        """`by_operator` and `totals` came after the first contract: absent reads as empty."""
        r = FieldReader(raw, "summary")
        return cls(
            r.day("date"),
            r.int("shop_id"),
            r.str("currency"),
            r.int("count"),
            r.int("total_cents"),
            r.list("by_till", TillTotal.from_json),
            r.list("by_hour", HourTotal.from_json),
            r.list("by_operator", OperatorTotal.from_json) if "by_operator" in raw else (),
            r.list("totals", CurrencyTotal.from_json) if "totals" in raw else (),
        )


__all__ = [
    "CurrencyTotal",
    "DailySummary",
    "Health",
    "HourTotal",
    "OperatorTotal",
    "PairingResult",
    "TillInfo",
    "TillTotal",
]
