"""The history as a Qt table model that fetches pages on demand and never loads it all.

`canFetchMore`/`fetchMore` ask the OwnerBook for the next page after the last row held (keyset,
off the GUI thread); a new filter starts a new generation, so a page of the old filter arriving
late is dropped instead of mixed in.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from posapp.core import messages
from posapp.core.reports_doc import STATE_WORDS, local_dt
from posapp.core.reports_owner import OwnerBook
from posapp.core.store.history import HistoryFilter, HistoryRow
from posapp.i18n import N_, _, tr
from posapp.qt.owner.runner import Runner
from posapp.qt.owner.tables import RIGHT, money

COLUMNS = (
    N_("Time"),
    N_("Voucher"),
    N_("Amount"),
    N_("Till"),
    N_("Operator"),
    N_("Receipt"),
    N_("Online/offline"),
    N_("State"),
    N_("Payout"),
)
PAGE = 200
Index = QModelIndex | QPersistentModelIndex


class HistoryModel(QAbstractTableModel):
    pageLoaded = Signal(int)  # rows now held

    def __init__(self, book: OwnerBook, runner: Runner, page: int = PAGE) -> None:
        super().__init__()
        self.book, self.runner, self.page = book, runner, page
        self.filter = HistoryFilter()
        self.rows: list[HistoryRow] = []
        self.tills = book.till_names()
        self.payouts: dict[str, str] = {}
        self._generation = 0
        self._loading = False
        self._exhausted = False

    # -- filter and paging ---------------------------------------------------------------------
    def set_filter(self, flt: HistoryFilter) -> None:
        """Start over with a new filter (the first page is asked at once)."""
        self.beginResetModel()
        self.filter = flt
        self.rows = []
        self._generation += 1
        self._loading = False
        self._exhausted = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation = self._generation
        after = self.rows[-1].key if self.rows else None
        self.runner.call(
            self.book.history,
            self.filter,
            after,
            self.page,
            on_done=lambda rows: self._arrived(generation, rows),
        )

    def _arrived(self, generation: int, rows: list[HistoryRow]) -> None:
        if generation != self._generation:
            return  # a page of a filter no longer shown
        self._loading = False
        self._exhausted = len(rows) < self.page
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self.pageLoaded.emit(len(self.rows))

    def set_payouts(self, words: dict[str, str]) -> None:
        """redemption id -> payout words (read from the platform off the GUI thread)."""
        self.payouts = dict(words)
        if self.rows:
            last = self.index(len(self.rows) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, len(COLUMNS) - 1), last)

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    # -- the table -----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and row.reason_code:
            return messages.conflict_meaning(row.reason_code)  # words, never the code
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == len(COLUMNS) - 1:
            return self.payouts.get(row.redemption_id) or None  # the payout words, whole
        return None

    def text(self, row: HistoryRow, column: int) -> str:
        if column == 0:
            return local_dt(row.occurred_at).strftime("%d/%m/%Y %H:%M")
        if column == 1:
            return row.voucher_code
        if column == 2:
            return money(row.amount_cents)
        if column == 3:
            return self.tills.get((row.account_id, row.till_id), str(row.till_id))
        if column == 4:
            return row.operator or ""
        if column == 5:
            return row.receipt_number or ""
        if column == 6:
            return _("offline") if row.offline else _("online")
        if column == 7:
            words = tr(STATE_WORDS.get(row.state, row.state))
            if row.state == "voided" and row.queued:
                words += " " + _("(not yet synced)")
            return words
        return self.payouts.get(row.redemption_id, "")
