"""A hostile or broken platform (issue 8 item 7): deeply nested JSON is a BadResponseError, never a
RecursionError; no field of any error (code, message, args, repr, the cause and context chain)
carries the till token, whatever the server echoes back."""

from __future__ import annotations

import json
import socket
import threading
import traceback

import pytest

from posapp.core.api.client import ApiClient
from posapp.core.api.errors import ApiError, BadResponseError
from tests.test_client_wire import TOKEN, canned  # noqa: F401

DEEP = 100_000


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [item.__cause__, item.__context__]
    return seen


def assert_clean(error: BaseException, token: str = TOKEN) -> None:
    for item in _chain(error):
        texts = [str(item), repr(item), *map(repr, item.args), repr(vars(item))]
        for name in ("code", "message", "context", "doc", "msg"):
            texts.append(repr(getattr(item, name, None)))
        for text in texts:
            assert token not in text, (type(item).__name__, text[:200])
    assert token not in "".join(traceback.format_exception(error))


def _client(canned) -> ApiClient:  # noqa: F811
    return ApiClient(canned.url, TOKEN, timeout=(1.0, 2.0))


@pytest.mark.parametrize("status", [200, 201, 401, 404, 422, 409, 429, 503])
@pytest.mark.parametrize("opener", [b"[", b'{"error": '])
def test_deeply_nested_json_is_a_bad_response_or_typed_error(canned, status, opener) -> None:  # noqa: F811
    canned.answer(status, opener * DEEP)
    with pytest.raises(ApiError) as info:
        _client(canned).whoami()
    if status < 300:
        assert isinstance(info.value, BadResponseError)
    assert_clean(info.value)


ECHOES = [
    (401, {"error": {"code": TOKEN, "message": f"bad token {TOKEN}"}}),
    (422, {"error": {"code": f"x{TOKEN}", "message": TOKEN}}),
    (409, {"error": {"code": "request_in_flight", "message": f"[{TOKEN}]"}}),
    (503, {"error": {"code": TOKEN, "message": TOKEN}}),
    (429, {"error": {"code": "slow", "message": TOKEN}}),
    (400, {"error": TOKEN}),
    (200, {"till_id": TOKEN}),
    (
        200,
        {
            "till_id": 1,
            "till_name": "x",
            "shop_id": 1,
            "shop_name": "s",
            "platform_id": "p",
            "platform_name": 7,
        },
    ),
    (200, TOKEN),
]


@pytest.mark.parametrize(("status", "body"), ECHOES)
def test_a_server_echoing_the_token_never_gets_it_into_an_error(canned, status, body) -> None:  # noqa: F811
    canned.answer(status, body)
    with pytest.raises(ApiError) as info:
        _client(canned).whoami()
    assert_clean(info.value)


def test_an_echoed_token_in_a_non_json_body_or_timestamp_is_not_kept(canned) -> None:  # noqa: F811
    canned.answer(200, f"<html>{TOKEN}</html>".encode())
    with pytest.raises(BadResponseError) as info:
        _client(canned).whoami()
    assert_clean(info.value)
    canned.answer(
        200, {"status": "ok", "server_time": TOKEN, "platform_id": "p", "api_version": "1"}
    )
    with pytest.raises(BadResponseError) as info:
        _client(canned).health()
    assert_clean(info.value)
    key = {"kid": TOKEN, "algorithm": "Ed25519", "public_key": TOKEN, "not_before": TOKEN}
    canned.answer(200, {"keys": [key]})
    with pytest.raises(BadResponseError) as info:
        _client(canned).keys()
    assert_clean(info.value)


def test_a_connection_dropped_mid_answer_leaves_no_token_in_the_chain() -> None:
    """A server that reads the request (Authorization header included) and resets."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"a": ')
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with pytest.raises(ApiError) as info:
        ApiClient(f"http://127.0.0.1:{port}", TOKEN, timeout=(1.0, 2.0)).whoami()
    thread.join(5)
    listener.close()
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert_clean(info.value)


def test_json_module_would_have_recursed() -> None:
    """The case is real: the standard decoder does blow its stack on this input."""
    with pytest.raises(RecursionError):
        json.loads(b"[" * DEEP)
