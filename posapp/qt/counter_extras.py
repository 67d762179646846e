"""The F-keys whose screens other parts of the app provide, wired into the counter when present.

F9 the owner's view (posapp/qt/owner), behind the owner's PIN once operators exist; F6 the operator
switch, F10 the settings (or, when the platform refused this till's token, pairing it again).
`start()` (the app calls it once the window shows): when operators are configured, the counter
asks who is at the till and takes no voucher until someone typed their PIN (F6 any time later);
with no operators it works as it always did. One PIN limiter for every PIN dialog, so closing
and reopening a dialog never resets the count of wrong PINs.
Each import is tried when the key is pressed, so a missing part costs nothing at start-up and the
counter still runs without it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt

from posapp.i18n import _
from posapp.qt.style import resize_within_screen
from posapp.qt.verdicts import INFO, Verdict

log = logging.getLogger("posapp.qt.extras")


class CounterExtras:
    def __init__(
        self,
        service: Any,
        settings: Any,
        *,
        cameras: Callable[[], list[tuple[int, str]]] | None = None,
        camera_source: Callable[[int], Any] | None = None,
    ) -> None:
        """`cameras` and `camera_source` (index -> FrameSource) replace the system's cameras in
        the settings dialog (tests: video files standing in for cameras)."""
        self.service, self.settings = service, settings
        self._camera_hooks = {"cameras": cameras, "source_factory": camera_source}
        self.counter: Any = None  # set once the counter exists
        self._owner: Any = None
        self._limiter: Any = None

    def actions(self) -> dict[str, Callable[[], None]]:
        return {
            "F6": self.switch_operator,
            "F7": self.receipt,
            "F8": self.slip,
            "F9": self.owner_view,
            "F10": self.settings_or_repair,
        }

    def attach(self, counter: Any) -> None:
        self.counter = counter

    def _book(self) -> Any:
        try:
            from posapp.core.operators import OperatorBook
            from posapp.core.pin import PinLimiter
        except ImportError:
            return None
        if self._limiter is None:
            self._limiter = PinLimiter()
        return OperatorBook(limiter=self._limiter)

    # -- who is at the till ----------------------------------------------------------------------
    def start(self) -> None:
        """Read the operators on the pool (a file); when there are some, ask who is at the till."""
        self.counter.bridge.run(self._configured_book, on_done=self._operators_known)

    def _configured_book(self) -> Any:
        book = self._book()
        return book if book is not None and not book.is_empty() else None

    def _operators_known(self, book: Any) -> None:
        bridge = self.counter.bridge
        bridge.operator_required = book is not None
        self.counter.window.status.refresh()
        if book is not None and bridge.operator is None:
            self.ask_who(book)

    def ask_who(self, book: Any) -> None:
        """The PIN keypad listing everyone; cancelled, the counter waits for F6."""
        try:
            from posapp.qt.operators import switch_operator
        except ImportError:
            return
        operator = switch_operator(self.counter.window, book, None)
        if operator is not None:
            self._set_operator(operator)
        else:
            self.say(_("Nobody at the till"), _("Press F6 and type your PIN to take vouchers."))

    def _set_operator(self, operator: Any) -> None:
        self.counter.bridge.operator = operator
        self.counter.window.status.refresh()
        self.say(_("Operator: {name}").format(name=operator.name))

    def _owner_allowed(self) -> bool:
        """The owner's PIN first, when operators exist and the PIN dialog is installed."""
        book = self._book()
        if book is None or book.is_empty():
            return True
        try:
            from posapp.qt.pin_dialog import ask_pin
        except ImportError:
            return True
        return ask_pin(self.counter.window, book, require_role="owner") is not None

    def owner_view(self) -> None:
        from posapp.qt.owner import OwnerWindow

        if not self._owner_allowed():
            return
        if self._owner is None:
            self._owner = OwnerWindow(self.counter.bridge)
        self._owner.show()
        self._owner.raise_()
        self._owner.activateWindow()

    def say(self, headline: str, detail: str = "") -> None:
        self.counter.flow.notify(Verdict(INFO, headline, detail or _("Carry on scanning.")))

    # -- counter2's screens (each tried when its key is pressed) --------------------------------
    def _missing(self) -> None:
        self.say(_("Not available"), _("This function is not available."))

    def switch_operator(self) -> None:
        try:
            from posapp.qt.operators import switch_operator
        except ImportError:
            self._missing()
            return
        book = self._book()
        if book is None or book.is_empty():
            self.say(_("No operators yet"), _("The owner adds them in the settings (F10)."))
            return
        operator = switch_operator(self.counter.window, book, self.counter.bridge.operator)
        if operator is not None:
            self._set_operator(operator)

    def _last(self) -> Any:
        last = self.counter.flow.last_redemption
        if last is None:
            self.say(_("No redemption yet"), _("Redeem a voucher first."))
        return last

    def receipt(self) -> None:
        try:
            from posapp.qt.receipt_dialog import ReceiptDialog
        except ImportError:
            self._missing()
            return
        last = self._last()
        if last is None:
            return
        dialog = ReceiptDialog(last.redemption_id, last.voucher_code, self.counter.window)
        dialog.receiptEntered.connect(
            lambda rid, number: self.counter.bridge.set_receipt(
                rid, number, on_done=lambda ok: self._receipt_saved(ok, number)
            )
        )
        # a receipt's barcode from the USB scanner goes to the dialog, not to the scan flow
        give_back = self.counter.window.lend_scanners(dialog.scanned, camera=False)
        try:
            dialog.exec()
        finally:
            give_back()

    def _receipt_saved(self, ok: object, number: str) -> None:
        if ok is False:
            self.say(_("Receipt number not kept"), _("Check the number and try again (F7)."))
        else:
            self.say(_("Receipt {number} kept with the redemption").format(number=number))

    def slip(self) -> None:
        try:
            from posapp.qt.slip import print_recorded
        except ImportError:
            self._missing()
            return
        last = self._last()
        if last is None:
            return
        # the redemption's own recorded time, read from its ledger row off the GUI thread
        window, bridge = self.counter.window, self.counter.bridge
        print_recorded(window, bridge, self.service, last.redemption_id, self.say)

    def settings_or_repair(self) -> None:
        if self.service.state.needs_pairing:
            self.repair()
            return
        try:
            from posapp.core.operators import may_open_settings
            from posapp.qt.settings_dialog import SettingsDialog
        except ImportError:
            self._missing()
            return
        book = self._book()
        operator = self.counter.bridge.operator
        if not book.is_empty() and not may_open_settings(operator):
            self.say(_("Owner only"), _("The settings are for the owner: switch operator (F6)."))
            return
        worker = getattr(self.counter.scanning, "worker", None)  # off the camera meanwhile
        hooks = {key: hook for key, hook in self._camera_hooks.items() if hook is not None}
        dialog = SettingsDialog(
            self.settings, book, operator, scan_worker=worker, parent=self.counter.window, **hooks
        )
        dialog.languageChanged.connect(self.counter.window.set_language)
        dialog.saved.connect(self._settings_saved)
        dialog.exec()

    def _settings_saved(self, settings: Any) -> None:
        self.settings = settings
        self.counter.window.sounds.enabled = bool(getattr(settings, "sound", True))
        scanning = self.counter.scanning
        if scanning is not None:  # another camera or decoder: the worker takes it as it resumes
            scanning.use_camera(settings.scanner.camera_index)
            scanning.use_strategy(settings.scanner.strategy)
        self.start()  # operators added or removed in the settings: ask again when needed

    def repair(self) -> None:
        """The platform refused this till's token: pair again in place, the queue kept."""
        try:
            from posapp.core.accounts import AccountDirectory
            from posapp.qt.pairing import PairingWizard
        except ImportError:
            self._missing()
            return
        account_id = next(iter(self.service.needs_pairing), None)
        till = self.service.tills.get(account_id)
        if till is None:
            return
        wizard = PairingWizard(
            AccountDirectory(),
            self._book(),
            till.account.till_name,
            repair=self.service.repair,
            account=till.account,
        )
        wizard.setWindowTitle(_("posapp · Pair this till again"))
        wizard.setWindowModality(Qt.WindowModality.ApplicationModal)

        # the pairing QR from the USB scanner or the camera fills the wizard while it is open
        _WhileShown(wizard, self.counter.window.lend_scanners(wizard.scanned))

        def paired(_account: object, _owner: object) -> None:
            wizard.close()
            bridge = self.counter.bridge  # the status line and the verdict panel follow it
            bridge.stateChanged.emit(bridge.state)
            self.say(_("Paired again"), _("The till sends what waited, once."))

        wizard.paired.connect(paired)
        resize_within_screen(wizard, 720, 520)
        wizard.show()
        self._repair_window = wizard


class _WhileShown(QObject):
    """Calls `give_back` when `widget` hides or closes (owned by the widget)."""

    def __init__(self, widget: QObject, give_back: Callable[[], None]) -> None:
        super().__init__(widget)
        self.give_back = give_back
        widget.installEventFilter(self)

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Hide, QEvent.Type.Close):
            self.give_back()
        return False
