"""First run with a USB barcode scanner: the pairing QR read by a keyboard-wedge scanner (keys as a
scanner sends them: Shift for capitals and symbols, a few ms apart, Enter at the end) reaches the
wizard's form through the scanning branch's UsbScannerFilter, never as typing in the focused
field; a person's typing still lands; and the filter is gone once the wizard closes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from posapp.core.accounts import AccountDirectory
from posapp.core.operators import OperatorBook
from posapp.core.settings import Settings
from posapp.i18n import set_language
from posapp.qt.counter_app import first_run
from posapp.qt.pairing import PairingWizard
from posapp.qt.pairing_run import WizardScanner
from posapp.sandbox.demo import pairing_payload
from posapp.scan.keyburst import KeyBurstDetector
from tests.support.sandbox import clock, sandbox, shop  # noqa: F401

pytestmark = pytest.mark.usefixtures("qapp")
SHIFTED = set('~!@#$%^&*()_+{}|:"<>?')


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("it")


class MsClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def scanner_types(widget, text: str, ms: MsClock | None = None, gap_ms: float = 3) -> None:
    """A keyboard-wedge scanner: each character a key press and release (Shift held for
    capitals and symbols, as a HID keyboard sends them), then Enter."""
    for char in text:
        if ms is not None:
            ms.now += gap_ms
        shift = char.isupper() or char in SHIFTED
        mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
        if shift:
            QTest.keyPress(widget, Qt.Key.Key_Shift)
        QTest.keyClick(widget, char, mods)
        if shift:
            QTest.keyRelease(widget, Qt.Key.Key_Shift, mods)
    if ms is not None:
        ms.now += gap_ms
    QTest.keyClick(widget, Qt.Key.Key_Return)


def test_first_run_takes_the_pairing_qr_from_the_usb_scanner(tmp_path, qtbot, sandbox, shop):  # noqa: F811
    opened: list[bool] = []
    running: dict = {}
    settings = Settings()
    settings.scanner.keyburst_max_gap_ms = 400  # a loaded test machine: only Enter ends the burst
    assert first_run(settings, lambda: opened.append(True) or True, running)
    wizard = running["wizard"]
    qtbot.addWidget(wizard)
    qtbot.waitUntil(wizard.pair_button.isEnabled, timeout=10_000)
    listener = wizard.findChild(WizardScanner)
    assert listener is not None and listener.installed
    code = sandbox.store.new_pairing_code(shop)
    wizard.code.setFocus()
    scanner_types(wizard.code, pairing_payload(sandbox.url, code))
    qtbot.waitUntil(lambda: wizard.code.text() == code, timeout=5_000)
    assert wizard.address.text() == sandbox.url
    assert "posapp" not in wizard.code.text() and "{" not in wizard.till_name.text()
    assert "Pairing QR read" in wizard.connect_message.text()
    wizard.submit()
    qtbot.waitUntil(lambda: wizard.pages.currentWidget() is wizard.owner_page, timeout=15_000)
    wizard.owner_name.setText("Maria")
    wizard.owner_pin.setText("4821")
    wizard.owner_pin_again.setText("4821")
    wizard.create_owner()
    qtbot.waitUntil(lambda: opened == [True], timeout=10_000)
    assert not wizard.isVisible() and not listener.installed  # the counter owns the scanner now
    assert len(AccountDirectory().accounts()) == 1


def test_typing_still_types_and_the_filter_leaves_with_the_wizard(qtbot, _isolated_data_dir):
    ms = MsClock()
    wizard = PairingWizard(AccountDirectory(), OperatorBook(), "Cassa 1")
    qtbot.addWidget(wizard)
    listener = WizardScanner(wizard, KeyBurstDetector(35, 6, clock=ms))
    assert not listener.installed  # not shown yet: nothing to listen for
    wizard.show()
    assert listener.installed
    qtbot.waitUntil(wizard.pair_button.isEnabled, timeout=10_000)
    wizard.code.setFocus()
    for char in "AB12":  # a person: 200 ms between keys
        ms.now += 200
        QTest.keyClick(wizard.code, char)
    ms.now += 200
    qtbot.waitUntil(lambda: wizard.code.text() == "AB12", timeout=2_000)
    scanner_types(wizard.code, "VOUCHER-123456", ms)  # a voucher shown by mistake
    qtbot.waitUntil(lambda: "not a pairing QR" in wizard.connect_message.text(), timeout=2_000)
    assert wizard.code.text() == "AB12"
    wizard.close()
    assert not listener.installed
    other = QLineEdit()
    qtbot.addWidget(other)
    other.show()
    other.setFocus()
    scanner_types(other, "VOUCHER-9", ms)  # no filter any more: plain typing
    assert other.text() == "VOUCHER-9"
