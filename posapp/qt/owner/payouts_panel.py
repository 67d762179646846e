"""Payouts: what the platform has paid the shop, what is scheduled, what is still unpaid."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from posapp.core.reports_owner import OwnerBook
from posapp.core.reports_payouts import Payouts
from posapp.i18n import _, ngettext
from posapp.qt.owner.runner import Runner
from posapp.qt.owner.tables import SimpleTable, money


def _d(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _period(start, end) -> str:
    """The period as the owner reads it: a day, "first - last", or "until last" (the first)."""
    if start is None:
        return _("until {day}").format(day=_d(end))
    return _d(start) if start == end else f"{_d(start)} - {_d(end)}"


class PayoutsPanel(QWidget):
    def __init__(self, book: OwnerBook, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book, self.runner = book, runner
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = SimpleTable(
            [_("Payout"), _("Period"), _("Redemptions"), _("Taken back"), _("Amount"),
             _("State"), _("Paid on"), _("Bank reference")],
            right=(2, 3, 4),
        )  # fmt: skip
        self.table.horizontalHeader().setSectionResizeMode(  # a few rows: sized to the dates
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def load(self) -> None:
        self.runner.call(self.book.payouts, on_done=self._show)

    def _show(self, payouts: Payouts) -> None:
        if not payouts.reported:
            self.summary.setText(
                _(
                    "The platform does not report payouts to this till (or cannot be reached "
                    "now). Accepted and not yet known to be paid: {amount}."
                ).format(amount=money(payouts.unpaid_cents))
            )
        else:
            self.summary.setText(
                ngettext(
                    "Still unpaid: {amount} ({n} redemption of this till).",
                    "Still unpaid: {amount} ({n} redemptions of this till).",
                    payouts.unpaid_count,
                ).format(amount=money(payouts.unpaid_cents), n=payouts.unpaid_count)
            )
        self.table.fill(
            [
                [
                    str(p.number),
                    _period(p.period_start, p.period_end),
                    str(len(p.redemption_ids)),
                    money(p.adjusted_cents) if p.adjusted_ids else "",
                    money(p.amount_cents),
                    _("paid") if p.state == "paid" else _("scheduled"),
                    _d(p.paid_on),
                    p.bank_reference,
                ]
                for p in payouts.lines
            ]
        )
