"""The owner's view: a window of its own beside the counter, which keeps scanning meanwhile.

`OwnerWindow(service_or_bridge)`: give it the counter's PosBridge (its pool runs every call) or a
PosService (a small pool of its own). Each tab loads when first shown; "Refresh" (F5) and every
reopening reload the tab on screen. Closing only hides it (the counter keeps one instance);
`shutdown()` ends it for good. Opening it behind the owner PIN is the counter's job (F9).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from posapp.core import settings
from posapp.core.reports_owner import OwnerBook
from posapp.i18n import _
from posapp.qt.owner.exports import ExportPanel
from posapp.qt.owner.history_panel import HistoryPanel
from posapp.qt.owner.panels import ConflictsPanel, OutstandingPanel
from posapp.qt.owner.payouts_panel import PayoutsPanel
from posapp.qt.owner.runner import Runner
from posapp.qt.owner.today import TodayPanel
from posapp.qt.style import resize_within_screen


class OwnerWindow(QWidget):
    def __init__(
        self,
        service_or_bridge: Any,
        parent: QWidget | None = None,
        *,
        export_dir: Path | None = None,
        clock: Any = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        bridge = service_or_bridge if hasattr(service_or_bridge, "run") else None
        service = bridge.service if bridge is not None else service_or_bridge
        self.book = OwnerBook(service, clock)
        self._bridge = bridge
        self.runner = Runner(bridge, self)
        pool = self.runner.pool
        if pool is not None:  # our own threads end with the window
            self.destroyed.connect(lambda *_a: pool.shutdown(wait=False, cancel_futures=True))
        self.setWindowTitle(_("Owner's view — {shop}").format(shop=self.book.shop_name()))
        resize_within_screen(self, 1100, 760)
        folder = export_dir or settings.data_dir() / "exports"
        self.today = TodayPanel(self.book, self.runner)
        self.history = HistoryPanel(self.book, self.runner)
        self.outstanding = OutstandingPanel(self.book, self.runner)
        self.payouts = PayoutsPanel(self.book, self.runner)
        self.conflicts = ConflictsPanel(self.book, self.runner)
        self.exports = ExportPanel(self.book, self.runner, folder)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.today, _("Day"))
        self.tabs.addTab(self.history, _("History"))
        self.tabs.addTab(self.outstanding, _("Vouchers not yet spent"))
        self.tabs.addTab(self.payouts, _("Payouts"))
        self.tabs.addTab(self.conflicts, _("Conflicts"))
        self.tabs.addTab(self.exports, _("Reports"))
        self.error = QLabel()
        self.error.setStyleSheet("color:#842029;")
        self.refresh = QPushButton(_("Refresh"))
        self.close_button = QPushButton(_("Close"))
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.refresh)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self._loaded: set[int] = set()
        self._shown_once = False
        self.tabs.currentChanged.connect(self._tab_shown)
        self.refresh.clicked.connect(self.reload)
        self.close_button.clicked.connect(self.close)
        self.runner.failed.connect(self.error.setText)
        self.conflicts.changed.connect(lambda: self._loaded.discard(0))
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.close)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, activated=self.reload)
        if bridge is not None and hasattr(bridge, "outcome"):
            bridge.outcome.connect(self._counter_moved)
            bridge.voided.connect(self._counter_moved)
        self._tab_shown(0)

    def _counter_moved(self, _result: object) -> None:
        """A redemption or void at the counter: today's figures on screen follow it."""
        report = self.today.report
        if self.isVisible() and report is not None and report.day == self.book.today():
            self.today.show_day(report.day)

    def _tab_shown(self, index: int) -> None:
        if index in self._loaded:
            return
        self._loaded.add(index)
        self._load(index)

    def _load(self, index: int) -> None:
        self.error.clear()
        widget = self.tabs.widget(index)
        if widget is self.today:
            self.today.show_day(self.today.report.day if self.today.report else self.book.today())
        elif hasattr(widget, "load"):
            widget.load()

    def reload(self) -> None:
        """Reload the tab on screen; the others reload when next shown."""
        index = self.tabs.currentIndex()
        self._loaded = {index}
        self._load(index)

    def showEvent(self, event) -> None:
        """Opened again (the counter keeps one window): the figures are read afresh."""
        super().showEvent(event)
        if self._shown_once:
            self.reload()
        self._shown_once = True

    def shutdown(self) -> None:
        """For good (the counter is closing): no more calls, the own pool stops."""
        if self._bridge is not None and hasattr(self._bridge, "outcome"):
            for signal in (self._bridge.outcome, self._bridge.voided):
                try:
                    signal.disconnect(self._counter_moved)
                except (RuntimeError, TypeError):
                    pass
        self.runner.close()
        self.close()
