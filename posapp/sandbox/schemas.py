"""Pydantic models of every /v1 request and response: the source of the OpenAPI contract.

Timestamps leave the server as strings already in the wire format (`utc_iso`: UTC, milliseconds, Z),
documented as `date-time`; incoming ones must carry a timezone and lie in 2000..2099.
"""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import date as Date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StrictBool
from pydantic import StrictInt as _StrictInt

Timestamp = Annotated[
    str, Field(json_schema_extra={"format": "date-time"}, examples=["2026-11-26T09:30:00.000Z"])
]
JSON_SAFE = 2**53 - 1
Cents = Annotated[_StrictInt, Field(ge=-JSON_SAFE, le=JSON_SAFE)]
Id = Annotated[_StrictInt, Field(ge=0, le=JSON_SAFE)]


def _sane_instant(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2099:
        raise ValueError("timestamp must lie in the years 2000..2099")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("timestamp out of range") from exc


Instant = Annotated[AwareDatetime, AfterValidator(_sane_instant)]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]


class ErrorDetail(BaseModel):
    code: str = Field(description="machine code, stable; the client maps it to words")
    message: str = Field(description="human text in English, for logs")


class ErrorBody(BaseModel):
    """The one error shape of every non-2xx response."""

    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"]
    server_time: Timestamp
    platform_id: str
    api_version: str


class PairingRequest(BaseModel):
    pairing_code: Annotated[str, Field(min_length=1, max_length=64)]
    till_name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"\S")]


class TillInfo(BaseModel):
    till_id: int
    till_name: str
    shop_id: int
    shop_name: str
    platform_id: str
    platform_name: str


class PairingResult(TillInfo):
    token: str = Field(description="the till token; shown once, keep it in the OS keyring")


class TokenResult(BaseModel):
    token: str


VoucherStatus = Literal["valid", "partly_used", "used", "expired", "cancelled", "other_shop"]


class Voucher(BaseModel):
    """A voucher as the asking till's shop sees it (`other_shop`: it belongs to another shop)."""

    code: str = Field(description="plain code XXXX-XXXX-XXX")
    voucher_id: int
    shop_id: int
    status: VoucherStatus
    face_value_cents: int
    balance_cents: int
    currency: str
    expires_at: Timestamp
    partial_allowed: bool


class RedeemRequest(BaseModel):
    """A redemption as the till made it; the same id always means the same body."""

    redemption_id: UUID = Field(description="made by the till (UUID); equals Idempotency-Key")
    voucher_code: Annotated[str, Field(min_length=1, max_length=512)]
    amount_cents: Cents = Field(description="> 0, integer cents")
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    till_id: Id
    occurred_at: Instant = Field(
        description="when it happened at the counter: ISO 8601 with a timezone (Z on the wire), "
        "years 2000..2099; compared at millisecond precision in UTC"
    )
    offline: StrictBool = Field(description="true when accepted at the counter while offline")


class Redemption(BaseModel):
    """A stored outcome, kept forever under its id. `accepted`: applied; `refused`: an online
    redeem was refused (`reason_code`); `conflict`: an offline batch item the voucher could not
    cover, recorded with its reason and the voucher untouched; `voided`: accepted, then voided."""

    redemption_id: str
    voucher_code: str
    voucher_id: int | None
    amount_cents: int
    currency: str
    till_id: int
    occurred_at: Timestamp
    recorded_at: Timestamp
    offline: bool
    status: Literal["accepted", "refused", "conflict", "voided"]
    balance_after_cents: int | None = Field(description="the voucher's balance after this one")
    reason_code: str | None
    reason_message: str | None
    voided_at: Timestamp | None
    void_reason: str | None


class BatchRequest(BaseModel):
    """Offline redemptions to upload; each item is judged alone, in order."""

    items: list[RedeemRequest] = Field(max_length=500)


class BatchItemResult(BaseModel):
    """`accepted` (new or replayed), `conflict` (stored with its reason, see `error`), or
    `rejected` (not stored: malformed, no till of this shop, id reused with another body, in
    flight)."""

    redemption_id: str = Field(description="as sent; empty when the item carried none")
    outcome: Literal["accepted", "conflict", "rejected"]
    redemption: Redemption | None = None
    error: ErrorDetail | None = None


class BatchResult(BaseModel):
    results: list[BatchItemResult]


class VoidRequest(BaseModel):
    """Void within the window after `occurred_at`; `voided_at` at most 5 minutes ahead of the
    server's clock and at most 5 minutes before `occurred_at` (clock drift), else 422
    invalid_request. Voiding again returns the same voided redemption."""

    reason: Text
    voided_at: Instant


class VoucherPage(BaseModel):
    """Vouchers changed after the cursor, oldest change first; keep `next_cursor` for next time."""

    items: list[Voucher]
    next_cursor: str
    has_more: bool


class Revocation(BaseModel):
    voucher_id: int
    code: str
    revoked_at: Timestamp
    reason: str


class RevocationPage(BaseModel):
    items: list[Revocation]
    next_cursor: str
    has_more: bool


class SigningKeyInfo(BaseModel):
    kid: str = Field(description="8 lowercase hex characters")
    algorithm: Literal["Ed25519"]
    public_key: str = Field(description="base64url without padding, 32 raw bytes")
    not_before: Timestamp
    not_after: Timestamp | None


class KeyList(BaseModel):
    keys: list[SigningKeyInfo]


class TillTotal(BaseModel):
    till_id: int
    till_name: str
    count: int
    total_cents: int


class HourTotal(BaseModel):
    hour: Annotated[int, Field(ge=0, le=23)]
    count: int
    total_cents: int


class DailySummary(BaseModel):
    date: Date
    shop_id: int
    currency: str
    count: int
    total_cents: int
    by_till: list[TillTotal]
    by_hour: list[HourTotal]
