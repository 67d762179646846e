"""Pairing and till tokens over real HTTP: single-use expiring codes, roll and revoke at once."""

from __future__ import annotations

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
import hashlib
import sqlite3
from datetime import timedelta

import requests

from tests.support.sandbox import TIMEOUT, clock, pair, sandbox, shop, till  # noqa: F401


def _pair(sandbox, code, name="Cassa 2"):
    return requests.post(
        sandbox.url + "/v1/pairing", json={"pairing_code": code, "till_name": name}, timeout=TIMEOUT
    )


def test_health_needs_no_token(sandbox):
    reply = requests.get(sandbox.url + "/v1/health", timeout=TIMEOUT)
    assert reply.status_code == 200
    assert reply.json() == {
        "status": "ok",
        "server_time": "2026-11-26T09:00:00.000Z",
        "platform_id": "puglia-demo",
        "api_version": "1",
        "max_offline_age_hours": 72.0,
        "void_window_minutes": 15.0,
    }


def test_pairing_code_is_single_use(sandbox, shop):
    code = sandbox.store.new_pairing_code(shop)
    first = _pair(sandbox, code.lower().replace("-", " "))
    assert first.status_code == 201, first.text
    data = first.json()
    assert data["shop_id"] == shop and data["shop_name"] == "Panificio Rizzo"
    assert data["platform_id"] == "puglia-demo" and len(data["token"]) >= 40
    second = _pair(sandbox, code)
    assert (second.status_code, second.json()["error"]["code"]) == (422, "pairing_code_used")
    unknown = _pair(sandbox, "ZZZZ-ZZZZ")
    assert unknown.json()["error"]["code"] == "pairing_code_invalid"


def test_pairing_code_expires(sandbox, shop, clock):
    code = sandbox.store.new_pairing_code(shop, ttl=timedelta(minutes=10))
    clock.advance(timedelta(minutes=10))
    reply = _pair(sandbox, code)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "pairing_code_expired")


def test_token_is_stored_only_as_a_hash(sandbox, till):
    path = sandbox.store.db.path
    with sqlite3.connect(path) as conn:
        dump = "\n".join(conn.iterdump())
    assert till.token not in dump
    assert hashlib.sha256(till.token.encode()).hexdigest() in dump


def test_whoami_and_unauthorized(sandbox, till):
    me = till.get("/v1/till")
    assert me.status_code == 200
    assert me.json()["till_id"] == till.till_id and me.json()["till_name"] == "Cassa 1"
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        reply = requests.get(sandbox.url + "/v1/till", headers=headers, timeout=TIMEOUT)
        assert reply.status_code == 401
        assert reply.json()["error"]["code"] == "unauthorized"
        assert reply.headers["WWW-Authenticate"] == "Bearer"


def test_roll_token_retires_the_old_one_at_once(sandbox, till):
    old = till.token
    reply = till.post("/v1/till/token/roll")
    assert reply.status_code == 200
    new = reply.json()["token"]
    assert new != old
    assert till.get("/v1/till").status_code == 401
    till.token = new
    assert till.get("/v1/till").status_code == 200


def test_revoke_ends_the_till(sandbox, shop, till):
    other = pair(sandbox, shop, "Cassa 2")
    assert till.post("/v1/till/revoke").status_code == 204
    assert till.get("/v1/till").status_code == 401
    assert till.post("/v1/till/token/roll").status_code == 401
    assert other.get("/v1/till").status_code == 200
