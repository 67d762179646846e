"""Redeem over real HTTP: full and partial use, replays, idempotency errors, business refusals."""

from __future__ import annotations

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from tests.support.sandbox import START, clock, pair, sandbox, shop, till  # noqa: F401


def test_full_redeem_then_voucher_is_used(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 1000)
    reply = till.redeem(till.body(voucher["code"], 1000))
    assert reply.status_code == 201, reply.text
    assert "Idempotent-Replayed" not in reply.headers
    data = reply.json()
    assert data["status"] == "accepted"
    assert data["balance_after_cents"] == 0
    assert data["voucher_id"] == voucher["voucher_id"]
    assert data["recorded_at"].endswith("Z")
    lookup = till.get(f"/v1/vouchers/{voucher['code']}").json()
    assert (lookup["status"], lookup["balance_cents"]) == ("used", 0)
    again = till.redeem(till.body(voucher["code"], 1000))
    assert again.status_code == 422
    assert again.json() == {
        "error": {"code": "voucher_used", "message": "the voucher has been used completely"}
    }


def test_partial_redeems_down_to_zero(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    first = till.redeem(till.body(voucher["code"], 1250)).json()
    assert first["balance_after_cents"] == 3750
    lookup = till.get(f"/v1/vouchers/{voucher['code'].lower()}").json()
    assert (lookup["status"], lookup["balance_cents"]) == ("partly_used", 3750)
    too_much = till.redeem(till.body(voucher["code"], 3751))
    assert too_much.json()["error"]["code"] == "insufficient_balance"
    rest = till.redeem(till.body(voucher["code"], 3750))
    assert rest.json()["balance_after_cents"] == 0


def test_non_partial_voucher_must_be_used_whole(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 2000)
    reply = till.redeem(till.body(voucher["code"], 500))
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "partial_not_allowed")
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 2000


def test_replay_returns_first_result_with_header(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    body = till.body(voucher["code"], 1000)
    first = till.redeem(body)
    second = till.redeem(body)
    assert second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 4000
    assert len(sandbox.store.list_redemptions(voucher_id=voucher["voucher_id"])) == 1


def test_refusal_is_stored_and_replayed(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 1000)
    sandbox.store.cancel_voucher(voucher["voucher_id"])
    body = till.body(voucher["code"], 1000)
    first = till.redeem(body)
    assert (first.status_code, first.json()["error"]["code"]) == (422, "voucher_cancelled")
    replay = till.redeem(body)
    assert replay.status_code == 422
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    stored = till.get(f"/v1/redemptions/{body['redemption_id']}").json()
    assert (stored["status"], stored["reason_code"]) == ("refused", "voucher_cancelled")


def test_same_id_with_another_body_is_refused(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    body = till.body(voucher["code"], 1000)
    assert till.redeem(body).status_code == 201
    other = {**body, "amount_cents": 2000}
    reply = till.redeem(other)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "idempotency_key_reused")
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 4000


def test_body_comparison_is_canonical(sandbox, shop, till):
    """One instant in any spelling, one code in any spelling, one id in any case: one body.
    Another millisecond, or any other field, is another body."""
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    body = till.body(voucher["code"], 1000)  # occurred_at 2026-11-26T09:00:00.000Z
    first = till.redeem(body)
    assert first.status_code == 201
    same = [
        {"occurred_at": "2026-11-26T09:00:00+00:00"},
        {"occurred_at": "2026-11-26T10:00:00.000+01:00"},
        {"occurred_at": "2026-11-26T09:00:00.000999Z"},  # below the millisecond
        {"voucher_code": voucher["code"].lower().replace("-", " ")},
        {"redemption_id": body["redemption_id"].upper()},
    ]
    for change in same:
        reply = till.redeem({**body, **change}, key=change.get("redemption_id", "same"))
        assert reply.status_code == 201, change
        assert reply.headers["Idempotent-Replayed"] == "true", change
        assert reply.json() == first.json()
    other = [
        {"occurred_at": "2026-11-26T09:00:00.001Z"},
        {"offline": True},
        {"currency": "CHF"},
        {"operator": "Anna"},
    ]
    for change in other:
        reply = till.redeem({**body, **change})
        assert reply.json()["error"]["code"] == "idempotency_key_reused", change
    lower = till.redeem({**body, "currency": "eur"})  # not ISO 4217 letters: malformed
    assert (lower.status_code, lower.json()["error"]["code"]) == (422, "invalid_request")
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 4000


def test_idempotency_header_missing_or_mismatched(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 1000)
    body = till.body(voucher["code"], 1000)
    missing = till.redeem(body, key=None)
    assert (missing.status_code, missing.json()["error"]["code"]) == (
        400,
        "idempotency_key_missing",
    )
    wrong = till.redeem(body, key=str(uuid.uuid4()))
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "idempotency_key_mismatch")
    assert sandbox.store.list_redemptions() == []
    assert till.redeem(body, key=uuid.UUID(body["redemption_id"]).hex.upper()).status_code == 201


