"""The one error shape of the API, `{"error": {"code", "message"}}`, and the exceptions for it."""

from __future__ import annotations

from typing import Any

# Human text for each machine code the server emits; the client maps codes to its own words.
MESSAGES: dict[str, str] = {
    "unauthorized": "missing, unknown, rolled or revoked till token",
    "invalid_request": "the request is malformed",
    "not_found": "no such resource",
    "method_not_allowed": "method not allowed on this resource",
    "pairing_code_invalid": "unknown pairing code",
    "pairing_code_used": "this pairing code was already used",
    "pairing_code_expired": "this pairing code has expired",
    "pairing_code_locked": "too many wrong pairing codes were tried: make a new code",
    "too_many_requests": "too many attempts: wait Retry-After seconds",
    "payload_too_large": "the request body is larger than this platform accepts",
    "unknown_voucher": "no voucher with this code",
    "unknown_redemption": "no redemption with this id for this shop",
    "voucher_used": "the voucher has been used completely",
    "insufficient_balance": "the amount exceeds the voucher's balance",
    "partial_not_allowed": "this voucher must be used for its whole balance",
    "voucher_expired": "the voucher has expired",
    "voucher_cancelled": "the voucher was cancelled",
    "other_shop": "the voucher belongs to another shop",
    "currency_mismatch": "the currency differs from the voucher's",
    "invalid_amount": "the amount must be a positive number of cents",
    "idempotency_key_missing": "the Idempotency-Key header is required",
    "idempotency_key_mismatch": "the Idempotency-Key header must equal redemption_id",
    "idempotency_key_reused": "this redemption id was used with another body",
    "request_in_flight": "a request with this redemption id is still being processed",
    "void_window_expired": "the redemption is too old to be voided",
    "offline_time_out_of_bounds": (
        "the claimed offline time lies outside what the platform can believe (before the till's"
        " pairing or the voucher's issuance, older than the maximum offline age, or in the future)"
    ),
    "not_voidable": "only an accepted redemption can be voided",
    "invalid_cursor": "the cursor is not one this server issued",
    "service_unavailable": "the service is temporarily unavailable",
    "internal_error": "internal server error",
    "http_error": "the HTTP request cannot be served",
}


class ApiFailure(Exception):
    """Raised anywhere in a request; the app turns it into the error shape with `status`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message or MESSAGES.get(code, code.replace("_", " "))
        self.headers = headers or {}
        super().__init__(f"{status} {code}: {self.message}")


def error_body(code: str, message: str | None = None) -> dict[str, Any]:
    """The JSON error document."""
    return {"error": {"code": code, "message": message or MESSAGES.get(code, code)}}


class Refusal(Exception):
    """A business refusal of a redemption (stored under its id, replayed as it was)."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, code)
        super().__init__(f"{code}: {self.message}")

    @property
    def status(self) -> int:
        return 404 if self.code == "unknown_voucher" else 422
