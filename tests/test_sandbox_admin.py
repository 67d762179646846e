"""`/_sandbox` admin endpoints (out-of-process tests, the demo): off /v1 and off the contract."""

from __future__ import annotations

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
import requests

from posapp.core.codes import VoucherRef, parse_code
from posapp.core.keys import KeySet
from tests.support.sandbox import TIMEOUT, Till, clock, sandbox, shop  # noqa: F401


def test_admin_endpoints_drive_a_whole_flow(sandbox, shop):
    admin = sandbox.url + "/_sandbox"
    code = requests.post(admin + "/pairing-codes", json={"shop_id": shop}, timeout=TIMEOUT)
    assert code.status_code == 201
    paired = requests.post(
        sandbox.url + "/v1/pairing",
        json={"pairing_code": code.json()["pairing_code"], "till_name": "Cassa"},
        timeout=TIMEOUT,
    ).json()
    till = Till(sandbox.url, paired["token"], paired["till_id"], paired["shop_id"])
    made = requests.post(
        admin + "/vouchers",
        json={"shop_id": shop, "face_value_cents": 2000, "partial_allowed": True},
        timeout=TIMEOUT,
    )
    assert made.status_code == 201
    voucher = made.json()
    assert voucher["code"] and voucher["signed_code"].startswith("PV:")
    kid = requests.post(admin + "/keys/rotate", timeout=TIMEOUT).json()["kid"]
    keys = KeySet.from_api(till.get("/v1/keys").json()["keys"])
    assert kid in keys
    signed = requests.get(f"{admin}/vouchers/{voucher['voucher_id']}", timeout=TIMEOUT).json()
    ref = parse_code(signed["signed_code"], keys.get, sandbox.store.clock.now())
    assert isinstance(ref, VoucherRef) and ref.kid == kid and ref.verified
    assert till.redeem(till.body(voucher["code"], 500)).status_code == 201
    listed = requests.get(admin + "/redemptions", params={"shop_id": shop}, timeout=TIMEOUT)
    assert [r["amount_cents"] for r in listed.json()] == [500]
    revoke = requests.post(
        f"{admin}/vouchers/{voucher['voucher_id']}/revoke", json={"reason": "x"}, timeout=TIMEOUT
    )
    assert revoke.status_code == 204
    assert [r["voucher_id"] for r in till.get("/v1/revocations").json()["items"]] == [
        voucher["voucher_id"]
    ]
    bad = requests.post(
        admin + "/vouchers", json={"shop_id": shop, "face_value_cents": 0}, timeout=TIMEOUT
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_request")
    no_shop = requests.post(
        admin + "/vouchers", json={"shop_id": 999, "face_value_cents": 5}, timeout=TIMEOUT
    )
    assert no_shop.status_code == 422
    missing = requests.post(admin + "/pairing-codes", json={"shop_id": 999}, timeout=TIMEOUT)
    assert missing.status_code == 404
    # none of this is in the contract the sandbox serves
    served = requests.get(sandbox.url + "/openapi.json", timeout=TIMEOUT).json()
    assert not any(path.startswith("/_sandbox") for path in served["paths"])


def test_admin_voucher_outside_the_signable_range_is_refused_before_it_exists(sandbox, shop):
    """A signed code holds expiry as u32 unix seconds: a voucher it cannot sign is a 422, not a
    500 after the voucher was already created."""
    admin = sandbox.url + "/_sandbox"
    for expires_at in ("2150-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "1990-01-01T00:00:00Z"):
        reply = requests.post(
            admin + "/vouchers",
            json={"shop_id": shop, "face_value_cents": 500, "expires_at": expires_at},
            timeout=TIMEOUT,
        )
        assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_request")
    assert sandbox.store.vouchers.page(shop, None, 10)["items"] == []
