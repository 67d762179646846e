"""The /v1 routes: thin adapters from HTTP to `SandboxStore`, every status they answer declared."""

from __future__ import annotations

import json
from datetime import date as Date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import ClientDisconnect

from posapp.core.clock import utc_iso
from posapp.sandbox import schemas as s
from posapp.sandbox.batch import run_batch, to_input
from posapp.sandbox.errors import ApiFailure, error_body
from posapp.sandbox.redeem import replay_status
from posapp.sandbox.store import SandboxStore
from posapp.sandbox.summary import SHOP_TIMEZONE
from posapp.sandbox.vouchers import DEFAULT_PAGE, MAX_PAGE, voucher_json

API_VERSION = "1"
REPLAYED = "Idempotent-Replayed"

_DESCRIPTIONS = {
    400: "Bad request (idempotency header, cursor)",
    401: "Missing, unknown, rolled or revoked till token",
    404: "Unknown voucher or redemption",
    409: "A request with this redemption id is in flight",
    413: "The request body is over the platform's limit (`payload_too_large`)",
    422: "Invalid request or business refusal",
    429: "Too many attempts from this address; honour Retry-After",
    503: "Temporarily unavailable; honour Retry-After",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` entry documenting error statuses with the one error shape."""
    return {code: {"model": s.ErrorBody, "description": _DESCRIPTIONS[code]} for code in statuses}


bearer = HTTPBearer(auto_error=False, scheme_name="bearerAuth", description="the till token")
router = APIRouter(prefix="/v1")


def store_of(request: Request) -> SandboxStore:
    return request.app.state.store


def current_till(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    """The authenticated till (401 otherwise)."""
    return store_of(request).authenticate(credentials.credentials if credentials else None)


Till = Annotated[dict[str, Any], Depends(current_till)]
Store = Annotated[SandboxStore, Depends(store_of)]


@router.get("/health", response_model=s.Health, responses=errors(503))
def health(store: Store) -> dict[str, Any]:
    return {
        "status": "ok",
        "server_time": utc_iso(store.clock.now()),
        "platform_id": store.platform_id,
        "api_version": API_VERSION,
        "max_offline_age_hours": store.rules.max_offline_age.total_seconds() / 3600,
        "void_window_minutes": store.rules.void_window.total_seconds() / 60,
    }


@router.post(
    "/pairing",
    status_code=201,
    response_model=s.PairingResult,
    responses=errors(413, 422, 429, 503),
)
def pair(body: s.PairingRequest, request: Request, store: Store) -> dict[str, Any]:
    address = request.client.host if request.client else "unknown"
    wait = store.pairing_throttle.admit(address)
    if wait is not None:
        raise ApiFailure(429, "too_many_requests", headers={"Retry-After": str(int(wait))})
    try:
        return store.pair(body.pairing_code, body.till_name.strip())
    except ApiFailure as failure:
        if failure.code == "pairing_code_invalid":
            store.pairing_throttle.failed(address)
        raise


@router.get("/till", response_model=s.TillInfo, responses=errors(401, 503))
def whoami(till: Till) -> dict[str, Any]:
    return till


@router.post("/till/token/roll", response_model=s.TokenResult, responses=errors(401, 503))
def roll_token(till: Till, store: Store) -> dict[str, Any]:
    return {"token": store.roll_token(till["till_id"])}


@router.post("/till/revoke", status_code=204, responses=errors(401, 503))
def revoke(till: Till, store: Store) -> Response:
    store.revoke_till(till["till_id"])
    return Response(status_code=204)


@router.post(
    "/till/checkpoint",
    response_model=s.CheckpointResult,
    responses=errors(401, 422, 503),
)
def checkpoint(body: s.CheckpointRequest, till: Till, store: Store) -> dict[str, Any]:
    drained = store.checkpoint(till["till_id"], body.drained_through)
    return {"drained_through": utc_iso(drained)}


@router.get("/vouchers/{code}", response_model=s.Voucher, responses=errors(401, 404, 422, 503))
def lookup(code: str, till: Till, store: Store) -> dict[str, Any]:
    row = store.vouchers.find(code)
    if row is None:
        raise ApiFailure(404, "unknown_voucher")
    return voucher_json(row, till["shop_id"], store.clock.now())


def _redemption_response(redemption: dict[str, Any], replayed: bool) -> JSONResponse:
    headers = {REPLAYED: "true"} if replayed else {}
    status = replay_status(redemption)
    if status == 201:
        content = s.Redemption.model_validate(redemption).model_dump(mode="json")
    else:
        content = error_body(redemption["reason_code"], redemption["reason_message"])
    return JSONResponse(content, status_code=status, headers=headers)


def _as_uuid(text: str) -> UUID | None:
    try:
        return UUID(text.strip())
    except ValueError:
        return None


@router.post(
    "/redemptions",
    status_code=201,
    response_model=s.Redemption,
    responses={
        201: {
            "description": "Accepted (or the replay of an accepted one)",
            "headers": {
                REPLAYED: {"description": "true on a replay", "schema": {"type": "string"}}
            },
        },
        **errors(400, 401, 404, 409, 422, 503),
    },
)
def redeem(
    body: s.RedeemRequest,
    till: Till,
    store: Store,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", max_length=200, description="required; = redemption_id"),
    ] = None,
) -> JSONResponse:
    if idempotency_key is None:
        raise ApiFailure(400, "idempotency_key_missing")
    if _as_uuid(idempotency_key) != body.redemption_id:
        raise ApiFailure(400, "idempotency_key_mismatch")
    if not store.is_shop_till(body.till_id, till["shop_id"]):
        raise ApiFailure(422, "invalid_request", "till_id is no till of this shop")
    with store.desk.claim(str(body.redemption_id)):
        redemption, replayed = store.desk.redeem(
            to_input(body), till["shop_id"], batch=False, by_till=till["till_id"]
        )
    return _redemption_response(redemption, replayed)


@router.post(
    "/redemptions/batch",
    response_model=s.BatchResult,
    responses=errors(401, 422, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}
            },
        }
    },
)
async def redeem_batch(request: Request, till: Till, store: Store) -> dict[str, Any]:
    """One result per item, in order; items are validated one by one (a bad one is `rejected`)."""
    try:
        document = json.loads(await request.body())
    except ClientDisconnect:  # the till went away mid-upload: nothing was applied, nobody to answer
        raise ApiFailure(422, "invalid_request", "the body did not arrive whole") from None
    except (ValueError, UnicodeDecodeError):
        raise ApiFailure(422, "invalid_request", "the body is not JSON") from None
    except RecursionError:  # "[[[[...": the decoder's stack ends before the body does
        raise ApiFailure(422, "invalid_request", "the body is nested too deeply") from None
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list) or len(items) > 500:
        raise ApiFailure(422, "invalid_request", "items must be a list of at most 500 requests")
    return {"results": await run_in_threadpool(run_batch, store, till, items)}


@router.get("/redemptions", response_model=s.RedemptionPage, responses=errors(400, 401, 422, 503))
def list_redemptions(
    till: Till,
    store: Store,
    scope: Annotated[
        Literal["till", "shop"], Query(description="this till's redemptions, or the shop's")
    ] = "till",
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the last page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    first_day: Annotated[
        Date | None,
        Query(description="only redemptions of this shop-local day (Europe/Rome) or later"),
    ] = None,
    last_day: Annotated[
        Date | None,
        Query(description="only redemptions of this shop-local day (Europe/Rome) or earlier"),
    ] = None,
) -> dict[str, Any]:
    if first_day is not None and last_day is not None and last_day < first_day:
        raise ApiFailure(422, "invalid_request", "last_day is before first_day")
    till_id = till["till_id"] if scope == "till" else None
    return store.desk.page(till["shop_id"], till_id, cursor, limit, first_day, last_day)


@router.get(
    "/redemptions/{redemption_id}",
    response_model=s.Redemption,
    responses=errors(401, 404, 422, 503),
)
def get_redemption(redemption_id: str, till: Till, store: Store) -> dict[str, Any]:
    return store.desk.get(redemption_id, till["shop_id"])


@router.post(
    "/redemptions/{redemption_id}/void",
    response_model=s.Redemption,
    responses=errors(401, 404, 422, 503),
)
def void(redemption_id: str, body: s.VoidRequest, till: Till, store: Store) -> dict[str, Any]:
    return store.desk.void(
        redemption_id,
        till["shop_id"],
        body.reason,
        body.voided_at,
        offline=body.offline,
        by_till=till["till_id"],
    )


Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the last page")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("/shop/vouchers", response_model=s.VoucherPage, responses=errors(400, 401, 422, 503))
def shop_vouchers(
    till: Till, store: Store, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE
) -> dict[str, Any]:
    return store.vouchers.page(till["shop_id"], cursor, limit)


@router.get("/shop/payouts", response_model=s.PayoutPage, responses=errors(400, 401, 422, 503))
def shop_payouts(
    till: Till, store: Store, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE
) -> dict[str, Any]:
    return store.payouts.page(till["shop_id"], cursor, limit)


@router.get("/revocations", response_model=s.RevocationPage, responses=errors(400, 401, 422, 503))
def revocations(
    till: Till, store: Store, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE
) -> dict[str, Any]:
    return store.vouchers.revocations(till["shop_id"], cursor, limit)


@router.get("/keys", response_model=s.KeyList, responses=errors(401, 503))
def keys(till: Till, store: Store) -> dict[str, Any]:
    return {"keys": store.keys.published()}


@router.get("/shop/summary", response_model=s.DailySummary, responses=errors(401, 422, 503))
def summary(
    till: Till,
    store: Store,
    date: Annotated[
        Date | None, Query(description="YYYY-MM-DD, Europe/Rome; default today")
    ] = None,
    currency: Annotated[
        str, Query(pattern="^[A-Z]{3}$", description="ISO 4217 letters; the `by_*` figures' one")
    ] = "EUR",
) -> dict[str, Any]:
    day = date if date is not None else store.clock.now().astimezone(SHOP_TIMEZONE).date()
    if not 2000 <= day.year <= 2099:
        raise ApiFailure(422, "invalid_request", "date must lie in the years 2000..2099")
    return store.summary(till["shop_id"], day, currency)
