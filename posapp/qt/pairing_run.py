"""The first-run window: the pairing wizard on its own, before the counter exists."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QEventLoop, QObject
from PySide6.QtWidgets import QApplication, QMessageBox

from posapp.core.accounts import AccountDirectory, PlatformAccount
from posapp.core.operators import OperatorBook, OperatorBookDamaged
from posapp.core.settings import Settings
from posapp.i18n import _, tr
from posapp.qt.pairing import PairingWizard
from posapp.qt.usb_scanner import UsbScannerFilter


class _CloseWatch(QObject):
    """Ends the first-run loop when the shopkeeper closes the window."""

    def __init__(self, loop: QEventLoop) -> None:
        super().__init__()
        self.loop = loop

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.loop.quit()
        return False


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
    wizard.resize(720, 520)
    usb = UsbScannerFilter(parent=wizard).install()
    usb.scanned.connect(wizard.scanned)
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
    usb.uninstall()
    wizard.removeEventFilter(watch)
    wizard.hide()
    wizard.deleteLater()
    return 0 if done else 1
