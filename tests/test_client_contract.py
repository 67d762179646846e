"""The client against the contract document: every field a client model reads exists in the
document's schema with a compatible type, and is read as nullable wherever the document allows
null. Reads are recorded while the models parse real answers of the sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from posapp.core.api import fields
from posapp.core.api.client import ApiClient
from posapp.core.api.models import RedeemRequest
from posapp.core.clock import ManualClock
from posapp.sandbox.app import CONTRACT_PATH
from posapp.sandbox.server import SandboxServer

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# the `what` of each FieldReader -> the document's schema of that object
SCHEMA_OF = {
    "voucher": "Voucher",
    "redemption": "Redemption",
    "batch_result": "BatchItemResult",
    "batch_result.error": "ErrorDetail",
    "revocation": "Revocation",
    "health": "Health",
    "till": "TillInfo",
    "pairing": "PairingResult",
    "till_total": "TillTotal",
    "hour_total": "HourTotal",
    "operator_total": "OperatorTotal",
    "currency_total": "CurrencyTotal",
    "summary": "DailySummary",
    "page": "RedemptionPage",
    "payout": "Payout",
    "payout_line": "PayoutLine",
    "checkpoint": "CheckpointResult",
}
JSON_TYPES = {
    "str": {"string"},
    "optional_str": {"string"},
    "int": {"integer"},
    "optional_int": {"integer"},
    "number": {"number", "integer"},
    "bool": {"boolean"},
    "time": {"string"},
    "day": {"string"},
    "choice": {"string"},
    "list": {"array"},
    "cursor": {"string", "integer"},
}


@pytest.fixture
def reads(monkeypatch):
    seen: set[tuple[str, str, str, bool]] = set()
    for method in JSON_TYPES:
        original = getattr(fields.FieldReader, method)

        def recorder(self, name, *args, _m=method, _o=original, **kwargs):
            nullable = bool(kwargs.get("nullable") or kwargs.get("optional"))
            seen.add((self.what, name, _m, nullable or _m.startswith("optional")))
            return _o(self, name, *args, **kwargs)

        monkeypatch.setattr(fields.FieldReader, method, recorder)
    return seen


def _types(prop: dict, schemas: dict) -> tuple[set[str], bool]:
    """(JSON types, allows null) of a property schema, through anyOf and $ref."""
    if "$ref" in prop:
        prop = schemas[prop["$ref"].rsplit("/", 1)[1]]
        return ({prop.get("type", "object")}, False)
    if "anyOf" in prop:
        types: set[str] = set()
        nullable = False
        for option in prop["anyOf"]:
            t, n = _types(option, schemas)
            nullable = nullable or n or "null" in t
            types |= t - {"null"}
        return types, nullable
    kind = prop.get("type", "object")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return kinds - {"null"}, "null" in kinds


def test_every_field_the_client_reads_is_in_the_document(tmp_path, reads):
    clock = ManualClock(START)
    with SandboxServer(tmp_path / "s", fresh=True, clock=clock, seed_demo=False) as server:
        shop = server.store.create_shop("Bar Centrale", "Galatina")
        other = server.store.create_shop("Libreria", "Martano")
        api = ApiClient(server.url)
        api.health()
        till = api.pair(server.store.new_pairing_code(shop), "Cassa 1").till
        api.whoami()
        api.checkpoint(clock.now())
        voucher = server.store.create_voucher(shop, 5000, partial_allowed=True)
        server.store.revoke_voucher(server.store.create_voucher(shop, 100)["voucher_id"])
        api.lookup(voucher["code"])
        api.lookup(server.store.create_voucher(other, 700)["code"])
        sale = api.redeem(
            RedeemRequest.new(
                voucher["code"], 1000, till.till_id, clock.now(), False, operator="Anna"
            )
        )
        api.get_redemption(sale.redemption_id)
        api.void(sale.redemption_id, "errore", clock.now())
        bad = RedeemRequest.new("AAAA-AAAA-AAA", 10, till.till_id, clock.now(), True)
        ok = RedeemRequest.new(voucher["code"], 10, till.till_id, clock.now(), True)
        broken = RedeemRequest.new(voucher["code"], 10, 999, clock.now(), True)
        api.redeem_batch([bad, ok, broken])
        api.vouchers()
        api.revocations()
        api.redemptions(scope="shop")
        api.summary(START.date())
        (first,) = server.store.payouts.close_period(shop)
        server.store.payouts.mark_paid(first, "CRO 1")
        server.store.payouts.close_period(shop)
        api.payouts()
        clock.advance(timedelta(minutes=1))
        api.close()
    document = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    assert len(reads) > 60
    nullable_reads = {(what, name) for what, name, _, n in reads if n}  # optional_* call str()
    checked = 0
    for what, name, method, _ in sorted(reads):
        client_nullable = (what, name) in nullable_reads
        schema = schemas[SCHEMA_OF[what]]
        assert name in schema["properties"], f"{what}.{name} is not in {SCHEMA_OF[what]}"
        types, doc_nullable = _types(schema["properties"][name], schemas)
        assert types & JSON_TYPES[method], (what, name, method, types)
        if doc_nullable:
            assert client_nullable, f"{what}.{name} may be null in the document"
        checked += 1
    assert checked == len(reads)
