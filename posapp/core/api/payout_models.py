"""What the platform says about paying the shop: its payouts, each with the redemptions it pays and
the adjustments (redemptions voided after their payout closed, taken back as negative lines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from posapp.core.api.errors import BadResponseError
from posapp.core.api.fields import FieldReader

ROME = ZoneInfo("Europe/Rome")
PAYOUT_STATES = frozenset({"scheduled", "paid"})
LINE_KINDS = frozenset({"redemption", "adjustment"})


@dataclass(frozen=True)
class PayoutLine:
    redemption_id: str
    kind: str
    amount_cents: int

    @classmethod
    def from_json(cls, raw: Any) -> PayoutLine:
        r = FieldReader(raw, "payout_line")
        return cls(r.str("redemption_id"), r.choice("kind", LINE_KINDS), r.int("amount_cents"))


@dataclass(frozen=True)
class Payout:
    """One period's payment in one currency: `scheduled`, then `paid` with date and reference."""

    payout_id: int
    shop_id: int
    currency: str
    period_start: datetime | None
    period_end: datetime
    state: str
    amount_cents: int
    closed_at: datetime
    paid_at: datetime | None
    bank_reference: str | None
    redemption_ids: tuple[str, ...]
    lines: tuple[PayoutLine, ...]

    @property
    def number(self) -> int:
        """The payout's number as the owner reads it (its id)."""
        return self.payout_id

    @property
    def paid_on(self) -> date | None:
        """The day it was paid, in Europe/Rome."""
        return None if self.paid_at is None else self.paid_at.astimezone(ROME).date()

    @classmethod
    def from_json(cls, raw: Any) -> Payout:
        r = FieldReader(raw, "payout")
        return cls(
            r.int("payout_id"),
            r.int("shop_id"),
            r.str("currency"),
            r.time("period_start", nullable=True),
            r.time("period_end"),
            r.choice("state", PAYOUT_STATES),
            r.int("amount_cents"),
            r.time("closed_at"),
            r.time("paid_at", nullable=True),
            r.str("bank_reference", nullable=True),
            r.list("redemption_ids", _id),
            r.list("lines", PayoutLine.from_json),
        )


def _id(raw: Any) -> str:
    if not isinstance(raw, str):
        raise BadResponseError("bad_response", "payout.redemption_ids: expected strings")
    return raw


__all__ = ["Payout", "PayoutLine"]
