"""How one /v1 request travels: a checked address, a bounded time, and every failure a typed error.

Kept apart from the endpoints so the safety rules (https off loopback, no ~/.netrc, a total
deadline, a size cap, no token in any error text) live in one place that every call goes through.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.auth
import urllib3.exceptions

from posapp import __version__
from posapp.core.api.errors import (
    ApiError,
    BadResponseError,
    ConflictError,
    InvalidApiUrl,
    OfflineError,
    RefusedError,
    ServerError,
    UnauthorizedError,
)

USER_AGENT = f"posapp/{__version__}"
MAX_BODY_BYTES = 16 * 1024 * 1024
# RFC 6750 allows a b64token; any visible ASCII without spaces keeps a token out of header-injection
# errors, whose text (from requests) would otherwise quote the token.
TOKEN_RE = re.compile(r"[\x21-\x7e]{1,4096}")


def checked_base_url(base_url: str) -> str:
    """The base URL without its trailing slash, or InvalidApiUrl before anything is sent."""
    try:
        parts = urlsplit(base_url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except (ValueError, TypeError, AttributeError):
        raise InvalidApiUrl("the API URL is malformed") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidApiUrl("the API URL must be http(s)://host[:port][/path]")
    if parts.username is not None or parts.query or parts.fragment:
        # user:password would replace the bearer token (and reach logs); a query or fragment
        # would swallow every path appended to the base URL
        raise InvalidApiUrl("the API URL holds no user, query or fragment")
    if parts.scheme == "http" and not _is_loopback(host):
        # the till token must never cross a network in clear: plain http is for a sandbox here
        raise InvalidApiUrl("the platform must be reached over https (http only on loopback)")
    return base_url.rstrip("/")


def _is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_token(token: Any, where: str) -> str:
    """A token from the server must be usable in a header; its text never goes into the error."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        raise BadResponseError("bad_response", f"{where}: no usable token in the answer")
    return token


def scrub(text: str, token: str | None) -> str:
    """The server's text goes into exceptions; make sure it can never echo our token."""
    return text.replace(token, "***") if token else text


