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

from posapp.sandbox.errors import MESSAGES

Timestamp = Annotated[
    str, Field(json_schema_extra={"format": "date-time"}, examples=["2026-11-26T09:30:00.000Z"])
]
JSON_SAFE = 2**53 - 1
Cents = Annotated[_StrictInt, Field(ge=-JSON_SAFE, le=JSON_SAFE)]
Id = Annotated[_StrictInt, Field(ge=0, le=JSON_SAFE)]
Currency = Annotated[
    str, Field(pattern="^[A-Z]{3}$", description="ISO 4217 letters", examples=["EUR"])
]


def _sane_instant(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2099:
        raise ValueError("timestamp must lie in the years 2000..2099")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("timestamp out of range") from exc


Instant = Annotated[AwareDatetime, AfterValidator(_sane_instant)]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
# No control characters (C0, DEL, C1) and no bidirectional overrides or isolates, which would let a
# name reorder what the owner reads next to it: U+202A..U+202E, U+2066..U+2069, U+200E, U+200F.
_BAD = r"\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
SAFE_NAME = rf"^[^{_BAD}]*[^{_BAD}\s][^{_BAD}]*$"
Operator = Annotated[str, Field(min_length=1, max_length=40, pattern=SAFE_NAME)]


class ErrorDetail(BaseModel):
    code: str = Field(
        description="machine code, stable; the client maps it to words (and treats a code it "
        "does not know by the HTTP status)",
        json_schema_extra={"enum": sorted(MESSAGES)},
    )
    message: str = Field(description="human text in English, for logs")


class ErrorBody(BaseModel):
    """The one error shape of every non-2xx response."""

    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"]
    server_time: Timestamp = Field(description="the platform's clock: the authority on time")
    platform_id: str
    api_version: str
    max_offline_age_hours: float = Field(
        description="an offline item claimed older than this when it arrives is a conflict "
        "(`offline_time_out_of_bounds`)"
    )
    void_window_minutes: float = Field(description="how long after a redemption a void is taken")


class PairingRequest(BaseModel):
    pairing_code: Annotated[str, Field(min_length=1, max_length=64)]
    till_name: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            pattern=SAFE_NAME,
            description="no control characters or bidirectional overrides",
        ),
    ]


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


class CheckpointRequest(BaseModel):
    """The till's drain checkpoint: everything it recorded up to its (trusted) time
    `drained_through` has been uploaded and answered."""

    drained_through: Instant = Field(
        description="the till's time when it took the snapshot of its queue that a sync then "
        "found fully answered (never later than a sale it was still recording)"
    )


class CheckpointResult(BaseModel):
    drained_through: Timestamp = Field(
        description="the till's checkpoint as the platform keeps it: the latest one received, "
        "never later than the platform's time when it arrived"
    )


VoucherStatus = Literal["valid", "partly_used", "used", "expired", "cancelled", "other_shop"]


class Voucher(BaseModel):
    """A voucher as the asking till's shop sees it. `other_shop`: it belongs to another shop, and
    `face_value_cents`, `balance_cents`, `expires_at` and `partial_allowed` are null."""

    code: str = Field(description="plain code XXXX-XXXX-XXX")
    voucher_id: int
    shop_id: int
    status: VoucherStatus
    face_value_cents: int | None = Field(description="null for `other_shop`")
    balance_cents: int | None = Field(description="null for `other_shop`")
    currency: Currency
    expires_at: Timestamp | None = Field(description="null for `other_shop`")
    partial_allowed: bool | None = Field(description="null for `other_shop`")


