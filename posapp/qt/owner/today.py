"""Today at a glance, or any past day: totals, the by-hour chart, by till and by operator."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posapp.core.reports import DayReport, NamedTotal
from posapp.core.reports_owner import LOCAL_TZ, OwnerBook
from posapp.i18n import _, ngettext
from posapp.qt.owner.chart import HourChart
from posapp.qt.owner.runner import Runner
from posapp.qt.owner.tables import SimpleTable, money


def report_day_seconds(day: date) -> float:
    """How long the shop's day lasted: 23, 24 or 25 hours in Europe/Rome."""
    start = datetime.combine(day, time(0), LOCAL_TZ)
    end = datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ)
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()


OFFLINE_STYLE = "background:#fff3cd; color:#664d03; padding:6px; border-radius:4px;"


def _rows(named: tuple[NamedTotal, ...]) -> list[list[str]]:
    return [
        [
            r.key or _("(not recorded)"),
            str(r.total.count),
            money(r.total.cents),
            money(r.pending.cents) if r.pending.count else "",
        ]
        for r in named
    ]


class TodayPanel(QWidget):
    """Figures of one day; the date picker moves it (`dayShown` once the figures are on screen)."""

    dayShown = Signal(object)  # the DayReport now displayed

    def __init__(self, book: OwnerBook, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book, self.runner = book, runner
        self.report: DayReport | None = None
        self._asked: date | None = None
        self.picker = QDateEdit(calendarPopup=True)
        self.picker.setDisplayFormat("dd/MM/yyyy")
        self.prev_day = QPushButton(_("◀ Previous day"))
        self.next_day = QPushButton(_("Next day ▶"))
        self.today_button = QPushButton(_("Today"))
        bar = QHBoxLayout()
        for w in (self.prev_day, self.picker, self.next_day, self.today_button):
            bar.addWidget(w)
        bar.addStretch(1)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(OFFLINE_STYLE)
        self.banner.hide()
        self.total = QLabel()
        self.total.setStyleSheet("font-size:22px; font-weight:bold;")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.chart = HourChart()
        heads = [_("Name"), _("Redemptions"), _("Total"), _("Waiting to sync")]
        self.by_till = SimpleTable([_("Till"), *heads[1:]], right=(1, 2, 3))
        self.by_operator = SimpleTable([_("Operator"), *heads[1:]], right=(1, 2, 3))
        grid = QGridLayout()
        grid.addWidget(QLabel(_("By till")), 0, 0)
        self.operator_title = QLabel(_("By operator"))
        grid.addWidget(self.operator_title, 0, 1)
        grid.addWidget(self.by_till, 1, 0)
        grid.addWidget(self.by_operator, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.total)
        layout.addWidget(self.details)
        layout.addWidget(self.chart, 2)
        layout.addLayout(grid, 1)
        self.picker.dateChanged.connect(lambda q: self.show_day(q.toPython()))
        self.prev_day.clicked.connect(lambda: self._step(-1))
        self.next_day.clicked.connect(lambda: self._step(1))
        self.today_button.clicked.connect(lambda: self.show_day(self.book.today()))

    def _step(self, days: int) -> None:
        current = self.picker.date().toPython()
        self.show_day(current + timedelta(days=days))

    def show_day(self, day: date) -> None:
        """Ask for `day`'s figures off the GUI thread; a later request wins over an earlier one."""
        if self.picker.date().toPython() != day:
            self.picker.blockSignals(True)
            self.picker.setDate(QDate(day.year, day.month, day.day))
            self.picker.blockSignals(False)
        self._asked = day
        self.total.setText(_("Loading…"))
        self.runner.call(self.book.day, day, on_done=self._show)

    def _show(self, report: DayReport) -> None:
        if report.day != self._asked:
            return  # the owner moved on to another day meanwhile
        self.report = report
        if report.shop_wide:
            self.banner.hide()
        else:
            self.banner.setText(
                _(
                    "Offline: these are this till's figures only. The other tills of the shop "
                    "are missing until the platform can be reached."
                )
            )
            self.banner.show()
        n = report.total.count
        self.total.setText(
            ngettext("{n} redemption, {amount}", "{n} redemptions, {amount}", n).format(
                n=n, amount=money(report.total.cents)
            )
        )
        self.details.setText(
            _(
                "This till: online {online}, offline {offline}; waiting to sync {pending} "
                "({count}). Voided {voided}. Conflicts: {conflicts}."
            ).format(
                online=money(report.here_online.cents),
                offline=money(report.here_offline.cents),
                pending=money(report.pending.cents),
                count=report.pending.count,
                voided=money(report.voided.cents),
                conflicts=report.conflicts.count,
            )
        )
        if report.awaiting.count:
            self.details.setText(
                self.details.text()
                + "\n"
                + ngettext(
                    "{n} sale sent to the platform is awaiting its confirmation ({amount}): "
                    "not in the total until the next sync settles it.",
                    "{n} sales sent to the platform are awaiting its confirmation ({amount}): "
                    "not in the total until the next sync settles them.",
                    report.awaiting.count,
                ).format(n=report.awaiting.count, amount=money(report.awaiting.cents))
            )
        hours = round((report_day_seconds(report.day)) / 3600)
        if hours != 24:
            self.details.setText(
                self.details.text()
                + "\n"
                + _("The clocks changed on this day: it had {hours} hours.").format(hours=hours)
            )
        self.operator_title.setText(
            _("By operator")
            if report.operators_shop_wide or not report.shop_wide
            else _("By operator (this till only: the platform does not tell the others)")
        )
        self.chart.set_data(report.by_hour)
        self.by_till.fill(_rows(report.by_till))
        self.by_operator.fill(_rows(report.by_operator))
        self.dayShown.emit(report)
