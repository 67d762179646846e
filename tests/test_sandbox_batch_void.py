"""Batch upload of offline redemptions (conflicts kept, never lost) and void within the window."""

from __future__ import annotations

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
import json
import socket
import uuid
from datetime import timedelta

from posapp.core.clock import utc_iso
from tests.support.sandbox import START, clock, pair, sandbox, shop, till  # noqa: F401


def test_batch_keeps_conflicts_with_reasons(sandbox, shop, till, clock):
    store = sandbox.store
    partial = store.create_voucher(shop, 5000, partial_allowed=True)
    whole = store.create_voucher(shop, 1000)
    expiring = store.create_voucher(shop, 1000, expires_at=START + timedelta(hours=1))
    cancelled = store.create_voucher(shop, 1000)
    store.cancel_voucher(cancelled["voucher_id"])
    clock.advance(timedelta(hours=3))
    early = START + timedelta(minutes=30)  # before the expiry: an offline fact of that moment
    items = [
        till.body(partial["code"], 3000, offline=True, occurred_at=early),
        till.body(partial["code"], 3000, offline=True, occurred_at=early),  # cannot be covered
        till.body(whole["code"], 1000, offline=True, occurred_at=early),
        till.body(whole["code"], 1000, offline=True, occurred_at=early),  # used already
        till.body(expiring["code"], 1000, offline=True, occurred_at=early),  # valid at that time
        till.body(expiring["code"], 1000, offline=True, occurred_at=START + timedelta(hours=2)),
        till.body(cancelled["code"], 1000, offline=True, occurred_at=early),
        {"redemption_id": "not-a-uuid", "amount_cents": 5},
    ]
    reply = till.post("/v1/redemptions/batch", json={"items": items})
    assert reply.status_code == 200, reply.text
    results = reply.json()["results"]
    assert [r["redemption_id"] for r in results] == [i["redemption_id"] for i in items]
    outcomes = [(r["outcome"], (r["error"] or {}).get("code")) for r in results]
    assert outcomes == [
        ("accepted", None),
        ("conflict", "insufficient_balance"),
        ("accepted", None),
        ("conflict", "voucher_used"),
        ("accepted", None),
        ("conflict", "voucher_expired"),
        ("conflict", "voucher_cancelled"),
        ("rejected", "invalid_request"),
    ]
    conflict = results[1]["redemption"]
    assert conflict["status"] == "conflict" and conflict["reason_code"] == "insufficient_balance"
    assert conflict["offline"] is True and conflict["occurred_at"] == utc_iso(early)
    assert store.get_voucher(partial["voucher_id"])["balance_cents"] == 2000
    stored = {r["redemption_id"]: r["status"] for r in store.list_redemptions()}
    assert len(stored) == 7  # every well-formed item is kept, conflicts included
    # Resending the same batch replays every stored result and changes nothing.
    again = till.post("/v1/redemptions/batch", json={"items": items}).json()["results"]
    assert [r["outcome"] for r in again] == [r["outcome"] for r in results]
    assert again[0]["redemption"] == results[0]["redemption"]
    assert store.get_voucher(partial["voucher_id"])["balance_cents"] == 2000


