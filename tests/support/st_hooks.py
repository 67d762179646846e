"""schemathesis hooks (SCHEMATHESIS_HOOKS=tests.support.st_hooks): real test data where random
data can only ever be refused.

A random pairing code is never a live one and a random voucher code never exists, so without help
the chain pairing -> redeem -> get -> void would stop at the first 422. Before most pairing and
redeem calls this asks the sandbox's admin side (outside the contract) for a fresh pairing code or
a fresh voucher and puts it into the generated body; the rest of the body stays generated, and
the links carry the ids the platform returned. The other calls stay random (refusals tested too).
"""

from __future__ import annotations

import os
import random
import uuid

import requests
import schemathesis

ADMIN = os.environ.get("POSAPP_ST_SANDBOX", "")
SHOP = int(os.environ.get("POSAPP_ST_SHOP", "1"))
TILL = int(os.environ.get("POSAPP_ST_TILL", "1"))
_rng = random.Random(os.environ.get("POSAPP_ST_SEED", "1"))
_paired: set[int] = {TILL}  # tills of the shop, those paired during the run included


def _admin(path: str, body: dict) -> dict:
    reply = requests.post(ADMIN + "/_sandbox" + path, json=body, timeout=10)
    reply.raise_for_status()
    return reply.json()


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    label = case.operation.label
    body = case.body if isinstance(case.body, dict) else None
    if body is None or not ADMIN or _rng.random() < 0.25:
        return
    if label == "POST /v1/pairing":
        body["pairing_code"] = _admin("/pairing-codes", {"shop_id": SHOP})["pairing_code"]
    elif label == "POST /v1/redemptions":
        voucher = _admin(
            "/vouchers", {"shop_id": SHOP, "face_value_cents": 10_000, "partial_allowed": True}
        )
        body["voucher_code"] = voucher["code"]
        body["currency"] = "EUR"
        amount = body.get("amount_cents")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 10_000:
            body["amount_cents"] = _rng.randint(1, 10_000)
        till = body.get("till_id")
        if not isinstance(till, int) or till not in _paired:  # a link from pairing: a real one
            body["till_id"] = TILL
        body["offline"] = False
        body["redemption_id"] = str(uuid.UUID(int=_rng.getrandbits(128), version=4))
        case.headers = {**(case.headers or {}), "Idempotency-Key": body["redemption_id"]}
    elif label == "POST /v1/redemptions/{redemption_id}/void":
        body["offline"] = _rng.random() < 0.2


@schemathesis.hook
def after_call(context, case, response) -> None:
    if case.operation.label == "POST /v1/pairing" and response.status_code == 201:
        _paired.add(response.json()["till_id"])
