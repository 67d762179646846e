"""The platform is the authority on time: what a till claims about *when* is only believed within
bounds the platform can check itself.

An online redemption or void carries the platform's own time (the till's clock is informational).
An offline item keeps its claimed time, but only inside [lower, upper]:

- lower: the latest of the till's pairing (a till cannot act before it exists), the voucher's
  issuance (nobody redeems a voucher before it is sold) and `arrival - max_offline_age` (a
  platform-wide limit on how long a till may hold an offline item);
- upper: `arrival + future_skew` (a small allowance for a till clock slightly ahead).

Outside, the item is stored as a conflict with reason `offline_time_out_of_bounds`: never silently
accepted, never dropped. Days and hours are then those of this effective time in Europe/Rome.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from posapp.core.clock import Clock, utc_iso

OUT_OF_BOUNDS = "offline_time_out_of_bounds"
DEFAULT_MAX_OFFLINE_AGE = timedelta(hours=72)
DEFAULT_FUTURE_SKEW = timedelta(minutes=5)
SERVER_TIME = "server-time"


@dataclass(frozen=True)
class TimeRules:
    """One platform's time rules (shown in /v1/health, documented in the contract)."""

    void_window: timedelta = timedelta(minutes=15)
    max_offline_age: timedelta = DEFAULT_MAX_OFFLINE_AGE
    future_skew: timedelta = DEFAULT_FUTURE_SKEW

    def offline_bounds(
        self, arrival: datetime, *not_before: datetime | None
    ) -> tuple[datetime, datetime]:
        """[lower, upper] for an offline item arriving now; `not_before` are facts that
        precede it (the till's pairing, the voucher's issuance)."""
        lower = max([arrival - self.max_offline_age, *(t for t in not_before if t is not None)])
        return lower, arrival + self.future_skew

    def claimed_time_ok(
        self, claimed: datetime, arrival: datetime, *not_before: datetime | None
    ) -> bool:
        lower, upper = self.offline_bounds(arrival, *not_before)
        return lower <= claimed <= upper


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class ServerTimeMiddleware:
    """Adds `Server-Time: <UTC ISO 8601 with ms and Z>` to every HTTP response, errors included,
    so a till can measure its clock against the platform on any answer it gets."""

    def __init__(self, app: Callable[..., Awaitable[None]], clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"server-time"]
                headers.append((b"server-time", utc_iso(self.clock.now()).encode("ascii")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, stamped)
