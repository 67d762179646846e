"""Small read-only tables the owner's panels share: by till, by operator, outstanding vouchers."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from posapp.core.money import format_cents
from posapp.i18n import current_language

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def money(cents: int) -> str:
    return format_cents(cents, lang=current_language())


class SimpleTable(QTableWidget):
    """A table filled whole from rows of text; columns in `right` are right-aligned (money)."""

    def __init__(self, headers: Sequence[str], right: Sequence[int] = ()) -> None:
        super().__init__(0, len(headers))
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self._right = set(right)

    def fill(self, rows: Sequence[Sequence[str]]) -> None:
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c in self._right:
                    item.setTextAlignment(RIGHT)
                self.setItem(r, c, item)

    def texts(self) -> list[list[str]]:
        """What the table shows, row by row (for tests and screen readers alike)."""
        return [
            [self.item(r, c).text() for c in range(self.columnCount())]
            for r in range(self.rowCount())
        ]
