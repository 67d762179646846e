"""Trusted time against a lying PC clock: the issue 8 attacks refused, honest clocks accepted.

The platform (a real sandbox on loopback) and the monotonic clock follow `rig.truth`; the PC's
clock `rig.pc` is set by the "attacker"."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from posapp.core.clock import ManualClock, parse_utc
from posapp.core.policy import AcceptedOffline, AcceptedOnline, Refused, Voided
from posapp.core.store import ledger, outbox
from posapp.core.trusted_time import TrustedClock
from tests.support.trust import trust_rig


@pytest.fixture
def rig(tmp_path):
    with trust_rig(tmp_path) as rig:
        yield rig


def _synced_offline(rig):
    report = rig.service.sync_now()[rig.account.account_id]
    assert report.ok, report
    rig.offline()


def test_clock_set_back_ten_hours_does_not_reopen_the_24_hour_cap(rig):
    first, second = rig.voucher(1000), rig.voucher(1000)
    _synced_offline(rig)
    rig.advance(hours=23, minutes=59)
    honest = rig.service.submit(first["code"], confirmed=True)
    assert isinstance(honest, AcceptedOffline)  # within the cap: accepted
    rig.advance(minutes=2)
    rig.pc.advance(timedelta(hours=-10))  # the PC now says 14:01 after the sync
    refused = rig.service.submit(second["code"], confirmed=True)
    assert isinstance(refused, Refused) and refused.reason == "offline.stale_sync"
    assert rig.service.state.pending_count == 1


def test_clock_set_back_while_closed_refuses_offline_until_the_platform_answers(rig):
    v = rig.voucher(1000)
    _synced_offline(rig)
    rig.advance(hours=23, minutes=50)
    rig.close()  # the high-water mark is saved at close
    rig.advance(minutes=20)  # the cap is now past...
    rig.pc.advance(timedelta(hours=-10))  # ...but the PC says otherwise
    service = rig.open()
    rig.offline()
    refused = service.submit(v["code"], confirmed=True)
    assert refused.reason == "offline.clock_went_back"
    assert service.state.pending_count == 0
    assert service.sync_now()[rig.account.account_id].ok  # the platform answers: time known
    assert isinstance(service.submit(v["code"], confirmed=True), AcceptedOnline)


def test_honest_restart_offline_keeps_accepting_within_the_cap(rig):
    v = rig.voucher(1000)
    _synced_offline(rig)
    rig.close()
    rig.advance(hours=3)
    service = rig.open()
    rig.offline()
    assert isinstance(service.submit(v["code"], confirmed=True), AcceptedOffline)


def test_expired_voucher_is_refused_offline_whatever_the_pc_says(rig):
    expiring = rig.voucher(1000, expires_at=rig.truth.now() + timedelta(hours=2))
    later = rig.voucher(1000, expires_at=rig.truth.now() + timedelta(hours=5))
    _synced_offline(rig)
    rig.advance(hours=3)
    rig.pc.set(rig.pc.now() - timedelta(hours=3))  # back to before the expiry
    refused = rig.service.submit(expiring["code"], confirmed=True)
    assert refused.reason == "refused.voucher_expired"
    assert isinstance(rig.service.submit(later["code"], confirmed=True), AcceptedOffline)


def test_a_sale_at_2230_rome_stays_on_its_day_with_a_pc_two_hours_fast(tmp_path):
    evening = datetime(2026, 11, 26, 21, 30, tzinfo=UTC)  # 22:30 in Rome (UTC+1 in November)
    with trust_rig(tmp_path, start=evening, pc_ahead_s=2 * 3600) as rig:
        online_v, offline_v = rig.voucher(1000), rig.voucher(700)
        service = rig.service
        assert service.sync_now()[rig.account.account_id].ok
        state = service.state
        assert state.clock_warning == "pc_clock_ahead"
        assert state.clock_offset_s == pytest.approx(-7200, abs=5)
        assert state.clock_text("it") == (
            "L'orologio del PC è avanti di 120 min: correggi data e ora"
        )
        assert (
            state.clock_text("en") == "The PC's clock is 120 min ahead: correct the date and time"
        )
        online = service.submit(online_v["code"], confirmed=True)
        assert isinstance(online, AcceptedOnline)
        rig.offline()
        offline = service.submit(offline_v["code"], confirmed=True)
        assert isinstance(offline, AcceptedOffline)
        for redemption_id in (online.redemption_id, offline.redemption_id):
            row = service.store.call(ledger.get, redemption_id)
            assert abs(parse_utc(row.occurred_at) - evening) < timedelta(seconds=5)
        assert service.daily_totals(date(2026, 11, 26)).total_cents == 1700
        assert service.daily_totals(date(2026, 11, 27)).count == 0
        voided = service.void(offline.redemption_id, "wrong voucher")
        assert isinstance(voided, Voided) and voided.queued
        body = next(
            json.loads(i.body)
            for i in service.store.call(outbox.next_items, rig.account.account_id, 10)
            if i.op == "void"
        )
        assert abs(parse_utc(body["voided_at"]) - evening) < timedelta(seconds=5)
        assert service.sync_now()[rig.account.account_id].ok
        platform = rig.server.store.list_redemptions()
        assert {r["redemption_id"] for r in platform} == {
            online.redemption_id,
            offline.redemption_id,
        }
        assert all(r["occurred_at"].startswith("2026-11-26T21:3") for r in platform)


def test_honest_clock_shows_no_warning(rig):
    assert rig.service.sync_now()[rig.account.account_id].ok
    assert rig.service.state.clock_warning is None
    assert rig.service.state.clock_text("it") is None
    assert abs(rig.service.state.clock_offset_s) < 5


# -- the clock itself, without a platform ----------------------------------------------------


def _clocks(start=datetime(2026, 11, 26, 9, 0, tzinfo=UTC)):
    truth, pc = ManualClock(start), ManualClock(start)
    return truth, pc, (lambda: truth.now().timestamp())


def test_the_pc_clock_moving_changes_nothing_once_running():
    truth, pc, mono = _clocks()
    clock = TrustedClock(pc, mono)
    pc.advance(timedelta(hours=-10))
    truth.advance(60)
    assert clock.now() == truth.now()
    pc.advance(timedelta(hours=+30))
    assert clock.now() == truth.now()


def test_platform_time_is_the_authority_and_time_never_runs_back_on_jitter():
    truth, pc, mono = _clocks()
    pc.advance(timedelta(hours=2))  # fast PC
    saved = []
    clock = TrustedClock(pc, mono, save=lambda mark, off: saved.append((mark, off)))
    assert clock.now() == pc.now()  # no platform yet: the PC is all there is
    clock.observe(truth.now(), 0.0)
    assert clock.now() == truth.now() and clock.warning == "pc_clock_ahead"
    assert saved[-1] == (truth.now(), pytest.approx(-7200))
    before = clock.now()
    clock.observe(truth.now() - timedelta(seconds=1), 0.0)  # an answer from a second ago
    assert clock.now() >= before


def test_a_pc_clock_behind_the_saved_mark_is_uncertain_until_the_platform_answers():
    truth, pc, mono = _clocks()
    mark = truth.now() + timedelta(hours=1)
    clock = TrustedClock(pc, mono, high_water=mark)
    assert clock.uncertain and clock.now() >= mark  # never earlier than a time already used
    clock.observe(truth.now(), 0.2)
    assert not clock.uncertain
    small = TrustedClock(pc, mono, high_water=truth.now() + timedelta(seconds=60))
    assert not small.uncertain  # within the slack: drift, not an attack


def test_the_last_measured_offset_corrects_the_pc_after_a_restart():
    truth, pc, mono = _clocks()
    pc.advance(timedelta(hours=2))
    clock = TrustedClock(pc, mono, offset_s=-7200.0)
    assert clock.now() == truth.now()


def test_an_observer_failure_never_reaches_the_client():
    truth, pc, mono = _clocks()

    def broken():
        raise OSError("no clock")

    clock = TrustedClock(pc, mono)
    clock.monotonic = broken
    clock.observe(truth.now(), 0.1)  # logged, not raised
    clock.monotonic = mono
    assert not clock.anchored
