"""The voucher before the shopkeeper confirms: number, value, balance, expiry, and the amount.

Takes its CounterFlow in __init__; shown in the "confirm" phase. A signed code shows the voucher's
number, never its 137-character text. Enter (here or anywhere in the window) takes the default
amount; digits typed in the amount field (F3 puts the cursor there) take part of the balance when
the voucher allows it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from posapp.core.money import parse_amount
from posapp.i18n import _
from posapp.qt.counter_flow import CounterFlow
from posapp.qt.style import font
from posapp.qt.verdicts import money, short_date


class VoucherPanel(QWidget):
    def __init__(self, flow: CounterFlow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.title = QLabel()
        self.title.setFont(font(self, 22, bold=True))
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for key in ("code", "value", "balance", "expiry", "state"):
            name, value = QLabel(), QLabel()
            name.setFont(font(self, 15))
            value.setFont(font(self, 17, bold=True))
            value.setObjectName(key)
            value.setWordWrap(True)
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            form.addRow(name, value)
            self.rows[key] = (name, value)
        self.amount_label = QLabel()
        self.amount_label.setFont(font(self, 15))
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setFont(font(self, 22, bold=True))
        self.amount.setMinimumHeight(52)
        self.amount.setMaxLength(12)
        # the placeholder is the amount Enter takes: as dark as typed text, never a grey that
        # reads as "disabled"; typing replaces it
        palette = self.amount.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.PlaceholderText, QColor("#000000"))
        self.amount.setPalette(palette)
        self.amount.returnPressed.connect(self.confirm)
        self.amount.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.amount.textEdited.connect(lambda _t: self.error.setText(""))
        self.error = QLabel()
        self.error.setObjectName("amount_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setFont(font(self, 13))
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.amount_label)
        layout.addWidget(self.amount)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        flow.summaryShown.connect(self.show_summary)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Voucher"))
        names = {
            "code": _("Number"),
            "value": _("Value"),
            "balance": _("Balance"),
            "expiry": _("Expires"),
            "state": _("State"),
        }
        for key, (label, _value) in self.rows.items():
            label.setText(names[key])
        self.amount_label.setText(_("Amount to take (F3)"))
        self.hint.setText(_("Enter: confirm · F3: another amount · Esc: back to scanning"))
        if self.flow.summary is not None:
            self.show_summary(self.flow.summary)

    @Slot(object)
    def show_summary(self, summary) -> None:  # posapp.core.store.offline_rules.Summary
        cur = summary.currency
        self.rows["code"][1].setText(summary.code)
        self.rows["value"][1].setText(money(summary.face_value_cents, cur))
        self.rows["balance"][1].setText(money(summary.balance_cents, cur))
        self.rows["expiry"][1].setText(short_date(summary.expires_at))
        state = (
            _("Valid") if summary.balance_cents >= summary.face_value_cents else _("Partly used")
        )
        if summary.source == "offline":
            state += " · " + _("checked without the line (till's copy)")
        self.rows["state"][1].setText(state)
        self.amount.clear()
        self.error.setText("")
        self.amount.setPlaceholderText(money(summary.default_amount_cents, cur))
        self.amount.setEnabled(summary.partial_allowed)
        if not summary.partial_allowed:
            self.amount.setPlaceholderText(
                money(summary.default_amount_cents, cur) + " · " + _("all at once")
            )

    def focus_amount(self) -> None:
        if self.amount.isEnabled():
            self.amount.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.amount.selectAll()

    @Slot()
    def confirm(self) -> None:
        """Enter: an empty field takes the default amount; a typed one must be a plain amount."""
        text = self.amount.text().strip()
        if not text:
            self.flow.confirm()
            return
        cents = parse_amount(text)
        if cents is None or cents <= 0:
            self.error.setText(_("Type an amount like 7,50"))
            return
        self.flow.confirm(cents)
