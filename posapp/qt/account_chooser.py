"""Which platform? A plain code that two platforms of this till know: the shopkeeper chooses.

The till never guesses (posapp.core.policy returns a NeedsChoice, online or offline). Takes its
CounterFlow in __init__ and shows, in the "choose" phase, one big button per platform with its
name, the shop's name there, and what that platform says of the voucher (value, balance, expiry,
or its refusal). Printable keys (1..9 too) belong to the USB scanner, so the keyboard picks with
the arrows and Enter; a tap picks directly; Esc goes back to scanning. The choice is resubmitted
through the flow (`CounterFlow.choose`), which looks the code up on that platform only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from posapp.i18n import _
from posapp.qt.counter_flow import CounterFlow
from posapp.qt.style import BUTTON_HEIGHT, font
from posapp.qt.verdicts import money, refusal_words, short_date

BUTTON = "QPushButton {{ text-align: left; border-radius: 8px; border: {border}; {bg} }}"
CURRENT = "4px solid #ffd54f"


class AccountChooser(QWidget):
    def __init__(
        self,
        flow: CounterFlow,
        shop_name: Callable[[str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.flow = flow
        self._shop_name = shop_name or (lambda _account_id: "")
        self.title = QLabel()
        self.title.setFont(font(self, 24, bold=True))
        self.detail = QLabel()
        self.detail.setFont(font(self, 14))
        self.hint = QLabel()
        self.hint.setFont(font(self, 13))
        for label in (self.title, self.detail, self.hint):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._list = QVBoxLayout()
        self._list.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addLayout(self._list)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.buttons: list[QPushButton] = []
        self.account_ids: list[str] = []
        self.current = -1
        flow.choiceShown.connect(self.show_choice)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Which platform?"))
        self.detail.setText(
            _("Several platforms know this code: choose the one named on the voucher.")
        )
        self.hint.setText(_("↑ ↓ to choose · Enter: this one · Esc: back to scanning"))
        if self.flow.choice is not None:
            self.show_choice(self.flow.choice)

    @Slot(object)
    def show_choice(self, choice: Any) -> None:  # posapp.core.policy.NeedsChoice
        for button in self.buttons:
            self._list.removeWidget(button)
            button.deleteLater()
        self.buttons, self.account_ids, self.current = [], [], -1
        for number, option in enumerate(choice.choices):
            button = self._button(option)
            button.setObjectName(f"choice_{number}")
            self._list.addWidget(button)
            self.buttons.append(button)
            self.account_ids.append(option.account_id)
            if self.current < 0 and button.isEnabled():
                self.current = number
        self._paint()

    def _button(self, option: Any) -> QPushButton:  # an AccountChoice
        button = QPushButton()
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Enter and the arrows stay the window's
        button.setMinimumHeight(BUTTON_HEIGHT + 24)
        button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        shop = self._shop_name(option.account_id)
        name = QLabel(f"{option.name} · {shop}" if shop else option.name or option.account_id)
        name.setFont(font(self, 17, bold=True))
        facts = QLabel(self._facts(option))
        facts.setFont(font(self, 14))
        inner = QVBoxLayout(button)
        inner.setContentsMargins(14, 8, 14, 8)
        for label in (name, facts):
            label.setWordWrap(True)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            inner.addWidget(label)
        button.setEnabled(option.summary is not None)
        button.clicked.connect(lambda _c=False, a=option.account_id: self.flow.choose(a))
        return button

    @staticmethod
    def _facts(option: Any) -> str:
        summary = option.summary
        if summary is None:
            return refusal_words(option.refusal) if option.refusal else _("Not usable here")
        return _("Value {value} · balance {balance} · expires {expiry}").format(
            value=money(summary.face_value_cents, summary.currency),
            balance=money(summary.balance_cents, summary.currency),
            expiry=short_date(summary.expires_at),
        )

    def move(self, step: int) -> None:
        """↑/↓: the next usable platform (wrapping round)."""
        usable = [i for i, b in enumerate(self.buttons) if b.isEnabled()]
        if not usable:
            return
        at = usable.index(self.current) if self.current in usable else -1
        self.current = usable[(at + step) % len(usable)]
        self._paint()

    def pick_current(self) -> bool:
        """Enter: look the code up on the highlighted platform."""
        if 0 <= self.current < len(self.account_ids):
            return self.flow.choose(self.account_ids[self.current])
        return False

    def _paint(self) -> None:
        for index, button in enumerate(self.buttons):
            current = index == self.current
            bg = "background: #fff8e1;" if current else ""
            button.setStyleSheet(
                BUTTON.format(border=CURRENT if current else "1px solid #90a4ae", bg=bg)
            )
