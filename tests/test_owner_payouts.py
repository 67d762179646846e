"""Payout states on the real shop (tests/owner_support.py) and the sandbox's payouts, closed and
paid through its admin actions: redeemed -> in payout N (scheduled) -> paid, what is still unpaid,
the statement's and the history's payout column, a void after its payout closed taken back in the
next one; a platform that fails is "not reported", never an error."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from posapp.core.api.errors import OfflineError
from posapp.core.policy import AcceptedOnline, Voided
from posapp.core.reports_payouts import words_by_redemption
from posapp.qt.owner.history_panel import HistoryPanel
from posapp.qt.owner.payouts_panel import PayoutsPanel
from posapp.qt.owner.runner import Runner
from tests.owner_support import build_shop

END_OF_DST_DAY = datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # 26 Oct 00:00 in Rome (CET)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    shop = build_shop(tmp_path_factory.mktemp("owner_payouts"))
    yield shop
    shop.close()


@pytest.fixture(scope="module")
def paid(shop):
    """Payout 1: the shop's 25 October, closed and paid on the 30th; payout 2: the 26th so far,
    scheduled."""
    desk = shop.server.store.payouts
    (first,) = desk.close_period(shop.here.shop_id, END_OF_DST_DAY)
    desk.mark_paid(first, "CRO 0000123", datetime(2026, 10, 30, 9, 0, tzinfo=UTC))
    (second,) = desk.close_period(shop.here.shop_id)
    return first, second


def test_before_any_payout_everything_accepted_is_unpaid(shop):
    report = shop.book.payouts()
    assert report.lines == ()
    # accepted, not voided here: a 10,00, b 20,00, n 4,00 (p pending, e voided, x conflict)
    assert (report.unpaid_count, report.unpaid_cents) == (3, 3400)


def test_paid_and_scheduled_payouts_leave_the_rest_unpaid(shop, paid):
    first, second = paid
    report = shop.book.payouts()
    assert report.reported
    lines = {p.number: p for p in report.lines}
    assert set(lines) == {first, second}
    one, two = lines[first], lines[second]
    # the shop's 25 October at both tills: a, b (Cassa 1), c, x at Cassa 2, d 7,50
    assert (one.state, one.paid_on, one.bank_reference) == (
        "paid",
        date(2026, 10, 30),
        "CRO 0000123",
    )
    assert one.amount_cents == 1000 + 2000 + 500 + 3000 + 750
    assert {shop.ids[k] for k in ("a", "b")} <= set(one.redemption_ids)
    assert two.state == "scheduled" and shop.ids["n"] in two.redemption_ids
    assert (report.unpaid_count, report.unpaid_cents) == (1, 400)  # n: scheduled, not paid
    words = words_by_redemption(report.lines, "en")
    assert words[shop.ids["a"]] == f"paid with payout {first} on 30/10/2026"
    assert words[shop.ids["n"]] == f"in payout {second}, to be paid"
    doc = shop.book.statement(date(2026, 10, 25), date(2026, 10, 26), "en")
    payout_col = {row[2]: row[8] for row in doc.tables[0].rows}
    assert payout_col[shop.vouchers["b"]["code"]] == f"paid with payout {first} on 30/10/2026"
    assert payout_col[shop.vouchers["p"]["code"]] == ""  # pending: in no payout


def test_the_history_table_shows_each_redemptions_payout(shop, paid, qtbot):
    panel = HistoryPanel(shop.book, Runner())
    qtbot.addWidget(panel)
    panel.load()
    model = panel.model

    def payout_of(rid):
        rows = [i for i, r in enumerate(model.rows) if r.redemption_id == rid]
        return model.data(model.index(rows[0], 8)) if rows else None

    qtbot.waitUntil(lambda: bool(payout_of(shop.ids["a"])), timeout=10_000)
    assert "30/10/2026" in payout_of(shop.ids["a"])
    assert payout_of(shop.ids["p"]) == ""
    row = next(i for i, r in enumerate(model.rows) if r.redemption_id == shop.ids["a"])
    tip = model.data(model.index(row, 8), Qt.ItemDataRole.ToolTipRole)
    assert tip == payout_of(shop.ids["a"])  # the whole words, however narrow the column


def test_a_platform_that_fails_is_not_reported_never_raised(shop, monkeypatch):
    def down(*_args, **_kwargs):
        raise OfflineError("offline", "no route")

    for name in ("payouts", "iter_payouts"):
        monkeypatch.setattr(shop.here.till.client, name, down, raising=False)
    report = shop.book.payouts()
    assert not report.reported and report.lines == ()


def test_a_void_after_its_payout_closed_is_taken_back_in_the_next_one(tmp_path, qtbot):
    shop = build_shop(tmp_path)
    try:
        desk, shop_id = shop.server.store.payouts, shop.here.shop_id
        late = shop.here.voucher(1800)
        out = shop.service.submit(late["code"], None, confirmed=True, operator="Anna")
        assert isinstance(out, AcceptedOnline)
        rid = out.redemption_id
        (first,) = desk.close_period(shop_id)  # everything so far, `rid` included
        desk.mark_paid(first, "CRO 0000777", datetime(2026, 10, 26, 9, 2, tzinfo=UTC))
        shop.clock.advance(timedelta(minutes=5))  # within the void window, after the close
        assert isinstance(shop.service.void(rid, "wrong voucher"), Voided)
        (second,) = desk.close_period(shop_id)
        report = shop.book.payouts()
        lines = {p.number: p for p in report.lines}
        assert rid in lines[first].redemption_ids  # a closed payout never changes
        assert lines[first].state == "paid" and lines[first].amount_cents == 7250 + 400 + 1800
        back = lines[second]
        assert (back.state, back.redemption_ids, back.adjusted_ids) == ("scheduled", (), (rid,))
        assert back.amount_cents == back.adjusted_cents == -1800
        # a, b, n were paid with the first payout; the voided one is not accepted any more
        assert (report.unpaid_count, report.unpaid_cents) == (0, 0)
        words = words_by_redemption(report.lines, "en")
        assert words[rid] == (
            f"paid with payout {first} on 26/10/2026; voided: taken back in payout {second}"
        )
        it = words_by_redemption(report.lines, "it")[rid]
        assert it.startswith(f"pagato con la liquidazione {first}") and str(second) in it
        panel = PayoutsPanel(shop.book, Runner())
        qtbot.addWidget(panel)
        panel.load()
        qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=10_000)
        shown = {row[0]: row for row in panel.table.texts()}
        assert shown[str(second)][2] == "0" and "18,00" in shown[str(second)][3]
        assert shown[str(second)][3].lstrip().startswith("-")
        assert shown[str(first)][1] == "fino al 26/10/2026"  # the shop's first payout
        assert shown[str(second)][1] == "26/10/2026"
        assert panel.summary.text() == "Ancora da pagare: € 0,00 (0 operazioni di questa cassa)."
    finally:
        shop.close()
