"""Error mapping against the sandbox's injected faults, each failure one typed error, on time."""

from __future__ import annotations

import logging
import socket
import threading
import time
import traceback
from datetime import UTC, datetime

import pytest

from posapp.core.api.client import ApiClient
from posapp.core.api.errors import BadResponseError, OfflineError, ServerError
from posapp.core.api.models import RedeemRequest
from posapp.core.clock import ManualClock
from posapp.sandbox.faults import FaultRule
from posapp.sandbox.server import SandboxServer

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TIMEOUT = (1.0, 1.0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def sandbox(tmp_path, clock):
    with SandboxServer(tmp_path / "sb", fresh=True, faults=True, clock=clock, seed_demo=False) as s:
        yield s


@pytest.fixture
def shop(sandbox) -> int:
    return sandbox.store.create_shop("Bar Centrale", "Galatina")


@pytest.fixture
def client(sandbox, shop):
    api = ApiClient(sandbox.url, timeout=TIMEOUT)
    api.pair(sandbox.store.new_pairing_code(shop), "Cassa 1")
    seen: list[bool] = []
    api.observer = lambda ok, elapsed: seen.append(ok)
    api.seen = seen  # type: ignore[attr-defined]
    yield api
    api.close()


def _fault(sandbox, kind: str, path: str = "/v1/", **kw) -> None:
    sandbox.faults.set([FaultRule(kind=kind, path=path, **kw)])


def test_5xx_gives_server_error_with_retry_after(client, sandbox) -> None:
    _fault(sandbox, "error_5xx", "/v1/keys", retry_after=7)
    with pytest.raises(ServerError) as info:
        client.keys()
    assert (info.value.status, info.value.retry_after, info.value.code) == (
        503,
        7.0,
        "service_unavailable",
    )
    assert info.value.transient
    assert len(client.keys()) == 1  # the fault was used up: the next call succeeds
    assert client.seen == [False, True]


def test_reset_is_offline(client, sandbox) -> None:
    _fault(sandbox, "reset", "/v1/till")
    with pytest.raises(OfflineError) as info:
        client.whoami()
    assert info.value.transient and info.value.code == "unreachable"
    assert client.seen == [False]


def test_garbage_is_bad_response(client, sandbox) -> None:
    _fault(sandbox, "garbage", "/v1/till")
    with pytest.raises(BadResponseError) as info:
        client.whoami()
    assert info.value.status == 200 and not info.value.transient


def test_hang_is_offline_within_the_timeout(client, sandbox) -> None:
    _fault(sandbox, "hang", "/v1/till")
    started = time.monotonic()
    with pytest.raises(OfflineError) as info:
        client.whoami()
    elapsed = time.monotonic() - started
    assert info.value.code == "timeout"
    assert TIMEOUT[1] * 0.9 <= elapsed < TIMEOUT[1] + 1.0, elapsed


def test_latency_below_the_timeout_still_answers(client, sandbox) -> None:
    _fault(sandbox, "latency", "/v1/till", seconds=0.5)
    assert client.whoami().till_name == "Cassa 1"


def test_dropped_response_after_commit_then_retry_applies_once(client, sandbox, shop, clock):
    voucher = sandbox.store.create_voucher(shop, 2000, partial_allowed=True)
    request = RedeemRequest.new(voucher["code"], 800, client.whoami().till_id, clock.now(), False)
    _fault(sandbox, "drop_after_commit", "/v1/redemptions", method="POST")
    with pytest.raises(OfflineError):
        client.redeem(request)  # committed on the server, but the till cannot know
    again = client.redeem(request)  # retry with the same id: the first result
    assert (again.status, again.balance_after_cents) == ("accepted", 1200)
    assert client.lookup(voucher["code"]).balance_cents == 1200
    assert len(sandbox.store.list_redemptions(voucher_id=voucher["voucher_id"])) == 1


def test_closed_port_is_offline_fast() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = ApiClient(f"http://127.0.0.1:{port}", "tok_closed", timeout=TIMEOUT)
    started = time.monotonic()
    with pytest.raises(OfflineError) as info:
        api.health()
    assert time.monotonic() - started < 1.0
    assert "tok_closed" not in str(info.value) and "tok_closed" not in repr(info.value)


def test_errors_and_logs_never_hold_the_token(client, sandbox, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    token = client.token
    failures = []
    for kind in ("error_5xx", "reset", "garbage"):
        _fault(sandbox, kind, "/v1/till")
        with pytest.raises((ServerError, OfflineError, BadResponseError)) as info:
            client.whoami()
        failures.append(info.value)
    for error in failures:
        assert token not in str(error) and token not in repr(error)
        assert token not in "".join(traceback.format_exception(error))
    assert token not in caplog.text


def test_observer_failure_never_breaks_a_call(client, caplog) -> None:
    def broken(ok: bool, elapsed: float) -> None:
        raise RuntimeError("monitor bug")

    client.observer = broken
    assert client.health().status == "ok"
    assert "connectivity observer failed" in caplog.text


@pytest.fixture
def trickle_server():
    """A server that answers headers at once, then one body byte every 0.2 s: no read ever times
    out, so only a total deadline can end the call."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                body = b'{"status": "ok", "padding": "' + b"x" * 200 + b'"}'
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                try:
                    conn.sendall(head)
                    for i in range(len(body)):
                        if stop.wait(0.2):
                            return
                        conn.sendall(body[i : i + 1])
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    listener.close()


def test_trickling_answer_ends_at_the_total_deadline(trickle_server) -> None:
    api = ApiClient(trickle_server, timeout=(0.5, 0.5))
    started = time.monotonic()
    with pytest.raises(OfflineError) as info:
        api.health()
    elapsed = time.monotonic() - started
    assert info.value.code == "timeout"
    assert elapsed < 1.0 + 0.5, elapsed  # connect + read timeouts, plus at most one slow read
