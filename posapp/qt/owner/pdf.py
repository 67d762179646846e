"""A ReportDoc on paper: PDF through QPdfWriter, or a printer through QPrinter (same painting).

A4 portrait, the title and the facts first, then each table with its header repeated on every new
page, page numbers at the foot. Money as the shop reads it ("€ 1.234,50"); times are Rome's.
Rows are painted as the document yields them and each finished page goes to the writer, so a
statement of many thousand rows is never held whole (column widths come from its first rows).
"""

from __future__ import annotations

from itertools import chain, islice
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)

from posapp.core.money import format_cents
from posapp.core.reports_doc import Cell, Money, ReportDoc, Table
from posapp.i18n import current_language, tr

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def cell_text(value: Cell, lang: str) -> str:
    return format_cents(value.cents, lang=lang) if isinstance(value, Money) else str(value)


class _Pager:
    """Keeps the pen's vertical position and starts new pages with their footer."""

    def __init__(self, painter: QPainter, device: QPagedPaintDevice, lang: str) -> None:
        self.p, self.device, self.lang = painter, device, lang
        layout = device.pageLayout()
        dpi = device.resolution()
        rect = layout.paintRect(QPageLayout.Unit.Inch)
        self.width = rect.width() * dpi
        self.height = rect.height() * dpi
        self.y = 0.0
        self.page = 1
        self.body = QFont("DejaVu Sans", 9)
        self.bold = QFont("DejaVu Sans", 9, QFont.Weight.Bold)
        self.title_font = QFont("DejaVu Sans", 16, QFont.Weight.Bold)
        self.line = QFontMetricsF(self.body, device).height() * 1.35
        self.footer_h = self.line * 1.5

    def room(self, lines: float = 1) -> bool:
        return self.y + self.line * lines <= self.height - self.footer_h

    def footer(self) -> None:
        self.p.setFont(self.body)
        text = tr("Page {n}", self.lang, n=self.page)
        self.p.drawText(QRectF(0, self.height - self.line, self.width, self.line), RIGHT, text)

    def new_page(self) -> None:
        self.footer()
        self.device.newPage()
        self.page += 1
        self.y = 0.0

    def text(self, text: str, font: QFont, height: float | None = None) -> None:
        h = height or self.line
        if not self.room(h / self.line):
            self.new_page()
        self.p.setFont(font)
        self.p.drawText(QRectF(0, self.y, self.width, h), LEFT | Qt.TextFlag.TextWordWrap, text)
        self.y += h


def _widths(
    table: Table, head: list, total: float, lang: str, metrics: QFontMetricsF
) -> list[float]:
    """Each column its natural width when they all fit (spread to fill the line); otherwise the
    narrow ones keep theirs and the widest share what is left (elided there, not everywhere)."""
    sample = [table.headers] + [tuple(cell_text(c, lang) for c in r) for r in head]
    natural = [
        max(metrics.horizontalAdvance(str(r[i])) for r in sample) + metrics.height()
        for i in range(len(table.headers))
    ]
    if sum(natural) <= total:
        return [w * total / sum(natural) for w in natural]
    cap, left = total, total
    for k, width in enumerate(sorted(natural)):
        share = left / (len(natural) - k)
        if width > share:
            cap = share
            break
        left -= width
    return [min(w, cap) for w in natural]


def _table(pg: _Pager, table: Table) -> None:
    if not pg.room(4):
        pg.new_page()
    pg.y += pg.line * 0.5
    pg.text(table.title, pg.bold)
    metrics = QFontMetricsF(pg.body, pg.device)
    rows = iter(table.rows)
    head = list(islice(rows, 200))  # the widths are measured on these
    widths = _widths(table, head, pg.width, pg.lang, metrics)
    money_cols = {i for i, c in enumerate(head[0]) if isinstance(c, Money)} if head else set()

    def row(cells: tuple[str, ...], font: QFont) -> None:
        if not pg.room():
            pg.new_page()
            row(table.headers, pg.bold)
        pg.p.setFont(font)
        x, pad = 0.0, pg.line * 0.4
        for i, text in enumerate(cells):
            align = RIGHT if i in money_cols else LEFT
            inner = widths[i] - 2 * pad
            clipped = metrics.elidedText(text, Qt.TextElideMode.ElideRight, inner)
            pg.p.drawText(QRectF(x + pad, pg.y, inner, pg.line), align, clipped)
            x += widths[i]
        pg.y += pg.line

    row(table.headers, pg.bold)
    pg.p.drawLine(0, int(pg.y), int(pg.width), int(pg.y))
    if not head:
        row((table.empty,) + ("",) * (len(table.headers) - 1), pg.body)
    for r in chain(head, rows):
        row(tuple(cell_text(c, pg.lang) for c in r), pg.body)


def paint(doc: ReportDoc, device: QPagedPaintDevice, lang: str | None = None) -> int:
    """Paint `doc` on `device` (a QPdfWriter or a QPrinter); returns the number of pages."""
    lang = lang or current_language()
    painter = QPainter(device)
    try:
        pg = _Pager(painter, device, lang)
        pg.text(doc.title, pg.title_font, pg.line * 2)
        for label, value in doc.facts:
            pg.text(f"{label}: {cell_text(value, lang)}", pg.body)
        for table in doc.tables:
            _table(pg, table)
        if doc.note:
            pg.y += pg.line * 0.5
            pg.text(doc.note, pg.body)
        pg.footer()
        return pg.page
    finally:
        painter.end()


def write_pdf(doc: ReportDoc, path: Path, lang: str | None = None) -> Path:
    """The document as an A4 PDF at `path` (written to a temporary name, then renamed)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    writer = QPdfWriter(str(tmp))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    if doc.landscape:
        writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle(doc.title)
    writer.setCreator("posapp")
    paint(doc, writer, lang)
    del writer  # closes the file
    tmp.replace(path)
    return path
