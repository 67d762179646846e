"""The history: search by voucher code or receipt number, filters by day, state and operator."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from posapp.core.reports_doc import STATE_WORDS
from posapp.core.reports_owner import OwnerBook
from posapp.core.store.history import SEARCH_MAX, STATES, HistoryFilter
from posapp.i18n import _, current_language, ngettext, tr
from posapp.qt.owner.history_model import HistoryModel
from posapp.qt.owner.runner import Runner


class HistoryPanel(QWidget):
    def __init__(self, book: OwnerBook, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book, self.runner = book, runner
        self.model = HistoryModel(book, runner)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search a voucher code or a receipt number"))
        self.search.setMaxLength(SEARCH_MAX)
        self.search.setClearButtonEnabled(True)
        self.only_day = QCheckBox(_("Only the day"))
        self.day = QDateEdit(calendarPopup=True)
        self.day.setDisplayFormat("dd/MM/yyyy")
        today = book.today()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.state = QComboBox()
        self.state.addItem(_("Every state"), None)
        for state in STATES:
            self.state.addItem(tr(STATE_WORDS[state]), state)
        self.operator = QComboBox()
        self.operator.addItem(_("Every operator"), None)
        self.shown = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        for w in (self.only_day, self.day, self.state, self.operator):
            bar.addWidget(w)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self._size_columns()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.shown)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        for signal in (
            self.only_day.toggled,
            self.day.dateChanged,
            self.state.currentIndexChanged,
            self.operator.currentIndexChanged,
        ):
            signal.connect(lambda *_a: self.apply())
        self.model.pageLoaded.connect(self._count)

    def _size_columns(self) -> None:
        """Widths from typical contents, set once: sizing to contents would read the rows."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        metrics = self.table.fontMetrics()
        samples = ("26/10/2026 00:00", "WWWW-WWWW-WWW", "€ 1.000,00", "Cassa 10", "Operatore",
                   "0000-0000-0000", "", tr(STATE_WORDS["pending"]))  # fmt: skip
        for column, sample in enumerate(samples):
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            words = (_("online"), _("offline")) if column == 6 else ()
            wide = max(metrics.horizontalAdvance(t) for t in (sample, title, *words))
            header.resizeSection(column, wide + 24)

    def load(self) -> None:
        """First page and the operator list (called when the panel is first shown)."""
        self.runner.call(self.book.operators, on_done=self._operators)
        self.runner.call(self.book.payout_words, current_language(), on_done=self.model.set_payouts)
        self.apply()

    def _operators(self, names: list[str]) -> None:
        current = self.operator.currentData()
        self.operator.blockSignals(True)
        while self.operator.count() > 1:
            self.operator.removeItem(1)
        for name in names:
            self.operator.addItem(name, name)
        index = self.operator.findData(current)
        self.operator.setCurrentIndex(max(index, 0))
        self.operator.blockSignals(False)

    def current_filter(self) -> HistoryFilter:
        text = self.search.text().strip()
        return HistoryFilter(
            day=self.day.date().toPython() if self.only_day.isChecked() else None,
            state=self.state.currentData(),
            operator=self.operator.currentData(),
            search=text or None,
        )

    def apply(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    def _count(self, n: int) -> None:
        more = "" if self.model.exhausted else " " + _("(scroll for more)")
        self.shown.setText(
            ngettext("{n} redemption shown", "{n} redemptions shown", n).format(n=n) + more
        )
