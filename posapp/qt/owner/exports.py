"""The reports tab: end-of-day report ("chiusura giornaliera") and period statement, as PDF, CSV or
on the printer.

Files go to the export folder with a name that says what they hold (e.g.
`chiusura-giornaliera-2026-10-25.pdf`); building the document and writing it happen off the GUI
thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posapp.core import reports_csv
from posapp.core.reports_doc import ReportDoc
from posapp.core.reports_owner import OwnerBook
from posapp.i18n import _, current_language
from posapp.qt.owner import pdf
from posapp.qt.owner.runner import Runner


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(calendarPopup=True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setDate(QDate(day.year, day.month, day.day))
    edit.setMaximumWidth(170)
    return edit


class ExportPanel(QWidget):
    saved = Signal(object)  # Path of the file written

    def __init__(
        self, book: OwnerBook, runner: Runner, folder: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.book, self.runner, self.folder = book, runner, Path(folder)
        today = book.today()
        self.day = _date_edit(today)
        self.first = _date_edit(today.replace(day=1))
        self.last = _date_edit(today)
        self.day_pdf = QPushButton(_("PDF"))
        self.day_csv = QPushButton(_("CSV (spreadsheet)"))
        self.day_print = QPushButton(_("Print…"))
        self.period_pdf = QPushButton(_("PDF"))
        self.period_csv = QPushButton(_("CSV (spreadsheet)"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.open_folder = QPushButton(_("Open the folder"))
        self.open_folder.hide()
        eod = QGroupBox(_("End-of-day report"))
        eod.setObjectName("endOfDay")
        grid = QGridLayout(eod)
        grid.addWidget(QLabel(_("Day")), 0, 0)
        grid.addWidget(self.day, 0, 1)
        for i, b in enumerate((self.day_pdf, self.day_csv, self.day_print)):
            b.setMinimumWidth(150)
            grid.addWidget(b, 1, i)
        grid.setColumnStretch(3, 1)
        period = QGroupBox(_("Statement for the accountant or the town council"))
        grid2 = QGridLayout(period)
        grid2.addWidget(QLabel(_("From")), 0, 0)
        grid2.addWidget(self.first, 0, 1)
        grid2.addWidget(QLabel(_("To")), 0, 2)
        grid2.addWidget(self.last, 0, 3)
        grid2.addWidget(self.period_pdf, 1, 0)
        grid2.addWidget(self.period_csv, 1, 1)
        grid2.setColumnStretch(4, 1)
        layout = QVBoxLayout(self)
        for w in (eod, period, self.status, self.open_folder):
            layout.addWidget(w)
        layout.addStretch(1)
        self.day_pdf.clicked.connect(lambda: self.export_day("pdf"))
        self.day_csv.clicked.connect(lambda: self.export_day("csv"))
        self.day_print.clicked.connect(self.print_day)
        self.period_pdf.clicked.connect(lambda: self.export_period("pdf"))
        self.period_csv.clicked.connect(lambda: self.export_period("csv"))
        self.open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))
        )

    # -- actions -------------------------------------------------------------------------------
    def export_day(self, kind: str) -> None:
        day = self.day.date().toPython()
        lang = current_language()
        name = _("end-of-day-{day}").format(day=day.isoformat())
        self._export(lambda: self.book.end_of_day(day, lang), name, kind, lang)

    def export_period(self, kind: str) -> None:
        first, last = self.first.date().toPython(), self.last.date().toPython()
        if last < first:
            self.status.setText(_("The end of the period comes before its start: check the dates."))
            return
        lang = current_language()
        name = _("statement-{first}-{last}").format(first=first.isoformat(), last=last.isoformat())
        self._export(lambda: self.book.statement(first, last, lang), name, kind, lang)

    def _export(self, build: Callable[[], ReportDoc], name: str, kind: str, lang: str) -> None:
        path = self.folder / f"{name}.{kind}"
        self.status.setText(_("Preparing the report…"))

        def work() -> Path:
            self.folder.mkdir(parents=True, exist_ok=True)
            doc = build()
            if kind == "pdf":
                return pdf.write_pdf(doc, path, lang)
            return reports_csv.write(doc, path)

        self.runner.call(work, on_done=self._saved)

    def _saved(self, path: Path) -> None:
        self.status.setText(_("Saved: {path}").format(path=str(path)))
        self.open_folder.show()
        self.saved.emit(path)

    def print_day(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QPrintDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Paint the chosen day's report on `printer`, off the GUI thread."""
        day, lang = self.day.date().toPython(), current_language()
        self.status.setText(_("Printing…"))

        def work() -> int:
            return pdf.paint(self.book.end_of_day(day, lang), printer, lang)

        self.runner.call(work, on_done=lambda pages: self.status.setText(
            _("Sent to the printer ({pages} pages).").format(pages=pages)))  # fmt: skip
