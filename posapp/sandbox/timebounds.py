"""The platform is the authority on time: what a till claims about *when* is only believed within
bounds the platform can check itself.

An online redemption or void carries the platform's own time (the till's clock is informational).
An offline item keeps its claimed time, but only inside [lower, upper]:

- lower: the latest of the till's pairing (a till cannot act before it exists), the voucher's
  issuance (nobody redeems a voucher before it is sold), `arrival - max_offline_age` (a
  platform-wide limit on how long a till may hold an offline item) and the till's drain
  checkpoint minus the skew (below);
- upper: `arrival + future_skew` (a small allowance for a till clock slightly ahead).

The drain checkpoint is the till's last contact made precise. A till online all along could
otherwise claim an "offline" sale two days back and spend a voucher that expired yesterday; but an
honest till back from a day offline uploads its queue oldest first, in several batches, perhaps
interrupted, so "older than the last request" would make false conflicts. So an honest till says,
once a sync found its queue empty (everything it had queued when it took the snapshot was
answered), `POST /v1/till/checkpoint {drained_through: X}`: everything it recorded up to its trusted
time X is uploaded (X is taken before the snapshot, and never after a sale still being recorded);
an idle online till says it every few minutes. The platform keeps, per till,
`drained_through = max(drained_through, min(X, arrival))` (a till clock ahead cannot push it past
the platform's own time) and bounds every later offline item of that till (redemptions, batch
items, offline voids): claimed before `drained_through - future_skew` means the till already said
it had uploaded everything of that time. Replays are answered before any bound (the first result).

Outside, the item is stored as a conflict with reason `offline_time_out_of_bounds`: never silently
accepted, never dropped. Days and hours are then those of this effective time in Europe/Rome.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from posapp.core.clock import Clock, utc_iso
from posapp.sandbox.errors import MESSAGES

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

    def out_of_bounds(
        self,
        claimed: datetime,
        arrival: datetime,
        drained: datetime | None,
        *not_before: datetime | None,
    ) -> str | None:
        """Why an offline claim cannot be believed (the message stored with the conflict), or
        None. `drained` is the till's drain checkpoint (see the module's docstring)."""
        if drained is not None and claimed < drained - self.future_skew:
            return (
                f"the claimed offline time {utc_iso(claimed)} is before this till's last "
                f"confirmed upload: it said everything it recorded up to {utc_iso(drained)} "
                "was uploaded"
            )
        if not self.claimed_time_ok(claimed, arrival, *not_before):
            return MESSAGES[OUT_OF_BOUNDS]
        return None


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
