"""The customer slip printed to a real PDF (read back with pdftotext) and the receipt number."""

from __future__ import annotations

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
