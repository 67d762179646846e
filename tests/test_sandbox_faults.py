"""Fault injection: each failure a till must survive, and "committed, then the response was lost"
followed by a retry with the same id applying the redemption exactly once."""

from __future__ import annotations

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
import threading
import time

import pytest
import requests

from posapp.sandbox.server import SandboxServer
from tests.support.sandbox import TIMEOUT, clock, pair  # noqa: F401


@pytest.fixture
def faulty(tmp_path, clock):
    with SandboxServer(tmp_path / "s", fresh=True, clock=clock, faults=True, seed_demo=False) as s:
        yield s


@pytest.fixture
def setup(faulty):
    shop = faulty.store.create_shop("Panificio Rizzo", "Calimera")
    till = pair(faulty, shop)
    voucher = faulty.store.create_voucher(shop, 5000, partial_allowed=True)
    return faulty, till, voucher


def _balance(server, voucher):
    return server.store.get_voucher(voucher["voucher_id"])["balance_cents"]


def test_dropped_response_after_commit_then_retry_applies_once(setup):
    server, till, voucher = setup
    server.faults.set([{"kind": "drop_after_commit", "method": "POST", "path": "/v1/redemptions"}])
    body = till.body(voucher["code"], 1500)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        till.redeem(body)
    assert _balance(server, voucher) == 3500  # it was committed
    retry = till.redeem(body)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["balance_after_cents"] == 3500
    assert _balance(server, voucher) == 3500
    assert len(server.store.list_redemptions(voucher_id=voucher["voucher_id"])) == 1
    assert server.faults.applied == [("drop_after_commit", "POST", "/v1/redemptions")]


def test_reset_and_5xx_commit_nothing(setup):
    server, till, voucher = setup
    body = till.body(voucher["code"], 1000)
    server.faults.set([{"kind": "reset", "path": "/v1/redemptions"}])
    with pytest.raises(requests.exceptions.ConnectionError):
        till.redeem(body)
    server.faults.set([{"kind": "error_5xx", "path": "/v1/", "retry_after": 7}])
    reply = till.redeem(body)
    assert (reply.status_code, reply.headers["Retry-After"]) == (503, "7")
    assert reply.json()["error"]["code"] == "service_unavailable"
    assert _balance(server, voucher) == 5000
    assert server.store.list_redemptions() == []
    first_real = till.redeem(body)
    assert first_real.status_code == 201 and "Idempotent-Replayed" not in first_real.headers


def test_garbage_body_after_the_app_ran(setup):
    server, till, voucher = setup
    server.faults.set([{"kind": "garbage", "path": "/v1/redemptions"}])
    body = till.body(voucher["code"], 1000)
    reply = till.redeem(body)
    assert reply.status_code == 200
    with pytest.raises(requests.exceptions.JSONDecodeError):
        reply.json()
    assert till.redeem(body).headers["Idempotent-Replayed"] == "true"
    assert _balance(server, voucher) == 4000


def test_hang_until_the_client_gives_up_and_stop_is_not_blocked(tmp_path, clock):
    server = SandboxServer(tmp_path / "h", fresh=True, clock=clock, faults=True, seed_demo=False)
    server.start()
    server.faults.set([{"kind": "hang", "path": "/v1/health", "count": None}])
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(server.url + "/v1/health", timeout=(2, 0.5))
    assert time.monotonic() - started < 2
    # A second hanging request still open when the server stops.
    errors = []

    def hang():
        try:
            requests.get(server.url + "/v1/health", timeout=30)
        except requests.exceptions.RequestException as exc:
            errors.append(exc)

    worker = threading.Thread(target=hang)
    worker.start()
    deadline = time.monotonic() + 5
    while len(server.faults.applied) < 2:  # the second request is in, and hanging
        assert time.monotonic() < deadline, "the second request never reached the server"
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    worker.join(5)
    assert time.monotonic() - started < 5
    assert not worker.is_alive() and len(errors) == 1


def test_latency_count_and_http_control(setup):
    server, till, _ = setup
    control = server.url + "/_sandbox/faults"
    rule = {"kind": "latency", "seconds": 0.3, "path": "/v1/till", "count": 2}
    reply = requests.post(control, json={"rules": [rule]}, timeout=TIMEOUT)
    assert reply.status_code == 200
    timings = []
    for _ in range(3):
        started = time.monotonic()
        assert till.get("/v1/till").status_code == 200
        timings.append(time.monotonic() - started)
    assert timings[0] >= 0.3 and timings[1] >= 0.3
    assert [kind for kind, _, _ in server.faults.applied] == ["latency", "latency"]  # count=2
    bad = requests.post(control, json={"rules": [{"kind": "meteor"}]}, timeout=TIMEOUT)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_request")
    assert requests.delete(control, timeout=TIMEOUT).status_code == 204
    assert requests.get(control, timeout=TIMEOUT).json()["rules"] == []


def test_faults_are_off_unless_enabled(tmp_path, clock):
    with SandboxServer(tmp_path / "off", fresh=True, clock=clock, seed_demo=False) as server:
        with pytest.raises(RuntimeError):
            server.faults.set([{"kind": "reset"}])
        reply = requests.post(server.url + "/_sandbox/faults", json={"rules": []}, timeout=TIMEOUT)
        assert reply.status_code in (404, 405)
