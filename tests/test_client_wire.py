"""The client's wire format and status mapping, against a loopback server with canned answers.

The sandbox only answers what the contract allows; these cases are what a broken proxy, a captive
portal or a future server might answer instead.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from posapp import __version__
from posapp.core.api.client import ApiClient
from posapp.core.api.errors import (
    BadResponseError,
    ConflictError,
    InvalidApiUrl,
    RefusedError,
    ServerError,
    UnauthorizedError,
)
from posapp.core.api.models import RedeemRequest
from posapp.core.messages import CATALOG

TOKEN = "tok_wire_0123456789abcdef"


class Canned:
    """What the server answers next, and what it saw."""

    def __init__(self) -> None:
        self.status = 200
        self.headers: dict[str, str] = {}
        self.body: bytes = b"{}"
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []

    def answer(self, status: int, body: object = None, **headers: str) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}


@pytest.fixture
def canned():
    state = Canned()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.seen.append((self.command, self.path, dict(self.headers), body))
            self.send_response(state.status)
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        do_GET = do_POST = _serve

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)


def _client(canned) -> ApiClient:
    return ApiClient(canned.url, TOKEN, timeout=(1.0, 2.0))


def _error(code: str) -> dict:
    return {"error": {"code": code, "message": f"text of {code}"}}


def test_redeem_sends_idempotency_key_bearer_and_user_agent(canned) -> None:
    canned.answer(422, _error("voucher_used"))
    when = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    request = RedeemRequest.new("ABCD-EFGH-JK0", 500, 4, when, offline=True)
    with pytest.raises(RefusedError) as info:
        _client(canned).redeem(request)
    assert (info.value.code, info.value.message) == ("voucher_used", "text of voucher_used")
    method, path, headers, body = canned.seen[-1]
    assert (method, path) == ("POST", "/v1/redemptions")
    assert headers["Idempotency-Key"] == request.redemption_id
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["User-Agent"] == f"posapp/{__version__}"
    assert json.loads(body) == request.to_json()


def test_lookup_quotes_the_code_and_health_sends_no_token(canned) -> None:
    canned.answer(404, _error("unknown_voucher"))
    with pytest.raises(RefusedError):
        _client(canned).lookup("PV:AB/C D")
    assert canned.seen[-1][1] == "/v1/vouchers/PV%3AAB%2FC%20D"
    canned.answer(200, {"status": "ok"})
    with pytest.raises(BadResponseError):
        _client(canned).health()  # missing fields
    assert "Authorization" not in canned.seen[-1][2]


@pytest.mark.parametrize(
    ("status", "body", "expected", "code"),
    [
        (401, _error("unauthorized"), UnauthorizedError, "unauthorized"),
        (401, b"", UnauthorizedError, "unauthorized"),
        (409, _error("request_in_flight"), ConflictError, "request_in_flight"),
        (422, _error("idempotency_key_reused"), ConflictError, "idempotency_key_reused"),
        (400, _error("idempotency_key_missing"), RefusedError, "idempotency_key_missing"),
        (404, b"<html>Not Found</html>", BadResponseError, "bad_response"),
        (302, b"", BadResponseError, "bad_response"),
        (500, b"<html>oops</html>", ServerError, "server_error"),
        (502, _error("bad_gateway"), ServerError, "bad_gateway"),
        (200, b"\xff\xfe not json", BadResponseError, "bad_response"),
        (200, [], BadResponseError, "bad_response"),
    ],
)
def test_status_mapping(canned, status, body, expected, code) -> None:
    canned.answer(status, body)
    with pytest.raises(expected) as info:
        _client(canned).whoami()
    assert type(info.value) is expected and info.value.code == code
    # a wrong shape is found after the transport, by the model, which knows no status
    assert info.value.status == (None if body == [] else status)


def test_429_with_http_date_retry_after(canned) -> None:
    later = datetime.now(UTC) + timedelta(seconds=120)
    canned.answer(429, _error("rate_limited"), Retry_After=format_datetime(later, usegmt=True))
    with pytest.raises(ServerError) as info:
        _client(canned).keys()
    assert info.value.retry_after is not None and 100 < info.value.retry_after <= 120


def test_server_text_echoing_the_token_is_scrubbed(canned) -> None:
    canned.answer(422, {"error": {"code": "invalid_request", "message": f"bad token {TOKEN}"}})
    with pytest.raises(RefusedError) as info:
        _client(canned).whoami()
    assert TOKEN not in str(info.value) and "***" in info.value.message


def test_unusable_tokens_from_the_server_are_bad_responses(canned) -> None:
    till = {
        "till_id": 1,
        "till_name": "Cassa 1",
        "shop_id": 2,
        "shop_name": "Bar",
        "platform_id": "p",
        "platform_name": "P",
    }
    canned.answer(201, {**till, "token": "evil\r\nX-Injected: 1"})
    client = ApiClient(canned.url)
    with pytest.raises(BadResponseError) as info:
        client.pair("ABCD-EFGH", "Cassa 1")
    assert "Injected" not in str(info.value) and client.token is None
    canned.answer(200, {"token": 42})
    client = _client(canned)
    with pytest.raises(BadResponseError):
        client.roll_token()
    assert client.token == TOKEN  # the old token is kept when the new one is unusable


def test_batch_results_must_match_the_items(canned) -> None:
    when = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    items = [RedeemRequest.new("ABCD-EFGH-JK0", 100, 1, when, offline=True) for _ in range(2)]
    only_one = {"redemption_id": items[0].redemption_id, "outcome": "rejected", "error": None}
    canned.answer(200, {"results": [only_one]})
    with pytest.raises(BadResponseError):
        _client(canned).redeem_batch(items)


def test_batch_results_match_items_by_uuid_not_by_spelling(canned) -> None:
    """A platform may echo a canonical (lower-case) id for an item sent in upper case."""
    when = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    item = RedeemRequest.new("ABCD-EFGH-JK0", 100, 1, when, offline=True)
    item = RedeemRequest(**{**item.__dict__, "redemption_id": item.redemption_id.upper()})
    error = {"code": "request_in_flight", "message": "busy"}
    result = {"redemption_id": item.redemption_id.lower(), "outcome": "rejected", "error": error}
    canned.answer(200, {"results": [result]})
    (only,) = _client(canned).redeem_batch([item])
    assert (only.outcome, only.error_code) == ("rejected", "request_in_flight")
    other = {**result, "redemption_id": "00000000-0000-4000-8000-000000000000"}
    canned.answer(200, {"results": [other]})
    with pytest.raises(BadResponseError):
        _client(canned).redeem_batch([item])


def test_paging_without_progress_is_refused(canned) -> None:
    canned.answer(200, {"items": [], "next_cursor": None, "has_more": True})
    with pytest.raises(BadResponseError):
        list(_client(canned).iter_vouchers())


def test_a_netrc_entry_never_replaces_or_adds_credentials(canned, tmp_path, monkeypatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login shop password netrc-secret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    canned.answer(401, _error("unauthorized"))
    with pytest.raises(UnauthorizedError):
        _client(canned).whoami()
    assert canned.seen[-1][2]["Authorization"] == f"Bearer {TOKEN}"
    with pytest.raises(UnauthorizedError):
        ApiClient(canned.url).health()
    assert "Authorization" not in canned.seen[-1][2]


def test_a_sandbox_on_this_computer_is_never_reached_through_a_proxy(canned, monkeypatch) -> None:
    # a proxy that answers nothing useful: had the client used it, health() would fail
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    canned.answer(200, {"status": "ok"})
    with pytest.raises(BadResponseError):  # the canned body is not a Health: it reached canned
        _client(canned).health()
    assert canned.seen and canned.seen[-1][1] == "/v1/health"


def test_plain_http_only_on_loopback():
    """The till token never crosses a network in clear: http is for a sandbox on this computer."""
    for url in ("http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:8080", "https://a.b"):
        ApiClient(url).close()
    bad = (
        "http://buoni.comune.example.it",
        "http://192.168.1.20:8765",
        "ftp://x.y",
        "https://[::1",
        "https://a.b:99999",
        "no url at all",
        None,
        "https://till:secret@buoni.example.it",
        "https://buoni.example.it/api?x=1",
        "https://buoni.example.it/api#v1",
    )
    for url in bad:
        with pytest.raises(InvalidApiUrl) as info:
            ApiClient(url)  # type: ignore[arg-type]
        assert info.value.message_key in CATALOG  # words for the pairing screen
