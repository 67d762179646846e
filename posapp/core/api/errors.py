"""The few typed errors the API client raises: callers decide by type, the UI maps each to words.

No error text ever holds the till token: messages are built from the server's machine code and human
message, or from a fixed description of a network failure, never from a request or its headers.
"""

from __future__ import annotations


class ApiError(Exception):
    """Base of every client error: machine `code`, human `message`, HTTP `status` (or None)."""

    transient = False

    def __init__(self, code: str, message: str = "", status: int | None = None) -> None:
        self.code = code
        self.message = message
        self.status = status
        super().__init__(code, message, status)

    def __str__(self) -> str:
        where = f" (HTTP {self.status})" if self.status is not None else ""
        text = f": {self.message}" if self.message else ""
        return f"{self.code}{where}{text}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, {self.status!r})"


class OfflineError(ApiError):
    """Unreachable, timeout, reset or dropped response: outcome unknown, retry with the same id."""

    transient = True


class UnauthorizedError(ApiError):
    """401: the token is unknown, rolled or revoked; the till goes back to pairing."""


class RefusedError(ApiError):
    """A 4xx business refusal; `code` is the reason (voucher_used, insufficient_balance, ...)."""


class ConflictError(ApiError):
    """409 request still in flight (`transient`: retry with the same body), or 422 the same
    id/key was used with another body (permanent: the owner must see it)."""

    def __init__(self, code: str, message: str = "", status: int | None = None) -> None:
        super().__init__(code, message, status)
        self.transient = status == 409 or code == "request_in_flight"


class ServerError(ApiError):
    """5xx or 429; `retry_after` is the server's hint in seconds, or None."""

    transient = True

    def __init__(
        self,
        code: str,
        message: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(code, message, status)
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.code!r}, {self.message!r}, {self.status!r}, "
            f"retry_after={self.retry_after!r})"
        )


class InvalidApiUrl(ValueError):
    """The platform address cannot be used (not http(s), or plain http off this computer): a
    pairing QR or a typed address that the till refuses before sending anything."""

    message_key = "api.invalid_url"


class BadResponseError(ApiError):
    """The server answered something that is not the contract: not JSON, or the wrong shape."""


__all__ = [
    "ApiError",
    "BadResponseError",
    "ConflictError",
    "InvalidApiUrl",
    "OfflineError",
    "RefusedError",
    "ServerError",
    "UnauthorizedError",
]
