"""The /v1 API client: one requests.Session, a bounded time per call, typed errors, no token leaks.

Every failure becomes one of the typed errors of errors.py, so callers (sync, counter) decide by
type: OfflineError means "outcome unknown, retry with the same redemption id", never "it failed".
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

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
from posapp.core.api.models import (
    BatchItemResult,
    DailySummary,
    Health,
    Page,
    PairingResult,
    RedeemRequest,
    Redemption,
    Revocation,
    TillInfo,
    VoucherInfo,
)
from posapp.core.clock import utc_iso
from posapp.core.keys import KeySet

log = logging.getLogger("posapp.api")

USER_AGENT = f"posapp/{__version__}"
MAX_BATCH = 500
MAX_BODY_BYTES = 16 * 1024 * 1024
# RFC 6750 allows a b64token; any visible ASCII without spaces keeps a token out of header-injection
# errors, whose text (from requests) would otherwise quote the token.
_TOKEN_RE = re.compile(r"[\x21-\x7e]{1,4096}")
Observer = Callable[[bool, float], None]


class ApiClient:
    """Client of one platform account's API; `observer(ok, elapsed_s)` sees every request's fate."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: tuple[float, float] = (3.05, 10.0),
        session: requests.Session | None = None,
    ) -> None:
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
        if session is not None and session.verify is not True:
            raise ValueError("TLS verification cannot be turned off")
        connect, read = timeout
        if not (connect > 0 and read > 0):
            raise ValueError("timeouts must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout = (float(connect), float(read))
        self.session = session or requests.Session()
        self.session.verify = True
        self.observer: Observer | None = None
        self._token: str | None = None
        self.token = token

    # -- token: settable, never shown ----------------------------------------------------------
    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        if value is not None and (not isinstance(value, str) or not _TOKEN_RE.fullmatch(value)):
            raise ValueError("malformed till token (printable ASCII, no spaces)")
        self._token = value

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r}, token={'<set>' if self._token else None})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints -------------------------------------------------------------------------------
    def health(self) -> Health:
        return Health.from_json(self._call("GET", "/v1/health", auth=False))

    def pair(self, pairing_code: str, till_name: str) -> PairingResult:
        """Exchange a one-time pairing code for a till token; the client keeps the token."""
        body = {"pairing_code": pairing_code, "till_name": till_name}
        result = PairingResult.from_json(self._call("POST", "/v1/pairing", auth=False, json=body))
        self._token = _checked_token(result.token, "pairing")
        return result

    def whoami(self) -> TillInfo:
        return TillInfo.from_json(self._call("GET", "/v1/till"))

    def roll_token(self) -> str:
        """A new token replaces the old one at once: the caller stores it before anything else."""
        raw = self._call("POST", "/v1/till/token/roll")
        self._token = _checked_token(raw.get("token") if isinstance(raw, dict) else None, "roll")
        return self._token

    def revoke(self) -> None:
        self._call("POST", "/v1/till/revoke")
        self._token = None

    def lookup(self, code: str) -> VoucherInfo:
        """Look a voucher up by its plain code (`VoucherRef.code`), not the scanned text."""
        return VoucherInfo.from_json(self._call("GET", "/v1/vouchers/" + quote(code, safe="")))

    def redeem(self, request: RedeemRequest) -> Redemption:
        """Redeem; the Idempotency-Key is the redemption id, so a retry can never redeem twice."""
        headers = {"Idempotency-Key": request.redemption_id}
        raw = self._call("POST", "/v1/redemptions", json=request.to_json(), headers=headers)
        return Redemption.from_json(raw)

    def redeem_batch(self, requests_: list[RedeemRequest]) -> list[BatchItemResult]:
        """Upload offline redemptions; one result per item, in item order (checked)."""
        if len(requests_) > MAX_BATCH:
            raise ValueError(f"a batch holds at most {MAX_BATCH} items")
        body = {"items": [r.to_json() for r in requests_]}
        raw = self._call("POST", "/v1/redemptions/batch", json=body)
        if not isinstance(raw, dict) or not isinstance(raw.get("results"), list):
            raise BadResponseError("bad_response", "batch: expected {results: [...]}")
        results = [BatchItemResult.from_json(item) for item in raw["results"]]
        sent = [_same_id(r.redemption_id) for r in requests_]
        if [_same_id(r.redemption_id) for r in results] != sent:
            raise BadResponseError("bad_response", "batch: results do not match the items sent")
        return results

    def get_redemption(self, redemption_id: str) -> Redemption:
        path = "/v1/redemptions/" + quote(redemption_id, safe="")
        return Redemption.from_json(self._call("GET", path))

    def void(self, redemption_id: str, reason: str, voided_at: datetime) -> Redemption:
        path = "/v1/redemptions/" + quote(redemption_id, safe="") + "/void"
        body = {"reason": reason, "voided_at": utc_iso(voided_at)}
        return Redemption.from_json(self._call("POST", path, json=body))

    def vouchers(self, cursor: str | None = None, limit: int = 500) -> Page[VoucherInfo]:
        raw = self._call("GET", "/v1/shop/vouchers", params=_page_params(cursor, limit))
        return Page.from_json(raw, VoucherInfo.from_json)

    def revocations(self, cursor: str | None = None, limit: int = 500) -> Page[Revocation]:
        raw = self._call("GET", "/v1/revocations", params=_page_params(cursor, limit))
        return Page.from_json(raw, Revocation.from_json)

    def iter_vouchers(
        self, cursor: str | None = None, limit: int = 500
    ) -> Iterator[Page[VoucherInfo]]:
        """Follow pages until `has_more` is false; persist each `next_cursor` after its page."""
        return _follow(self.vouchers, cursor, limit)

    def iter_revocations(
        self, cursor: str | None = None, limit: int = 500
    ) -> Iterator[Page[Revocation]]:
        return _follow(self.revocations, cursor, limit)

    def keys(self) -> KeySet:
        raw = self._call("GET", "/v1/keys")
        try:
            return KeySet.from_api(raw["keys"] if isinstance(raw, dict) else None)  # type: ignore[arg-type]
        except (KeyError, ValueError) as exc:
            raise BadResponseError("bad_response", f"keys: {exc}") from None

    def summary(self, day: date) -> DailySummary:
        raw = self._call("GET", "/v1/shop/summary", params={"date": day.isoformat()})
        return DailySummary.from_json(raw)

    # -- transport -------------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """One request with a total deadline; returns the decoded JSON body (None for 204)."""
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        if auth:
            if not self._token:
                raise UnauthorizedError("not_paired", "this till has no token: pair it first")
            all_headers["Authorization"] = f"Bearer {self._token}"
        started = time.monotonic()
        ok = False
        status: int | str = "-"
        try:
            status, retry_after, body = self._send(method, path, json, params, all_headers, started)
            result = self._interpret(status, retry_after, body)
            ok = True
            return result
        except (RefusedError, UnauthorizedError, ConflictError):
            ok = True  # the platform answered properly: the line is fine
            raise
        finally:
            elapsed = time.monotonic() - started
            log.debug("%s %s -> %s in %.3f s", method, path, status, elapsed)
            self._notify(ok, elapsed)

    def _send(
        self,
        method: str,
        path: str,
        json: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        started: float,
    ) -> tuple[int, str | None, bytes]:
        deadline = started + sum(self.timeout)
        try:
            with self.session.request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                headers=headers,
                timeout=self.timeout,
                verify=True,
                allow_redirects=False,
                stream=True,
                auth=_NO_NETRC,
            ) as response:
                body = _read_body(response, deadline)
                return response.status_code, response.headers.get("Retry-After"), body
        except ApiError:
            raise
        except (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
            raise OfflineError("timeout", "no answer from the platform in time") from None
        except (requests.exceptions.SSLError, urllib3.exceptions.SSLError):
            raise OfflineError("tls_error", "secure connection failed (captive portal?)") from None
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
            ValueError,
        ) as exc:
            # connection refused/reset, ChunkedEncodingError, ProtocolError, IncompleteRead, ...
            reason = type(exc).__name__
            raise OfflineError("unreachable", f"platform unreachable ({reason})") from None

    def _interpret(self, status: int, retry_after: str | None, body: bytes) -> Any:
        if 200 <= status < 300:
            if status == 204 or not body:
                return None
            return _decode_json(body, status)
        if status == 401:
            code, message = _error_fields(body, "unauthorized")
            raise UnauthorizedError(code, self._scrub(message), status)
        if status == 429 or status >= 500:
            code, message = _error_fields(body, "server_error")
            delay = parse_retry_after(retry_after)
            raise ServerError(code, self._scrub(message), status, delay)
        if 400 <= status < 500:
            error = _error_body(body)
            if error is None:
                raise BadResponseError("bad_response", "error without the error shape", status)
            code, message = error[0], self._scrub(error[1])
            if status == 409 or (status == 422 and code == "idempotency_key_reused"):
                raise ConflictError(code, message, status)
            raise RefusedError(code, message, status)
        raise BadResponseError("bad_response", "unexpected HTTP status", status)

    def _scrub(self, text: str) -> str:
        """The server's text goes into exceptions; make sure it can never echo our token."""
        return text.replace(self._token, "***") if self._token else text

    def _notify(self, ok: bool, elapsed: float) -> None:
        if self.observer is None:
            return
        try:
            self.observer(ok, elapsed)
        except Exception:
            log.exception("connectivity observer failed")


