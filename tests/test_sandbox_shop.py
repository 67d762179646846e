"""The shop's side over real HTTP: voucher and revocation cursors, signing keys, daily summary,
and two platforms side by side."""

from __future__ import annotations

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
from datetime import UTC, datetime, timedelta

from posapp.core.clock import utc_iso
from posapp.core.codes import VoucherRef, parse_code
from posapp.core.keys import KeySet
from posapp.sandbox.server import SandboxServer
from tests.support.sandbox import START, clock, pair, sandbox, shop, till  # noqa: F401


def _all_pages(till, path, limit):
    items, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit} if cursor is None else {"limit": limit, "cursor": cursor}
        page = till.get(path, params=params).json()
        items += page["items"]
        cursor, pages = page["next_cursor"], pages + 1
        if not page["has_more"]:
            return items, cursor, pages


def test_voucher_cursor_pages_changes_only(sandbox, shop, till):
    store = sandbox.store
    other_shop = store.create_shop("Macelleria De Santis", "Galatina")
    store.create_voucher(other_shop, 1000)
    made = [store.create_voucher(shop, 500 * (i + 1), partial_allowed=True) for i in range(7)]
    items, cursor, pages = _all_pages(till, "/v1/shop/vouchers", limit=3)
    assert pages == 3
    assert [v["voucher_id"] for v in items] == [v["voucher_id"] for v in made]
    assert {v["shop_id"] for v in items} == {shop}
    empty = till.get("/v1/shop/vouchers", params={"cursor": cursor}).json()
    assert empty == {"items": [], "next_cursor": cursor, "has_more": False}
    # A redeem changes one voucher: only that one comes back after the cursor.
    till.redeem(till.body(made[2]["code"], 100))
    changed = till.get("/v1/shop/vouchers", params={"cursor": cursor}).json()
    assert [(v["voucher_id"], v["balance_cents"]) for v in changed["items"]] == [
        (made[2]["voucher_id"], 1400)
    ]
    assert changed["items"][0]["status"] == "partly_used"
    for bad in ("garbage", "cjo5", cursor + "x"):
        reply = till.get("/v1/shop/vouchers", params={"cursor": bad})
        assert (reply.status_code, reply.json()["error"]["code"]) == (400, "invalid_cursor")
    for limit in (0, 1001):
        assert till.get("/v1/shop/vouchers", params={"limit": limit}).status_code == 422


def test_revocation_list_by_cursor(sandbox, shop, till):
    store = sandbox.store
    vouchers = [store.create_voucher(shop, 1000) for _ in range(5)]
    for voucher in vouchers[:3]:
        store.revoke_voucher(voucher["voucher_id"], "segnalato rubato")
    items, cursor, pages = _all_pages(till, "/v1/revocations", limit=2)
    assert pages == 2
    assert [r["voucher_id"] for r in items] == [v["voucher_id"] for v in vouchers[:3]]
    assert items[0]["code"] == vouchers[0]["code"] and items[0]["reason"] == "segnalato rubato"
    store.revoke_voucher(vouchers[4]["voucher_id"])
    later = till.get("/v1/revocations", params={"cursor": cursor}).json()
    assert [r["voucher_id"] for r in later["items"]] == [vouchers[4]["voucher_id"]]
    voucher_cursor = till.get("/v1/shop/vouchers").json()["next_cursor"]
    assert till.get("/v1/revocations", params={"cursor": voucher_cursor}).status_code == 400
    assert till.get(f"/v1/vouchers/{vouchers[0]['code']}").json()["status"] == "cancelled"


def test_key_rotation_keeps_old_key_until_not_after(sandbox, shop, till, clock):
    store = sandbox.store
    voucher = store.create_voucher(shop, 2000)
    old_code = store.sign_voucher(voucher["voucher_id"])
    first = till.get("/v1/keys").json()["keys"]
    assert len(first) == 1 and first[0]["algorithm"] == "Ed25519"
    new_kid = store.rotate_key()
    keys = KeySet.from_api(till.get("/v1/keys").json()["keys"])
    assert set(keys) == {first[0]["kid"], new_kid}
    new_code = store.sign_voucher(voucher["voucher_id"])
    for code, kid in ((old_code, first[0]["kid"]), (new_code, new_kid)):
        ref = parse_code(code, keys.get, clock.now())
        assert isinstance(ref, VoucherRef) and ref.verified, ref
        assert (ref.kid, ref.voucher_id, ref.shop_id, ref.value_cents) == (
            kid,
            voucher["voucher_id"],
            shop,
            2000,
        )
    clock.advance(timedelta(days=31))
    later = [k["kid"] for k in till.get("/v1/keys").json()["keys"]]
    assert later == [new_kid]