@contextmanager
def redeem_held_in_flight(sandbox, till, body) -> Iterator[dict]:
    """The first redeem of `body` is held inside the sandbox while the block runs; yields the box
    that receives its response under "first" once it is released."""
    entered, release = threading.Event(), threading.Event()

    def hold(_rid: str) -> None:
        entered.set()
        release.wait(10)

    sandbox.store.desk.on_redeem_started = hold
    results: dict = {}
    worker = threading.Thread(target=lambda: results.setdefault("first", till.redeem(body)))
    worker.start()
    try:
        assert entered.wait(10)
        sandbox.store.desk.on_redeem_started = None
        yield results
    finally:
        sandbox.store.desk.on_redeem_started = None
        release.set()
        worker.join(10)


def test_request_in_flight_answers_409(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 1000)
    body = till.body(voucher["code"], 1000)
    with redeem_held_in_flight(sandbox, till, body) as results:
        second = till.redeem(body)
        assert (second.status_code, second.json()["error"]["code"]) == (409, "request_in_flight")
    assert results["first"].status_code == 201
    assert till.redeem(body).headers["Idempotent-Replayed"] == "true"


def test_in_flight_guard_holds_for_any_spelling_of_the_id(sandbox, shop, till):
    """A batch item naming the in-flight id in braces or upper case is the same request."""
    voucher = sandbox.store.create_voucher(shop, 1000)
    body = till.body(voucher["code"], 1000, offline=True)
    rid = body["redemption_id"]
    with redeem_held_in_flight(sandbox, till, body) as results:
        for spelling in ("{" + rid + "}", rid.upper(), uuid.UUID(rid).hex):
            item = {**body, "redemption_id": spelling}
            reply = till.post("/v1/redemptions/batch", json={"items": [item]}).json()["results"][0]
            assert (reply["outcome"], reply["error"]["code"]) == ("rejected", "request_in_flight")
            assert reply["redemption_id"] == spelling
    assert results["first"].status_code == 201
    assert len(sandbox.store.list_redemptions()) == 1
    for spelling in ("{" + rid.upper() + "}", uuid.UUID(rid).hex):  # GET and void find it too
        assert till.get(f"/v1/redemptions/{spelling}").json()["redemption_id"] == rid


def test_business_refusals(sandbox, shop, till, clock):
    store = sandbox.store
    other_shop = store.create_shop("Macelleria De Santis", "Galatina")
    foreign = store.create_voucher(other_shop, 1000)
    expired = store.create_voucher(shop, 1000, expires_at=START + timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    valid = store.create_voucher(shop, 1000)
    cases = [
        (till.body(foreign["code"], 1000), 422, "other_shop"),
        (till.body(expired["code"], 1000), 422, "voucher_expired"),
        (till.body(valid["code"], 1000, currency="USD"), 422, "currency_mismatch"),
        (till.body(valid["code"], 0), 422, "invalid_amount"),
        (till.body(valid["code"], -5), 422, "invalid_amount"),
        (till.body("0000-0000-000", 1000), 404, "unknown_voucher"),
        (till.body("not a code", 1000), 404, "unknown_voucher"),
    ]
    for body, status, code in cases:
        reply = till.redeem(body)
        assert (reply.status_code, reply.json()["error"]["code"]) == (status, code), body
    assert store.get_voucher(valid["voucher_id"])["balance_cents"] == 1000
    lookup = till.get(f"/v1/vouchers/{foreign['code']}").json()
    assert lookup["status"] == "other_shop"
    assert till.get(f"/v1/vouchers/{expired['code']}").json()["status"] == "expired"


def test_malformed_redeem_uses_the_error_shape(sandbox, shop, till):
    reply = till.post(
        "/v1/redemptions", json={"amount_cents": "12"}, headers={"Idempotency-Key": "x"}
    )
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "invalid_request"
    naive = till.body("0000-0000-000", 100)
    naive["occurred_at"] = "2026-11-26T09:00:00"
    reply = till.redeem(naive)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_request")


def test_lookup_states(sandbox, shop, till, clock):
    store = sandbox.store
    expiry = START + timedelta(days=30)
    made = {
        "valid": store.create_voucher(shop, 2000, expires_at=expiry, partial_allowed=True),
        "partly_used": store.create_voucher(shop, 5000, balance_cents=1200),
        "used": store.create_voucher(shop, 1000, balance_cents=0),
        "expired": store.create_voucher(shop, 1000, expires_at=START - timedelta(seconds=1)),
        "cancelled": store.create_voucher(shop, 1000, cancelled=True),
        "other_shop": store.create_voucher(store.create_shop("Altro", "Martano"), 1000),
    }
    for status, voucher in made.items():
        reply = till.get(f"/v1/vouchers/{voucher['code']}")
        assert reply.status_code == 200
        assert reply.json()["status"] == status
    valid = till.get(f"/v1/vouchers/{made['valid']['code'].replace('-', '')}").json()
    assert valid == {
        "code": made["valid"]["code"],
        "voucher_id": made["valid"]["voucher_id"],
        "shop_id": shop,
        "status": "valid",
        "face_value_cents": 2000,
        "balance_cents": 2000,
        "currency": "EUR",
        "expires_at": "2026-12-26T09:00:00.000Z",
        "partial_allowed": True,
    }
    missing = till.get("/v1/vouchers/0000-0000-000")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "unknown_voucher")
    typo = made["valid"]["code"][:-1] + ("0" if made["valid"]["code"][-1] != "0" else "1")
    assert till.get(f"/v1/vouchers/{typo}").status_code == 404
