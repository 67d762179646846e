"""Typing a code by hand (F2): a field and a big button; the code goes to the CounterFlow.

Printable keys from a USB barcode scanner never land here (the scanner filter takes them); a
person's slow typing does. Long texts scroll inside the field: it never widens the window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from posapp.i18n import _
from posapp.qt.counter_flow import CounterFlow
from posapp.qt.style import BUTTON_HEIGHT, font


class CodeEntry(QWidget):
    def __init__(self, flow: CounterFlow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.field = QLineEdit()
        self.field.setObjectName("code_entry")
        self.field.setFont(font(self, 16))
        self.field.setMinimumHeight(BUTTON_HEIGHT)
        self.field.setMaxLength(300)
        self.field.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.field.returnPressed.connect(self.submit)
        self.field.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # F2 or a tap: not the first focus
        self.button = QPushButton()
        self.button.setFont(font(self, 15, bold=True))
        self.button.setMinimumHeight(BUTTON_HEIGHT)
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.submit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.button)
        self.retranslate()

    def retranslate(self) -> None:
        self.field.setPlaceholderText(_("F2: type a code"))
        self.button.setText(_("Check code"))

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    @Slot()
    def submit(self) -> None:
        text = self.field.text().strip()
        if not text:
            self.field.setPlaceholderText(_("Type a code first, then press Enter"))
            return
        self.field.clear()
        self.field.clearFocus()
        self.flow.on_code(text, "manual")
