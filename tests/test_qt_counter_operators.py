"""The counter with operators: F6 switches who is at the till and the name reaches the ledger
row; a cashier can neither open the settings nor cancel another's redemption; F7 keeps a receipt."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from posapp.qt.counter_extras import CounterExtras
from posapp.qt.pin_dialog import PinDialog
from posapp.qt.receipt_dialog import ReceiptDialog
from tests.support.counter_rig import open_counter, rig  # noqa: F401 (fixture)
from tests.support.staff import maria_and_luca

pytestmark = pytest.mark.usefixtures("qapp")


def answer(qtbot, kind, fill) -> None:
    """Fill the modal dialog of `kind` once it is up, as a person would."""

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(20, act)
            return
        fill(dialog)

    QTimer.singleShot(0, act)


def pin(qtbot, name: str, digits: str):
    def fill(dialog: PinDialog) -> None:
        dialog.names.setCurrentIndex(dialog.names.findText(name))
        qtbot.keyClicks(dialog.pad.field, digits)
        qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)

    return fill


@pytest.fixture
def counter(rig, qtbot):  # noqa: F811
    maria_and_luca()
    made = open_counter(rig, qtbot, extras=CounterExtras(rig.service, rig.settings), show=False)
    yield made
    made.close()


def redeem(counter, qtbot, code: str) -> None:
    counter.flow.on_code(code, "usb")
    qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=10_000)
    counter.window.confirm()
    qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=10_000)
    assert counter.flow.verdict.tone == "ok", counter.flow.verdict


def test_operator_switch_names_the_redemption_and_limits_the_cashier(rig, counter, qtbot):  # noqa: F811
    answer(qtbot, PinDialog, pin(qtbot, "Maria", "4821"))
    qtbot.keyClick(counter.window, Qt.Key.Key_F6)
    assert counter.bridge.operator.name == "Maria"
    redeem(counter, qtbot, rig.voucher(500)["code"])
    rows = rig.service.recent()
    assert rows[0].operator == "Maria"

    answer(qtbot, PinDialog, pin(qtbot, "Luca", "1357"))
    qtbot.keyClick(counter.window, Qt.Key.Key_F6)
    assert counter.bridge.operator.name == "Luca"
    qtbot.keyClick(counter.window, Qt.Key.Key_F4)  # Maria's redemption: not Luca's to cancel
    assert counter.flow.phase == "verdict" and counter.flow.verdict.tone == "info"
    assert rig.redemptions()[0]["voided_at"] is None
    qtbot.keyClick(counter.window, Qt.Key.Key_F10)  # a cashier never gets the settings
    assert QApplication.activeModalWidget() is None
    assert counter.flow.verdict.tone == "info"


def test_f7_keeps_the_receipt_number_with_the_last_redemption(rig, counter, qtbot):  # noqa: F811
    redeem(counter, qtbot, rig.voucher(500)["code"])

    def fill(dialog: ReceiptDialog) -> None:
        qtbot.keyClicks(dialog.field, "0012-0034")
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)

    answer(qtbot, ReceiptDialog, fill)
    qtbot.keyClick(counter.window, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: rig.service.recent()[0].receipt_number == "0012-0034", timeout=5_000)