class RedeemRequest(BaseModel):
    """A redemption as the till made it; the same id always means the same body."""

    redemption_id: UUID = Field(description="made by the till (UUID); equals Idempotency-Key")
    voucher_code: Annotated[str, Field(min_length=1, max_length=512)]
    amount_cents: Cents = Field(
        description="integer cents, at least 1 (0 or less is stored as refused `invalid_amount`)",
        json_schema_extra={"minimum": 1},
    )
    currency: Currency
    till_id: Id
    occurred_at: Instant = Field(
        description="when it happened at the counter: ISO 8601 with a timezone (Z on the wire), "
        "years 2000..2099; compared at millisecond precision in UTC. Informational when online "
        "(the platform's `recorded_at` counts); when `offline`, believed only between the till's "
        "pairing / the voucher's issuance / arrival minus `max_offline_age_hours`, and arrival "
        "plus 5 minutes, else a conflict `offline_time_out_of_bounds`"
    )
    offline: StrictBool = Field(description="true when accepted at the counter while offline")
    operator: Operator | None = Field(
        default=None,
        description="who served (a display name, 1..40 characters, no control characters); part "
        "of the idempotency body when present",
    )


class Redemption(BaseModel):
    """A stored outcome, kept forever under its id. `accepted`: applied; `refused`: an online
    redeem was refused (`reason_code`); `conflict`: an offline batch item the voucher could not
    cover, recorded with its reason and the voucher untouched; `voided`: accepted, then voided."""

    redemption_id: str
    voucher_code: str
    voucher_id: int | None
    amount_cents: int
    currency: Currency
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
    operator: str | None = Field(default=None, description="who served, as the till sent it")
    payout_id: int | None = Field(default=None, description="the payout that includes it")
    effective_at: Timestamp | None = Field(
        default=None,
        description="when the platform counts it (its day and hour in the summary): the "
        "platform's own time for an online one, the claimed time of an offline one",
    )
    till_name: str | None = Field(
        default=None, description="the till's name (given in the list of redemptions)"
    )


class RedemptionPage(BaseModel):
    """Redemptions in the platform's sequence (the order it stored them), current state."""

    items: list[Redemption]
    next_cursor: str
    has_more: bool


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
    """Void within the window. Online (`offline` false, the default) the platform's receipt time
    is the void's time and `voided_at` is informational; an offline void keeps its `voided_at`
    if the platform can believe it (else 422 `offline_time_out_of_bounds`). Voiding again
    returns the same voided redemption."""

    reason: Text
    voided_at: Instant
    offline: StrictBool = Field(
        default=False, description="true when the void was decided while offline and queued"
    )


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


class OperatorTotal(BaseModel):
    operator: str = Field(description="as the tills sent it; empty for redemptions without one")
    count: int
    total_cents: int


class CurrencyTotal(BaseModel):
    currency: Currency
    count: int
    total_cents: int


class DailySummary(BaseModel):
    """`count`, `total_cents` and the `by_*` lists are of `currency` only (the query's, EUR by
    default); `totals` has one line per currency with sales that day."""

    date: Date
    shop_id: int
    currency: Currency
    count: int
    total_cents: int
    by_till: list[TillTotal]
    by_hour: list[HourTotal]
    by_operator: list[OperatorTotal]
    totals: list[CurrencyTotal]


class PayoutLine(BaseModel):
    redemption_id: str
    kind: Literal["redemption", "adjustment"] = Field(
        description="`adjustment`: a redemption voided after its payout closed, taken back here"
    )
    amount_cents: int = Field(description="negative for an adjustment")


class Payout(BaseModel):
    """What the platform pays (or paid) the shop for one period in one currency."""

    payout_id: int
    shop_id: int
    currency: Currency
    period_start: Timestamp | None = Field(description="the previous payout's end; null at first")
    period_end: Timestamp
    state: Literal["scheduled", "paid"]
    amount_cents: int = Field(description="the sum of `lines`")
    closed_at: Timestamp
    paid_at: Timestamp | None
    bank_reference: str | None
    redemption_ids: list[str] = Field(description="the redemptions paid by this payout")
    lines: list[PayoutLine]


class PayoutPage(BaseModel):
    items: list[Payout]
    next_cursor: str
    has_more: bool
