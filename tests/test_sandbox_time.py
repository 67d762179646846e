"""The platform is the authority on time (issue 8 item 1): every attack of the issue, over loopback
HTTP with a manual platform clock, is refused or recorded as a conflict with its reason; the same
scenarios with honest clocks are still accepted."""

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from posapp.core.clock import ManualClock, parse_utc, utc_iso
from posapp.sandbox.server import SandboxServer
from tests.support.sandbox import (  # noqa: F401
    START,
    TIMEOUT,
    clock,
    pair,
    sandbox,
    shop,
    till,
)

OUT = "offline_time_out_of_bounds"


def _void(till, rid, voided_at, offline=False, reason="errore alla cassa"):
    body = {"reason": reason, "voided_at": utc_iso(voided_at), "offline": offline}
    return till.post(f"/v1/redemptions/{rid}/void", json=body)


def _day(till, day: str) -> dict:
    return till.get("/v1/shop/summary", params={"date": day}).json()


def _batch(till, *bodies):
    reply = till.post("/v1/redemptions/batch", json={"items": list(bodies)})
    assert reply.status_code == 200, reply.text
    return reply.json()["results"]


def test_server_time_on_every_answer_errors_included(sandbox, till, clock, monkeypatch):
    clock.set(datetime(2026, 11, 26, 21, 30, 0, 123000, tzinfo=UTC))
    stamp = "2026-11-26T21:30:00.123Z"
    replies = [
        requests.get(sandbox.url + "/v1/health", timeout=TIMEOUT),  # 200, no token
        requests.get(sandbox.url + "/v1/till", timeout=TIMEOUT),  # 401
        till.get("/v1/vouchers/AAAA-AAAA-AAA"),  # 404
        till.get("/v1/nowhere"),  # 404 of the router
        till.post("/v1/redemptions", json={"nonsense": 1}),  # 422
        requests.get(sandbox.url + "/openapi.json", timeout=TIMEOUT),
    ]

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(sandbox.store.desk, "get", broken)
    replies.append(till.get("/v1/redemptions/00000000-0000-4000-8000-000000000000"))  # 500
    assert [r.status_code for r in replies] == [200, 401, 404, 404, 422, 200, 500]
    for reply in replies:
        assert reply.headers["Server-Time"] == stamp, reply.url
    assert requests.get(sandbox.url + "/v1/health", timeout=TIMEOUT).json()["server_time"] == stamp


def test_health_shows_the_time_rules(tmp_path, clock):
    with SandboxServer(
        tmp_path / "p", fresh=True, clock=clock, seed_demo=False, max_offline_age_hours=24
    ) as server:
        health = requests.get(server.url + "/v1/health", timeout=TIMEOUT).json()
    assert (health["max_offline_age_hours"], health["void_window_minutes"]) == (24.0, 15.0)


# --- attack: a void sent three days later, backdated to one minute after the sale -------------


def test_backdated_late_void_is_refused_and_the_day_keeps_its_total(sandbox, shop, till, clock):
    voucher = sandbox.store.create_voucher(shop, 5000)
    sale = till.body(voucher["code"], 5000, occurred_at=clock.now())
    assert till.redeem(sale).status_code == 201
    clock.advance(timedelta(days=3))
    one_minute_after = START + timedelta(minutes=1)
    reply = _void(till, sale["redemption_id"], one_minute_after)  # online: judged on receipt
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "void_window_expired")
    # the same lie, claimed as an offline void queued back then: older than the offline age
    clock.advance(timedelta(days=1))
    reply = _void(till, sale["redemption_id"], one_minute_after, offline=True)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, OUT)
    assert _day(till, "2026-11-26")["total_cents"] == 5000
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 0
    again = till.redeem(till.body(voucher["code"], 5000, occurred_at=clock.now()))
    assert (again.status_code, again.json()["error"]["code"]) == (422, "voucher_used")


