"""`/_sandbox/...`: the platform operator's side, for out-of-process tests and the demo.

Never part of /v1 and never in the contract (include_in_schema=False); unauthenticated because a
sandbox listens on loopback only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from pydantic import BaseModel, Field

from posapp.sandbox.errors import ApiFailure
from posapp.sandbox.faults import FaultPlan
from posapp.sandbox.schemas import Instant
from posapp.sandbox.store import SandboxStore

router = APIRouter(prefix="/_sandbox", include_in_schema=False)


def _store(request: Request) -> SandboxStore:
    return request.app.state.store


Store = Annotated[SandboxStore, Depends(_store)]


class NewVoucher(BaseModel):
    shop_id: int
    face_value_cents: int = Field(gt=0, lt=2**32)
    balance_cents: int | None = None
    expires_at: Instant | None = None  # 2000..2099: a signed code holds u32 unix seconds
    partial_allowed: bool = False
    cancelled: bool = False


class NewPairing(BaseModel):
    shop_id: int
    ttl_seconds: int = Field(default=3600, gt=0)


class RevokeBody(BaseModel):
    reason: str = "revoked"


class FaultBody(BaseModel):
    rules: list[dict[str, Any]]
    seed: int | None = None


def _voucher_out(store: SandboxStore, row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "signed_code": store.sign_voucher(row["voucher_id"])}


@router.get("/shops")
def shops(store: Store) -> list[dict[str, Any]]:
    return store.shops()


@router.post("/vouchers", status_code=201)
def create_voucher(body: NewVoucher, store: Store) -> dict[str, Any]:
    try:
        row = store.create_voucher(**body.model_dump())
    except (ValueError, KeyError) as exc:
        raise ApiFailure(422, "invalid_request", str(exc)) from None
    return _voucher_out(store, row)


@router.get("/vouchers/{voucher_id}")
def get_voucher(voucher_id: int, store: Store) -> dict[str, Any]:
    try:
        return _voucher_out(store, store.get_voucher(voucher_id))
    except KeyError:
        raise ApiFailure(404, "unknown_voucher") from None


@router.post("/vouchers/{voucher_id}/revoke", status_code=204)
def revoke_voucher(voucher_id: int, body: RevokeBody, store: Store) -> Response:
    try:
        store.revoke_voucher(voucher_id, body.reason)
    except KeyError:
        raise ApiFailure(404, "unknown_voucher") from None
    return Response(status_code=204)


@router.post("/vouchers/{voucher_id}/cancel", status_code=204)
def cancel_voucher(voucher_id: int, store: Store) -> Response:
    try:
        store.cancel_voucher(voucher_id)
    except KeyError:
        raise ApiFailure(404, "unknown_voucher") from None
    return Response(status_code=204)


@router.post("/pairing-codes", status_code=201)
def pairing_code(body: NewPairing, store: Store) -> dict[str, Any]:
    try:
        code = store.new_pairing_code(body.shop_id, timedelta(seconds=body.ttl_seconds))
    except KeyError:
        raise ApiFailure(404, "not_found", "no such shop") from None
    return {"pairing_code": code, "shop_id": body.shop_id}


@router.post("/keys/rotate")
def rotate_key(store: Store) -> dict[str, Any]:
    return {"kid": store.rotate_key()}


@router.get("/redemptions")
def redemptions(store: Store, shop_id: int | None = None) -> list[dict[str, Any]]:
    return store.list_redemptions(shop_id=shop_id)


class ClosePeriod(BaseModel):
    shop_id: int
    period_end: Instant | None = None


class MarkPaid(BaseModel):
    bank_reference: str = Field(min_length=1, max_length=100)
    paid_at: Instant | None = None


@router.post("/payouts/close", status_code=201)
def close_payout_period(body: ClosePeriod, store: Store) -> dict[str, Any]:
    """Close the shop's payout period: what is due becomes scheduled payouts (ids returned)."""
    return {"payout_ids": store.payouts.close_period(body.shop_id, body.period_end)}


@router.post("/payouts/{payout_id}/paid", status_code=204)
def mark_payout_paid(payout_id: int, body: MarkPaid, store: Store) -> Response:
    store.payouts.mark_paid(payout_id, body.bank_reference, body.paid_at)
    return Response(status_code=204)


@router.get("/time")
def server_time(store: Store) -> dict[str, str]:
    now: datetime = store.clock.now()
    return {"now": now.isoformat()}


def install_admin(app: FastAPI, plan: FaultPlan) -> None:
    """Mount the admin routes; the fault endpoints only when faults are enabled."""
    app.include_router(router)
    if not plan.enabled:
        return

    @app.post("/_sandbox/faults", include_in_schema=False)
    def set_faults(body: FaultBody) -> dict[str, Any]:
        try:
            plan.set(body.rules, seed=body.seed)
        except (TypeError, ValueError) as exc:
            raise ApiFailure(422, "invalid_request", str(exc)) from None
        return {"rules": plan.rules()}

    @app.get("/_sandbox/faults", include_in_schema=False)
    def get_faults() -> dict[str, Any]:
        return {"rules": plan.rules(), "applied": [list(a) for a in plan.applied]}

    @app.delete("/_sandbox/faults", status_code=204, include_in_schema=False)
    def clear_faults() -> Response:
        plan.clear()
        return Response(status_code=204)
