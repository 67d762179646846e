"""The big answer of the counter: what to do now, or the verdict in its colour, in large type.

Takes its CounterFlow in __init__ and follows it: waiting for a code, checking it, redeeming, the
verdict (green accepted, orange accepted offline or needs attention, red refused) and the undo
question. Texts wrap; nothing here can widen the window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from posapp.i18n import _
from posapp.qt.counter_flow import (
    LOOKING_UP,
    REDEEMING,
    SCANNING,
    CounterFlow,
)
from posapp.qt.style import font, tone_sheet
from posapp.qt.verdicts import Verdict


class VerdictPanel(QWidget):
    def __init__(self, flow: CounterFlow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.tone = "neutral"
        self.headline = QLabel()
        self.headline.setObjectName("headline")
        self.headline.setFont(font(self, 30, bold=True))
        self.detail = QLabel()
        self.detail.setObjectName("detail")
        self.detail.setFont(font(self, 20))
        for label in (self.headline, self.detail):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addStretch(1)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setMinimumHeight(160)
        flow.phaseChanged.connect(self._on_phase)
        flow.verdictShown.connect(self.show_verdict)
        flow.bridge.stateChanged.connect(self._on_state)
        self._on_phase(flow.phase)

    @Slot(object)
    def _on_state(self, _state: object) -> None:
        if self.flow.phase == SCANNING:  # the invitation to scan follows "needs pairing"
            self._on_phase(SCANNING)

    def retranslate(self) -> None:
        if self.flow.verdict is not None and self.flow.phase not in (SCANNING, LOOKING_UP):
            return  # a verdict already on screen keeps its words until the next scan
        self._on_phase(self.flow.phase)

    @Slot(str)
    def _on_phase(self, phase: str) -> None:
        if phase == SCANNING and getattr(self.flow.bridge.state, "needs_pairing", False):
            # no invitation to scan a voucher the till would refuse
            self._set(
                "attention",
                _("Pair this till again"),
                _("The platform no longer recognises this till: F10 to pair it again. "
                  "The redemptions waiting to be sent are kept."),
            )  # fmt: skip
        elif phase == SCANNING:
            self._set(
                "neutral",
                _("Show the voucher's QR code"),
                _("Camera, barcode scanner, or F2 to type the code"),
            )
        elif phase == LOOKING_UP:
            self._set("busy", _("Checking the voucher…"), "")
        elif phase == REDEEMING:
            self._set("busy", _("Just a moment…"), "")

    @Slot(object)
    def show_verdict(self, verdict: Verdict) -> None:
        self._set(verdict.tone, verdict.headline, verdict.detail)

    def _set(self, tone: str, headline: str, detail: str) -> None:
        self.tone = tone
        self.setStyleSheet(f"VerdictPanel {{ {tone_sheet(tone)} }} QLabel {{ background: none; }}")
        fg = tone_sheet(tone).split(";")[0]
        self.headline.setStyleSheet(fg)
        self.detail.setStyleSheet(fg)
        self.headline.setText(headline)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
