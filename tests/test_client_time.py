"""The client reports the platform's clock on every answer (`time_observer`), from `Server-Time`
or else `Date`, and a queued void says it was decided offline."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from posapp.core.api.client import ApiClient
from posapp.core.api.errors import RefusedError, UnauthorizedError
from posapp.core.api.models import RedeemRequest
from posapp.core.api.transport import parse_server_time
from posapp.core.clock import ManualClock
from posapp.sandbox.server import SandboxServer
from tests.test_client_wire import TOKEN, canned  # noqa: F401

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def sandbox(tmp_path, clock):
    with SandboxServer(tmp_path / "sb", fresh=True, clock=clock, seed_demo=False) as server:
        yield server


def test_time_observer_sees_the_platform_clock_on_success_and_error(sandbox, clock) -> None:
    shop = sandbox.store.create_shop("Bar Centrale", "Galatina")
    api = ApiClient(sandbox.url, timeout=(2.0, 5.0))
    seen: list[tuple[datetime, float]] = []
    api.time_observer = lambda when, rtt: seen.append((when, rtt))
    clock.set(datetime(2026, 11, 26, 21, 45, 1, 250000, tzinfo=UTC))
    api.health()
    api.pair(sandbox.store.new_pairing_code(shop), "Cassa 1")
    with pytest.raises(RefusedError):
        api.lookup("AAAA-AAAA-AAA")
    api.token = "revoked-or-unknown"
    with pytest.raises(UnauthorizedError):
        api.whoami()
    assert [when for when, _ in seen] == [clock.now()] * 4
    assert all(0 <= rtt < 5 for _, rtt in seen)
    api.close()


def test_a_failing_time_observer_never_breaks_a_call(sandbox, caplog) -> None:
    api = ApiClient(sandbox.url)

    def broken(when: datetime, rtt: float) -> None:
        raise RuntimeError("observer bug")

    api.time_observer = broken
    with caplog.at_level(logging.ERROR, logger="posapp.api"):
        assert api.health().status == "ok"
    assert "time observer failed" in caplog.text
    api.close()


def test_date_header_is_the_fallback(canned) -> None:  # noqa: F811
    canned.answer(200, {"status": "ok"})
    api = ApiClient(canned.url, TOKEN, timeout=(1.0, 2.0))
    seen: list[datetime] = []
    api.time_observer = lambda when, rtt: seen.append(when)
    api._call("GET", "/v1/anything")
    assert len(seen) == 1  # http.server stamps a Date header, second precision
    assert abs((seen[0] - datetime.now(UTC)).total_seconds()) < 5
    canned.answer(200, {"status": "ok"}, Server_Time="2031-01-02T03:04:05.678Z")
    api._call("GET", "/v1/anything")
    assert seen[-1] == datetime(2031, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    api.close()


@pytest.mark.parametrize(
    "value",
    [None, "", "yesterday", "2026-11-26T09:00:00", "9" * 200, "Mon, 99 Foo 2026 25:61:61 GMT"],
)
def test_unreadable_time_headers_are_ignored(value) -> None:
    assert parse_server_time(value) is None


def test_a_queued_void_is_sent_as_offline(sandbox, clock) -> None:
    shop = sandbox.store.create_shop("Bar Centrale", "Galatina")
    api = ApiClient(sandbox.url, timeout=(2.0, 5.0))
    till = api.pair(sandbox.store.new_pairing_code(shop), "Cassa 1").till
    voucher = sandbox.store.create_voucher(shop, 1000)
    sale = api.redeem(RedeemRequest.new(voucher["code"], 1000, till.till_id, clock.now(), False))
    decided = clock.now() + timedelta(minutes=3)
    clock.advance(timedelta(hours=1))
    voided = api.void(sale.redemption_id, "errore", decided, offline=True)
    assert (voided.status, voided.voided_at) == ("voided", decided)
    api.close()