def test_honest_voids_online_and_offline_are_taken(sandbox, shop, till, clock):
    first = sandbox.store.create_voucher(shop, 1000)
    second = sandbox.store.create_voucher(shop, 2000)
    online = till.body(first["code"], 1000)
    queued = till.body(second["code"], 2000)
    assert till.redeem(online).status_code == till.redeem(queued).status_code == 201
    clock.advance(timedelta(minutes=10))
    # online: the till's clock is an hour wrong, the platform's receipt time counts
    reply = _void(till, online["redemption_id"], clock.now() - timedelta(hours=1))
    assert reply.status_code == 200, reply.text
    assert reply.json()["voided_at"] == utc_iso(clock.now())
    # offline: decided 10 minutes after the sale, uploaded two hours later: its time counts
    decided = clock.now()
    clock.advance(timedelta(hours=2))
    reply = _void(till, queued["redemption_id"], decided, offline=True)
    assert reply.status_code == 200, reply.text
    assert reply.json()["voided_at"] == utc_iso(decided)
    # but an offline void decided after the window is late, whenever it arrives
    third = sandbox.store.create_voucher(shop, 3000)
    late = till.body(third["code"], 3000)
    till.redeem(late)
    reply = _void(till, late["redemption_id"], clock.now() + timedelta(minutes=16), offline=True)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, OUT)  # in the future
    clock.advance(timedelta(minutes=20))
    reply = _void(till, late["redemption_id"], clock.now() - timedelta(minutes=1), offline=True)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "void_window_expired")
    assert sandbox.store.get_voucher(third["voucher_id"])["balance_cents"] == 0


def test_offline_void_cannot_be_dated_before_its_redemption(sandbox, shop, till, clock):
    voucher = sandbox.store.create_voucher(shop, 1000)
    clock.advance(timedelta(hours=5))
    sale = till.body(voucher["code"], 1000)
    till.redeem(sale)
    reply = _void(till, sale["redemption_id"], START, offline=True)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, OUT)


# --- attack: expiry judged at an unbounded occurred_at ----------------------------------------


@pytest.fixture
def strict(tmp_path, clock):
    """A platform that allows 24 hours of offline age (the till's own offline cap)."""
    with SandboxServer(
        tmp_path / "strict", fresh=True, clock=clock, seed_demo=False, max_offline_age_hours=24
    ) as server:
        yield server


def test_offline_redeem_two_days_back_cannot_spend_an_expired_voucher(strict, clock):
    shop_id = strict.store.create_shop("Panificio Rizzo", "Calimera")
    till = pair(strict, shop_id)
    voucher = strict.store.create_voucher(shop_id, 2000, expires_at=START + timedelta(days=1))
    clock.advance(timedelta(days=2, hours=1))  # expired yesterday
    body = till.body(voucher["code"], 2000, occurred_at=START + timedelta(hours=1), offline=True)
    reply = till.redeem(body)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, OUT)
    stored = till.get(f"/v1/redemptions/{body['redemption_id']}").json()
    assert (stored["status"], stored["reason_code"]) == ("conflict", OUT)  # kept, not dropped
    assert strict.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 2000


def test_honest_offline_sale_before_expiry_uploaded_after_it_is_accepted(
    sandbox, shop, till, clock
):
    voucher = sandbox.store.create_voucher(shop, 2000, expires_at=START + timedelta(hours=2))
    sold = START + timedelta(hours=1)  # valid then
    clock.advance(timedelta(hours=30))  # the line came back the next day
    body = till.body(voucher["code"], 2000, occurred_at=sold, offline=True)
    (result,) = _batch(till, body)
    assert result["outcome"] == "accepted", result
    assert result["redemption"]["occurred_at"] == utc_iso(sold)
    assert _day(till, "2026-11-26")["total_cents"] == 2000  # its own day, not the upload's
    assert _day(till, "2026-11-27")["total_cents"] == 0


