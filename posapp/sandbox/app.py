"""The FastAPI application: /v1 routes, the one error shape for every failure, the contract file.

`GET /openapi.json` serves the committed `posapp/contract/openapi-v1.json` byte for byte, not a
regenerated document; `build_openapi()` is what `python -m posapp.sandbox.contract --write` commits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from posapp.resources import CONTRACT, resource_path
from posapp.sandbox import schemas as s
from posapp.sandbox.admin import install_admin
from posapp.sandbox.errors import ApiFailure, error_body
from posapp.sandbox.faults import FaultMiddleware, FaultPlan
from posapp.sandbox.limits import BodyLimitMiddleware
from posapp.sandbox.operations import OPERATIONS
from posapp.sandbox.routes import router
from posapp.sandbox.store import SandboxStore
from posapp.sandbox.timebounds import ServerTimeMiddleware

CONTRACT_PATH = resource_path(*CONTRACT, "openapi-v1.json")  # source tree or bundle
TITLE = "posapp merchant API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Merchant API of a community voucher platform (buoni), as used by the posapp counter app. "
    "Money is integer cents with an ISO currency; timestamps are UTC ISO 8601 with Z. Every error "
    'is `{"error": {"code", "message"}}`. Authenticate with `Authorization: Bearer <till token>` '
    "(except health and pairing). A pairing QR holds `posapp-pair:` followed by the JSON "
    '`{"api": "<API base URL>", "code": "<pairing code>"}`.'
)
SERVERS = [{"url": "http://127.0.0.1:8765", "description": "local sandbox (posapp-sandbox)"}]
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)[:300] or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """Every failure, including FastAPI's own 404/405/422, leaves in the one error shape."""

    @app.exception_handler(ApiFailure)
    async def _api_failure(request: Request, exc: ApiFailure) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            error_body("invalid_request", _validation_message(exc)), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's "error parsing the body" (e.g. not UTF-8)
            return JSONResponse(error_body("invalid_request", str(exc.detail)), status_code=422)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body("internal_error", "internal server error"), status_code=500)


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The contract document as the app describes itself (OpenAPI 3.1), with the semantics of
    each operation from operations.py."""
    document = get_openapi(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        routes=app.routes,
        servers=SERVERS,
    )
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["description"] = OPERATIONS[operation["operationId"]]
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    batch = s.BatchRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    batch.pop("$defs", None)
    schemas["BatchRequest"] = batch
    declare_failures(document)
    add_links(document)
    return document


_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def declare_failures(document: dict[str, Any]) -> None:
    """What any operation may answer besides its own outcomes: 413 for a body over the limit
    (refused before it is read), 500 for a bug, and Retry-After on 429 and 503; and the
    `Idempotency-Key` header of POST /v1/redemptions as required (its absence is the 400
    `idempotency_key_missing` the description names)."""
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            if "requestBody" in operation:
                responses["413"] = {
                    "description": "The body is over the platform's limit (1 MiB): "
                    "`payload_too_large`, answered without reading it",
                    "content": _ERROR_REF,
                }
            responses["500"] = {
                "description": "A fault of the platform (`internal_error`); retry later with "
                "the same body",
                "content": _ERROR_REF,
            }
            for status in ("429", "503"):
                if status in responses:
                    responses[status]["headers"] = _RETRY_AFTER
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header" and parameter["name"] == "Idempotency-Key":
                    parameter["required"] = True
                    parameter["schema"] = {"type": "string", "minLength": 1, "maxLength": 200}
                    parameter["description"] = "the body's `redemption_id`"


# Which operation's answer feeds which next one: a stateful tester (and a reader) follows pairing
# -> redeem -> get -> void with the ids the platform really returned.
LINKS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("pair", "201"): {
        "RedeemAtThisTill": {
            "operationId": "redeem",
            "requestBody": {"till_id": "$response.body#/till_id"},
            "description": "the new till's id is the `till_id` of its redemptions",
        },
    },
    ("redeem", "201"): {
        "GetThisRedemption": {
            "operationId": "get_redemption",
            "parameters": {"path.redemption_id": "$response.body#/redemption_id"},
        },
        "VoidThisRedemption": {
            "operationId": "void",
            "parameters": {"path.redemption_id": "$response.body#/redemption_id"},
        },
        "LookUpThisVoucher": {
            "operationId": "lookup",
            "parameters": {"path.code": "$response.body#/voucher_code"},
        },
    },
    ("get_redemption", "200"): {
        "VoidThisRedemption": {
            "operationId": "void",
            "parameters": {"path.redemption_id": "$response.body#/redemption_id"},
        },
    },
    ("void", "200"): {
        "GetThisRedemption": {
            "operationId": "get_redemption",
            "parameters": {"path.redemption_id": "$response.body#/redemption_id"},
        },
    },
}


def add_links(document: dict[str, Any]) -> None:
    by_id = {
        operation["operationId"]: operation
        for operations in document["paths"].values()
        for operation in operations.values()
    }
    for (operation_id, status), links in LINKS.items():
        by_id[operation_id]["responses"][status]["links"] = links


def create_app(
    store: SandboxStore,
    *,
    faults: FaultPlan | None = None,
    contract_path: Path = CONTRACT_PATH,
) -> FastAPI:
    """The ASGI app over one store (one platform); fault middleware only if `faults.enabled`."""
    faults = faults or FaultPlan(enabled=False)
    app = FastAPI(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.store = store
    app.include_router(router)
    install_admin(app, faults)
    install_error_handlers(app)
    if faults.enabled:
        app.add_middleware(FaultMiddleware, plan=faults)

    # Outermost, around Starlette's own error middleware, so even a 500 carries Server-Time and
    # no body over the limit reaches a route.
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: ServerTimeMiddleware(  # type: ignore[method-assign]
        BodyLimitMiddleware(build_stack()), store.clock
    )

    @app.get("/openapi.json", include_in_schema=False)
    def contract() -> Response:
        return Response(contract_path.read_bytes(), media_type="application/json")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE)

    return app
