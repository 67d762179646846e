"""The fiscal receipt (scontrino) number kept with a redemption (F7 after a redemption).

Typed, or scanned from the receipt's barcode (the counter hands a USB or camera scan to
`scanned(text)`). `receiptEntered(redemption_id, number)` goes to PosBridge.set_receipt; the number
is local only (the platform never sees it). A number that cannot be one is refused in plain words.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from posapp.i18n import _
from posapp.qt.slip import safe_label

MAX_LENGTH = 32
# RT receipts print "closure-number" (0012-0034); other tills add letters, slashes or dots
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]*")


def clean_receipt_number(text: str) -> str | None:
    """The number without surrounding spaces, or None when it cannot be a receipt number."""
    text = text.strip() if isinstance(text, str) else ""
    if not text or len(text) > MAX_LENGTH or not _NUMBER.fullmatch(text):
        return None
    return text


class ReceiptDialog(QDialog):
    receiptEntered = Signal(str, str)  # (redemption_id, number)

    def __init__(self, redemption_id: str, summary: str = "", parent=None) -> None:
        super().__init__(parent)
        self.redemption_id = redemption_id
        self.number: str | None = None
        self.setWindowTitle(_("Receipt number"))
        self.setModal(True)
        prompt = QLabel(_("Type or scan the number of the receipt (scontrino) for this sale."))
        prompt.setWordWrap(True)
        self.field = QLineEdit()
        self.field.setMaxLength(MAX_LENGTH)
        self.field.setPlaceholderText("0012-0034")
        self.field.setStyleSheet("font-size: 24px;")
        self.field.returnPressed.connect(self.submit)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.ok_button = QPushButton(_("Keep the number"))
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        for b in (self.ok_button, cancel):
            b.setAutoDefault(False)  # Enter in the field is the field's (submit), not a button's
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        if summary:  # a signed code's raw text must neither show nor widen the dialog
            layout.addWidget(QLabel(safe_label(summary)))
        layout.addWidget(prompt)
        layout.addWidget(self.field)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setStyleSheet("QLabel, QPushButton { font-size: 16px; }")

    def scanned(self, text: str) -> None:
        """A scan of the receipt's barcode: fills the field and keeps it at once."""
        self.field.setText(text.strip())
        self.submit()

    def submit(self) -> None:
        number = clean_receipt_number(self.field.text())
        if number is None:
            self.message.setText(
                _("This is not a receipt number: letters, digits, - / . only, up to {max}.").format(
                    max=MAX_LENGTH
                )
            )
            return
        self.number = number
        self.receiptEntered.emit(self.redemption_id, number)
        self.accept()


__all__ = ["ReceiptDialog", "clean_receipt_number"]
