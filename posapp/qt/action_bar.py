"""Big buttons for a touch screen, each naming its F-key, so every action is also on the keyboard.

The bar holds (key, label, callback) actions given by the window; a button never takes the
keyboard focus (Enter and the F-keys keep working wherever the focus is).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from posapp.qt.style import BUTTON_HEIGHT, font


class ActionBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}
        self._labels: dict[str, Callable[[], str]] = {}
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._order: list[QPushButton] = []

    def add(self, key: str, label: Callable[[], str], callback: Callable[[], None]) -> QPushButton:
        """`label` is called again on a language switch (it returns the translated text)."""
        button = QPushButton()
        button.setObjectName(f"button_{key}")
        button.setFont(font(self, 12, bold=True))
        button.setMinimumHeight(BUTTON_HEIGHT)
        button.setMinimumWidth(50)
        button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(callback)
        self._order.append(button)
        self._relayout()
        self.buttons[key] = button
        self._labels[key] = label
        button.setText(f"{key}\n{label()}")
        return button

    def _relayout(self) -> None:
        """One row up to 7 buttons, else two rows: labels stay whole on a 1024-pixel screen."""
        columns = len(self._order) if len(self._order) <= 7 else (len(self._order) + 1) // 2
        for index, button in enumerate(self._order):
            self._layout.removeWidget(button)
            self._layout.addWidget(button, index // columns, index % columns)
        for column in range(max(columns, self._layout.columnCount())):
            self._layout.setColumnStretch(column, 1 if column < columns else 0)

    def retranslate(self) -> None:
        for key, button in self.buttons.items():
            button.setText(f"{key}\n{self._labels[key]()}")
