"""Operators in the UI: the quick switch (F6) and the owner's page to add, rename and remove them.

`switch_operator(parent, book)` is a PinDialog listing everyone; the counter sets the result on
`bridge.operator`. `OperatorsPage(book)` is shown inside the settings, after the owner PIN; every
change goes through the OperatorBook, whose refusals (last owner, a name taken) are shown in
plain words and change nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posapp.core.operators import (
    CASHIER,
    NAME_TAKEN,
    OWNER,
    Operator,
    OperatorBook,
    OperatorError,
    clean_name,
)
from posapp.core.pin import MAX_LENGTH, MIN_LENGTH, PinFormatError, check_format
from posapp.i18n import N_, _, tr
from posapp.qt.pin_dialog import PinDialog

ROLE_NAMES = {OWNER: N_("Owner"), CASHIER: N_("Cashier (redeem only)")}


def switch_operator(
    parent: QWidget | None, book: OperatorBook, current: Operator | None = None
) -> Operator | None:
    """F6: whoever types their PIN becomes the operator; None when cancelled."""
    dialog = PinDialog(book, None, parent, preselect=current)
    dialog.exec()
    return dialog.operator


def pin_problem(pin: str, again: str) -> str | None:
    """Plain words for a new PIN that cannot be used, or None when it is fine."""
    try:
        check_format(pin)
    except PinFormatError:
        return _("The PIN must be {min} to {max} digits.").format(min=MIN_LENGTH, max=MAX_LENGTH)
    if pin != again:
        return _("The two PINs differ.")
    return None


def pin_field() -> QLineEdit:
    """A masked field for a new PIN (digits keyboard on a touch screen)."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(MAX_LENGTH)
    field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return field


class OwnerForm(QWidget):
    """Name and PIN twice for the first owner of a till that has none (paired before operators
    existed); `created(Operator)` once the book holds them."""

    created = Signal(object)

    def __init__(self, book: OperatorBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.name = QLineEdit()
        self.name.setMaxLength(40)
        self.pin = pin_field()
        self.pin_again = pin_field()
        self.create_button = QPushButton(_("Create the owner"))
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(self.create)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        form = QFormLayout(self)
        form.addRow(_("Owner's name"), self.name)
        form.addRow(_("PIN (4 to 8 digits)"), self.pin)
        form.addRow(_("PIN again"), self.pin_again)
        form.addRow("", self.create_button)
        form.addRow("", self.message)

    def create(self) -> None:
        problem = pin_problem(self.pin.text(), self.pin_again.text())
        if problem:
            self.message.setText(problem)
            return
        try:
            owner = self.book.add(self.name.text(), OWNER, self.pin.text())
        except OperatorError as exc:
            self.message.setText(tr(exc.message, **exc.params))
            return
        self.pin.clear()
        self.pin_again.clear()
        self.created.emit(owner)


class OperatorsPage(QWidget):
    """The owner's list of operators with a form below it; `changed()` after every change."""

    changed = Signal()

    def __init__(self, book: OperatorBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.list = QListWidget()
        self.list.setMinimumHeight(110)
        self.list.currentItemChanged.connect(lambda *_a: self._fill_form())
        self.name = QLineEdit()
        self.name.setMaxLength(40)
        self.role = QComboBox()
        for role in (CASHIER, OWNER):
            self.role.addItem(tr(ROLE_NAMES[role]), role)
        self.pin = pin_field()
        self.pin_again = pin_field()
        form = QFormLayout()
        form.addRow(_("Name"), self.name)
        form.addRow(_("Role"), self.role)
        form.addRow(_("New PIN"), self.pin)
        form.addRow(_("New PIN again"), self.pin_again)
        self.add_button = QPushButton(_("Add as new operator"))
        self.save_button = QPushButton(_("Save changes"))
        self.remove_button = QPushButton(_("Remove"))
        self.add_button.clicked.connect(self.add_operator)
        self.save_button.clicked.connect(self.save_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.save_button, self.remove_button):
            b.setAutoDefault(False)  # inside the settings dialog, Enter must not press one
            buttons.addWidget(b)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        hint = QLabel(
            _(
                "A cashier can only redeem: no settings, and no undo of another "
                "operator's redemption. Leave the PIN empty to keep it."
            )
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        self.list.clear()
        for op in self.book.operators():
            item = QListWidgetItem(f"{op.name} — {tr(ROLE_NAMES[op.role])}")
            item.setData(Qt.ItemDataRole.UserRole, op.operator_id)
            self.list.addItem(item)
            if op.operator_id == select:
                self.list.setCurrentItem(item)
        self._fill_form()

    def selected(self) -> Operator | None:
        item = self.list.currentItem()
        return self.book.get(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def select_name(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).text().startswith(f"{name} — "):
                self.list.setCurrentRow(i)

    def _fill_form(self) -> None:
        op = self.selected()
        self.save_button.setEnabled(op is not None)
        self.remove_button.setEnabled(op is not None)
        self.name.setText(op.name if op else "")
        self.role.setCurrentIndex(self.role.findData(op.role if op else CASHIER))
        self.pin.clear()
        self.pin_again.clear()

    def _say(self, text: str, ok: bool = False) -> None:
        self.message.setStyleSheet("color: #1b5e20;" if ok else "color: #b00020;")
        self.message.setText(text)

    def add_operator(self) -> None:
        problem = pin_problem(self.pin.text(), self.pin_again.text())
        if problem:
            self._say(problem)
            return
        try:
            op = self.book.add(self.name.text(), self.role.currentData(), self.pin.text())
        except OperatorError as exc:
            self._say(tr(exc.message, **exc.params))
            return
        self.refresh(select=op.operator_id)
        self._say(_("{name} added.").format(name=op.name), ok=True)
        self.changed.emit()

    def save_selected(self) -> None:
        op = self.selected()
        if op is None:
            return
        new_pin = self.pin.text()
        problem = pin_problem(new_pin, self.pin_again.text()) if new_pin else None
        if problem:
            self._say(problem)
            return
        try:
            name = clean_name(self.name.text())
            other = self.book.by_name(name)
            if other is not None and other.operator_id != op.operator_id:
                raise OperatorError(NAME_TAKEN, name=name)
            if self.role.currentData() != op.role:
                self.book.set_role(op.operator_id, self.role.currentData())
            if name != op.name:
                self.book.rename(op.operator_id, name)
            if new_pin:
                self.book.set_pin(op.operator_id, new_pin)
        except OperatorError as exc:
            self.refresh(select=op.operator_id)
            self._say(tr(exc.message, **exc.params))
            return
        self.refresh(select=op.operator_id)
        self._say(_("Changes saved."), ok=True)
        self.changed.emit()

    def remove_selected(self) -> None:
        op = self.selected()
        if op is None:
            return
        try:
            self.book.remove(op.operator_id)
        except OperatorError as exc:
            self._say(tr(exc.message, **exc.params))
            return
        self.refresh()
        self._say(_("{name} removed.").format(name=op.name), ok=True)
        self.changed.emit()


__all__ = ["OperatorsPage", "OwnerForm", "pin_problem", "switch_operator"]
