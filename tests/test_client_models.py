"""The API models refuse off-contract answers with BadResponseError; the client's own guards."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from posapp.core.api.client import ApiClient, parse_retry_after
from posapp.core.api.errors import (
    ApiError,
    BadResponseError,
    ConflictError,
    OfflineError,
    RefusedError,
    ServerError,
    UnauthorizedError,
)
from posapp.core.api.models import (
    BatchItemResult,
    DailySummary,
    Page,
    PairingResult,
    RedeemRequest,
    Redemption,
    VoucherInfo,
)

VOUCHER = {
    "code": "0000-0000-01X",
    "voucher_id": 1,
    "shop_id": 7,
    "status": "valid",
    "face_value_cents": 2000,
    "balance_cents": 2000,
    "currency": "EUR",
    "expires_at": "2027-01-01T00:00:00.000Z",
    "partial_allowed": True,
}
REDEMPTION = {
    "redemption_id": "6f1c1c1e-0000-4000-8000-000000000001",
    "voucher_code": "0000-0000-01X",
    "voucher_id": 1,
    "amount_cents": 500,
    "currency": "EUR",
    "till_id": 1,
    "occurred_at": "2026-11-26T09:00:00.000Z",
    "recorded_at": "2026-11-26T09:00:01.500+00:00",
    "offline": False,
    "status": "accepted",
    "balance_after_cents": 1500,
    "reason_code": None,
    "reason_message": None,
    "voided_at": None,
    "void_reason": None,
}


def test_voucher_parses_to_aware_utc() -> None:
    v = VoucherInfo.from_json(VOUCHER)
    assert v.expires_at == datetime(2027, 1, 1, tzinfo=UTC)
    assert v.balance_cents == 2000 and v.partial_allowed is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("voucher_id", "1"),
        ("balance_cents", 12.5),
        ("balance_cents", True),
        ("partial_allowed", "yes"),
        ("status", "weird"),
        ("expires_at", "2027-01-01T00:00:00"),  # naive: refused
        ("expires_at", "not a date"),
        ("expires_at", "9999-12-31T23:59:59-23:59"),  # a valid ISO text that overflows in UTC
        ("expires_at", "0001-01-01T00:00:00+01:00"),
        ("currency", None),
    ],
)
def test_mistyped_voucher_field_is_bad_response(field: str, value: object) -> None:
    with pytest.raises(BadResponseError) as info:
        VoucherInfo.from_json({**VOUCHER, field: value})
    assert field in info.value.message


@pytest.mark.parametrize("field", sorted(REDEMPTION))
def test_missing_redemption_field_never_keyerror(field: str) -> None:
    """Every field is required by the contract (some may be null), so a missing one is refused."""
    raw = {k: v for k, v in REDEMPTION.items() if k != field}
    with pytest.raises(BadResponseError) as info:
        Redemption.from_json(raw)
    assert info.value.message == f"redemption.{field}: missing"


@pytest.mark.parametrize("raw", [None, [], "text", 3, {"items": "x", "has_more": False}])
def test_non_objects_are_bad_response(raw: object) -> None:
    for parse in (VoucherInfo.from_json, Redemption.from_json, DailySummary.from_json):
        with pytest.raises(BadResponseError):
            parse(raw)
    with pytest.raises(BadResponseError):
        Page.from_json(raw, VoucherInfo.from_json)


def test_page_cursor_is_opaque_string() -> None:
    page = Page.from_json(
        {"items": [VOUCHER], "next_cursor": 42, "has_more": True}, VoucherInfo.from_json
    )
    assert page.next_cursor == "42" and len(page.items) == 1
    with pytest.raises(BadResponseError):
        Page.from_json(
            {"items": [{**VOUCHER, "code": 5}], "has_more": False}, VoucherInfo.from_json
        )


def test_batch_result_shapes() -> None:
    ok = BatchItemResult.from_json(
        {"redemption_id": "a", "outcome": "accepted", "redemption": REDEMPTION}
    )
    assert ok.redemption is not None and ok.error_code is None
    rejected = BatchItemResult.from_json(
        {"redemption_id": "a", "outcome": "rejected", "error": {"code": "bad", "message": "m"}}
    )
    assert rejected.error_code == "bad" and rejected.redemption is None
    with pytest.raises(BadResponseError):
        BatchItemResult.from_json({"redemption_id": "a", "outcome": "conflict"})


def test_redeem_request_round_trip_and_fresh_ids() -> None:
    when = datetime(2026, 11, 26, 10, 30, 5, 123000, tzinfo=UTC)
    a = RedeemRequest.new("0000-0000-01X", 500, 1, when, offline=True)
    b = RedeemRequest.new("0000-0000-01X", 500, 1, when, offline=True)
    assert a.redemption_id != b.redemption_id and a.currency == "EUR"
    wire = a.to_json()
    assert wire["occurred_at"] == "2026-11-26T10:30:05.123Z"
    assert RedeemRequest.from_json(wire) == a
    with pytest.raises(ValueError):
        RedeemRequest.new("x", 1, 1, datetime(2026, 1, 1), offline=False)


ZONES = [UTC, timezone(timedelta(hours=1)), timezone(-timedelta(hours=5))]


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2000, 1, 2),
        max_value=datetime(2099, 12, 30),
        timezones=st.sampled_from(ZONES),
    ),
    st.booleans(),
)
def test_a_retry_sends_the_same_bytes(when: datetime, offline: bool) -> None:
    """The outbox keeps `to_json()`; a retry rebuilt from it must send exactly the first body."""
    first = RedeemRequest.new("0000-0000-01X", 500, 1, when, offline=offline)
    body = json.dumps(first.to_json(), sort_keys=True)
    again = RedeemRequest.from_json(json.loads(body))
    assert json.dumps(again.to_json(), sort_keys=True) == body
    assert again.to_json()["occurred_at"].endswith("Z")


def test_pairing_result_hides_token_in_repr() -> None:
    raw = {
        "token": "sekret-token-value",
        "till_id": 1,
        "till_name": "Cassa 1",
        "shop_id": 7,
        "shop_name": "Bar",
        "platform_id": "galatina",
        "platform_name": "Galatina",
    }
    result = PairingResult.from_json(raw)
    assert result.token == "sekret-token-value"
    assert "sekret" not in repr(result)


def test_summary_date() -> None:
    raw = {
        "date": "2026-11-26",
        "shop_id": 7,
        "currency": "EUR",
        "count": 1,
        "total_cents": 500,
        "by_till": [{"till_id": 1, "till_name": "Cassa 1", "count": 1, "total_cents": 500}],
        "by_hour": [{"hour": 10, "count": 1, "total_cents": 500}],
    }
    s = DailySummary.from_json(raw)
    assert s.date == date(2026, 11, 26) and s.by_hour[0].hour == 10


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Thu, 26 Nov 2026 09:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 26 Nov 2026 08:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after(None) is None
    assert (
        parse_retry_after((now + timedelta(seconds=5)).strftime("%a, %d %b %Y %H:%M:%S GMT"), now)
        == 5.0
    )


def test_error_classes_transient_and_text() -> None:
    assert OfflineError("x").transient and ServerError("x").transient
    for cls in (UnauthorizedError, RefusedError, ConflictError, BadResponseError):
        assert not cls("x").transient and issubclass(cls, ApiError)
    # a request still in flight will finish: retry it; an id reused with another body never will
    assert ConflictError("request_in_flight", "busy", 409).transient
    assert not ConflictError("idempotency_key_reused", "other body", 422).transient
    e = ServerError("overloaded", "try later", 503, retry_after=2.0)
    assert str(e) == "overloaded (HTTP 503): try later" and e.retry_after == 2.0


def test_tls_verification_cannot_be_disabled() -> None:
    session = requests.Session()
    session.verify = False
    with pytest.raises(ValueError):
        ApiClient("https://example.invalid", session=session)
    client = ApiClient("https://example.invalid")
    assert client.session.verify is True
    with pytest.raises(ValueError):
        ApiClient("ftp://example.invalid")
    with pytest.raises(ValueError):
        ApiClient("https://example.invalid", timeout=(0, 1))


def test_malformed_token_refused_without_echo() -> None:
    with pytest.raises(ValueError) as info:
        ApiClient("https://example.invalid", token="abc\r\nX-Evil: 1")
    assert "Evil" not in str(info.value)
    client = ApiClient("https://example.invalid", token="good.token-1")
    assert "good.token" not in repr(client)


def test_unpaired_client_says_unauthorized_without_network() -> None:
    calls: list[tuple[bool, float]] = []
    client = ApiClient("http://127.0.0.1:9")
    client.observer = lambda ok, elapsed: calls.append((ok, elapsed))
    with pytest.raises(UnauthorizedError) as info:
        client.whoami()
    assert info.value.code == "not_paired"
    assert calls == []  # nothing went on the wire, so the connectivity monitor saw nothing
