"""A plain code that two platforms of the till know (a Bari EUR 50 voucher and a Lecce EUR 10 one
with the same number) is never sent silently to one of them: online each is asked, offline each
cached list is read, and the shopkeeper chooses."""

from __future__ import annotations

import pytest

from posapp.core.accounts import AccountDirectory
from posapp.core.clock import ManualClock
from posapp.core.credentials import TokenStore
from posapp.core.policy import AcceptedOffline, AcceptedOnline, NeedsChoice, NeedsConfirmation
from posapp.core.service import PosService
from tests.test_sync_support import PATIENT, start_sandbox

SAME_ID = 4_242_424


@pytest.fixture
def two(tmp_path):
    clock = ManualClock()
    bari = start_sandbox(tmp_path / "bari", clock, platform_id="bari")
    lecce = start_sandbox(tmp_path / "lecce", clock, platform_id="lecce")
    shops = {s: s.store.create_shop(f"Bottega {s.store.platform_id}") for s in (bari, lecce)}
    directory, tokens = AccountDirectory(tmp_path / "accounts.json"), TokenStore()
    for server in (lecce, bari):  # Lecce first: the old code sent the plain code there
        code = server.store.new_pairing_code(shops[server])
        directory.pair(server.url, code, "Cassa 1", tokens, timeout=PATIENT)
    service = PosService.open(
        list(directory.accounts()),
        tokens.get,
        db_path=tmp_path / "till.sqlite3",
        clock=clock,
        timeout=PATIENT,
        monotonic=lambda: clock.now().timestamp(),
    )
    yield service, bari, lecce, shops
    service.close()
    bari.stop()
    lecce.stop()


def _both_know_it(bari, lecce, shops):
    b = bari.store.create_voucher(shops[bari], 5000, voucher_id=SAME_ID)
    lc = lecce.store.create_voucher(shops[lecce], 1000, voucher_id=SAME_ID)
    assert b["code"] == lc["code"]
    return b["code"]


def test_online_both_are_asked_and_the_shopkeeper_chooses(two):
    service, bari, lecce, shops = two
    code = _both_know_it(bari, lecce, shops)
    outcome = service.submit(code, confirmed=True)
    assert isinstance(outcome, NeedsChoice)
    values = {c.account_id: c.summary.face_value_cents for c in outcome.choices}
    assert values == {"bari": 5000, "lecce": 1000}
    assert bari.store.list_redemptions() == [] and lecce.store.list_redemptions() == []
    chosen = service.submit(code, account_id="bari")
    assert isinstance(chosen, NeedsConfirmation) and chosen.summary.account_id == "bari"
    done = service.submit(code, confirmed=True, account_id="bari")
    assert isinstance(done, AcceptedOnline) and done.amount_cents == 5000
    assert [r["amount_cents"] for r in bari.store.list_redemptions()] == [5000]
    assert lecce.store.list_redemptions() == []


def test_offline_the_cached_lists_decide_and_two_mean_a_choice(two):
    service, bari, lecce, shops = two
    code = _both_know_it(bari, lecce, shops)
    only_lecce = lecce.store.create_voucher(shops[lecce], 700)
    assert all(r.ok for r in service.sync_now().values())
    for till in service.tills.values():
        till.monitor.force_offline()
    outcome = service.submit(code, confirmed=True)
    assert isinstance(outcome, NeedsChoice)
    assert {c.account_id for c in outcome.choices} == {"bari", "lecce"}
    assert all(c.summary.source == "offline" for c in outcome.choices)
    assert service.state.pending_count == 0
    done = service.submit(code, confirmed=True, account_id="lecce")
    assert isinstance(done, AcceptedOffline) and done.account_id == "lecce"
    single = service.submit(only_lecce["code"], confirmed=True)  # one list knows it: no question
    assert isinstance(single, AcceptedOffline) and single.account_id == "lecce"


def test_one_platform_knowing_it_online_needs_no_choice(two):
    service, bari, _lecce, shops = two
    v = bari.store.create_voucher(shops[bari], 2500)
    outcome = service.submit(v["code"], confirmed=True)
    assert isinstance(outcome, AcceptedOnline) and outcome.account_id == "bari"
