"""The PIN keypad, the operator switch and the owner's operators page, driven by clicks and keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from posapp.core.operators import CASHIER, OWNER, OperatorBook
from posapp.core.pin import PinLimiter
from posapp.i18n import set_language
from posapp.qt.operators import OperatorsPage, switch_operator
from posapp.qt.pin_dialog import PinDialog, ask_pin


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("it")


@pytest.fixture
def book(_isolated_data_dir) -> OperatorBook:
    book = OperatorBook()
    book.add("Maria", OWNER, "4821")
    book.add("Luca", CASHIER, "1357")
    return book


def _enter(qtbot, dialog: PinDialog, pin: str) -> None:
    """Type a PIN and Enter, then wait for the check (it runs on a worker thread)."""
    qtbot.keyClicks(dialog.pad.field, pin)
    qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.busy)


def _tap(qtbot, dialog: PinDialog, digits: str) -> None:
    for d in digits:
        qtbot.mouseClick(dialog.pad.keys[d], Qt.MouseButton.LeftButton)


def test_owner_pin_by_keypad_clicks(qtbot, book) -> None:
    dialog = PinDialog(book, OWNER)
    qtbot.addWidget(dialog)
    dialog.show()
    assert [dialog.names.itemText(i) for i in range(dialog.names.count())] == ["Maria"]
    _tap(qtbot, dialog, "4820")
    qtbot.mouseClick(dialog.pad.keys["ok"], Qt.MouseButton.LeftButton)
    assert dialog.busy and not dialog.pad.isEnabled()  # checked off the GUI thread
    qtbot.waitUntil(lambda: not dialog.busy)
    assert dialog.operator is None and dialog.message.text() == "Wrong PIN."
    assert dialog.pad.field.text() == ""  # cleared after a miss
    _tap(qtbot, dialog, "48211")
    qtbot.mouseClick(dialog.pad.keys["⌫"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.authenticated) as signal:
        qtbot.mouseClick(dialog.pad.keys["ok"], Qt.MouseButton.LeftButton)
    assert signal.args[0].name == "Maria"
    assert dialog.result() == PinDialog.DialogCode.Accepted


def test_keyboard_alone_and_lockout(qtbot, _isolated_data_dir) -> None:
    now = [0.0]
    book = OperatorBook(limiter=PinLimiter(clock=lambda: now[0]))
    book.add("Maria", OWNER, "4821")
    dialog = PinDialog(book, OWNER)
    qtbot.addWidget(dialog)
    dialog.show()
    for _ in range(3):
        _enter(qtbot, dialog, "9999")
        assert dialog.isVisible()  # Enter after a wrong PIN never presses Cancel
    _enter(qtbot, dialog, "4821")
    assert dialog.operator is None
    assert "try again in 30 seconds" in dialog.message.text()
    now[0] += 31
    _enter(qtbot, dialog, "4821")
    assert dialog.operator is not None and dialog.operator.name == "Maria"


def test_letters_never_reach_the_pin(qtbot, book) -> None:
    dialog = PinDialog(book, OWNER)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.pad.field, "4a8b")
    assert dialog.pad.field.text() == "48"
    qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
    assert "4 to 8 digits" in dialog.message.text()


def _answer_modal(qtbot, name: str, pin: str) -> None:
    """Type into the modal PinDialog once it is up (the way a person would)."""

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PinDialog):
            QTimer.singleShot(20, act)
            return
        dialog.names.setCurrentIndex(dialog.names.findText(name))
        qtbot.keyClicks(dialog.pad.field, pin)
        qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)

    QTimer.singleShot(0, act)


def test_switch_operator_lists_everyone(qtbot, book) -> None:
    _answer_modal(qtbot, "Luca", "1357")
    op = switch_operator(None, book)
    assert op is not None and op.name == "Luca" and op.role == CASHIER


def test_cashier_cannot_open_the_owner_lock(qtbot, book) -> None:
    dialog = PinDialog(book, OWNER)
    qtbot.addWidget(dialog)
    assert dialog.names.findText("Luca") == -1
    _answer_modal(qtbot, "Maria", "4821")
    assert ask_pin(None, book).name == "Maria"


def test_operators_page_add_rename_remove(qtbot, book) -> None:
    page = OperatorsPage(book)
    qtbot.addWidget(page)
    page.show()
    page.list.setCurrentRow(-1)
    page.list.clearSelection()
    page.list.setCurrentItem(None)
    qtbot.keyClicks(page.name, "Anna")
    page.role.setCurrentIndex(page.role.findData(CASHIER))
    qtbot.keyClicks(page.pin, "2468")
    qtbot.keyClicks(page.pin_again, "2469")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "The two PINs differ." and book.by_name("Anna") is None
    page.pin_again.clear()
    qtbot.keyClicks(page.pin_again, "2468")
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    anna = book.by_name("Anna")
    assert anna is not None and book.check_pin(anna.operator_id, "2468") == anna
    # a name already taken is refused and changes nothing
    page.name.setText("maria")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "already an operator called maria" in page.message.text()
    assert book.get(anna.operator_id).name == "Anna"
    page.name.setText("Anna R.")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert book.get(anna.operator_id).name == "Anna R."
    # the only owner can be neither removed nor made a cashier
    page.select_name("Maria")
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "The till must keep at least one owner."
    page.role.setCurrentIndex(page.role.findData(CASHIER))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert book.by_name("Maria").role == OWNER
    page.select_name("Anna R.")
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert book.by_name("Anna R.") is None
    assert OperatorBook().by_name("Anna R.") is None  # on disk too
