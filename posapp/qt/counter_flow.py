"""The counter's scan flow, the model its widgets show: code -> summary -> confirm -> verdict.

Phases: "scanning" (waiting for a code), "looking_up" (the platform or the cache is asked),
"confirm" (value, balance, expiry shown; Enter takes the default amount, or a typed partial one),
"redeeming", "verdict" (shown for `verdict_s`, then back to scanning by itself), "undo_confirm"
(F4 asked to cancel the last redemption: Enter or F4 again cancels it, Esc keeps it), and
"choose" (a plain code that several platforms know: the shopkeeper picks one, and the code is
looked up again on that one only; Esc goes back to scanning). A scan that arrives during a
summary, a choice or a verdict replaces it: scanning never stops. Only a redemption in flight
holds new scans back (its answer takes milliseconds when the line is good).
Every service call goes through the PosBridge; each answer carries the ticket of its request, so
the answer to a scan the shopkeeper left with Esc is dropped.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from posapp.core.policy import (
    AcceptedOffline,
    AcceptedOnline,
    NeedsChoice,
    NeedsConfirmation,
    Refused,
)
from posapp.i18n import _
from posapp.qt.bridge import PosBridge
from posapp.qt.verdicts import ATTENTION, INFO, Verdict, money, verdict_for, void_verdict

SCANNING, LOOKING_UP, CONFIRM, REDEEMING, VERDICT, UNDO_CONFIRM, CHOOSE = (
    "scanning",
    "looking_up",
    "confirm",
    "redeeming",
    "verdict",
    "undo_confirm",
    "choose",
)


class CounterFlow(QObject):
    phaseChanged = Signal(str)
    summaryShown = Signal(object)  # posapp.core.store.offline_rules.Summary
    verdictShown = Signal(object)  # Verdict
    redeemed = Signal(object)  # AcceptedOnline | AcceptedOffline (the slip and receipt use it)
    choiceShown = Signal(object)  # posapp.core.policy.NeedsChoice

    def __init__(
        self,
        bridge: PosBridge,
        *,
        verdict_s: float = 5.0,
        void_window: timedelta = timedelta(minutes=10),
        auto_confirm_s: float | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.phase = SCANNING
        self.summary: Any = None
        self.verdict: Verdict | None = None
        self.last_redemption: AcceptedOnline | AcceptedOffline | None = None
        self._last_at = 0.0  # time.monotonic() of the last redemption
        self._last_operator: str | None = None  # who took it (the operator's name)
        self.void_window = void_window
        self._text = ""
        self._account_id: str | None = None  # the platform chosen for this code (NeedsChoice)
        self.choice: NeedsChoice | None = None
        self._ticket = 0
        self._back = QTimer(self, singleShot=True, interval=int(verdict_s * 1000))
        self._back.timeout.connect(self.back_to_scanning)
        self._auto = QTimer(self, singleShot=True)
        self._auto.timeout.connect(self.confirm)
        self.auto_confirm_s = auto_confirm_s  # the demo confirms by itself
        bridge.answered.connect(self._on_answer)
        bridge.voided.connect(self._on_voided)

    # -- what the window and the scanners call -------------------------------------------------
    @Slot(str, str)
    def on_code(self, text: str, source: str = "manual") -> None:
        """A code from the camera, the USB scanner or the keyboard."""
        if self.phase == REDEEMING:
            return  # the redemption in flight decides; the same scan can come again after it
        if self.bridge.operator_required and self.bridge.operator is None:
            self.notify(
                Verdict(
                    ATTENTION,
                    _("Who is at the till?"),
                    _("Press F6 and type your PIN: then scan the voucher again."),
                    "attention",
                )
            )
            return
        self._text = text
        self.summary = None
        self.choice = None
        self._account_id = None
        self._back.stop()
        self._auto.stop()
        self._ticket = self.bridge.submit(text)
        self._set_phase(LOOKING_UP)

    @Slot(str)
    def choose(self, account_id: str) -> bool:
        """The shopkeeper's answer to "which platform?": look the code up on that one only."""
        if self.phase != CHOOSE or self.choice is None:
            return False
        if account_id not in {c.account_id for c in self.choice.choices}:
            return False
        self._account_id = account_id
        self.choice = None
        self._ticket = self.bridge.submit(self._text, account_id=account_id)
        self._set_phase(LOOKING_UP)
        return True

    @Slot()
    def confirm(self, amount_cents: int | None = None) -> bool:
        """Enter: redeem the summary's default amount, or `amount_cents` (a partial one)."""
        if self.phase == UNDO_CONFIRM:
            self._do_undo()
            return True
        if self.phase != CONFIRM or self.summary is None:
            return False
        self._auto.stop()
        if amount_cents is not None and amount_cents > self.summary.max_amount_cents:
            self._show(
                Verdict(
                    ATTENTION,
                    _("Amount too high"),
                    _("At most {amount} can be taken from this voucher.").format(
                        amount=money(self.summary.max_amount_cents, self.summary.currency)
                    ),
                    "attention",
                ),
                then=CONFIRM,
            )
            return False
        self._ticket = self.bridge.submit(self._text, amount_cents, True, self._account_id)
        self._set_phase(REDEEMING)
        return True

    @Slot()
    def back_to_scanning(self) -> None:
        """Esc, or the verdict's time is up: forget the summary, wait for the next code."""
        if self.phase == REDEEMING:
            return  # its verdict must be seen
        self._back.stop()
        self._auto.stop()
        self._ticket = 0
        self.summary = None
        self.choice = None
        self._account_id = None
        self._set_phase(SCANNING)

    def can_undo(self) -> bool:
        return (
            self.last_redemption is not None
            and time.monotonic() - self._last_at < self.void_window.total_seconds()
        )

    @Slot()
    def undo(self) -> None:
        """F4: ask first; a second F4 (or Enter) cancels the last redemption."""
        if self.phase == UNDO_CONFIRM:
            self._do_undo()
            return
        if self.phase in (REDEEMING, LOOKING_UP):
            return
        last = self.last_redemption
        if last is not None and not self._may_void():
            self._show(
                Verdict(
                    INFO,
                    _("Not yours to cancel"),
                    _("A cashier cancels only their own redemptions: ask the owner (F6)."),
                )
            )
            return
        if last is None or not self.can_undo():
            self._show(
                Verdict(
                    INFO,
                    _("Nothing to cancel"),
                    _(
                        "Only the last redemption can be cancelled, within {minutes} minutes."
                    ).format(minutes=int(self.void_window.total_seconds() // 60)),
                )
            )
            return
        self._back.stop()
        self.verdict = Verdict(
            ATTENTION,
            _("Cancel the last redemption?"),
            _("Voucher {code}: {amount}.\nEnter or F4 cancels it, Esc keeps it.").format(
                code=last.voucher_code, amount=money(last.amount_cents)
            ),
            "attention",
        )
        self._set_phase(UNDO_CONFIRM)
        self.verdictShown.emit(self.verdict)

    def notify(self, verdict: Verdict) -> None:
        """Show a message in the verdict area (help, a problem); a redemption in flight wins."""
        if self.phase == REDEEMING:
            return
        self._auto.stop()
        self._ticket = 0
        self._show(verdict)

    def _may_void(self) -> bool:
        """The cashier's rule (posapp.core.operators.may_void) on the last redemption's taker."""
        try:
            from posapp.core.operators import may_void
        except ImportError:
            return True
        return may_void(self.bridge.operator, self._last_operator)

    # -- answers -------------------------------------------------------------------------------
    @Slot(int, object)
    def _on_answer(self, ticket: int, outcome: object) -> None:
        if ticket != self._ticket:
            return  # the shopkeeper moved on (Esc, or another scan replaced this one)
        if isinstance(outcome, NeedsChoice):
            self.choice = outcome
            self._set_phase(CHOOSE)
            self.choiceShown.emit(outcome)
            return
        if isinstance(outcome, NeedsConfirmation):
            self.summary = outcome.summary
            self._set_phase(CONFIRM)
            self.summaryShown.emit(outcome.summary)
            if self.auto_confirm_s is not None:
                self._auto.start(int(self.auto_confirm_s * 1000))
            return
        if isinstance(outcome, AcceptedOnline | AcceptedOffline):
            self.last_redemption = outcome
            self._last_at = time.monotonic()
            self._last_operator = getattr(self.bridge.operator, "name", None)
            self.redeemed.emit(outcome)
        if isinstance(outcome, Refused) and outcome.needs_pairing:
            self.bridge.stateChanged.emit(self.bridge.state)  # the status bar shows the re-pairing
        self._show(verdict_for(outcome))

    @Slot(object)
    def _on_voided(self, result: object) -> None:
        if not isinstance(result, Refused):
            self.last_redemption = None
        self._show(void_verdict(result))

    def _do_undo(self) -> None:
        last = self.last_redemption
        if last is None:
            self.back_to_scanning()
            return
        self._set_phase(REDEEMING)
        self.bridge.void(last.redemption_id, "cashier_undo")

    def _show(self, verdict: Verdict, then: str = VERDICT) -> None:
        self.verdict = verdict
        self._set_phase(then)
        self.verdictShown.emit(verdict)
        if then == VERDICT:
            self._back.start()

    def _set_phase(self, phase: str) -> None:
        if phase != self.phase:
            self.phase = phase
            self.phaseChanged.emit(phase)
