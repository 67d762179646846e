"""Fault injection for tests: the network and server failures a till must survive, on demand.

Off unless the server starts with faults enabled. A plan is a list of rules, each matching a method
and a path prefix, applied a number of times (`count`) or with a probability:

- `latency`: wait `seconds`, then run the app;
- `error_5xx`: answer 503 with Retry-After before the app runs (nothing committed);
- `reset`: reset the TCP connection (RST) before the app runs (nothing committed);
- `drop_after_commit`: run the app (it commits), send the status line, headers and half the body,
  then close the connection: the client gets an incomplete response, the outcome is unknown to it;
- `garbage`: run the app, then answer 200 with a body that is not JSON;
- `hang`: read the request and never answer, until the client gives up or the server stops.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
from dataclasses import asdict, dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

KINDS = ("latency", "error_5xx", "drop_after_commit", "reset", "garbage", "hang")
TRANSPORT_KEY = "posapp.transport"
GARBAGE = b"<html><body>502 Bad Gateway (injected)</body>"


@dataclass
class FaultRule:
    kind: str
    path: str = "/v1/"
    method: str | None = None
    count: int | None = 1
    probability: float = 1.0
    seconds: float = 1.0
    retry_after: int = 1

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(KINDS)}")
        if not self.path.startswith("/"):
            raise ValueError("path must be a prefix starting with /")
        if self.count is not None and self.count < 0:
            raise ValueError("count must be >= 0 or null (unlimited)")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must lie in 0..1")
        if self.method is not None:
            self.method = self.method.upper()

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return path.startswith(self.path) and (self.count is None or self.count > 0)


class FaultPlan:
    """The current rules; thread-safe (set from tests, read in the server's event loop)."""

    def __init__(self, enabled: bool, seed: int = 0) -> None:
        self.enabled = enabled
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.applied: list[tuple[str, str, str]] = []
        self.released = threading.Event()

    def set(self, rules: list[FaultRule | dict[str, Any]], seed: int | None = None) -> None:
        """Replace the plan (rules given as FaultRule or dicts of its fields)."""
        if not self.enabled:
            raise RuntimeError("fault injection is off; start the sandbox with faults enabled")
        parsed = [r if isinstance(r, FaultRule) else FaultRule(**r) for r in rules]
        with self._lock:
            self._rules = parsed
            if seed is not None:
                self._rng = random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(rule) for rule in self._rules]

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The rule to apply to this request (and count it), or None."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path) and self._rng.random() < rule.probability:
                    if rule.count is not None:
                        rule.count -= 1
                    self.applied.append((rule.kind, method, path))
                    return rule
        return None

    def release(self) -> None:
        """End every hanging request (the server is stopping)."""
        self.released.set()


class TransportH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, handing the connection's transport to the app via the scope."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            scope[TRANSPORT_KEY] = self.transport
            await inner(scope, receive, send)

        self.app = app


def _reset(transport: Any) -> None:
    """Close with an RST (SO_LINGER 0), as a crashed proxy or a dropped line would."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def _run_captured(app: Any, scope: Any, receive: Any) -> tuple[dict, bytes]:
    messages: list[dict] = []

    async def capture(message: dict) -> None:
        messages.append(message)

    await app(scope, receive, capture)
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start, body


def _headers(start: dict, length: int, content_type: bytes | None = None) -> list:
    headers = [
        (k, v)
        for k, v in start.get("headers", [])
        if k.lower() != b"content-length" and (content_type is None or k.lower() != b"content-type")
    ]
    headers.append((b"content-length", str(length).encode()))
    if content_type is not None:
        headers.append((b"content-type", content_type))
    return headers


class FaultMiddleware:
    """ASGI middleware applying the plan to /v1 requests (never to /_sandbox)."""

    def __init__(self, app: Any, plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        rule = None
        if scope["type"] == "http" and not scope["path"].startswith("/_sandbox"):
            rule = self.plan.pick(scope["method"], scope["path"])
        if rule is None:
            await self.app(scope, receive, send)
            return
        transport = scope.get(TRANSPORT_KEY)
        if rule.kind == "latency":
            await asyncio.sleep(rule.seconds)
            await self.app(scope, receive, send)
        elif rule.kind == "error_5xx":
            body = b'{"error":{"code":"service_unavailable","message":"injected fault"}}'
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(rule.retry_after).encode()),
            ]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        elif rule.kind == "reset":
            _reset(transport)
            await asyncio.sleep(0.01)  # let uvicorn see the connection is gone
        elif rule.kind == "garbage":
            start, _ = await _run_captured(self.app, scope, receive)
            headers = _headers(start, len(GARBAGE), b"application/json")
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": GARBAGE})
        elif rule.kind == "drop_after_commit":
            start, body = await _run_captured(self.app, scope, receive)
            start = {**start, "headers": _headers(start, len(body) + 1)}
            await send(start)
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            transport.close()
            await asyncio.sleep(0.01)
        elif rule.kind == "hang":
            await self._hang(receive, transport)

    async def _hang(self, receive: Any, transport: Any) -> None:
        async def until_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        watcher = asyncio.ensure_future(until_disconnect())
        try:
            while not watcher.done() and not self.plan.released.is_set():
                await asyncio.sleep(0.05)
        finally:
            watcher.cancel()
        transport.close()
        await asyncio.sleep(0.01)
