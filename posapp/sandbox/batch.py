"""Batch upload of offline redemptions: each item judged alone, one result per item, in order.

An offline redemption already happened at the counter, so an item the voucher can no longer cover
is stored as a `conflict` with its reason (the owner must see it), never dropped. `rejected` is only
for an item the server cannot take at all: malformed, naming no till of this shop, its id reused
with another body, or the same id still in flight. An item of another till of the same shop is
taken: a till paired again after a revocation still uploads what it did under its old id.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from posapp.sandbox import schemas as s
from posapp.sandbox.errors import MESSAGES, ApiFailure
from posapp.sandbox.redeem import RedeemInput
from posapp.sandbox.store import SandboxStore


def to_input(body: s.RedeemRequest) -> RedeemInput:
    return RedeemInput(
        redemption_id=str(body.redemption_id),
        voucher_code=body.voucher_code,
        amount_cents=body.amount_cents,
        currency=body.currency,
        till_id=body.till_id,
        occurred_at=body.occurred_at,
        offline=body.offline,
        operator=body.operator,
    )


def _rejected(redemption_id: str, code: str, message: str | None = None) -> dict[str, Any]:
    detail = {"code": code, "message": message or MESSAGES.get(code, code)}
    return {
        "redemption_id": redemption_id,
        "outcome": "rejected",
        "redemption": None,
        "error": detail,
    }


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error.get("loc", ())) or "item"
    return f"{where}: {error.get('msg', 'invalid')}"[:200]


def run_item(store: SandboxStore, till: dict[str, Any], item: Any) -> dict[str, Any]:
    """The result of one batch item (runs its own write transaction)."""
    raw_id = item.get("redemption_id") if isinstance(item, dict) else None
    redemption_id = raw_id if isinstance(raw_id, str) and len(raw_id) <= 64 else ""
    try:
        body = s.RedeemRequest.model_validate(item)
    except ValidationError as exc:
        return _rejected(redemption_id, "invalid_request", _first_error(exc))
    # Echo the id as sent (the contract says so): a till matches results to items by it.
    redemption_id = raw_id if isinstance(raw_id, str) else str(body.redemption_id)
    if not store.is_shop_till(body.till_id, till["shop_id"]):
        return _rejected(redemption_id, "invalid_request", "till_id is no till of this shop")
    try:
        with store.desk.claim(str(body.redemption_id)):
            redemption, _ = store.desk.redeem(
                to_input(body), till["shop_id"], batch=True, by_till=till["till_id"]
            )
    except ApiFailure as failure:
        return _rejected(redemption_id, failure.code, failure.message)
    if redemption["status"] in ("accepted", "voided"):
        return {
            "redemption_id": redemption_id,
            "outcome": "accepted",
            "redemption": redemption,
            "error": None,
        }
    error = {"code": redemption["reason_code"], "message": redemption["reason_message"]}
    return {
        "redemption_id": redemption_id,
        "outcome": "conflict",
        "redemption": redemption,
        "error": error,
    }


def run_batch(store: SandboxStore, till: dict[str, Any], items: list[Any]) -> list[dict[str, Any]]:
    return [run_item(store, till, item) for item in items]
