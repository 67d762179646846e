"""A ReportDoc as CSV for an Italian spreadsheet: semicolon separators, comma decimals, no
thousands grouping, UTF-8 with BOM (Excel then reads the accents), CRLF line ends.

Money cells are plain numbers ("1234,50"), so the accountant can sum them; the currency is in the
column header. Rows are written one by one as the document yields them (a year's statement is
streamed from the ledger); the file goes to a temporary name and is renamed when complete: an
export interrupted halfway never leaves a truncated file that looks complete.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import TextIO

from posapp.core.reports_doc import Cell, Money, ReportDoc

ENCODING = "utf-8-sig"


def money_text(cents: int) -> str:
    """1234 -> "12,34"; -5 -> "-0,05": what an Italian spreadsheet reads as a number."""
    units, rest = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{units},{rest:02d}"


def cell_text(value: Cell) -> str:
    if isinstance(value, Money):
        return money_text(value.cents)
    return str(value)


def render(doc: ReportDoc) -> str:
    """The whole document as text (small documents and tests; files are streamed by `write`)."""
    out = io.StringIO()
    stream(doc, out)
    return out.getvalue()


def stream(doc: ReportDoc, out: TextIO) -> None:
    """Title, facts as label;value lines, then each table with its title, row by row."""
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([doc.title])
    for label, value in doc.facts:
        writer.writerow([label, cell_text(value)])
    for table in doc.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(list(table.headers))
        for row in table.rows:
            writer.writerow([cell_text(v) for v in row])
    if doc.note:
        writer.writerow([])
        writer.writerow([doc.note])


def write(doc: ReportDoc, path: Path) -> Path:
    """Write `doc` to `path` atomically (temporary file, fsync, rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding=ENCODING, newline="") as fh:
        stream(doc, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path