class _KeepHeaders(requests.auth.AuthBase):
    """An explicit auth that changes nothing: with none, requests reads ~/.netrc and would send
    that password (Basic) to the platform, instead of the bearer token or on unauthenticated
    calls."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


_NO_NETRC = _KeepHeaders()


def _checked_token(token: Any, where: str) -> str:
    """A token from the server must be usable in a header; its text never goes into the error."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        raise BadResponseError("bad_response", f"{where}: no usable token in the answer")
    return token


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


def _same_id(redemption_id: str) -> str:
    """A redemption id as compared: one UUID in any spelling (case, braces) is one id."""
    try:
        return str(uuid.UUID(redemption_id))
    except (ValueError, TypeError, AttributeError):
        return redemption_id


def _page_params(cursor: str | None, limit: int) -> dict[str, Any]:
    if not 1 <= limit <= 500:
        raise ValueError("limit must be between 1 and 500")
    return {"limit": limit} if cursor is None else {"cursor": cursor, "limit": limit}


def _follow(
    fetch: Callable[[str | None, int], Page[Any]], cursor: str | None, limit: int
) -> Iterator:
    while True:
        page = fetch(cursor, limit)
        yield page
        if not page.has_more:
            return
        if page.next_cursor is None or page.next_cursor == cursor:
            raise BadResponseError("bad_response", "paging: has_more without a new cursor")
        cursor = page.next_cursor


def _decode_json(body: bytes, status: int) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadResponseError("bad_response", "the answer is not JSON", status) from None


def _error_body(body: bytes) -> tuple[str, str] | None:
    """The contract's error shape `{"error": {"code", "message"}}`, or None."""
    try:
        error = json.loads(body.decode("utf-8")).get("error")
    except (UnicodeDecodeError, ValueError, AttributeError):
        return None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        message = error.get("message")
        return error["code"], message if isinstance(message, str) else ""
    return None


def _error_fields(body: bytes, default_code: str) -> tuple[str, str]:
    return _error_body(body) or (default_code, "")


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


__all__ = ["ApiClient", "parse_retry_after"]


def _is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
