"""The contract: the committed OpenAPI file is what the app generates, what the sandbox serves, and
what the sandbox really answers (schemathesis against the live loopback server)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from posapp.sandbox.app import CONTRACT_PATH
from posapp.sandbox.contract import render_contract
from posapp.sandbox.server import SandboxServer
from tests.support.sandbox import TIMEOUT, pair

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,"
CHECKS += "content_type_conformance"
# These two end the token's life, so they get their own short run after the main one.
TOKEN_ENDERS = ("/v1/till/revoke", "/v1/till/token/roll")


def _st() -> str:
    beside = Path(sys.executable).with_name("st")
    found = str(beside) if beside.exists() else shutil.which("st")
    if found is None:
        pytest.fail("schemathesis CLI `st` is not installed (pip install -e '.[test]')")
    return found


def test_committed_contract_matches_the_app():
    committed = CONTRACT_PATH.read_text(encoding="utf-8")
    assert render_contract() == committed, "run: python -m posapp.sandbox.contract --write"


def test_contract_shape():
    doc = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.1")
    assert (doc["info"]["title"], doc["info"]["version"]) == ("posapp merchant API", "1.0.0")
    assert doc["servers"][0]["url"].startswith("http://127.0.0.1")
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "description": "the till token",
        "scheme": "bearer",
        "type": "http",
    }
    assert not any(p.startswith("/_sandbox") for p in doc["paths"])
    open_paths = {("get", "/v1/health"), ("post", "/v1/pairing")}
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            errors = {k: v for k, v in op["responses"].items() if k[0] in "45"}
            assert "503" in errors, (method, path)
            for response in errors.values():
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorBody", (method, path)
            if (method, path) not in open_paths:
                assert op["security"] == [{"bearerAuth": []}], (method, path)
                assert "401" in errors


# What a platform implementer must learn from each operation's description (DESIGN.md's table).
MUST_EXPLAIN = {
    ("post", "/v1/pairing"): ["pairing_code_invalid", "pairing_code_used", "pairing_code_expired"],
    ("post", "/v1/till/token/roll"): ["401"],
    ("post", "/v1/till/revoke"): ["401"],
    ("get", "/v1/vouchers/{code}"): ["unknown_voucher", "other_shop"],
    ("post", "/v1/redemptions"): [
        "Idempotency-Key",
        "idempotency_key_missing",
        "idempotency_key_mismatch",
        "idempotency_key_reused",
        "request_in_flight",
        "Idempotent-Replayed",
        "forever",
        "+00:00",
        "voucher_used",
        "insufficient_balance",
        "partial_not_allowed",
        "voucher_expired",
        "voucher_cancelled",
        "other_shop",
        "currency_mismatch",
        "invalid_amount",
        "unknown_voucher",
        "overdraw",
    ],
    ("post", "/v1/redemptions/batch"): [
        "500",
        "accepted",
        "conflict",
        "rejected",
        "idempotency_key_reused",
        "request_in_flight",
        "as sent",
    ],
    ("get", "/v1/redemptions/{redemption_id}"): ["unknown_redemption"],
    ("post", "/v1/redemptions/{redemption_id}/void"): [
        "exactly once",
        "void_window_expired",
        "not_voidable",
        "unknown_redemption",
    ],
    ("get", "/v1/shop/vouchers"): ["invalid_cursor", "next_cursor", "has_more"],
    ("get", "/v1/revocations"): ["cursor"],
    ("get", "/v1/keys"): ["kid", "not_after", "base64url"],
    ("get", "/v1/shop/summary"): ["Europe/Rome", "voided"],
}


def test_every_operation_explains_its_semantics():
    doc = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            text = op.get("description", "")
            assert len(text) >= 80, (method, path)
            for term in MUST_EXPLAIN.get((method, path), []):
                assert term in text, (method, path, term)


def test_sandbox_serves_exactly_the_committed_file(tmp_path):
    with SandboxServer(tmp_path / "s", fresh=True, seed_demo=False) as server:
        reply = requests.get(server.url + "/openapi.json", timeout=TIMEOUT)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.content == CONTRACT_PATH.read_bytes()


def _schemathesis(server: SandboxServer, token: str, cwd: Path, *extra: str):
    """Run `st run` in `cwd` (it leaves a .schemathesis cache folder there)."""
    command = [
        _st(),
        "run",
        server.url + "/openapi.json",
        "--url",
        server.url,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--seed",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--workers",
        "1",
        "--no-color",
        *extra,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, cwd=cwd
    )


def test_schemathesis_finds_no_server_errors_or_schema_breaks(tmp_path):
    with SandboxServer(tmp_path / "s", fresh=True) as server:
        shop = server.store.shops()[0]["shop_id"]
        main = _schemathesis(
            server,
            pair(server, shop).token,
            tmp_path,
            "--max-examples",
            "40",
            *[arg for path in TOKEN_ENDERS for arg in ("--exclude-path", path)],
        )
        assert main.returncode == 0, main.stdout[-6000:] + main.stderr[-2000:]
        assert "Tested: 12" in main.stdout, main.stdout[-3000:]
        enders = _schemathesis(
            server,
            pair(server, shop).token,
            tmp_path,
            "--max-examples",
            "5",
            *[arg for path in TOKEN_ENDERS for arg in ("--include-path", path)],
        )
        assert enders.returncode == 0, enders.stdout[-6000:] + enders.stderr[-2000:]
        assert "Tested: 2" in enders.stdout, enders.stdout[-3000:]