class _KeepHeaders(requests.auth.AuthBase):
    """An explicit auth that changes nothing: with none, requests reads ~/.netrc and would send
    that password (Basic) to the platform, instead of the bearer token or on unauthenticated
    calls."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


_NO_NETRC = _KeepHeaders()
# a sandbox on this computer is never reached through an HTTP(S)_PROXY from the environment
# (requests drops None entries after merging, so these win over the environment's proxies)
_NO_PROXY: dict[str, str | None] = {"http": None, "https": None}


def proxies_for(base_url: str) -> dict[str, str | None] | None:
    """The per-request proxies for a platform: none at all for a sandbox on this computer."""
    return _NO_PROXY if _is_loopback(urlsplit(base_url).hostname or "") else None


def send(
    session: requests.Session,
    method: str,
    url: str,
    json: Any,
    params: dict[str, Any] | None,
    headers: dict[str, str],
    timeout: tuple[float, float],
    started: float,
    proxies: dict[str, str | None] | None = None,
) -> tuple[int, str | None, bytes, str | None]:
    """One request; (status, Retry-After, body, the platform's time header), or OfflineError when
    the outcome is unknown. The time header is `Server-Time`, else the standard `Date`."""
    deadline = started + sum(timeout)
    failure: ApiError
    try:
        with session.request(
            method,
            url,
            json=json,
            params=params,
            headers=headers,
            timeout=timeout,
            verify=True,
            allow_redirects=False,
            stream=True,
            auth=_NO_NETRC,
            proxies=proxies,
        ) as response:
            body = _read_body(response, deadline)
            stamp = response.headers.get("Server-Time") or response.headers.get("Date")
            return response.status_code, response.headers.get("Retry-After"), body, stamp
    except ApiError as exc:
        failure = exc
    except (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
        failure = OfflineError("timeout", "no answer from the platform in time")
    except (requests.exceptions.SSLError, urllib3.exceptions.SSLError):
        failure = OfflineError("tls_error", "secure connection failed (captive portal?)")
    except (
        requests.RequestException,
        urllib3.exceptions.HTTPError,
        OSError,
        ValueError,
    ) as exc:
        # connection refused/reset, ChunkedEncodingError, ProtocolError, IncompleteRead, ...
        failure = OfflineError("unreachable", f"platform unreachable ({type(exc).__name__})")
    # Raised outside the except blocks: no __context__ keeps the library's exception (whose
    # text may quote the request, headers included) attached to the error callers see and log.
    failure.__context__ = failure.__cause__ = None
    failure.__traceback__ = None
    raise failure


def _read_body(response: requests.Response, deadline: float) -> bytes:
    """Read the body with a total deadline and a size cap.

    The read timeout bounds each socket read, not the whole answer: a line that trickles a byte at
    a time would otherwise hold the call for minutes. read1 returns whatever one read brings, so
    the deadline is checked at least once per read timeout.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.raw.read1(64 * 1024, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadResponseError("bad_response", "answer too large", response.status_code)
        if time.monotonic() > deadline:
            raise OfflineError("timeout", "the platform answered too slowly")
        chunks.append(chunk)


def interpret(status: int, retry_after: str | None, body: bytes, token: str | None) -> Any:
    """The decoded JSON of a 2xx answer (None when empty), else the typed error for the status."""
    if 200 <= status < 300:
        if status == 204 or not body:
            return None
        return _decode_json(body, status)
    if status == 401:
        code, message = _error_fields(body, "unauthorized", token)
        raise UnauthorizedError(code, message, status)
    if status == 429 or status >= 500:
        code, message = _error_fields(body, "server_error", token)
        delay = parse_retry_after(retry_after)
        raise ServerError(code, message, status, delay)
    if 400 <= status < 500:
        error = _error_body(body)
        if error is None:
            raise BadResponseError("bad_response", "error without the error shape", status)
        code, message = scrub(error[0], token)[:100], scrub(error[1], token)
        if status == 409 or (status == 422 and code == "idempotency_key_reused"):
            raise ConflictError(code, message, status)
        raise RefusedError(code, message, status)
    raise BadResponseError("bad_response", "unexpected HTTP status", status)


def _decode_json(body: bytes, status: int) -> Any:
    """The JSON of an answer. Errors are raised outside the except block: the decoder's own
    exception (whose `doc` is the whole body) never rides along as `__context__`."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        message = "the answer is not JSON"
    except RecursionError:  # a hostile "[[[[..." deeper than the decoder's stack
        message = "the answer is nested too deeply"
    raise BadResponseError("bad_response", message, status)


def parse_server_time(value: str | None) -> datetime | None:
    """The platform's clock from `Server-Time` (ISO 8601) or `Date` (HTTP date); None if
    absent or unreadable (never raises: a broken header must not break the call)."""
    if not value or len(value) > 64:
        return None
    value = value.strip()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if when.tzinfo is None:
        return None
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _error_body(body: bytes) -> tuple[str, str] | None:
    """The contract's error shape `{"error": {"code", "message"}}`, or None."""
    try:
        error = json.loads(body.decode("utf-8")).get("error")
    except (UnicodeDecodeError, ValueError, AttributeError, RecursionError):
        return None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        message = error.get("message")
        return error["code"], message if isinstance(message, str) else ""
    return None


def _error_fields(body: bytes, default_code: str, token: str | None) -> tuple[str, str]:
    """The error's code and message, neither of which may echo the token."""
    code, message = _error_body(body) or (default_code, "")
    return scrub(code, token)[:100], scrub(message, token)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)


__all__ = [
    "MAX_BODY_BYTES",
    "TOKEN_RE",
    "USER_AGENT",
    "checked_base_url",
    "checked_token",
    "interpret",
    "parse_retry_after",
    "parse_server_time",
    "scrub",
    "send",
]