def test_batch_item_two_years_back_is_a_conflict(sandbox, shop, till, clock):
    voucher = sandbox.store.create_voucher(shop, 1500, expires_at=START + timedelta(days=30))
    clock.advance(timedelta(days=40))  # the voucher has expired
    ancient = till.body(
        voucher["code"], 1500, occurred_at=START - timedelta(days=730), offline=True
    )
    (result,) = _batch(till, ancient)
    assert (result["outcome"], result["error"]["code"]) == ("conflict", OUT)
    assert result["redemption"]["status"] == "conflict"
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 1500


def test_offline_claims_before_pairing_or_issuance_or_too_old_or_ahead(sandbox, shop, clock):
    clock.advance(timedelta(hours=6))
    till = pair(sandbox, shop, "Cassa nuova")  # paired at 15:00Z
    clock.advance(timedelta(hours=1))
    issued_later = sandbox.store.create_voucher(shop, 800)  # issued at 16:00Z
    plenty = sandbox.store.create_voucher(shop, 9000, partial_allowed=True)
    clock.advance(timedelta(hours=2))
    now = clock.now()
    cases = [
        (plenty, now - timedelta(hours=8), OUT),  # before this till was paired
        (issued_later, now - timedelta(hours=2, minutes=30), OUT),  # before the voucher existed
        (plenty, now + timedelta(minutes=6), OUT),  # beyond the 5 minutes of skew
        (plenty, now + timedelta(minutes=4), None),  # a till clock a little ahead: fine
        (plenty, now - timedelta(minutes=30), None),  # honest
    ]
    bodies = [
        till.body(
            v["code"],
            v["face_value_cents"] if v is issued_later else 100,
            occurred_at=t,
            offline=True,
        )
        for v, t, _ in cases
    ]
    results = _batch(till, *bodies)
    got = [r["error"]["code"] if r["error"] else None for r in results]
    assert got == [reason for *_, reason in cases]
    assert sandbox.store.get_voucher(plenty["voucher_id"])["balance_cents"] == 8800
    # and older than the platform's maximum offline age (72 h), paired long ago
    clock.advance(timedelta(hours=80))
    stale = till.body(
        plenty["code"], 100, occurred_at=clock.now() - timedelta(hours=73), offline=True
    )
    (result,) = _batch(till, stale)
    assert result["error"]["code"] == OUT


# --- attack: online redemptions dated in 2000 or 2099 ----------------------------------------


def test_online_redemptions_take_the_platforms_time_whatever_the_till_says(
    sandbox, shop, till, clock
):
    clock.set(datetime(2026, 11, 26, 21, 30, tzinfo=UTC))  # 22:30 in Rome
    for year in (2000, 2099):
        voucher = sandbox.store.create_voucher(shop, 1000)
        body = till.body(voucher["code"], 1000, occurred_at=datetime(year, 1, 1, tzinfo=UTC))
        reply = till.redeem(body)
        assert reply.status_code == 201, reply.text
        assert parse_utc(reply.json()["recorded_at"]) == clock.now()
    # a till clock two hours fast said 00:30 of the 27th: the sale is of the 26th at 22 (Rome)
    voucher = sandbox.store.create_voucher(shop, 500)
    fast = till.body(voucher["code"], 500, occurred_at=clock.now() + timedelta(hours=2))
    assert till.redeem(fast).status_code == 201
    day = _day(till, "2026-11-26")
    assert (day["count"], day["total_cents"]) == (3, 2500)
    assert day["by_hour"] == [{"hour": 22, "count": 3, "total_cents": 2500}]
    assert _day(till, "2026-11-27")["count"] == 0
    assert _day(till, "2000-01-01")["count"] == _day(till, "2099-01-01")["count"] == 0


def test_offline_and_online_items_land_on_the_platforms_rome_day(sandbox, shop, till, clock):
    """A manual clock on the platform side and a till clock far off: days follow the platform."""
    moved = ManualClock(clock.now() + timedelta(hours=10))  # the till's PC, set ten hours ahead
    voucher = sandbox.store.create_voucher(shop, 700)
    reply = till.redeem(till.body(voucher["code"], 700, occurred_at=moved.now()))
    assert reply.status_code == 201
    assert _day(till, "2026-11-26")["total_cents"] == 700
