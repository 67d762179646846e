"""The contract: the committed OpenAPI file is what the app generates, what the sandbox serves, and
what the sandbox really answers (schemathesis against the live loopback server)."""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import posapp.sandbox as sandbox_package
from posapp.sandbox import redeem
from posapp.sandbox.app import CONTRACT_PATH
from posapp.sandbox.contract import render_contract
from posapp.sandbox.errors import MESSAGES
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
    ("post", "/v1/till/checkpoint"): [
        "drained_through",
        "offline_time_out_of_bounds",
        "min(drained_through, arrival)",
        "snapshot",
        "last confirmed upload",
    ],
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
        "offline_time_out_of_bounds",
        "recorded_at",
        "max_offline_age_hours",
        "drain checkpoint",
        "Europe/Rome",
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
    ("get", "/v1/redemptions"): ["scope=shop", "next_cursor", "invalid_cursor", "sequence"],
    ("get", "/v1/shop/payouts"): ["scheduled", "paid", "adjustment", "bank_reference", "cursor"],
    ("get", "/v1/health"): ["Server-Time", "max_offline_age_hours", "void_window_minutes"],
    ("post", "/v1/redemptions/{redemption_id}/void"): [
        "exactly once",
        "void_window_expired",
        "not_voidable",
        "unknown_redemption",
        "offline_time_out_of_bounds",
        "drain checkpoint",
        "receives",
    ],
    ("get", "/v1/shop/vouchers"): ["invalid_cursor", "next_cursor", "has_more"],
    ("get", "/v1/revocations"): ["cursor"],
    ("get", "/v1/keys"): ["kid", "not_after", "base64url"],
    ("get", "/v1/shop/summary"): ["Europe/Rome", "voided", "totals", "by_operator"],
}


def test_contract_declares_the_rules_a_tester_needs():
    doc = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    (key,) = [p for p in paths["/v1/redemptions"]["post"]["parameters"] if p["in"] == "header"]
    assert (key["name"], key["required"], key["schema"]["type"]) == (
        "Idempotency-Key",
        True,
        "string",
    )
    request = schemas["RedeemRequest"]["properties"]
    assert request["amount_cents"]["minimum"] == 1
    assert request["currency"]["pattern"] == "^[A-Z]{3}$"
    assert "offline_time_out_of_bounds" in request["occurred_at"]["description"]
    assert schemas["ErrorDetail"]["properties"]["code"]["enum"] == sorted(MESSAGES)
    for path, operations in paths.items():
        for method, op in operations.items():
            responses = op["responses"]
            assert "500" in responses, (method, path)
            if "requestBody" in op:
                assert "413" in responses, (method, path)
            for status in ("429", "503"):
                if status in responses:
                    assert "Retry-After" in responses[status]["headers"], (method, path, status)
    assert "429" in paths["/v1/pairing"]["post"]["responses"]
    links = {
        (op["operationId"], status, link["operationId"])
        for operations in paths.values()
        for op in operations.values()
        for status, response in op["responses"].items()
        for link in response.get("links", {}).values()
    }
    for chain in (
        ("pair", "201", "redeem"),
        ("redeem", "201", "get_redemption"),
        ("get_redemption", "200", "void"),
        ("redeem", "201", "void"),
    ):
        assert chain in links, chain


def test_every_error_code_the_sandbox_raises_is_enumerated():
    """A code raised anywhere in the sandbox but missing from the contract's enum would be a
    schema break the tester may not happen to hit."""
    source = "\n".join(p.read_text() for p in Path(sandbox_package.__file__).parent.glob("*.py"))
    raised = set(re.findall(r'ApiFailure\(\s*\d+,\s*"([a-z_]+)"', source))
    raised |= set(re.findall(r'_rejected\([a-z_]+, "([a-z_]+)"', source))
    raised |= set(re.findall(r'return "([a-z_]+)"', inspect.getsource(redeem._refusal)))
    raised |= {"offline_time_out_of_bounds", "not_found", "method_not_allowed"}
    assert len(raised) > 20
    assert raised <= set(MESSAGES), raised - set(MESSAGES)


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


def _schemathesis(server: SandboxServer, till, cwd: Path, *extra: str):
    """Run `st run` in `cwd` (it leaves a .schemathesis cache folder there), with the hooks that
    put live pairing codes and vouchers into some generated bodies (tests/support/st_hooks.py)."""
    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.support.st_hooks",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
        "POSAPP_ST_SANDBOX": server.url,
        "POSAPP_ST_SHOP": str(till.shop_id),
        "POSAPP_ST_TILL": str(till.till_id),
    }
    command = [
        _st(),
        "run",
        server.url + "/openapi.json",
        "--url",
        server.url,
        "--header",
        f"Authorization: Bearer {till.token}",
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
        command, capture_output=True, text=True, timeout=240, check=False, cwd=cwd, env=env
    )


def test_schemathesis_finds_no_server_errors_or_schema_breaks(tmp_path):
    """Every phase, stateful included: the links chain pairing -> redeem -> get -> void with the
    ids the platform returned, under a paired till's token. (The fuzzer's thousand random pairing
    codes would otherwise have its address throttled, and the chain never start.)"""
    with SandboxServer(tmp_path / "s", fresh=True, pairing_failures_per_minute=10**6) as server:
        shop = server.store.shops()[0]["shop_id"]
        till = pair(server, shop)
        main = _schemathesis(
            server,
            till,
            tmp_path,
            "--max-examples",
            "12",
            *[arg for path in TOKEN_ENDERS for arg in ("--exclude-path", path)],
        )
        assert main.returncode == 0, main.stdout[-6000:] + main.stderr[-2000:]
        assert "Tested: 15" in main.stdout, main.stdout[-3000:]
        assert "✅ Stateful" in main.stdout, main.stdout[-3000:]
        covered = re.search(r"API Links:\s+(\d+) covered", main.stdout)
        assert covered and int(covered.group(1)) >= 6, main.stdout[-3000:]
        stored = server.store.list_redemptions(shop_id=shop)
        # the chain really ran: tills paired, voids of redemptions it made (a void needs the id
        # of a real redemption, which only a link brings)
        assert any(r["status"] == "voided" for r in stored)
        assert server.store.db.connection().execute("SELECT COUNT(*) FROM tills").fetchone()[0] > 2
        enders = _schemathesis(
            server,
            pair(server, shop),
            tmp_path,
            "--max-examples",
            "5",
            "--phases",
            "examples,coverage,fuzzing",
            *[arg for path in TOKEN_ENDERS for arg in ("--include-path", path)],
        )
        assert enders.returncode == 0, enders.stdout[-6000:] + enders.stderr[-2000:]
        assert "Tested: 2" in enders.stdout, enders.stdout[-3000:]
