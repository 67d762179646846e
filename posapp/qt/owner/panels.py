"""The shop's outstanding vouchers and the conflicts to acknowledge."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posapp.core.reports_conflicts import ConflictView
from posapp.core.reports_doc import local_dt
from posapp.core.reports_owner import Outstanding, OwnerBook
from posapp.i18n import _, ngettext
from posapp.qt.owner.runner import Runner
from posapp.qt.owner.tables import SimpleTable, money

WARN_STYLE = "background:#fde2e1; color:#842029; padding:6px; border-radius:4px;"


class OutstandingPanel(QWidget):
    """What the shop still owes its customers: vouchers sold for it and not yet spent."""

    def __init__(self, book: OwnerBook, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book, self.runner = book, runner
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARN_STYLE)
        self.warning.hide()
        self.table = SimpleTable(
            [_("Face value"), _("Expires on"), _("Vouchers"), _("Still to spend")], right=(0, 2, 3)
        )
        note = QLabel(_("From the voucher list of the last sync with the platform."))
        layout = QVBoxLayout(self)
        for w in (self.summary, self.warning, self.table, note):
            layout.addWidget(w)

    def load(self) -> None:
        self.runner.call(self.book.outstanding, on_done=self._show)

    def _show(self, out: Outstanding) -> None:
        self.summary.setText(
            ngettext(
                "{n} voucher not yet spent: {amount} still to spend at this shop.",
                "{n} vouchers not yet spent: {amount} still to spend at this shop.",
                out.count,
            ).format(n=out.count, amount=money(out.owed_cents))
        )
        soon = sum(g.count for g in out.expiring)
        if soon:
            self.warning.setText(
                ngettext(
                    "{n} voucher expires within {days} days: remind its customer.",
                    "{n} vouchers expire within {days} days: remind their customers.",
                    soon,
                ).format(n=soon, days=out.warn_days)
            )
            self.warning.show()
        else:
            self.warning.hide()
        self.table.fill(
            [
                [
                    money(g.face_value_cents),
                    g.expires_on.strftime("%d/%m/%Y") if g.expires_on else _("never"),
                    str(g.count),
                    money(g.owed_cents),
                ]
                for g in out.groups
            ]
        )


class ConflictsPanel(QWidget):
    """Sales accepted offline that the platform refused: what it means, and "acknowledged"."""

    changed = Signal()

    def __init__(self, book: OwnerBook, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book, self.runner = book, runner
        self.views: list[ConflictView] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = SimpleTable(
            [_("When"), _("Voucher"), _("Amount"), _("Operator"), _("What it means"), _("Seen")],
            right=(2,),
        )
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2, 3, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.ack = QPushButton(_("Mark as acknowledged"))
        self.ack.setEnabled(False)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.ack)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.table.itemSelectionChanged.connect(self._selection)
        self.ack.clicked.connect(self.acknowledge_selected)

    def load(self) -> None:
        self.runner.call(self.book.conflicts, on_done=self._show)

    def _show(self, views: list[ConflictView]) -> None:
        self.views = views
        open_count = sum(1 for v in views if not v.acknowledged)
        self.summary.setText(
            ngettext("{n} conflict to look at.", "{n} conflicts to look at.", open_count).format(
                n=open_count
            )
            if open_count
            else _("No conflicts to look at.")
        )
        rows = []
        for v in views:
            when = local_dt(v.occurred_at or v.conflict.created_at).strftime("%d/%m/%Y %H:%M")
            seen = _("yes") if v.acknowledged else _("no")
            rows.append(
                [when, v.conflict.voucher_code, money(v.conflict.amount_cents),
                 v.operator or "", v.meaning, seen]
            )  # fmt: skip
        self.table.fill(rows)
        self.table.resizeRowsToContents()
        self._selection()

    def _selected(self) -> ConflictView | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.views[rows.pop()] if len(rows) == 1 else None

    def _selection(self) -> None:
        view = self._selected()
        self.ack.setEnabled(view is not None and not view.acknowledged)

    def acknowledge_selected(self) -> None:
        view = self._selected()
        if view is None or view.acknowledged:
            return
        self.ack.setEnabled(False)
        self.runner.call(self.book.acknowledge, view.conflict.id, on_done=self._acknowledged)

    def _acknowledged(self, _done: bool) -> None:
        self.changed.emit()
        self.load()
