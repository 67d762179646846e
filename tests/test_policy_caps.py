"""Each offline cap at its exact boundary (at the cap: accepted; one past it: refused), and the
shop PC's clock jumping back or forward, with a controllable clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from posapp.core.policy import AcceptedOffline, Refused
from tests.test_sync_support import offline_rig


@pytest.fixture
def rig(tmp_path):
    with offline_rig(tmp_path, "Libreria", "Calimera") as rig:
        yield rig


def _offline_after_sync(rig):
    assert rig.sync.run().ok
    rig.offline()


def test_hours_since_sync_exactly_at_the_cap_is_accepted_a_millisecond_later_not(rig):
    a, b = rig.voucher(500), rig.voucher(500)
    _offline_after_sync(rig)
    rig.clock.advance(timedelta(hours=24))
    assert isinstance(rig.policy.submit(a["code"], confirmed=True), AcceptedOffline)
    rig.clock.advance(timedelta(milliseconds=1))
    assert rig.policy.submit(b["code"], confirmed=True).reason == "offline.stale_sync"


def test_value_per_redemption_exactly_at_the_cap(rig):
    at_cap, over = rig.voucher(5_000), rig.voucher(5_001)
    _offline_after_sync(rig)
    assert isinstance(rig.policy.submit(at_cap["code"], confirmed=True), AcceptedOffline)
    assert rig.policy.submit(over["code"], confirmed=True).reason == "offline.over_value_cap"


def test_pending_value_exactly_at_the_cap(rig):
    first, second = rig.voucher(2_500), rig.voucher(3_500, partial_allowed=True)
    last = rig.voucher(100, partial_allowed=True)
    _offline_after_sync(rig)
    assert isinstance(rig.policy.submit(first["code"], confirmed=True), AcceptedOffline)
    assert isinstance(rig.policy.submit(second["code"], confirmed=True), AcceptedOffline)  # 6,000
    refused = rig.policy.submit(last["code"], 1, confirmed=True)
    assert refused.reason == "offline.over_pending_value"


def test_pending_count_exactly_at_the_cap(rig):
    vs = [rig.voucher(100) for _ in range(4)]
    _offline_after_sync(rig)
    for v in vs[:3]:  # the third makes 3 pending = the cap: accepted
        assert isinstance(rig.policy.submit(v["code"], confirmed=True), AcceptedOffline)
    assert rig.policy.submit(vs[3]["code"], confirmed=True).reason == "offline.over_pending_count"


def test_clock_going_back_makes_the_last_sync_count_as_too_old(rig):
    vs = [rig.voucher(500) for _ in range(3)]
    _offline_after_sync(rig)
    rig.clock.advance(timedelta(minutes=-4))  # drift within five minutes: still fine
    assert isinstance(rig.policy.submit(vs[0]["code"], confirmed=True), AcceptedOffline)
    rig.clock.advance(timedelta(hours=-3))  # the last sync now lies 3 hours in the "future"
    refused = rig.policy.submit(vs[1]["code"], confirmed=True)
    assert isinstance(refused, Refused) and refused.reason == "offline.clock_went_back"
    assert "orologio" in refused.text("it") and "clock" in refused.text("en")
    rig.till.monitor.synced()
    assert rig.sync.run().ok  # a good sync at the new time makes it right again
    rig.offline()
    assert isinstance(rig.policy.submit(vs[1]["code"], confirmed=True), AcceptedOffline)


def test_clock_jumping_forward_past_the_cap_refuses(rig):
    v = rig.voucher(500)
    _offline_after_sync(rig)
    rig.clock.advance(timedelta(days=3))
    assert rig.policy.submit(v["code"], confirmed=True).reason == "offline.stale_sync"
    assert rig.till.monitor.state.oldest_pending_age_s(rig.clock.now()) is None
