"""Payouts (issue 9 item 4) and operators: a period closed by the sandbox's admin action becomes a
scheduled payout of the redemptions due, then paid with a bank reference; a redemption voided after
its payout closed is a negative line of the next one. Over loopback HTTP and through the client."""

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
from __future__ import annotations

from datetime import timedelta

import requests

from posapp.core.api.client import ApiClient
from posapp.core.api.models import RedeemRequest
from posapp.core.clock import utc_iso
from tests.support.sandbox import TIMEOUT, clock, pair, sandbox, shop, till  # noqa: F401


def _sale(sandbox, shop, who, cents, currency="EUR", operator=None):
    voucher = sandbox.store.create_voucher(shop, cents, currency=currency)
    body = who.body(voucher["code"], cents, currency=currency)
    if operator is not None:
        body["operator"] = operator
    reply = who.redeem(body)
    assert reply.status_code == 201, reply.text
    return reply.json()


def _close(sandbox, shop):
    reply = requests.post(
        sandbox.url + "/_sandbox/payouts/close", json={"shop_id": shop}, timeout=TIMEOUT
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["payout_ids"]


def _paid(sandbox, payout_id, reference):
    reply = requests.post(
        f"{sandbox.url}/_sandbox/payouts/{payout_id}/paid",
        json={"bank_reference": reference},
        timeout=TIMEOUT,
    )
    assert reply.status_code == 204, reply.text


def _void(till, rid, clock):
    reply = till.post(
        f"/v1/redemptions/{rid}/void", json={"reason": "errore", "voided_at": utc_iso(clock.now())}
    )
    assert reply.status_code == 200, reply.text


def test_a_period_closes_into_a_scheduled_payout_then_paid(sandbox, shop, till, clock):
    second = pair(sandbox, shop, "Cassa 2")
    first = _sale(sandbox, shop, till, 1000)
    other = _sale(sandbox, shop, second, 2500)
    undone = _sale(sandbox, shop, till, 400)
    _void(till, undone["redemption_id"], clock)  # voided before the close: never paid
    clock.advance(timedelta(hours=1))
    (payout_id,) = _close(sandbox, shop)
    page = till.get("/v1/shop/payouts").json()
    (payout,) = page["items"]
    assert (payout["payout_id"], payout["state"], payout["amount_cents"]) == (
        payout_id,
        "scheduled",
        3500,
    )
    assert payout["redemption_ids"] == [first["redemption_id"], other["redemption_id"]]
    assert payout["period_start"] is None and payout["period_end"] == utc_iso(clock.now())
    assert (payout["paid_at"], payout["bank_reference"]) == (None, None)
    got = till.get(f"/v1/redemptions/{first['redemption_id']}").json()
    assert got["payout_id"] == payout_id
    assert till.get(f"/v1/redemptions/{undone['redemption_id']}").json()["payout_id"] is None
    cursor = page["next_cursor"]
    assert till.get("/v1/shop/payouts", params={"cursor": cursor}).json()["items"] == []
    assert _close(sandbox, shop) == []  # nothing new is due
    clock.advance(timedelta(days=2))
    _paid(sandbox, payout_id, "TRN 2026112800123")
    changed = till.get("/v1/shop/payouts", params={"cursor": cursor}).json()["items"]
    assert [(p["payout_id"], p["state"]) for p in changed] == [(payout_id, "paid")]
    assert changed[0]["paid_at"] == utc_iso(clock.now())
    assert changed[0]["bank_reference"] == "TRN 2026112800123"


def test_a_void_after_the_close_is_an_adjustment_in_the_next_payout(sandbox, shop, till, clock):
    sold = _sale(sandbox, shop, till, 1000)
    (first,) = _close(sandbox, shop)
    clock.advance(timedelta(minutes=5))
    _void(till, sold["redemption_id"], clock)  # within the window, after its payout closed
    later = _sale(sandbox, shop, till, 3000)
    (second,) = _close(sandbox, shop)
    payouts = {p["payout_id"]: p for p in till.get("/v1/shop/payouts").json()["items"]}
    assert payouts[first]["amount_cents"] == 1000  # a closed payout never changes
    assert payouts[second]["amount_cents"] == 2000
    assert payouts[second]["lines"] == [
        {"redemption_id": later["redemption_id"], "kind": "redemption", "amount_cents": 3000},
        {"redemption_id": sold["redemption_id"], "kind": "adjustment", "amount_cents": -1000},
    ]
    assert payouts[second]["period_start"] == payouts[first]["period_end"]
    assert _close(sandbox, shop) == []  # the adjustment is taken once


def test_one_payout_per_currency_and_another_shop_sees_none(sandbox, shop, till, clock):
    _sale(sandbox, shop, till, 1000, "EUR")
    _sale(sandbox, shop, till, 700, "CHF")
    assert len(_close(sandbox, shop)) == 2
    items = till.get("/v1/shop/payouts").json()["items"]
    assert sorted((p["currency"], p["amount_cents"]) for p in items) == [
        ("CHF", 700),
        ("EUR", 1000),
    ]
    stranger = pair(sandbox, sandbox.store.create_shop("Libreria", "Martano"), "X")
    assert stranger.get("/v1/shop/payouts").json()["items"] == []


def test_client_reads_payouts_and_the_payout_of_a_redemption(sandbox, shop, till, clock):
    sold = _sale(sandbox, shop, till, 1200)
    (payout_id,) = _close(sandbox, shop)
    _paid(sandbox, payout_id, "CRO 123")
    api = ApiClient(sandbox.url, till.token)
    (page,) = list(api.iter_payouts())
    (payout,) = page.items
    assert (payout.state, payout.amount_cents, payout.bank_reference) == ("paid", 1200, "CRO 123")
    assert payout.redemption_ids == (sold["redemption_id"],)
    assert payout.lines[0].kind == "redemption"
    assert api.get_redemption(sold["redemption_id"]).payout_id == payout_id
    assert api.redemptions().items[0].payout_id == payout_id
    api.close()


def test_operator_is_echoed_part_of_the_idempotency_body_and_summed(sandbox, shop, till, clock):
    anna = _sale(sandbox, shop, till, 1000, operator="Anna")
    _sale(sandbox, shop, till, 500, operator="Anna")
    _sale(sandbox, shop, till, 300, operator="Luca")
    _sale(sandbox, shop, till, 200)
    assert anna["operator"] == "Anna"
    voucher = sandbox.store.create_voucher(shop, 100)
    body = till.body(voucher["code"], 100)
    body["operator"] = "Anna"
    assert till.redeem(body).status_code == 201
    body["operator"] = "Luca"  # the same id with another operator is another body
    reply = till.redeem(body)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "idempotency_key_reused")
    for bad in ("", "x" * 41, "Anna\u202e", "An\nna"):
        other = till.body(voucher["code"], 100)
        other["operator"] = bad
        assert till.redeem(other).status_code == 422, bad
    summary = till.get("/v1/shop/summary", params={"date": "2026-11-26"}).json()
    assert summary["by_operator"] == [
        {"operator": "", "count": 1, "total_cents": 200},
        {"operator": "Anna", "count": 3, "total_cents": 1600},
        {"operator": "Luca", "count": 1, "total_cents": 300},
    ]
    api = ApiClient(sandbox.url, till.token)
    voucher = sandbox.store.create_voucher(shop, 900)
    request = RedeemRequest.new(
        voucher["code"], 900, till.till_id, clock.now(), False, operator="Luca"
    )
    assert api.redeem(request).operator == "Luca"
    by_operator = {o.operator: o.total_cents for o in api.summary(clock.now().date()).by_operator}
    assert by_operator["Luca"] == 1200
    api.close()


def test_the_owners_reader_understands_the_real_payouts(sandbox, shop, till, clock):
    """posapp.core.reports_payouts (the owner's view) over the real client and sandbox."""
    from types import SimpleNamespace

    from posapp.core.reports_payouts import read_payouts, words_by_redemption

    sold = _sale(sandbox, shop, till, 1500)
    (payout_id,) = _close(sandbox, shop)
    _paid(sandbox, payout_id, "CRO 77")
    api = ApiClient(sandbox.url, till.token)
    fake_till = SimpleNamespace(client=api, monitor=SimpleNamespace(online=True), account_id="a")
    reported, lines = read_payouts([fake_till])
    assert reported and [(p.number, p.state, p.amount_cents) for p in lines] == [
        (payout_id, "paid", 1500)
    ]
    words = words_by_redemption(lines, "en")
    assert words[sold["redemption_id"]] == f"paid with payout {payout_id} on 26/11/2026"
    api.close()
