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

from posapp.sandbox import schemas as s
from posapp.sandbox.admin import install_admin
from posapp.sandbox.errors import ApiFailure, error_body
from posapp.sandbox.faults import FaultMiddleware, FaultPlan
from posapp.sandbox.operations import OPERATIONS
from posapp.sandbox.routes import router
from posapp.sandbox.store import SandboxStore
from posapp.sandbox.timebounds import ServerTimeMiddleware

CONTRACT_PATH = Path(__file__).resolve().parent.parent / "contract" / "openapi-v1.json"
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
    return document


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

    # Outermost, around Starlette's own error middleware, so even a 500 carries Server-Time.
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: ServerTimeMiddleware(build_stack(), store.clock)  # type: ignore[method-assign]

    @app.get("/openapi.json", include_in_schema=False)
    def contract() -> Response:
        return Response(contract_path.read_bytes(), media_type="application/json")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE)

    return app