def test_batch_rejects_reused_id_and_replays_across_endpoints(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    body = till.body(voucher["code"], 1000)
    single = till.redeem(body)
    assert single.status_code == 201
    reused = {**body, "amount_cents": 999}
    results = till.post("/v1/redemptions/batch", json={"items": [body, reused]}).json()["results"]
    assert results[0]["outcome"] == "accepted"
    assert results[0]["redemption"] == single.json()
    assert (results[1]["outcome"], results[1]["error"]["code"]) == (
        "rejected",
        "idempotency_key_reused",
    )
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 4000


def test_batch_limits(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 1000)
    too_many = [till.body(voucher["code"], 1) for _ in range(501)]
    reply = till.post("/v1/redemptions/batch", json={"items": too_many})
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_request")
    assert till.post("/v1/redemptions/batch", data=b"{", headers={}).status_code == 422
    other_till = {**till.body(voucher["code"], 1000), "till_id": till.till_id + 99}
    result = till.post("/v1/redemptions/batch", json={"items": [other_till]}).json()["results"]
    assert result[0]["outcome"] == "rejected"
    assert sandbox.store.list_redemptions() == []


def test_offline_redemptions_of_a_re_paired_till_are_not_lost(sandbox, shop, till, clock):
    """A till whose token was revoked pairs again (a new till id) with redemptions still in its
    outbox under the old id: they happened at this shop, so they are recorded, not rejected."""
    store = sandbox.store
    voucher = store.create_voucher(shop, 5000, partial_allowed=True)
    pending = [till.body(voucher["code"], 700, offline=True) for _ in range(2)]
    assert till.post("/v1/till/revoke").status_code == 204
    again = pair(sandbox, shop, "Cassa 1")
    assert again.till_id != till.till_id
    results = again.post("/v1/redemptions/batch", json={"items": pending[:1]}).json()["results"]
    assert results[0]["outcome"] == "accepted", results
    assert results[0]["redemption"]["till_id"] == till.till_id  # the fact as it happened
    single = again.redeem(pending[1])
    assert single.status_code == 201, single.text
    assert store.get_voucher(voucher["voucher_id"])["balance_cents"] == 3600
    # a till of another shop, or no till at all, is still refused and nothing is stored
    other = pair(sandbox, store.create_shop("Libreria Palmieri", "Martano"), "Cassa M")
    for till_id in (other.till_id, 999_999):
        item = {**again.body(voucher["code"], 100, offline=True), "till_id": till_id}
        result = again.post("/v1/redemptions/batch", json={"items": [item]}).json()["results"][0]
        assert (result["outcome"], result["error"]["code"]) == ("rejected", "invalid_request")
        reply = again.redeem(item)
        assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_request")
    assert len(store.list_redemptions()) == 2


def test_batch_echoes_each_redemption_id_as_sent(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    upper = till.body(voucher["code"], 100, offline=True)
    upper["redemption_id"] = upper["redemption_id"].upper()
    braces = till.body(voucher["code"], 100, offline=True)
    braces["redemption_id"] = "{" + braces["redemption_id"] + "}"
    reply = till.post("/v1/redemptions/batch", json={"items": [upper, braces, upper]})
    results = reply.json()["results"]
    assert [r["redemption_id"] for r in results] == [
        upper["redemption_id"],
        braces["redemption_id"],
        upper["redemption_id"],
    ]
    assert [r["outcome"] for r in results] == ["accepted"] * 3
    # the stored redemption keeps the canonical (lower-case) form, and applied once
    assert results[0]["redemption"]["redemption_id"] == upper["redemption_id"].lower()
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 4800


def test_batch_body_nested_too_deep_is_a_clear_422(sandbox, till):
    deep = b"[" * 3000 + b"]" * 3000
    headers = {"Content-Type": "application/json"}
    reply = till.post("/v1/redemptions/batch", data=deep, headers=headers)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_request")
    nested = b'{"items": [' + deep + b"]}"
    reply = till.post("/v1/redemptions/batch", data=nested, headers=headers)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_request")


def _void(till, rid, voided_at, reason="errore alla cassa"):
    return till.post(
        f"/v1/redemptions/{rid}/void", json={"reason": reason, "voided_at": utc_iso(voided_at)}
    )


def test_void_restores_balance_once(sandbox, shop, till, clock):
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    body = till.body(voucher["code"], 2000, occurred_at=clock.now())
    till.redeem(body)
    clock.advance(timedelta(minutes=5))
    first = _void(till, body["redemption_id"], clock.now())
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "voided"
    assert first.json()["void_reason"] == "errore alla cassa"
    second = _void(till, body["redemption_id"], clock.now(), reason="again")
    assert second.json() == first.json()
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 5000
    replay = till.redeem(body)  # a replay answers the first result (IETF, Stripe): accepted
    assert (replay.status_code, replay.json()["status"]) == (201, "accepted")
    assert replay.json()["voided_at"] is None
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert till.get(f"/v1/redemptions/{body['redemption_id']}").json()["status"] == "voided"
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 5000


def test_void_window_and_rules(sandbox, shop, till, clock):
    store = sandbox.store
    voucher = store.create_voucher(shop, 5000, partial_allowed=True)
    late = till.body(voucher["code"], 1000, occurred_at=clock.now())
    till.redeem(late)
    clock.advance(timedelta(minutes=16))
    reply = _void(till, late["redemption_id"], clock.now())
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "void_window_expired")
    future = _void(till, late["redemption_id"], clock.now() + timedelta(minutes=6))
    assert future.status_code == 422
    refused = till.body(voucher["code"], 9999, occurred_at=clock.now())
    till.redeem(refused)
    reply = _void(till, refused["redemption_id"], clock.now())
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "not_voidable")
    unknown = _void(till, str(uuid.uuid4()), clock.now())
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_redemption")
    assert store.get_voucher(voucher["voucher_id"])["balance_cents"] == 4000


def test_other_shops_redemptions_are_invisible(sandbox, shop, till):
    other_shop = sandbox.store.create_shop("Libreria Palmieri", "Martano")
    other = pair(sandbox, other_shop, "Cassa Martano")
    voucher = sandbox.store.create_voucher(shop, 1000)
    body = till.body(voucher["code"], 1000)
    till.redeem(body)
    assert till.get(f"/v1/redemptions/{body['redemption_id']}").status_code == 200
    for reply in (
        other.get(f"/v1/redemptions/{body['redemption_id']}"),
        _void(other, body["redemption_id"], START),
    ):
        assert (reply.status_code, reply.json()["error"]["code"]) == (404, "unknown_redemption")


def test_a_till_that_goes_away_mid_upload_applies_nothing_and_logs_no_trace(
    sandbox, shop, till, caplog
):
    voucher = sandbox.store.create_voucher(shop, 1000)
    body = json.dumps({"items": [till.body(voucher["code"], 1000)]}).encode()
    head = (
        "POST /v1/redemptions/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {till.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body) + 500}\r\n\r\n"
    ).encode()
    with socket.create_connection((sandbox.host, sandbox.port), timeout=5) as sock:
        sock.sendall(head + body)  # 500 bytes short: the till's line drops mid-upload
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(4096):  # the server is done with it when it closes its side: no fixed
            pass  # sleep that a slow machine could outlast before the assertions below
    assert sandbox.store.list_redemptions() == []
    assert "Exception in ASGI application" not in caplog.text
    assert till.get(f"/v1/vouchers/{voucher['code']}").json()["balance_cents"] == 1000
