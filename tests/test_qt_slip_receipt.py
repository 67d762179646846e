"""The customer slip printed to a real PDF (read back with pdftotext) and the receipt number."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from posapp.i18n import set_language
from posapp.qt.receipt_dialog import ReceiptDialog, clean_receipt_number
from posapp.qt.slip import Slip, print_to_pdf, safe_label

SIGNED = "PV:" + "6BFOXN*TS0BI$ZDFRH" * 7  # the shape of a signed code's text


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("it")


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFKC", out.stdout.decode("utf-8"))  # "ﬁ" ligature -> "fi"


def _slip(**changes) -> Slip:
    values = dict(
        shop_name="Panificio Rizzo",
        till_name="Cassa 1",
        occurred_at=datetime(2026, 7, 15, 16, 5, tzinfo=UTC),  # summer: Rome is UTC+2
        voucher_label="V-0042",
        amount_cents=1250,
        balance_cents=3750,
        operator="Maria",
    )
    values.update(changes)
    return Slip(**values)


def test_slip_pdf_holds_what_the_customer_needs(qtbot, tmp_path):
    path = tmp_path / "slip.pdf"
    print_to_pdf(path, _slip())
    text = _pdf_text(path)
    for expected in (
        "Panificio Rizzo",
        "Cassa 1",
        "15/07/2026 18:05",
        "V-0042",
        "€12.50",
        "€37.50",
        "Maria",
        "Balance left",
        "not a fiscal receipt",
    ):
        assert expected in text, (expected, text)


def test_slip_in_italian_in_winter_and_never_the_signed_code(qtbot, tmp_path):
    set_language("it")
    path = tmp_path / "slip.pdf"
    slip = _slip(
        occurred_at=datetime(2026, 12, 24, 23, 30, tzinfo=UTC),  # already Christmas in Rome
        voucher_label=SIGNED,
        balance_cents=None,
        offline=True,
    )
    print_to_pdf(path, slip)
    text = _pdf_text(path)
    assert "25/12/2026 00:30" in text and "€ 12,50" in text
    assert SIGNED[:20] not in text and "PV:" not in text
    assert SIGNED[-8:] in text.replace(" ", "") or SIGNED[-8:] in text


def test_safe_label():
    assert safe_label("V-0042") == "V-0042"
    assert safe_label(SIGNED) == "…" + SIGNED[-8:]
    assert safe_label("PV:ABC") == "…PV:ABC"


def test_receipt_number_typed(qtbot):
    d = ReceiptDialog("r-1", "V-0042 · €12.50")
    qtbot.addWidget(d)
    d.show()
    qtbot.keyClicks(d.field, "abc$%")
    qtbot.keyClick(d.field, Qt.Key.Key_Return)
    assert "not a receipt number" in d.message.text() and d.isVisible()
    d.field.clear()
    qtbot.keyClicks(d.field, " 0012-0034 ")
    with qtbot.waitSignal(d.receiptEntered) as signal:
        qtbot.keyClick(d.field, Qt.Key.Key_Return)
    assert signal.args == ["r-1", "0012-0034"] and d.number == "0012-0034"


def test_receipt_dialog_never_shows_a_signed_code(qtbot):
    from PySide6.QtWidgets import QLabel

    d = ReceiptDialog("r-3", SIGNED)
    qtbot.addWidget(d)
    d.show()
    texts = [label.text() for label in d.findChildren(QLabel)]
    assert not any(SIGNED[:12] in t for t in texts) and d.width() < 700


def test_receipt_number_scanned(qtbot):
    d = ReceiptDialog("r-2")
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.receiptEntered) as signal:
        d.scanned("RT0012/0035\r")
    assert signal.args == ["r-2", "RT0012/0035"]


@pytest.mark.parametrize("bad", ["", "   ", "-12", "x" * 33, "12\n34", "<b>1</b>"])
def test_bad_receipt_numbers(bad):
    assert clean_receipt_number(bad) is None


@pytest.fixture
def ahead(tmp_path):
    """A till whose PC clock is three hours ahead of the platform: 15 July 2026, 22:05 in Rome
    on the platform, already 01:05 of the 16th on the PC."""
    from tests.support.trust import trust_rig

    with trust_rig(tmp_path, datetime(2026, 7, 15, 20, 5, tzinfo=UTC), 3 * 3600) as rig:
        assert rig.service.sync_now()[rig.account.account_id].ok  # the platform's time is known
        yield rig


def test_f8_prints_the_recorded_time_not_the_pc_clock_nor_now(ahead, qtbot, tmp_path, monkeypatch):
    """F8 on the real counter: the slip is built from the ledger row (read off the GUI thread)
    and printed through the real PDF printer; only the printer choice dialog is skipped."""
    from posapp.core.settings import Settings
    from posapp.qt import slip as slip_module
    from posapp.qt.counter_app import build_counter
    from posapp.qt.counter_extras import CounterExtras

    printed = []

    def to_pdf(parent, slip) -> bool:  # the shopkeeper picks "print to PDF"
        path = tmp_path / f"slip{len(printed)}.pdf"
        slip_module.print_to_pdf(path, slip)
        printed.append(path)
        return True

    monkeypatch.setattr(slip_module, "ask_and_print", to_pdf)
    settings = Settings()
    settings.sound = False
    extras = CounterExtras(ahead.service, settings)
    made = build_counter(ahead.service, settings, None, extra_actions=extras.actions())
    extras.attach(made)
    qtbot.addWidget(made.window)
    try:
        made.flow.on_code(ahead.voucher(5000, partial_allowed=True)["code"], "usb")
        qtbot.waitUntil(lambda: made.flow.phase == "confirm", timeout=10_000)
        made.window.confirm()
        qtbot.waitUntil(lambda: made.flow.phase == "verdict", timeout=10_000)
        assert made.flow.verdict.tone == "ok", made.flow.verdict
        ahead.advance(minutes=7)  # printed a few minutes later: still the redemption's time
        qtbot.keyClick(made.window, Qt.Key.Key_F8)
        qtbot.waitUntil(lambda: len(printed) == 1, timeout=10_000)
    finally:
        made.close()
    row = ahead.service.recent()[0]
    assert row.occurred_at.startswith("2026-07-15T20:05")  # the trusted time, kept on the row
    text = _pdf_text(printed[0])
    assert "15/07/2026 22:05" in text, text  # Europe/Rome, summer time
    assert "16/07/2026" not in text and "22:12" not in text  # neither the PC's nor printing time
    assert datetime.now().strftime("%d/%m/%Y") not in text
    assert "Forno Aurora" in text and "Cassa 1" in text and "€50.00" in text


def test_recorded_slip_of_an_offline_redemption_and_of_a_cancelled_one(ahead, qtbot, tmp_path):
    from posapp.core.policy import AcceptedOffline, Voided
    from posapp.qt.slip import recorded_slip

    voucher = ahead.voucher(1200)
    assert ahead.service.sync_now()[ahead.account.account_id].ok  # in the till's cached list
    ahead.offline()
    queued = ahead.service.submit(voucher["code"], confirmed=True, operator="Anna")
    assert isinstance(queued, AcceptedOffline)
    slip = recorded_slip(ahead.service, queued.redemption_id)
    assert slip is not None and slip.offline and slip.operator == "Anna"
    print_to_pdf(tmp_path / "offline.pdf", slip)
    text = _pdf_text(tmp_path / "offline.pdf")
    assert "15/07/2026 22:05" in text and "without a line" in text and "Anna" in text
    assert isinstance(ahead.service.void(queued.redemption_id, "customer"), Voided)
    assert recorded_slip(ahead.service, queued.redemption_id) is None
    assert recorded_slip(ahead.service, "no-such-id") is None


def test_every_word_of_the_slip_is_on_the_paper(qtbot, tmp_path):
    """The slip laid out at the screen's resolution and scaled to the printer ran its right
    column (date, amounts) past the 80 mm roll's edge; every word's box must be inside the page
    less its 4 mm margins."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    set_language("it")
    path = tmp_path / "slip.pdf"
    print_to_pdf(path, _slip(amount_cents=125_000, balance_cents=987_650, operator="Annamaria"))
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True)
    page = re.search(r'<page width="([\d.]+)"', out.stdout.decode()).group(1)
    words = re.findall(
        r'<word xMin="([\d.]+)" [^>]* xMax="([\d.]+)" [^>]*>([^<]*)<', out.stdout.decode()
    )
    margin = 4 / 25.4 * 72 - 0.5  # 4 mm in points, half a point of rounding
    assert len(words) > 20 and "1.250,00" in {w for _a, _b, w in words}
    outside = [w for x0, x1, w in words if float(x0) < margin or float(x1) > float(page) - margin]
    assert outside == [], f"off the paper: {outside}"
