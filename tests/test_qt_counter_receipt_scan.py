"""F7 with a USB barcode scanner: the receipt's barcode goes to the receipt dialog only, never also
to the scan flow behind it as a voucher code (it once went to both)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from posapp.qt.app import make_scanning
from posapp.qt.counter_extras import CounterExtras
from posapp.qt.receipt_dialog import ReceiptDialog
from posapp.scan.sources import VideoFileSource
from tests.support.counter_rig import open_counter, rig  # noqa: F401 (fixture)
from tests.test_qt_pairing_usb import scanner_types

pytestmark = pytest.mark.usefixtures("qapp")


def test_a_receipt_barcode_reaches_the_receipt_dialog_only(rig, qtbot, tmp_path):  # noqa: F811
    rig.settings.scanner.keyburst_max_gap_ms = 400  # a loaded test machine: Enter ends a burst
    scanning = make_scanning(rig.settings, lambda: VideoFileSource(tmp_path / "none.avi"), "en")
    extras = CounterExtras(rig.service, rig.settings)
    counter = open_counter(rig, qtbot, scanning, extras=extras, verdict_s=30, start_worker=False)
    deadline = time.monotonic() + 15

    def scan_the_receipt() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ReceiptDialog):
            if time.monotonic() < deadline:
                QTimer.singleShot(20, scan_the_receipt)
            elif dialog is not None:
                dialog.reject()  # never leave a modal dialog waiting
            return
        scanner_types(dialog.field, "RT0012/0035")
        if dialog.isVisible():
            dialog.reject()

    try:
        counter.flow.on_code(rig.voucher(500)["code"], "usb")
        qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=10_000)
        counter.window.confirm()
        qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=10_000)
        phases: list[str] = []
        counter.flow.phaseChanged.connect(phases.append)
        QTimer.singleShot(0, scan_the_receipt)
        qtbot.keyClick(counter.window, Qt.Key.Key_F7)  # returns once the dialog is closed
        qtbot.waitUntil(
            lambda: rig.service.recent()[0].receipt_number == "RT0012/0035", timeout=10_000
        )
        assert "looking_up" not in phases  # the receipt was never looked up as a voucher
    finally:
        counter.close()
