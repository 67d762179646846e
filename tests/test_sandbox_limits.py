"""The platform stands on its own (issue 8 item 6): bodies over the limit are refused without being
read, pairing guesses are throttled and lock codes, another shop's voucher shows nothing of its
money, names refuse control and bidi characters, the summary is per currency."""

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
from __future__ import annotations

import select
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from posapp.sandbox.limits import CODE_FAILURE_LIMIT, MAX_BODY_BYTES, PAIRING_FAILURES
from tests.support.sandbox import TIMEOUT, clock, pair, sandbox, shop, till  # noqa: F401

BIG = 200 * 1024 * 1024


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _status(head: bytes) -> int:
    return int(head.split(b" ", 2)[1])


def _declared_body(url: str, path: str, length: int) -> tuple[int, bytes]:
    """Send headers declaring `length` bytes and only a little of them; the status answered."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
            + b'{"pairing_code": "'
            + b"A" * 65536
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return _status(answer), answer


def _chunked_body(url: str, path: str, limit: int) -> tuple[int, int]:
    """Stream a chunked body until the server answers; (status, bytes sent by then)."""
    host, port = url.removeprefix("http://").split(":")
    piece = b"[" * 65536
    frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    sent = 0
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        answer = b""
        deadline = time.monotonic() + 30
        while sent < limit and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(frame)
            except OSError:  # the server answered and closed: read what it said
                break
            sent += len(piece)
        sock.settimeout(TIMEOUT)
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return _status(answer), sent


def test_a_declared_huge_body_gets_413_before_it_is_read(sandbox, till):
    before = _rss_mb()
    results: list[tuple[int, bytes]] = []
    threads = [
        threading.Thread(
            target=lambda p=p: results.append(_declared_body(sandbox.url, p, BIG)), daemon=True
        )
        for p in ("/v1/pairing", "/v1/pairing", "/v1/redemptions/batch", "/v1/redemptions")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [status for status, _ in results] == [413] * 4
    assert all(b"server-time" in head.lower() for _, head in results)
    assert _rss_mb() - before < 50


def test_a_chunked_huge_body_is_cut_off_at_the_limit(sandbox, till):
    before = _rss_mb()
    status, sent = _chunked_body(sandbox.url, "/v1/pairing", BIG)
    assert status == 413
    assert sent < 64 * MAX_BODY_BYTES  # the server stopped reading near the limit (buffers aside)
    assert _rss_mb() - before < 50
    # a normal request on a new connection still works
    assert requests.get(sandbox.url + "/v1/health", timeout=TIMEOUT).status_code == 200


def test_a_body_just_under_the_limit_is_read(sandbox, till):
    padding = "x" * (MAX_BODY_BYTES - 200)
    reply = till.post("/v1/redemptions/batch", json={"items": [], "pad": padding})
    assert reply.status_code == 200, reply.text[:200]
    reply = till.post("/v1/redemptions/batch", json={"items": [], "pad": padding + "x" * 400})
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "payload_too_large"


def _try(sandbox, code: str, name: str = "Cassa") -> requests.Response:
    return requests.post(
        sandbox.url + "/v1/pairing",
        json={"pairing_code": code, "till_name": name},
        timeout=TIMEOUT,
    )


def test_wrong_pairing_codes_are_throttled_per_address(sandbox, shop, clock):
    statuses = [_try(sandbox, "ZZZZ-ZZZZ").status_code for _ in range(PAIRING_FAILURES + 3)]
    assert statuses == [422] * PAIRING_FAILURES + [429] * 3
    throttled = _try(sandbox, sandbox.store.new_pairing_code(shop))
    assert throttled.status_code == 429  # even a right code waits: the guesser cannot tell
    assert throttled.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    clock.advance(timedelta(seconds=61))
    assert _try(sandbox, sandbox.store.new_pairing_code(shop)).status_code == 201


def test_many_right_codes_are_never_throttled(sandbox, shop):
    tills = [pair(sandbox, shop, f"Cassa {n}") for n in range(PAIRING_FAILURES + 5)]
    assert len({t.till_id for t in tills}) == PAIRING_FAILURES + 5


def test_a_code_locks_after_repeated_failures_from_anywhere(sandbox, shop, clock):
    code = sandbox.store.new_pairing_code(shop)
    for n in range(CODE_FAILURE_LIMIT):
        if n and n % PAIRING_FAILURES == 0:
            clock.advance(timedelta(seconds=61))  # as if from many addresses
        assert _try(sandbox, f"ZZZZ-ZZ{n:02d}").status_code == 422
    clock.advance(timedelta(seconds=61))
    reply = _try(sandbox, code)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "pairing_code_locked")
    assert _try(sandbox, sandbox.store.new_pairing_code(shop)).status_code == 201


def test_another_shops_voucher_shows_nothing_of_its_money(sandbox, shop, till):
    elsewhere = sandbox.store.create_shop("Libreria Palmieri", "Martano")
    voucher = sandbox.store.create_voucher(elsewhere, 5000, partial_allowed=True)
    seen = till.get(f"/v1/vouchers/{voucher['code']}").json()
    assert seen["status"] == "other_shop"
    for hidden in ("face_value_cents", "balance_cents", "expires_at", "partial_allowed"):
        assert seen[hidden] is None, hidden


@pytest.mark.parametrize(
    "name",
    ["Cassa\u202e1", "Cassa\u20661", "Cassa\x00", "Cassa\n2", "\u200fCassa", "Cassa\x9b", "  "],
)
def test_till_names_refuse_control_and_bidi_characters(sandbox, shop, name):
    reply = _try(sandbox, sandbox.store.new_pairing_code(shop), name)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_request")


def test_a_plain_international_name_is_fine(sandbox, shop):
    reply = _try(sandbox, sandbox.store.new_pairing_code(shop), "Caffè «Müller» – Cassa 2")
    assert reply.status_code == 201
    assert reply.json()["till_name"] == "Caffè «Müller» – Cassa 2"


def test_summary_never_sums_two_currencies(sandbox, shop, till):
    for cents, currency in ((1000, "EUR"), (2500, "EUR"), (700, "CHF")):
        voucher = sandbox.store.create_voucher(shop, cents, currency=currency)
        reply = till.redeem(till.body(voucher["code"], cents, currency=currency))
        assert reply.status_code == 201, reply.text
    eur = till.get("/v1/shop/summary", params={"date": "2026-11-26"}).json()
    assert (eur["currency"], eur["count"], eur["total_cents"]) == ("EUR", 2, 3500)
    assert eur["totals"] == [
        {"currency": "CHF", "count": 1, "total_cents": 700},
        {"currency": "EUR", "count": 2, "total_cents": 3500},
    ]
    chf = till.get("/v1/shop/summary", params={"date": "2026-11-26", "currency": "CHF"}).json()
    assert (chf["count"], chf["total_cents"], chf["by_hour"][0]["total_cents"]) == (1, 700, 700)
    bad = till.get("/v1/shop/summary", params={"currency": "eur"})
    assert bad.status_code == 422
