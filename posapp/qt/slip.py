"""The customer's slip after a redemption, printed through Qt's print support.

Optional (Settings.print_slip, off by default): shop, till, date and time in the shop's zone
(Europe/Rome, whatever the PC's zone), the voucher's number, the amount taken, the balance left and
the operator. Never a signed code's raw text: a label that looks like one is cut to its last
characters. The time is the redemption's own, as the ledger row keeps it (the till's trusted time
when it was recorded), never the moment of printing or the PC's clock: `recorded_slip` builds the
slip from that row, `print_recorded` (F8) reads it off the GUI thread and then asks for a printer.
`print_slip(printer, slip)` draws on any QPrinter (a PDF file in the tests);
`ask_and_print(parent, slip)` lets the shopkeeper choose the printer first.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from posapp.core.clock import parse_utc
from posapp.core.money import format_cents
from posapp.core.store import ledger
from posapp.i18n import _, current_language

SHOP_ZONE = ZoneInfo("Europe/Rome")
SLIP_WIDTH_MM = 80  # a receipt roll; an A4 printer prints it as a narrow column
SLIP_HEIGHT_MM = 120
MAX_LABEL = 24


@dataclass(frozen=True)
class Slip:
    shop_name: str
    till_name: str
    occurred_at: datetime  # aware; shown in Europe/Rome
    voucher_label: str  # the voucher's number, never a signed code's text
    amount_cents: int
    balance_cents: int | None
    currency: str = "EUR"
    operator: str | None = None
    offline: bool = False


def safe_label(label: str) -> str:
    """The voucher's number as printed; anything long (a signed code) keeps only its tail."""
    label = " ".join(label.split())
    if len(label) > MAX_LABEL or label.upper().startswith("PV:"):
        return "…" + label[-8:]
    return label


def slip_html(slip: Slip) -> str:
    """The slip's text as simple HTML in the current language (everything escaped)."""
    lang = current_language()
    when = slip.occurred_at
    when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(SHOP_ZONE)
    rows = [
        (_("Date"), when.strftime("%d/%m/%Y %H:%M")),
        (_("Voucher"), safe_label(slip.voucher_label)),
        (_("Amount taken"), format_cents(slip.amount_cents, slip.currency, lang)),
    ]
    if slip.balance_cents is not None:
        rows.append((_("Balance left"), format_cents(slip.balance_cents, slip.currency, lang)))
    if slip.operator:
        rows.append((_("Operator"), slip.operator))
    nowrap = "style='white-space: nowrap'"
    body = "".join(
        f"<tr><td {nowrap}>{html.escape(k)}</td>"
        f"<td align='right' {nowrap}><b>{html.escape(v)}</b></td></tr>"
        for k, v in rows
    )
    note = ""
    if slip.offline:
        note = "<p><i>{}</i></p>".format(
            html.escape(_("Taken without a line: the platform will confirm it."))
        )
    title, not_fiscal = _("Voucher redemption"), _("This is not a fiscal receipt.")
    return (
        f"<h3 align='center'>{html.escape(slip.shop_name)}</h3>"
        f"<p align='center'>{html.escape(slip.till_name)}</p>"
        f"<p align='center'><b>{html.escape(title)}</b></p>"
        f"<table width='100%' cellspacing='2'>{body}</table>{note}"
        f"<p align='center'>{html.escape(not_fiscal)}</p>"
    )


def print_slip(printer: QPrinter, slip: Slip) -> None:
    """Lay the slip out on a receipt-sized page and print it on `printer`."""
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(SLIP_WIDTH_MM, SLIP_HEIGHT_MM), QPageSize.Unit.Millimeter, "slip"),
            QPageLayout.Orientation.Portrait,
            QMarginsF(4, 4, 4, 4),
            QPageLayout.Unit.Millimeter,
        )
    )
    doc = QTextDocument()
    # Laid out with the printer's own font metrics and in its pixels: a document measured at the
    # screen's resolution and then scaled set its 9 pt text about a third too wide for the roll,
    # and the right column (date, amounts) ran off the paper.
    doc.documentLayout().setPaintDevice(printer)
    doc.setDefaultStyleSheet("body, td, p { font-size: 9pt; } h3 { font-size: 12pt; }")
    doc.setHtml(slip_html(slip))
    # a page size of its own: the paper's width, and no page numbers added
    doc.setPageSize(printer.pageLayout().paintRectPixels(printer.resolution()).size().toSizeF())
    doc.print_(printer)


def print_to_pdf(path: Path, slip: Slip) -> None:
    """The slip as a PDF file (the tests, and a preview when no printer is installed)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    print_slip(printer, slip)


def ask_and_print(parent: QWidget | None, slip: Slip) -> bool:
    """Let the shopkeeper pick the printer, then print; False when cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print the customer's slip"))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    print_slip(printer, slip)
    return True


def recorded_slip(service: Any, redemption_id: str) -> Slip | None:
    """The slip of a redemption as its ledger row holds it: its recorded (trusted) time, amount,
    balance after and operator. Reads the database: call it off the GUI thread. None when the
    row is missing, cancelled or refused (there is nothing for the customer to keep)."""
    row = service.store.call(ledger.get, redemption_id)
    if row is None or row.voided_at or row.state not in ("pending", "accepted"):
        return None
    till = service.tills.get(row.account_id)
    account = getattr(till, "account", None)
    return Slip(
        shop_name=getattr(account, "shop_name", "") or "",
        till_name=getattr(account, "till_name", "") or "",
        occurred_at=parse_utc(row.occurred_at),
        voucher_label=row.voucher_code,
        amount_cents=row.amount_cents,
        balance_cents=row.balance_after_cents,
        currency=row.currency,
        operator=row.operator,
        offline=row.state == "pending",
    )


def print_recorded(
    parent: QWidget | None,
    bridge: Any,
    service: Any,
    redemption_id: str,
    say: Callable[[str, str], None],
) -> None:
    """F8: read the redemption's row on the bridge's pool, then offer the printer on the GUI
    thread; `say(headline, detail)` tells the shopkeeper when there is no slip to print."""

    def done(slip: Slip | None) -> None:
        if slip is None:
            say(
                _("No slip for this redemption"),
                _("It was cancelled, or it is not in this till's records."),
            )
            return
        ask_and_print(parent, slip)

    bridge.run(recorded_slip, service, redemption_id, on_done=done)


__all__ = [
    "Slip",
    "ask_and_print",
    "print_recorded",
    "print_slip",
    "print_to_pdf",
    "recorded_slip",
    "safe_label",
    "slip_html",
]
