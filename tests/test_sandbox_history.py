"""GET /v1/redemptions: a till's (or its shop's) redemptions by cursor, to rebuild a lost history
(issue 8 item 4), over loopback HTTP and through the client."""

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
from __future__ import annotations

from datetime import timedelta

from posapp.core.api.client import ApiClient
from posapp.core.clock import utc_iso
from tests.support.sandbox import clock, pair, sandbox, shop, till  # noqa: F401


def _fill(sandbox, shop, till, second, clock):
    """Six outcomes over two tills: accepted, voided, refused, conflict; and another shop's."""
    store = sandbox.store
    ids = []
    for who, cents in ((till, 1000), (second, 2000), (till, 3000)):
        voucher = store.create_voucher(shop, cents)
        body = who.body(voucher["code"], cents, occurred_at=clock.now())
        assert who.redeem(body).status_code == 201
        ids.append(body["redemption_id"])
        clock.advance(timedelta(minutes=1))
    reply = till.post(
        f"/v1/redemptions/{ids[0]}/void",
        json={"reason": "errore", "voided_at": utc_iso(clock.now())},
    )
    assert reply.status_code == 200
    used = store.create_voucher(shop, 500, balance_cents=0)
    refused = till.body(used["code"], 500)
    assert till.redeem(refused).status_code == 422
    ids.append(refused["redemption_id"])
    conflict = till.body(used["code"], 500, occurred_at=clock.now(), offline=True)
    results = till.post("/v1/redemptions/batch", json={"items": [conflict]}).json()["results"]
    assert results[0]["outcome"] == "conflict"
    ids.append(conflict["redemption_id"])
    elsewhere = store.create_shop("Libreria Palmieri", "Martano")
    foreign_till = pair(sandbox, elsewhere, "Cassa Martano")
    foreign = store.create_voucher(elsewhere, 700)
    foreign_till.redeem(foreign_till.body(foreign["code"], 700))
    return ids


def test_pages_of_a_till_and_of_its_shop_in_the_platforms_order(sandbox, shop, till, clock):
    second = pair(sandbox, shop, "Cassa 2")
    ids = _fill(sandbox, shop, till, second, clock)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"scope": "shop", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = till.get("/v1/redemptions", params=params).json()
        seen += page["items"]
        cursor, pages = page["next_cursor"], pages + 1
        if not page["has_more"]:
            break
    assert pages == 3
    assert [r["redemption_id"] for r in seen] == ids
    assert [r["status"] for r in seen] == ["voided", "accepted", "accepted", "refused", "conflict"]
    mine = till.get("/v1/redemptions").json()  # scope=till by default
    assert [r["redemption_id"] for r in mine["items"]] == [ids[0], ids[2], ids[3], ids[4]]
    assert mine["has_more"] is False
    # nothing new after the last cursor; a new one appears after it
    assert till.get("/v1/redemptions", params={"cursor": mine["next_cursor"]}).json()["items"] == []
    voucher = sandbox.store.create_voucher(shop, 100)
    till.redeem(till.body(voucher["code"], 100))
    later = till.get("/v1/redemptions", params={"cursor": mine["next_cursor"]}).json()
    assert len(later["items"]) == 1


def test_bad_cursors_and_scopes_are_refused(sandbox, shop, till):
    voucher_cursor = till.get("/v1/shop/vouchers").json()["next_cursor"]
    for params, status in (
        ({"cursor": voucher_cursor}, 400),
        ({"cursor": "!!!"}, 400),
        ({"scope": "platform"}, 422),
        ({"limit": 0}, 422),
    ):
        reply = till.get("/v1/redemptions", params=params)
        assert reply.status_code == status, (params, reply.text)
    till.token = "not-a-token"
    assert till.get("/v1/redemptions").status_code == 401


def test_client_rebuilds_the_history_page_by_page(sandbox, shop, till, clock):
    second = pair(sandbox, shop, "Cassa 2")
    ids = _fill(sandbox, shop, till, second, clock)
    api = ApiClient(sandbox.url, till.token)
    pages = list(api.iter_redemptions(limit=2, scope="shop"))
    assert [r.redemption_id for p in pages for r in p.items] == ids
    assert pages[-1].has_more is False and len(pages) == 3
    assert [r.till_id for r in api.redemptions().items] == [till.till_id] * 4
    api.close()
