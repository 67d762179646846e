"""The /v1 API client: one requests.Session, a bounded time per call, typed errors, no token leaks.

Every failure becomes one of the typed errors of errors.py, so callers (sync, counter) decide by
type: OfflineError means "outcome unknown, retry with the same redemption id", never "it failed".
The endpoints are here; how a request travels and how its answer becomes a value or an error is in
transport.py.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import requests

from posapp.core.api.errors import (
    BadResponseError,
    ConflictError,
    RefusedError,
    UnauthorizedError,
)
from posapp.core.api.fields import FieldReader
from posapp.core.api.models import (
    BatchItemResult,
    RedeemRequest,
    Redemption,
    Revocation,
    VoucherInfo,
)
from posapp.core.api.paging import Page, follow_pages, page_params
from posapp.core.api.payout_models import Payout
from posapp.core.api.till_models import DailySummary, Health, PairingResult, TillInfo
from posapp.core.api.transport import (
    TOKEN_RE,
    USER_AGENT,
    checked_base_url,
    checked_token,
    interpret,
    parse_retry_after,
    parse_server_time,
    proxies_for,
    scrub,
    send,
)
from posapp.core.clock import utc_iso
from posapp.core.keys import KeySet

log = logging.getLogger("posapp.api")

MAX_BATCH = 500
Observer = Callable[[bool, float], None]
TimeObserver = Callable[[datetime, float], None]


class ApiClient:
    """Client of one platform account's API; `observer(ok, elapsed_s)` sees every request's fate,
    `time_observer(server_time, round_trip_s)` the platform's clock on every answer (from
    `Server-Time`, else `Date`), so the till can keep a trusted time."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: tuple[float, float] = (3.05, 10.0),
        session: requests.Session | None = None,
    ) -> None:
        base_url = checked_base_url(base_url)
        if session is not None and session.verify is not True:
            raise ValueError("TLS verification cannot be turned off")
        connect, read = timeout
        if not (connect > 0 and read > 0):
            raise ValueError("timeouts must be positive")
        self.base_url = base_url
        self._proxies = proxies_for(base_url)
        self.timeout = (float(connect), float(read))
        self.session = session or requests.Session()
        self.session.verify = True
        self.observer: Observer | None = None
        self.time_observer: TimeObserver | None = None
        self._token: str | None = None
        self.token = token

    # -- token: settable, never shown ----------------------------------------------------------
    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        if value is not None and (not isinstance(value, str) or not TOKEN_RE.fullmatch(value)):
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
        self._token = checked_token(result.token, "pairing")
        return result

    def whoami(self) -> TillInfo:
        return TillInfo.from_json(self._call("GET", "/v1/till"))

    def roll_token(self) -> str:
        """A new token replaces the old one at once: the caller stores it before anything else."""
        raw = self._call("POST", "/v1/till/token/roll")
        self._token = checked_token(raw.get("token") if isinstance(raw, dict) else None, "roll")
        return self._token

    def revoke(self) -> None:
        self._call("POST", "/v1/till/revoke")
        self._token = None

    def checkpoint(self, drained_through: datetime) -> datetime:
        """Tell the platform that everything this till recorded up to `drained_through` (its
        trusted time, taken before the snapshot of a queue a sync then emptied) is uploaded;
        returns the checkpoint the platform keeps. From then on it refuses offline items claimed
        before it (docs/OFFLINE.md, "last contact")."""
        body = {"drained_through": utc_iso(drained_through)}
        raw = self._call("POST", "/v1/till/checkpoint", json=body)
        return FieldReader(raw, "checkpoint").time("drained_through")

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

    def redemptions(
        self,
        cursor: str | None = None,
        limit: int = 500,
        scope: str = "till",
        first_day: date | None = None,
        last_day: date | None = None,
    ) -> Page[Redemption]:
        """One page of this till's (or, `scope="shop"`, the shop's) redemptions in the
        platform's order: how a till rebuilds its history after losing its database, and, with
        `first_day`/`last_day` (shop-local days, both included), how a statement lists a period."""
        if scope not in ("till", "shop"):
            raise ValueError("scope is 'till' or 'shop'")
        params: dict[str, object] = {**page_params(cursor, limit), "scope": scope}
        if first_day is not None:
            params["first_day"] = first_day.isoformat()
        if last_day is not None:
            params["last_day"] = last_day.isoformat()
        raw = self._call("GET", "/v1/redemptions", params=params)
        return Page.from_json(raw, Redemption.from_json)

    def iter_redemptions(
        self,
        cursor: str | None = None,
        limit: int = 500,
        scope: str = "till",
        first_day: date | None = None,
        last_day: date | None = None,
    ) -> Iterator[Page[Redemption]]:
        return follow_pages(
            lambda c, n: self.redemptions(c, n, scope, first_day, last_day), cursor, limit
        )

    def get_redemption(self, redemption_id: str) -> Redemption:
        path = "/v1/redemptions/" + quote(redemption_id, safe="")
        return Redemption.from_json(self._call("GET", path))

    def void(
        self, redemption_id: str, reason: str, voided_at: datetime, offline: bool = False
    ) -> Redemption:
        """Void; online (the default) the platform's receipt time counts, `offline=True` for a
        queued void decided at `voided_at` while the line was down (bounded by the platform)."""
        path = "/v1/redemptions/" + quote(redemption_id, safe="") + "/void"
        body = {"reason": reason, "voided_at": utc_iso(voided_at), "offline": offline}
        return Redemption.from_json(self._call("POST", path, json=body))

    def vouchers(self, cursor: str | None = None, limit: int = 500) -> Page[VoucherInfo]:
        raw = self._call("GET", "/v1/shop/vouchers", params=page_params(cursor, limit))
        return Page.from_json(raw, VoucherInfo.from_json)

    def revocations(self, cursor: str | None = None, limit: int = 500) -> Page[Revocation]:
        raw = self._call("GET", "/v1/revocations", params=page_params(cursor, limit))
        return Page.from_json(raw, Revocation.from_json)

    def iter_vouchers(
        self, cursor: str | None = None, limit: int = 500
    ) -> Iterator[Page[VoucherInfo]]:
        """Follow pages until `has_more` is false; persist each `next_cursor` after its page."""
        return follow_pages(self.vouchers, cursor, limit)

    def iter_revocations(
        self, cursor: str | None = None, limit: int = 500
    ) -> Iterator[Page[Revocation]]:
        return follow_pages(self.revocations, cursor, limit)

    def payouts(self, cursor: str | None = None, limit: int = 500) -> Page[Payout]:
        """The shop's payouts changed after `cursor` (made or paid), oldest change first."""
        raw = self._call("GET", "/v1/shop/payouts", params=page_params(cursor, limit))
        return Page.from_json(raw, Payout.from_json)

    def iter_payouts(self, cursor: str | None = None, limit: int = 500) -> Iterator[Page[Payout]]:
        return follow_pages(self.payouts, cursor, limit)

    def keys(self) -> KeySet:
        raw = self._call("GET", "/v1/keys")
        try:
            return KeySet.from_api(raw["keys"] if isinstance(raw, dict) else None)  # type: ignore[arg-type]
        except (KeyError, ValueError) as exc:
            message = scrub(f"keys: {exc}", self._token)[:200]
        raise BadResponseError("bad_response", message)  # outside: no context to carry the body

    def summary(self, day: date, currency: str = "EUR") -> DailySummary:
        """The shop's day; `count`/`total_cents`/`by_*` of `currency`, `totals` of every one."""
        params = {"date": day.isoformat(), "currency": currency}
        raw = self._call("GET", "/v1/shop/summary", params=params)
        return DailySummary.from_json(raw)

    # -- one call: headers, timing, observer -----------------------------------------------------
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
            status, retry_after, body, stamp = send(
                self.session,
                method,
                self.base_url + path,
                json,
                params,
                all_headers,
                self.timeout,
                started,
                self._proxies,
            )
            self._notify_time(stamp, time.monotonic() - started)
            result = interpret(status, retry_after, body, self._token)
            ok = True
            return result
        except (RefusedError, UnauthorizedError, ConflictError):
            ok = True  # the platform answered properly: the line is fine
            raise
        finally:
            elapsed = time.monotonic() - started
            log.debug("%s %s -> %s in %.3f s", method, path, status, elapsed)
            self._notify(ok, elapsed)

    def _notify_time(self, stamp: str | None, round_trip: float) -> None:
        observer = self.time_observer
        when = parse_server_time(stamp) if observer is not None else None
        if observer is None or when is None:
            return
        try:
            observer(when, round_trip)
        except Exception:
            log.exception("time observer failed")

    def _notify(self, ok: bool, elapsed: float) -> None:
        if self.observer is None:
            return
        try:
            self.observer(ok, elapsed)
        except Exception:
            log.exception("connectivity observer failed")


def _same_id(redemption_id: str) -> str:
    """A redemption id as compared: one UUID in any spelling (case, braces) is one id."""
    try:
        return str(uuid.UUID(redemption_id))
    except (ValueError, TypeError, AttributeError):
        return redemption_id


__all__ = ["ApiClient", "parse_retry_after"]
