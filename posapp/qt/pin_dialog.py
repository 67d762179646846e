"""Who are you, and your PIN: a big numeric keypad, usable by touch, mouse or keyboard.

`ask_pin(parent, book, require_role="owner")` guards the owner's settings; `require_role=None`
is the quick operator switch (F6). The PIN is checked by the OperatorBook (scrypt, lockout after
misses); this widget never keeps it after the check and never logs it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posapp.core.operators import OWNER, Operator, OperatorBook
from posapp.core.pin import MAX_LENGTH, MIN_LENGTH, PinLocked
from posapp.i18n import _
from posapp.qt.settings_dialog_threads import BackgroundCall

BIG = "font-size: 22px;"
KEY_STYLE = "QPushButton { font-size: 26px; min-width: 76px; min-height: 56px; }"


class PinPad(QWidget):
    """A masked PIN field over a 3x4 keypad; `submitted(pin)` on OK or Enter."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setMaxLength(MAX_LENGTH)
        self.field.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}", self.field))
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setStyleSheet("font-size: 30px; letter-spacing: 6px;")
        self.field.setAccessibleName(_("PIN"))
        self.field.returnPressed.connect(self._submit)
        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", _("OK")]
        for i, label in enumerate(labels):
            button = QPushButton(label)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the field
            button.setAutoDefault(False)
            button.setStyleSheet(KEY_STYLE)
            button.clicked.connect(lambda _=False, key=label: self._press(key))
            grid.addWidget(button, i // 3, i % 3)
            self.keys["ok" if i == len(labels) - 1 else label] = button
        self.keys["⌫"].setAccessibleName(_("Delete"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addLayout(grid)

    def _press(self, key: str) -> None:
        if key == "⌫":
            self.field.backspace()
        elif key.isdigit():
            if len(self.field.text()) < MAX_LENGTH:
                self.field.insert(key)
        else:
            self._submit()
        self.field.setFocus()

    def _submit(self) -> None:
        self.submitted.emit(self.field.text())

    def clear(self) -> None:
        self.field.clear()
        self.field.setFocus()


class PinDialog(QDialog):
    """Pick a name, type the PIN; `authenticated(Operator)` and accept() when it is right.

    `require_role="owner"` lists owners only (the settings' lock); None lists everyone (F6).
    """

    authenticated = Signal(object)

    def __init__(
        self,
        book: OperatorBook,
        require_role: str | None = OWNER,
        parent: QWidget | None = None,
        title: str | None = None,
        preselect: Operator | None = None,
    ) -> None:
        super().__init__(parent)
        self.book = book
        self.operator: Operator | None = None
        self.setWindowTitle(title or (_("Owner PIN") if require_role else _("Change operator")))
        self.setModal(True)
        self.prompt = QLabel(
            _("Owner's name and PIN:") if require_role else _("Who is at the till? Name and PIN:")
        )
        self.prompt.setStyleSheet(BIG)
        self.names = QComboBox()
        self.names.setStyleSheet(BIG)
        self.names.setAccessibleName(_("Operator"))
        for op in book.operators():
            if require_role is None or op.role == require_role:
                self.names.addItem(op.name, op.operator_id)
        if preselect is not None:
            self.names.setCurrentIndex(max(0, self.names.findData(preselect.operator_id)))
        self.names.currentIndexChanged.connect(lambda _i: self._after_pick())
        self.busy = False
        self._job = BackgroundCall(self)
        self._job.done.connect(self._checked, Qt.ConnectionType.QueuedConnection)
        self._job.failed.connect(self._check_failed, Qt.ConnectionType.QueuedConnection)
        self.pad = PinPad()
        self.pad.submitted.connect(self._check)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size: 18px; color: #b00020;")
        cancel = QPushButton(_("Cancel"))
        cancel.setStyleSheet(BIG)
        # Enter belongs to the PIN field: a dialog would otherwise press its first button (Cancel)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.names)
        layout.addWidget(self.pad)
        layout.addWidget(self.message)
        layout.addWidget(cancel)
        # Page Up/Down change the name while typing stays in the PIN field (keyboard alone)
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, self._next_name)
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, lambda: self._next_name(-1))
        if self.names.count() == 0:
            self.message.setText(_("No operator can open this: ask the owner."))
            self.pad.setEnabled(False)
        self.pad.field.setFocus()

    def _next_name(self, step: int = 1) -> None:
        if self.names.count():
            self.names.setCurrentIndex((self.names.currentIndex() + step) % self.names.count())

    def _after_pick(self) -> None:
        self.message.clear()
        self.pad.clear()

    def select(self, operator_id: str) -> None:
        """Pick the operator with this id (what a tap on the list does)."""
        self.names.setCurrentIndex(self.names.findData(operator_id))

    def _check(self, pin: str) -> None:
        """Check the PIN on a worker thread: one scrypt takes 50-200 ms, too long for the GUI."""
        operator_id = self.names.currentData()
        if operator_id is None or self.busy:
            return
        if not (MIN_LENGTH <= len(pin) <= MAX_LENGTH):
            self.message.setText(
                _("Type your PIN ({min} to {max} digits).").format(min=MIN_LENGTH, max=MAX_LENGTH)
            )
            return
        self.busy = True
        self.pad.setEnabled(False)
        self.names.setEnabled(False)
        self.pad.field.clear()  # the PIN leaves the widget; only the worker's closure holds it
        book = self.book

        def check() -> tuple[str, object]:
            try:
                op = book.check_pin(operator_id, pin)
            except PinLocked as locked:
                return "locked", locked.retry_after_s
            return ("ok", op) if op is not None else ("wrong", None)

        self._job.start(check)

    def _check_failed(self, _exc: object) -> None:
        self._checked(None)  # e.g. the operators file vanished: a wrong PIN, never a crash

    def _checked(self, result: object) -> None:
        self.busy = False
        self.pad.setEnabled(True)
        self.names.setEnabled(True)
        kind, value = result if isinstance(result, tuple) else ("wrong", None)
        if kind == "ok":
            self.operator = value
            self.authenticated.emit(value)
            self.accept()
            return
        if kind == "locked":
            self.message.setText(
                _("Too many wrong PINs: try again in {seconds} seconds.").format(
                    seconds=max(1, round(float(value)))
                )
            )
        else:
            self.message.setText(_("Wrong PIN."))
        self.pad.clear()


def ask_pin(
    parent: QWidget | None,
    book: OperatorBook,
    require_role: str | None = OWNER,
    title: str | None = None,
) -> Operator | None:
    """The operator who typed a right PIN (of `require_role`, if given), or None when cancelled."""
    dialog = PinDialog(book, require_role, parent, title)
    dialog.exec()
    return dialog.operator


__all__ = ["PinDialog", "PinPad", "ask_pin"]
