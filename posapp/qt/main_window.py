"""The counter window: a shell that lays out the counter widgets and maps the keys to actions.

Left the live preview; right the verdict (or, before a confirmation, the voucher and its amount)
and the code entry; below the big F-key buttons and the status line. Enter confirms, Esc goes
back to scanning, the F-keys of docs/DESIGN.md do the rest (F11 full screen). Printable keys belong
to the USB scanner filter, so no single-letter shortcut exists. The window never grows past the
screen: every long text wraps or scrolls inside its widget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from posapp.i18n import _
from posapp.qt.about_dialog import AboutDialog, AboutFacts, read_about_facts
from posapp.qt.account_chooser import AccountChooser
from posapp.qt.action_bar import ActionBar
from posapp.qt.code_entry import CodeEntry
from posapp.qt.counter_flow import CHOOSE, CONFIRM, SCANNING, UNDO_CONFIRM, CounterFlow
from posapp.qt.preview import PreviewWidget
from posapp.qt.qt_i18n import apply_language
from posapp.qt.sounds import Sounds
from posapp.qt.status_bar import CounterStatusBar
from posapp.qt.verdict_panel import VerdictPanel
from posapp.qt.verdicts import ATTENTION, INFO, Verdict
from posapp.qt.voucher_panel import VoucherPanel

# F-keys whose screens other parts of the app provide (wired by the bootstrap when present)
OPTIONAL_KEYS = {
    "F6": lambda: _("Operator"),
    "F7": lambda: _("Receipt"),
    "F8": lambda: _("Slip"),
    "F9": lambda: _("Owner"),
    "F10": lambda: _("Settings"),
}


class CounterWindow(QMainWindow):
    def __init__(
        self,
        flow: CounterFlow,
        worker: Any = None,
        scanner: Any = None,
        sounds: Sounds | None = None,
        extra_actions: dict[str, Callable[[], None]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.flow, self.bridge = flow, flow.bridge
        self.worker, self.scanner = worker, scanner
        self.sounds = sounds or Sounds(enabled=False)
        self.extra_actions = dict(extra_actions or {})
        self.about_dialog: AboutDialog | None = None
        self._borrowers: list[tuple[Callable[[str], None], bool]] = []  # see lend_scanners
        self.preview = PreviewWidget(worker)
        self.verdict = VerdictPanel(flow)
        self.voucher = VoucherPanel(flow)
        self.chooser = AccountChooser(flow, self._shop_name)
        self.code_entry = CodeEntry(flow)
        self.status = CounterStatusBar(self.bridge)
        self.actions_bar = ActionBar()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.verdict)
        self.pages.addWidget(self.voucher)
        self.pages.addWidget(self.chooser)
        self._build()
        self._wire(worker, scanner)
        self.retranslate()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        right = QVBoxLayout()
        right.addWidget(self.pages, 1)
        right.addWidget(self.code_entry)
        body = QHBoxLayout()
        body.addWidget(self.preview, 5)
        body.addLayout(right, 4)
        root = QVBoxLayout()
        root.setContentsMargins(8, 8, 8, 4)
        root.addLayout(body, 1)
        root.addWidget(self.actions_bar)
        root.addWidget(self.status)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)
        self.setMinimumSize(640, 480)
        bar = self.actions_bar
        bar.add("⏎", lambda: _("Confirm"), self.confirm)
        bar.add("Esc", lambda: _("Back"), self.escape)
        bar.add("F1", lambda: _("Help"), self.show_help)
        bar.add("F2", lambda: _("Type code"), self.code_entry.focus)
        bar.add("F3", lambda: _("Amount"), self.voucher.focus_amount)
        bar.add("F4", lambda: _("Undo"), self.flow.undo)
        bar.add("F5", lambda: _("Sync"), self.sync_now)
        for key, label in OPTIONAL_KEYS.items():
            if key == "F10":  # F10 pairs the till again while the platform does not know it
                label = self._f10_label
            if key in self.extra_actions:
                bar.add(key, label, self.extra_actions[key])
        if "F12" in self.extra_actions:
            bar.add("F12", lambda: _("Cut line"), self.extra_actions["F12"])
        keys: dict[str, Callable[[], None]] = {
            "F1": self.show_help,
            "F2": self.code_entry.focus,
            "F3": self.voucher.focus_amount,
            "F4": self.flow.undo,
            "F5": self.sync_now,
            "F11": self.toggle_full_screen,
        }
        for key in (*OPTIONAL_KEYS, "F12"):
            keys[key] = self.extra_actions.get(key) or self._missing
        # handled in keyPressEvent: the focused field ignores F-keys, so they reach the window
        self._keys = {QKeySequence(key)[0].key(): slot for key, slot in keys.items()}

    def _wire(self, worker: Any, scanner: Any) -> None:
        if worker is not None:
            worker.codeScanned.connect(self._on_code)
        if scanner is not None:
            scanner.scanned.connect(lambda text: self._on_code(text, "usb"))
        self.flow.phaseChanged.connect(self._on_phase)
        self.flow.verdictShown.connect(lambda v: self.sounds.play(v.sound))
        self.bridge.failed.connect(self.show_problem)
        self.bridge.stateChanged.connect(lambda _state: self.actions_bar.retranslate())

    def _f10_label(self) -> str:
        if getattr(self.bridge.state, "needs_pairing", False):
            return _("Pair again")
        return OPTIONAL_KEYS["F10"]()

    def sizeHint(self) -> QSize:
        return QSize(1000, 580)  # fits a 1024x600 till screen; F11 for full screen

    def retranslate(self) -> None:
        self.setWindowTitle(_("posapp · Counter"))
        for widget in (
            self.verdict,
            self.voucher,
            self.chooser,
            self.code_entry,
            self.status,
            self.actions_bar,
        ):
            widget.retranslate()

    def set_language(self, lang: str) -> None:
        """The language switch: every text of the window in `lang` at once (never two mixed)."""
        apply_language(lang)
        self.retranslate()

    # -- actions -------------------------------------------------------------------------------
    def _shop_name(self, account_id: str) -> str:
        """The shop's name on that platform (an in-memory read of the paired accounts)."""
        till = getattr(self.bridge.service, "tills", {}).get(account_id)
        return str(getattr(getattr(till, "account", None), "shop_name", "") or "")

    @Slot()
    def confirm(self) -> None:
        if self.flow.phase == CHOOSE:
            self.chooser.pick_current()
        elif self.flow.phase == CONFIRM:
            self.voucher.confirm()  # a typed amount in the field counts
        elif self.flow.phase == UNDO_CONFIRM:
            self.flow.confirm()

    @Slot()
    def escape(self) -> None:
        self.code_entry.field.clearFocus()
        self.voucher.amount.clearFocus()
        self.flow.back_to_scanning()

    @Slot()
    def sync_now(self) -> None:
        self.bridge.sync_now(on_done=lambda _r: self.status.refresh())

    @Slot()
    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    @Slot()
    def show_help(self) -> None:
        """F1: the keys and the About facts (read on the pool: the version and folders are I/O)."""
        self.bridge.run(read_about_facts, on_done=self._show_about)

    def _show_about(self, facts: AboutFacts | None) -> None:
        if facts is None:
            return  # the read failed: the bridge already said so in plain words
        if self.about_dialog is not None:
            self.about_dialog.close()
        self.about_dialog = AboutDialog(facts, self)
        self.about_dialog.open()  # window-modal, not exec(): scanning and the timers go on

    @Slot(str)
    def show_problem(self, words: str) -> None:
        """Plain words about something that failed (never a dialog, never a stack trace)."""
        self.flow.notify(Verdict(ATTENTION, _("Attention"), words, "attention"))

    def _missing(self) -> None:
        self.flow.notify(Verdict(INFO, _("Not available"), _("This function is not available.")))

    @Slot(str)
    def _on_phase(self, phase: str) -> None:
        pages = {CONFIRM: self.voucher, CHOOSE: self.chooser}
        self.pages.setCurrentWidget(pages.get(phase, self.verdict))
        if phase == CONFIRM and self.flow.summary is not None:
            if self.flow.summary.partial_allowed:
                self.voucher.amount.setFocus()
        elif phase == SCANNING:
            self.voucher.amount.clearFocus()

    # -- codes -------------------------------------------------------------------------------------
    def lend_scanners(
        self, take: Callable[[str], None], *, camera: bool = True
    ) -> Callable[[], None]:
        """While a window of the counter needs the codes (the re-pair wizard's pairing QR, a
        receipt's barcode), the USB scanner's codes (and the camera's with `camera`) go to `take`,
        never to the scan flow behind it; returns the call that gives them back."""
        entry = (take, camera)
        self._borrowers.append(entry)

        def give_back() -> None:
            if entry in self._borrowers:
                self._borrowers.remove(entry)

        return give_back

    @Slot(str, str)
    def _on_code(self, text: str, source: str) -> None:
        if not self._borrowers:
            self.flow.on_code(text, source)
            return
        take, camera = self._borrowers[-1]
        if source == "usb" or camera:
            take(text)  # else a camera code while a dialog waits for a barcode: dropped

    # -- keys ------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # a field's own returnPressed may have acted already: confirm() is a no-op then
            # (the phase moved on), and re-reads the amount field when it did not
            self.confirm()
            return
        if key == Qt.Key.Key_Escape:
            self.escape()
            return
        if self.flow.phase == CHOOSE and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.chooser.move(-1 if key == Qt.Key.Key_Up else 1)
            return
        action = self._keys.get(Qt.Key(key))
        if action is not None and not event.isAutoRepeat():
            action()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.worker is not None:
            self.worker.stop(3000)
        super().closeEvent(event)