def test_daily_summary_across_tills_by_hour(sandbox, shop, till, clock):
    store = sandbox.store
    second = pair(sandbox, shop, "Cassa 2")
    other_shop_till = pair(sandbox, store.create_shop("Libreria Palmieri", "Martano"), "X")
    # 26 Nov 2026 in Rome is UTC+1: 08:30Z is 09:30 local, 23:30Z is 00:30 the next day.
    sales = [
        (till, datetime(2026, 11, 26, 8, 30, tzinfo=UTC), 1000),
        (till, datetime(2026, 11, 26, 8, 45, tzinfo=UTC), 500),
        (second, datetime(2026, 11, 26, 15, 5, tzinfo=UTC), 2000),
        (second, datetime(2026, 11, 26, 23, 30, tzinfo=UTC), 700),  # next local day
        (till, datetime(2026, 11, 25, 22, 59, tzinfo=UTC), 300),  # 23:59 the day before
    ]
    for who, when, amount in sales:  # online: the platform's clock says when, not the till's
        voucher = store.create_voucher(shop, amount)
        clock.set(when)
        lying = START + timedelta(days=400)  # the till's claim is informational only
        reply = who.redeem(who.body(voucher["code"], amount, occurred_at=lying))
        assert reply.status_code == 201, reply.text
        assert reply.json()["recorded_at"] == utc_iso(when)
    clock.set(START)
    voided = store.create_voucher(shop, 4000)
    body = till.body(voided["code"], 4000, occurred_at=clock.now())
    till.redeem(body)
    till.post(
        f"/v1/redemptions/{body['redemption_id']}/void",
        json={"reason": "errore", "voided_at": body["occurred_at"]},
    )
    foreign = store.create_voucher(store.shops()[-1]["shop_id"], 900)
    other_shop_till.redeem(other_shop_till.body(foreign["code"], 900))
    summary = till.get("/v1/shop/summary", params={"date": "2026-11-26"}).json()
    assert summary == {
        "date": "2026-11-26",
        "shop_id": shop,
        "currency": "EUR",
        "count": 3,
        "total_cents": 3500,
        "by_till": [
            {"till_id": till.till_id, "till_name": "Cassa 1", "count": 2, "total_cents": 1500},
            {"till_id": second.till_id, "till_name": "Cassa 2", "count": 1, "total_cents": 2000},
        ],
        "by_hour": [
            {"hour": 9, "count": 2, "total_cents": 1500},
            {"hour": 16, "count": 1, "total_cents": 2000},
        ],
        "by_operator": [{"operator": "", "count": 3, "total_cents": 3500}],
        "totals": [{"currency": "EUR", "count": 3, "total_cents": 3500}],
    }
    today = till.get("/v1/shop/summary").json()
    assert today["date"] == "2026-11-26"
    assert till.get("/v1/shop/summary", params={"date": "26/11/2026"}).status_code == 422


def test_two_platforms_side_by_side(tmp_path, clock):
    with (
        SandboxServer(tmp_path / "a", platform_id="calimera", clock=clock, seed_demo=False) as a,
        SandboxServer(tmp_path / "b", platform_id="galatina", clock=clock, seed_demo=False) as b,
    ):
        assert a.url != b.url
        till_a = pair(a, a.store.create_shop("Panificio Rizzo", "Calimera"))
        till_b = pair(b, b.store.create_shop("Panificio Rizzo", "Galatina"))
        assert till_a.get("/v1/till").json()["platform_id"] == "calimera"
        assert till_b.get("/v1/till").json()["platform_id"] == "galatina"
        # A token of one platform means nothing to the other.
        till_b.url = a.url
        assert till_b.get("/v1/till").status_code == 401
        kids_a = {k["kid"] for k in till_a.get("/v1/keys").json()["keys"]}
        till_b.url = b.url
        kids_b = {k["kid"] for k in till_b.get("/v1/keys").json()["keys"]}
        assert kids_a.isdisjoint(kids_b)
