"""A sale whose answer was lost is counted once in the owner's day, never twice.

The real sandbox on loopback loses the answer with its fault injection: `drop_after_commit` (the
platform recorded the redemption, the till never heard), `reset` (the request never reached it).
The till keeps the sale pending; the platform's summary may already count it. The day asks the
platform about each such sale: held there -> the summary's already; not there -> added as
waiting to sync; the platform cannot tell -> shown apart as awaiting confirmation, not in the total.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from posapp.core.clock import ManualClock
from posapp.core.policy import AcceptedOffline, AcceptedOnline
from posapp.core.reports import Total
from posapp.core.reports_owner import OwnerBook
from posapp.core.service import PosService
from posapp.i18n import using_language
from posapp.qt.owner.runner import Runner
from posapp.qt.owner.today import TodayPanel
from posapp.sandbox.faults import FaultRule
from tests.test_sync_support import make_till, start_sandbox

NOON = datetime(2026, 11, 3, 11, 0, tzinfo=UTC)  # 12:00 in Rome


@pytest.fixture
def shop(tmp_path):
    clock = ManualClock(NOON)
    server = start_sandbox(tmp_path / "sandbox", clock)
    shop_id = server.store.create_shop("Bar Centrale", "Calimera")
    rig = make_till(server, shop_id, tmp_path / "till.sqlite3", clock, till_name="Cassa 1")
    service = PosService(rig.store, [rig.till], clock=clock)
    first = service.submit(rig.voucher(1000)["code"], None, confirmed=True, operator="Anna")
    assert isinstance(first, AcceptedOnline)
    yield rig, service, OwnerBook(service, clock), clock
    service.close()
    rig.close()
    server.stop()


def _lose_answer(rig, service, kind: str) -> str:
    """A 25,00 sale whose answer the till never gets; the line is back up afterwards."""
    rig.server.faults.set([FaultRule(kind, path="/v1/redemptions", method="POST")])
    out = service.submit(rig.voucher(2500)["code"], None, confirmed=True, operator="Bruno")
    assert isinstance(out, AcceptedOffline) and out.unconfirmed, out
    rig.server.faults.set([])
    rig.till.monitor.synced()
    return out.redemption_id


def _platform_total(rig, day) -> Total:
    summary = rig.till.client.summary(day)
    return Total(summary.count, summary.total_cents)


def _named(rows):
    return {r.key: (r.total.count, r.total.cents, r.pending.cents) for r in rows}


def test_recorded_on_the_platform_the_lost_answer_is_counted_once(shop):
    rig, service, book, _clock = shop
    rid = _lose_answer(rig, service, "drop_after_commit")
    today = book.today()
    assert _platform_total(rig, today) == Total(2, 3500)  # the platform holds it
    day = book.day(today)
    assert day.shop_wide and day.total == Total(2, 3500)  # not 3 / 60,00
    assert day.pending == Total(1, 2500)  # still to settle with the next sync
    assert day.awaiting == Total()
    assert _named(day.by_till) == {"Cassa 1": (2, 3500, 0)}
    assert _named(day.by_operator) == {"Anna": (1, 1000, 0), "Bruno": (1, 2500, 0)}
    assert sum(h.cents for h in day.by_hour) == 3500
    rig.sync.run()  # the replay settles it: the figures do not move
    after = book.day(today)
    assert (after.total, after.pending) == (Total(2, 3500), Total())
    assert len(rig.on_sandbox()) == 2
    assert rid in {r["redemption_id"] for r in rig.on_sandbox()}


def test_not_on_the_platform_the_sale_is_added_as_waiting_to_sync(shop):
    rig, service, book, _clock = shop
    _lose_answer(rig, service, "reset")  # the request never reached the platform
    today = book.today()
    assert _platform_total(rig, today) == Total(1, 1000)
    day = book.day(today)
    assert day.total == Total(2, 3500) and day.pending == Total(1, 2500)
    assert day.awaiting == Total()
    assert _named(day.by_till) == {"Cassa 1": (2, 3500, 2500)}


def test_when_the_platform_cannot_say_the_sale_awaits_confirmation_apart(shop, qtbot):
    rig, service, book, _clock = shop
    _lose_answer(rig, service, "drop_after_commit")
    # the summary answers, the question about the lost sale fails
    asking = FaultRule("error_5xx", path="/v1/redemptions/", method="GET", count=None)
    rig.server.faults.set([asking])
    day = book.day(book.today())
    assert day.shop_wide
    assert day.total == Total(2, 3500)  # the platform's count: the lost sale once, in there
    assert day.awaiting == Total(1, 2500) and day.pending == Total(1, 2500)
    assert _named(day.by_till) == {"Cassa 1": (2, 3500, 0)}
    facts = dict(book.end_of_day(book.today(), "en").facts)
    assert (facts["Total"].cents, facts["Awaiting confirmation from the platform"].cents) == (
        3500,
        2500,
    )
    rig.till.monitor.synced()  # the failed questions count as a bad line: back up
    with using_language("it"):
        panel = TodayPanel(book, Runner())
        qtbot.addWidget(panel)
        with qtbot.waitSignal(panel.dayShown, timeout=10_000):
            panel.show_day(book.today())
        assert "1 vendita inviata alla piattaforma attende" in panel.details.text()
        assert "(€ 25,00): non è nel totale" in panel.details.text()
        assert panel.total.text() == "2 operazioni, € 35,00"
    rig.server.faults.set([])
    assert book.day(book.today()).awaiting == Total()  # asked again: the platform holds it
