"""Who is at the till: with operators configured the counter asks at start (the PIN keypad) and
takes no voucher until someone typed their PIN; with none it works as before. Wrong PINs are
counted across dialogs (closing one never resets the lockout)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from posapp.core.operators import CASHIER, OWNER, OperatorBook
from posapp.qt.counter_extras import CounterExtras
from posapp.qt.pin_dialog import PinDialog
from tests.support.counter_rig import open_counter, rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("qapp")


def when_pin_dialog(qtbot, act) -> list:
    """Run `act(dialog)` once the PIN dialog is up; the list gets the dialog."""
    seen: list = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PinDialog):
            QTimer.singleShot(20, poll)
            return
        seen.append(dialog)
        act(dialog)

    QTimer.singleShot(0, poll)
    return seen


def type_pin(qtbot, name: str, digits: str):
    def act(dialog: PinDialog) -> None:
        dialog.names.setCurrentIndex(dialog.names.findText(name))
        qtbot.keyClicks(dialog.pad.field, digits)
        qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)

    return act


def make_counter(rig, qtbot):  # noqa: F811
    extras = CounterExtras(rig.service, rig.settings)
    return open_counter(rig, qtbot, extras=extras), extras


def redeem(counter, qtbot, code: str) -> str:
    counter.flow.on_code(code, "usb")
    qtbot.waitUntil(lambda: counter.flow.phase in ("confirm", "verdict"), timeout=10_000)
    if counter.flow.phase == "confirm":
        counter.window.confirm()
        qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=10_000)
    return counter.flow.verdict.tone


def test_at_start_the_counter_asks_who_is_at_the_till(rig, qtbot):  # noqa: F811
    book = OperatorBook()
    book.add("Maria", OWNER, "4821")
    book.add("Luca", CASHIER, "1357")
    counter, extras = make_counter(rig, qtbot)
    try:
        seen = when_pin_dialog(qtbot, type_pin(qtbot, "Luca", "1357"))
        extras.start()
        qtbot.waitUntil(lambda: counter.bridge.operator is not None, timeout=10_000)
        assert seen and "Chi è alla cassa" in seen[0].prompt.text()
        assert counter.bridge.operator.name == "Luca"
        assert counter.window.status.who.text() == "Operatore: Luca"
        assert redeem(counter, qtbot, rig.voucher(500)["code"]) == "ok"
        assert rig.service.recent()[0].operator == "Luca"
        assert [r["amount_cents"] for r in rig.redemptions()] == [500]
    finally:
        counter.close()


def test_cancelled_nobody_takes_vouchers_until_f6(rig, qtbot):  # noqa: F811
    book = OperatorBook()
    book.add("Maria", OWNER, "4821")
    counter, extras = make_counter(rig, qtbot)
    try:
        when_pin_dialog(qtbot, lambda dialog: dialog.reject())
        extras.start()
        qtbot.waitUntil(lambda: counter.bridge.operator_required, timeout=10_000)
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=10_000)
        assert counter.bridge.operator is None
        assert "F6" in counter.window.status.alert.text()
        voucher = rig.voucher(700)
        counter.flow.on_code(voucher["code"], "usb")
        assert counter.flow.phase == "verdict"
        assert counter.flow.verdict.headline == "Chi è alla cassa?"
        assert rig.redemptions() == [] and rig.service.recent() == []
        when_pin_dialog(qtbot, type_pin(qtbot, "Maria", "4821"))
        qtbot.keyClick(counter.window, Qt.Key.Key_F6)
        assert counter.bridge.operator.name == "Maria"
        assert "F6" not in counter.window.status.alert.text()
        assert redeem(counter, qtbot, voucher["code"]) == "ok"
        assert rig.service.recent()[0].operator == "Maria"
    finally:
        counter.close()


def test_no_operators_configured_works_as_before(rig, qtbot):  # noqa: F811
    counter, extras = make_counter(rig, qtbot)
    try:
        extras.start()
        assert redeem(counter, qtbot, rig.voucher(300)["code"]) == "ok"
        assert QApplication.activeModalWidget() is None
        assert counter.bridge.operator_required is False
        assert counter.window.status.who.isHidden()
        assert rig.service.recent()[0].operator is None
    finally:
        counter.close()


def test_wrong_pins_are_counted_across_dialogs(rig, qtbot):  # noqa: F811
    book = OperatorBook()
    book.add("Maria", OWNER, "4821")
    counter, _extras = make_counter(rig, qtbot)
    try:
        messages: list[str] = []
        for _ in range(6):  # closing the dialog and pressing F6 again never starts afresh

            def wrong(dialog: PinDialog) -> None:
                qtbot.keyClicks(dialog.pad.field, "0000")
                qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
                qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
                messages.append(dialog.message.text())
                dialog.reject()

            when_pin_dialog(qtbot, wrong)
            qtbot.keyClick(counter.window, Qt.Key.Key_F6)
        assert any("Troppi PIN sbagliati" in m for m in messages), messages
        assert counter.bridge.operator is None
    finally:
        counter.close()
