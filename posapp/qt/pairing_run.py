"""The first-run window: the pairing wizard on its own, before the counter exists.

Before the counter exists nobody owns the USB barcode scanner: `listen_to_usb_scanner(wizard)`
gives the wizard its scans (the pairing QR's `posapp-pair:` text) while it is on screen, so the
QR's characters never land in the focused field, and takes the filter off when it hides.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject
from PySide6.QtWidgets import QApplication, QMessageBox

from posapp.core.accounts import AccountDirectory, PlatformAccount
from posapp.core.operators import OperatorBook, OperatorBookDamaged
from posapp.core.settings import Settings
from posapp.i18n import _, tr
from posapp.qt.pairing import PairingWizard
from posapp.qt.style import resize_within_screen
from posapp.qt.usb_scanner import UsbScannerFilter
from posapp.scan.keyburst import KeyBurstDetector


class _CloseWatch(QObject):
    """Ends the first-run loop when the shopkeeper closes the window."""

    def __init__(self, loop: QEventLoop) -> None:
        super().__init__()
        self.loop = loop

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.loop.quit()
        return False


class WizardScanner(QObject):
    """The USB scanner's filter on the application while `wizard` is shown (scans go to
    `wizard.scanned`), off while it is hidden or closed; owned by the wizard."""

    def __init__(self, wizard: PairingWizard, detector: KeyBurstDetector | None = None) -> None:
        super().__init__(wizard)
        self.wizard = wizard
        self.usb = UsbScannerFilter(detector, parent=self)
        self.usb.scanned.connect(wizard.scanned)
        self.installed = False
        wizard.installEventFilter(self)
        if wizard.isVisible():
            self._set(True)

    def _set(self, on: bool) -> None:
        if on and not self.installed:
            self.usb.install()
        elif not on and self.installed:
            self.usb.uninstall()
        self.installed = on

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.wizard:
            if event.type() == QEvent.Type.Show:
                self._set(True)
            elif event.type() in (QEvent.Type.Hide, QEvent.Type.Close):
                self._set(False)
        return False


def listen_to_usb_scanner(wizard: PairingWizard, settings: Any = None) -> WizardScanner:
    """First run: the USB scanner's bursts reach the wizard, timed as the shop set them
    (`settings.scanner.keyburst_*`, the counter's defaults when unset or refused)."""
    scanner = getattr(settings, "scanner", None)
    try:
        detector = (
            KeyBurstDetector(scanner.keyburst_max_gap_ms, scanner.keyburst_min_length)
            if scanner is not None
            else None
        )
    except (TypeError, ValueError):
        detector = None
    return WizardScanner(wizard, detector)


def run_first_pairing(app: QApplication, settings: Settings | None = None) -> int:
    """`posapp` on a till with no account: the wizard in its own window until it is done.

    Returns 0 once paired (the caller then opens the counter), 1 when the window was closed
    first, 4 when the operators file is damaged (said in words, nothing replaced). A USB scanner
    reading the pairing QR fills the form; the camera is the counter's to hand over (`scanned`).
    """
    settings = settings or Settings.load()
    try:
        book = OperatorBook()
    except OperatorBookDamaged as exc:
        QMessageBox.critical(None, "posapp", tr(exc.message))
        return 4
    wizard = PairingWizard(AccountDirectory(), book, settings.till_name)
    wizard.setWindowTitle(_("posapp: pair this till"))
    resize_within_screen(wizard, 720, 520)
    listen_to_usb_scanner(wizard, settings)
    done: list[PlatformAccount] = []

    loop = QEventLoop()

    def finished(account: PlatformAccount, _owner: object) -> None:
        done.append(account)
        loop.quit()

    wizard.paired.connect(finished)
    watch = _CloseWatch(loop)
    wizard.installEventFilter(watch)
    wizard.show()
    loop.exec()
    wizard.removeEventFilter(watch)
    wizard.hide()
    wizard.deleteLater()
    return 0 if done else 1
