"""The owner's window on the real shop of tests/owner_support.py, offscreen: the day with its
chart, the history model paging on demand, search and filters, conflicts acknowledged, reports
as PDF (read back with pdftotext) and CSV (parsed back), printing, and opening beside the counter
through its PosBridge while the counter keeps redeeming."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date

import pytest
from PySide6.QtCore import QDate, QRect
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QGroupBox

from posapp.core.policy import AcceptedOnline
from posapp.core.reports import Total
from posapp.core.store.history import HistoryFilter
from posapp.qt.bridge import PosBridge
from posapp.qt.owner import OwnerWindow
from posapp.qt.owner.history_model import HistoryModel
from posapp.qt.owner.runner import Runner
from tests.owner_support import build_shop

DST = date(2026, 10, 25)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    shop = build_shop(tmp_path_factory.mktemp("owner_qt"))
    yield shop
    shop.close()


@pytest.fixture
def window(shop, qtbot, tmp_path):
    win = OwnerWindow(shop.service, export_dir=tmp_path / "exports", clock=shop.clock)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def _pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: apt-get install -y poppler-utils")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def test_the_day_with_its_chart_and_tables(window, qtbot):
    today = window.today
    qtbot.waitUntil(lambda: today.report is not None, timeout=10_000)
    assert today.report.day == date(2026, 10, 26)  # the shop's today (clock: 26 Oct 09:00Z)
    today.picker.setDate(QDate(2026, 10, 25))
    qtbot.waitUntil(lambda: today.report.day == DST, timeout=10_000)
    bars = today.chart.bars()
    assert len(bars) == 24
    assert {h: t for h, t in enumerate(bars) if t.count} == {
        0: Total(1, 1000),
        2: Total(2, 2500),
        9: Total(1, 3000),
        10: Total(1, 750),
        11: Total(1, 1200),
    }
    assert today.banner.isHidden()
    assert "84,50" in today.total.text() or "84.50" in today.total.text()
    tills = {row[0]: row[1:] for row in today.by_till.texts()}
    assert set(tills) == {"Cassa 1", "Cassa 2"} and tills["Cassa 1"][0] == "3"
    with qtbot.waitSignal(today.dayShown, timeout=10_000):
        today.prev_day.click()
    assert today.report.day == date(2026, 10, 24) and today.report.total == Total(0, 0)


def test_offline_the_window_says_the_figures_are_this_tills(window, shop, qtbot):
    today = window.today
    qtbot.waitUntil(lambda: today.report is not None, timeout=10_000)
    shop.here.till.monitor.force_offline()
    try:
        with qtbot.waitSignal(today.dayShown, timeout=10_000):
            today.show_day(DST)
    finally:
        shop.here.till.monitor.synced()
    assert not today.banner.isHidden() and not today.report.shop_wide
    assert [row[0] for row in today.by_till.texts()] == ["Cassa 1"]


def test_history_model_fetches_pages_on_demand(shop, qtbot):
    runner = Runner()
    model = HistoryModel(shop.book, runner, page=2)
    with qtbot.waitSignal(model.pageLoaded, timeout=10_000):
        model.set_filter(HistoryFilter())
    assert model.rowCount() == 2 and model.canFetchMore()
    while model.canFetchMore():
        with qtbot.waitSignal(model.pageLoaded, timeout=10_000):
            model.fetchMore()
    assert model.rowCount() == 6 and model.exhausted  # never more than asked, all in the end
    ids = [model.rows[i].redemption_id for i in range(6)]
    assert ids == [shop.ids[k] for k in ("n", "p", "e", "x_here", "b", "a")]
    texts = [model.data(model.index(1, c)) for c in range(model.columnCount())]
    assert texts[1] == shop.vouchers["p"]["code"] and texts[4] == "Bruno"
    assert texts[0] == "25/10/2026 11:30"  # Rome time, CET after the change
    runner.close()


def test_search_and_filters_from_the_panel(window, shop, qtbot):
    window.tabs.setCurrentWidget(window.history)
    panel = window.history
    qtbot.waitUntil(lambda: panel.model.rowCount() == 6, timeout=10_000)
    qtbot.waitUntil(lambda: panel.operator.count() == 3, timeout=10_000)  # every, Anna, Bruno
    panel.search.setText(shop.vouchers["b"]["code"].split("-")[1].lower())
    qtbot.waitUntil(
        lambda: [r.redemption_id for r in panel.model.rows] == [shop.ids["b"]], timeout=10_000
    )
    panel.search.clear()
    panel.operator.setCurrentIndex(panel.operator.findData("Bruno"))
    panel.state.setCurrentIndex(panel.state.findData("pending"))
    qtbot.waitUntil(
        lambda: [r.redemption_id for r in panel.model.rows] == [shop.ids["p"]], timeout=10_000
    )
    panel.state.setCurrentIndex(0)
    panel.day.setDate(QDate(2026, 10, 26))
    panel.only_day.setChecked(True)
    qtbot.waitUntil(lambda: panel.model.rows == [] and panel.model.exhausted, timeout=10_000)
    assert "0" in panel.shown.text()


def test_conflict_acknowledged_from_the_window(window, qtbot):
    window.tabs.setCurrentWidget(window.conflicts)
    panel = window.conflicts
    qtbot.waitUntil(lambda: len(panel.views) == 1, timeout=10_000)
    assert not panel.ack.isEnabled()
    panel.table.selectRow(0)
    assert panel.ack.isEnabled()
    panel.ack.click()
    qtbot.waitUntil(lambda: panel.views and panel.views[0].acknowledged, timeout=10_000)
    assert not panel.ack.isEnabled()
    assert panel.table.rowCount() == 1  # kept, marked as seen


def test_end_of_day_pdf_and_csv_read_back(window, qtbot):
    panel = window.exports
    assert panel.findChild(QGroupBox, "endOfDay").title() == "Chiusura giornaliera"
    panel.day.setDate(QDate(2026, 10, 25))
    with qtbot.waitSignal(panel.saved, timeout=20_000) as pdf_done:
        panel.day_pdf.click()
    assert pdf_done.args[0].name == "chiusura-giornaliera-2026-10-25.pdf"
    text = _pdf_text(pdf_done.args[0])
    assert text.lstrip().startswith("Chiusura giornaliera")
    for expected in ("Bar Centrale", "25/10/2026", "84,50", "Cassa 1", "Cassa 2", "Bruno", "12,00"):
        assert expected in text, expected
    with qtbot.waitSignal(panel.saved, timeout=20_000) as csv_done:
        panel.day_csv.click()
    assert csv_done.args[0].name == "chiusura-giornaliera-2026-10-25.csv"
    raw = csv_done.args[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["Chiusura giornaliera"]
    facts = {r[0]: r[1] for r in rows[1:11]}
    assert list(facts.values())[3:5] == ["6", "84,50"]  # redemptions, total
    hours = rows[rows.index(next(r for r in rows if r and r[0] == "02:00"))]
    assert hours == ["02:00", "2", "25,00"]


def test_period_statement_csv_lists_every_redemption(window, shop, qtbot):
    panel = window.exports
    panel.first.setDate(QDate(2026, 10, 24))
    panel.last.setDate(QDate(2026, 10, 26))
    with qtbot.waitSignal(panel.saved, timeout=20_000) as done:
        panel.period_csv.click()
    rows = list(csv.reader(done.args[0].read_text("utf-8-sig").splitlines(), delimiter=";"))
    table = rows[rows.index(next(r for r in rows if len(r) == 9)) + 1 :]
    lines = [r for r in table if len(r) == 9]
    # every till of the shop: c, x (the accepted one) and d were sold at Cassa 2
    assert [r[2] for r in lines] == [
        shop.vouchers[k]["code"] for k in ("a", "b", "c", "x", "x", "d", "e", "p", "n")
    ]
    assert [r[5] for r in lines] == ["Cassa 1"] * 2 + ["Cassa 2"] * 2 + ["Cassa 1", "Cassa 2"] + [
        "Cassa 1"
    ] * 3
    assert lines[0][:2] == ["25/10/2026", "00:30"]  # 22:30Z on the 24th
    counted = {r[0]: r[1] for r in rows[:6] if len(r) == 2}
    # a + b + c + x (Cassa 2) + d + p + n: voided and conflict lines not counted
    assert "88,50" in counted.values()


def test_printing_paints_the_same_report(window, qtbot, tmp_path):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    window.exports.day.setDate(QDate(2026, 10, 25))
    window.exports.print_to(printer)
    qtbot.waitUntil(lambda: "1" in window.exports.status.text(), timeout=20_000)
    assert "84,50" in _pdf_text(target)


def test_opens_beside_the_counter_which_keeps_redeeming(shop, qtbot, tmp_path):
    bridge = PosBridge(shop.service)
    win = OwnerWindow(bridge, export_dir=tmp_path, clock=shop.clock)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.today.report is not None, timeout=10_000)
    assert win.today.report.total == Total(1, 400)  # today (26 Oct): n
    voucher = shop.here.voucher(900)
    with qtbot.waitSignal(bridge.outcome, timeout=10_000) as got:
        bridge.submit(voucher["code"], confirmed=True)
    assert isinstance(got.args[0], AcceptedOnline)
    # the counter went on while the owner looked, and the day on screen followed it
    qtbot.waitUntil(lambda: win.today.report.total == Total(2, 1300), timeout=10_000)
    win.close()  # the counter keeps this one window: closed, redeemed meanwhile, opened again
    assert isinstance(shop.service.submit(shop.here.voucher(100)["code"], confirmed=True),
                      AcceptedOnline)  # fmt: skip
    win.show()
    qtbot.waitUntil(lambda: win.today.report.total == Total(3, 1400), timeout=10_000)
    win.shutdown()
    bridge.close()


def test_the_owners_view_opens_within_the_screen(shop, qtbot, tmp_path, monkeypatch):
    # it asked for 1100x760 whatever the screen: wider and taller than a 1024x600 till
    class TillScreen:  # a 1024x600 screen less a 40 px panel
        @staticmethod
        def availableGeometry() -> QRect:
            return QRect(0, 0, 1024, 560)

    monkeypatch.setattr(OwnerWindow, "screen", lambda self: TillScreen())
    win = OwnerWindow(shop.service, export_dir=tmp_path / "exports", clock=shop.clock)
    qtbot.addWidget(win)
    assert win.width() <= 1024 and win.height() <= 560
