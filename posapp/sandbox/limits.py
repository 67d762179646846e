"""What keeps the platform standing on its own: a request body limit enforced while reading, and
pairing attempts throttled per client address with codes locked after repeated failures.

A body over the limit is refused with 413 from its Content-Length before a byte of it is read, or,
sent chunked, as soon as the bytes counted pass the limit: never buffered whole (four parallel
200 MB bodies once took the sandbox to 2 GB).
"""

from __future__ import annotations

import json
import math
import threading
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime, timedelta
from typing import Any

from posapp.sandbox.errors import error_body

MAX_BODY_BYTES = 1024 * 1024  # a full batch of 500 redemptions is about 150 KB
PAIRING_FAILURES = 10  # wrong codes per client address ...
PAIRING_PERIOD = timedelta(minutes=1)  # ... in this sliding window
CODE_FAILURE_LIMIT = 20  # wrong pairing codes (any address) that lock every live code

Message = MutableMapping[str, Any]
App = Callable[..., Awaitable[None]]


class _TooLarge(BaseException):
    """Raised out of `receive` (a BaseException, so no error handler inside turns it into a 500)."""


def _json_response(status: int, code: str, headers: list[tuple[bytes, bytes]] | None = None):
    body = json.dumps(error_body(code)).encode("utf-8")
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"connection", b"close"),
            *(headers or []),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class BodyLimitMiddleware:
    """413 `payload_too_large` for a request body over `limit` bytes, without reading it whole."""

    def __init__(self, app: App, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Message, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._refuse(send)
        except BaseExceptionGroup as group:  # raised inside a task group of a middleware
            if group.subgroup(_TooLarge) is None:
                raise
            if not started:
                await self._refuse(send)

    @staticmethod
    async def _refuse(send: Callable) -> None:
        start, body = _json_response(413, "payload_too_large")
        await send(start)
        await send(body)


class PairingThrottle:
    """Wrong pairing codes per client address in a sliding window, and a platform-wide count.

    An address with PAIRING_FAILURES wrong codes in PAIRING_PERIOD is refused (429, Retry-After)
    until the oldest leaves the window; pairing many tills with right codes is never slowed.
    Every wrong code also counts against every live code, which locks at CODE_FAILURE_LIMIT (the
    shop makes a new one): a guesser spread over many addresses gets that many tries at a code
    space of 32^8.
    """

    def __init__(self, clock: Callable[[], datetime], limit: int = PAIRING_FAILURES) -> None:
        self._now = clock
        self.limit = limit
        self._lock = threading.Lock()
        self._failures: dict[str, deque[datetime]] = {}

    def _recent(self, address: str, now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(address, deque())
        while times and now - times[0] >= PAIRING_PERIOD:
            times.popleft()
        return times

    def admit(self, address: str) -> float | None:
        """None if this address may try now, else the seconds until it may (Retry-After)."""
        now = self._now()
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.limit:
                return None
            wait = (times[0] + PAIRING_PERIOD - now).total_seconds()
            return float(max(1, math.ceil(wait)))

    def failed(self, address: str) -> None:
        now = self._now()
        with self._lock:
            self._recent(address, now).append(now)
            if len(self._failures) > 10_000:  # forget idle addresses: memory stays bounded
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]
