"""The service facade with two platform accounts (two sandboxes): routing, totals per platform and
together, combined state for the status bar, the background sync loop."""

from __future__ import annotations

import time

import pytest

from posapp.core.accounts import AccountDirectory
from posapp.core.clock import ManualClock
from posapp.core.credentials import TokenStore
from posapp.core.policy import AcceptedOffline, AcceptedOnline, NeedsConfirmation
from posapp.core.service import PosService
from tests.test_sync_support import PATIENT, start_sandbox


@pytest.fixture
def two(tmp_path):
    clock = ManualClock()
    a = start_sandbox(tmp_path / "a", clock, platform_id="calimera")
    b = start_sandbox(tmp_path / "b", clock, platform_id="galatina")
    shops = {s: s.store.create_shop(f"Bottega {s.store.platform_id}") for s in (a, b)}
    directory = AccountDirectory(tmp_path / "accounts.json")
    tokens = TokenStore()
    for server in (a, b):
        code = server.store.new_pairing_code(shops[server])
        directory.pair(server.url, code, "Cassa 1", tokens, timeout=PATIENT)
    service = PosService.open(
        list(directory.accounts()),
        tokens.get,
        db_path=tmp_path / "till.sqlite3",
        clock=clock,
        timeout=PATIENT,
    )
    yield service, a, b, shops, clock
    service.close()
    a.stop()
    b.stop()


def test_codes_route_to_their_platform_and_totals_add_up(two):
    service, a, b, shops, clock = two
    va = a.store.create_voucher(shops[a], 1000)
    vb = b.store.create_voucher(shops[b], 2500)
    sa = a.store.create_voucher(shops[a], 700)
    reports = service.sync_now()
    assert set(reports) == {"calimera", "galatina"} and all(r.ok for r in reports.values())
    first = service.submit(vb["code"])
    assert isinstance(first, NeedsConfirmation) and first.summary.account_id == "galatina"
    assert isinstance(service.submit(vb["code"], confirmed=True), AcceptedOnline)
    signed = service.submit(a.store.sign_voucher(sa["voucher_id"]), confirmed=True)
    assert isinstance(signed, AcceptedOnline) and signed.account_id == "calimera"
    for till in service.tills.values():
        till.monitor.force_offline()
    offline = service.submit(va["code"], confirmed=True)
    assert isinstance(offline, AcceptedOffline) and offline.account_id == "calimera"
    state = service.state
    assert not state.online and state.pending_count == 1 and state.pending_value_cents == 1000
    assert len(b.store.list_redemptions()) == 1 and len(a.store.list_redemptions()) == 1
    day = clock.now().date()
    assert service.daily_totals(day).total_cents == 4200
    assert service.daily_totals(day, "galatina").total_cents == 2500
    assert service.daily_totals(day, "calimera").count == 2
    seen = []
    service.subscribe(seen.append)
    service.sync_now()
    assert service.state.online and service.state.pending_count == 0
    assert seen and seen[-1].online and seen[-1].pending_count == 0
    assert {r["redemption_id"] for r in a.store.list_redemptions()} == {
        signed.redemption_id,
        offline.redemption_id,
    }


def test_background_loop_syncs_by_itself(two):
    service, a, _b, shops, _clock = two
    v = a.store.create_voucher(shops[a], 900)
    service.sync_now()
    service.tills["calimera"].monitor.force_offline()
    queued = service.submit(v["code"], confirmed=True)
    assert isinstance(queued, AcceptedOffline)
    service.sync_interval_s = 0.2
    service.start()
    deadline = time.monotonic() + 10
    while service.state.pending_count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.state.pending_count == 0
    assert [r["redemption_id"] for r in a.store.list_redemptions()] == [queued.redemption_id]
    assert service.state.online


def test_the_counter_gets_an_outcome_even_when_the_store_is_gone(two):
    service, a, _b, shops, _clock = two
    v = a.store.create_voucher(shops[a], 900)
    done = service.submit(v["code"], confirmed=True)
    assert isinstance(done, AcceptedOnline)
    service.store.close()  # e.g. the file's disk went away
    outcome = service.submit(v["code"], confirmed=True)
    assert outcome.reason == "store.db_closed"
    assert service.void(done.redemption_id, "mistake").reason == "store.db_closed"


def test_the_background_loop_survives_an_unexpected_error(two):
    service, a, _b, shops, _clock = two
    v = a.store.create_voucher(shops[a], 900)
    service.sync_now()
    till = service.tills["calimera"]
    till.monitor.force_offline()
    queued = service.submit(v["code"], confirmed=True)
    assert isinstance(queued, AcceptedOffline)
    real_health, calls = till.client.health, []

    def health_with_a_bug():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug in the probe")
        return real_health()

    till.client.health = health_with_a_bug
    service.sync_interval_s = 0.1
    service.start()
    deadline = time.monotonic() + 5
    while service.state.pending_count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(calls) >= 2 and service.state.pending_count == 0
    assert [r["redemption_id"] for r in a.store.list_redemptions()] == [queued.redemption_id]
