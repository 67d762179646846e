"""What the /v1 API answers about vouchers and redemptions, as frozen dataclasses checked strictly.

Every `from_json` validates types strictly: a missing or mistyped field raises BadResponseError
(never KeyError or TypeError), so a platform that breaks the contract is one typed error, not a
crash later.
Unknown extra fields are ignored, so the platform can add fields without breaking older tills.
The till, pairing and summary answers are in till_models.py, paging in paging.py; they are
re-exported here so `from posapp.core.api.models import ...` reaches every answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from posapp.core.api.errors import BadResponseError
from posapp.core.api.fields import FieldReader
from posapp.core.api.paging import Page
from posapp.core.api.till_models import (
    DailySummary,
    Health,
    HourTotal,
    PairingResult,
    TillInfo,
    TillTotal,
)
from posapp.core.clock import utc_iso

VOUCHER_STATUSES = frozenset({"valid", "partly_used", "used", "expired", "cancelled", "other_shop"})
REDEMPTION_STATUSES = frozenset({"accepted", "refused", "conflict", "voided"})
BATCH_OUTCOMES = frozenset({"accepted", "conflict", "rejected"})


@dataclass(frozen=True)
class VoucherInfo:
    """A voucher as this till's shop sees it. For `other_shop` the platform keeps the value,
    balance and expiry to itself: they read as 0, 0, None and partial False here."""

    code: str
    voucher_id: int
    shop_id: int
    status: str
    face_value_cents: int
    balance_cents: int
    currency: str
    expires_at: datetime | None
    partial_allowed: bool

    @classmethod
    def from_json(cls, raw: Any) -> VoucherInfo:
        r = FieldReader(raw, "voucher")
        status = r.choice("status", VOUCHER_STATUSES)
        hidden = status == "other_shop"
        return cls(
            r.str("code"),
            r.int("voucher_id"),
            r.int("shop_id"),
            status,
            r.int("face_value_cents", nullable=hidden) or 0,
            r.int("balance_cents", nullable=hidden) or 0,
            r.str("currency"),
            r.time("expires_at", nullable=hidden),
            r.bool("partial_allowed", nullable=hidden) or False,
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
    operator: str | None = None

    @classmethod
    def new(
        cls,
        voucher_code: str,
        amount_cents: int,
        till_id: int,
        occurred_at: datetime,
        offline: bool,
        currency: str = "EUR",
        operator: str | None = None,
    ) -> RedeemRequest:
        """A request with a fresh uuid4 id (written to the outbox before the first attempt)."""
        if occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        return cls(
            str(uuid.uuid4()),
            voucher_code,
            amount_cents,
            currency,
            till_id,
            occurred_at,
            offline,
            operator,
        )

    def to_json(self) -> dict[str, Any]:
        """The body; `operator` only when set, so a request without one is byte-for-byte what
        older tills sent (its idempotency hash is unchanged)."""
        body: dict[str, Any] = {
            "redemption_id": self.redemption_id,
            "voucher_code": self.voucher_code,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
            "till_id": self.till_id,
            "occurred_at": utc_iso(self.occurred_at),
            "offline": self.offline,
        }
        if self.operator is not None:
            body["operator"] = self.operator
        return body

    @classmethod
    def from_json(cls, raw: Any) -> RedeemRequest:
        r = FieldReader(raw, "redeem_request")
        return cls(
            r.str("redemption_id"),
            r.str("voucher_code"),
            r.int("amount_cents"),
            r.str("currency"),
            r.int("till_id"),
            r.time("occurred_at"),
            r.bool("offline"),
            r.optional_str("operator"),
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
    operator: str | None = None
    payout_id: int | None = None
    effective_at: datetime | None = None  # when the platform counts it (its day, its hour)
    till_name: str | None = None  # given in the list of redemptions

    @classmethod
    def from_json(cls, raw: Any) -> Redemption:
        r = FieldReader(raw, "redemption")
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
            r.optional_str("operator"),
            r.optional_int("payout_id"),
            r.time("effective_at", nullable=True) if "effective_at" in raw else None,
            r.optional_str("till_name"),
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
        r = FieldReader(raw, "batch_result")
        redemption = raw.get("redemption")
        error = raw.get("error")
        code = message = None
        if error is not None:
            e = FieldReader(error, "batch_result.error")
            code, message = e.str("code"), e.str("message")
        outcome = r.choice("outcome", BATCH_OUTCOMES)
        parsed = Redemption.from_json(redemption) if redemption is not None else None
        if outcome != "rejected" and parsed is None:
            raise BadResponseError("bad_response", f"batch_result: {outcome} without a redemption")
        return cls(r.str("redemption_id"), outcome, parsed, code, message)


@dataclass(frozen=True)
class Revocation:
    voucher_id: int
    code: str
    revoked_at: datetime
    reason: str

    @classmethod
    def from_json(cls, raw: Any) -> Revocation:
        r = FieldReader(raw, "revocation")
        return cls(
            r.int("voucher_id"),
            r.str("code"),
            r.time("revoked_at"),
            r.str("reason"),
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
