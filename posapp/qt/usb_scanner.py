"""USB barcode scanners that type like a keyboard: their keystrokes become scans, not typing.

How it works (hold and replay). Installed as an event filter on the application, the filter sees
every key press before the focused widget does. A printable key is held back (swallowed) and fed
to the Qt-free `KeyBurstDetector`; a timer a little longer than the detector's maximum gap ends a
burst that has no trailing Enter. When a burst ends, the detector says what it was:

- a scan (at least `min_length` keys, each within `max_gap_ms` of the previous one): the held
  keys are dropped, their releases and a trailing Enter (even one arriving just after the gap
  ended the scan) are swallowed too, and `scanned(text)` is
  emitted, so nothing lands in a focused field;
- typing: the held keys are replayed, in order, to the widgets they were meant for, followed by
  the key that ended the burst. A person's key reaches the field about `max_gap_ms` (35 ms) late,
  which nobody notices; slow typing into a QLineEdit works as before.

A scan typed by a US-layout scanner on an Italian-layout till (`'` for `-`, `ç` for `:`) is put
back as the scanner meant it when that is unambiguous (posapp/scan/wedge_layout.py). Given the
camera loop's `ScanConfirmer`, a scan counts once under the same cool-down as the camera: a
scanner's double read, or a voucher both scanned and seen by the camera, is one scan.

Modifier keys (Shift from a scanner typing capitals) pass through untouched; auto-repeat,
Backspace, arrows and other non-character keys end the burst first so their order is kept.
Single-key shortcuts on printable keys would fire before the filter sees the key: the counter
should not use them (use F-keys). Times come from the detector's clock, injectable for tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from posapp.qt.emit_fix import fix_signal_emit_refcount
from posapp.scan.confirm import ScanConfirmer
from posapp.scan.keyburst import KeyBurstDetector
from posapp.scan.wedge_layout import undo_us_on_italian

_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
    }
)
_ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
_KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease)

fix_signal_emit_refcount()  # before the first emit: see posapp/qt/emit_fix.py


@dataclass
class _Held:
    """A key press held back while its burst is undecided (and its release, if seen)."""

    target: QObject
    key: int
    modifiers: Qt.KeyboardModifier
    text: str
    released: bool = False
    release_modifiers: Qt.KeyboardModifier = field(default=Qt.KeyboardModifier.NoModifier)


class UsbScannerFilter(QObject):
    """Turns keyboard-wedge scanner bursts into `scanned(text)`; see the module docstring."""

    scanned = Signal(str)

    def __init__(
        self,
        detector: KeyBurstDetector | None = None,
        parent: QObject | None = None,
        *,
        confirmer: ScanConfirmer | None = None,
    ) -> None:
        super().__init__(parent)
        self._detector = detector or KeyBurstDetector()
        self._confirmer = confirmer  # shared with the camera loop: one cool-down for both
        self._held: list[_Held] = []
        self._orphan_releases: list[int] = []  # keys whose press went into a scan
        self._replaying = False
        self._enabled = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(self._detector.max_gap_ms) + 5)
        self._timer.timeout.connect(self._on_timeout)

    def install(self, target: QObject | None = None) -> UsbScannerFilter:
        """Install on the application (default) so keys are seen whatever widget has focus."""
        (target or QCoreApplication.instance()).installEventFilter(self)
        return self

    def uninstall(self, target: QObject | None = None) -> None:
        (target or QCoreApplication.instance()).removeEventFilter(self)
        self._release_all()

    def setEnabled(self, enabled: bool) -> None:
        """Disabled, every key goes straight through (and anything held is replayed now)."""
        if not enabled:
            self._release_all()
        self._enabled = enabled

    # -- the filter ----------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self._replaying or not self._enabled or event.type() not in _KEY_EVENTS:
            return False
        if not obj.isWidgetType():
            return False  # the QWindow copy of a key event; the focused widget gets it next
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key in _MODIFIER_KEYS:
            return False
        if event.type() == QEvent.Type.KeyRelease:
            return self._on_release(event)
        if key in _ENTER_KEYS and not event.isAutoRepeat():
            return self._on_enter()
        if event.isAutoRepeat() or not _is_character(event):
            ended_scan = self._end_burst()
            return ended_scan and key == Qt.Key.Key_Tab  # a Tab suffix ends a scan like Enter
        self._settle(self._detector.key(event.text()))
        self._held.append(_Held(obj, key, event.modifiers(), event.text()))
        self._timer.start()
        return True

    def _on_release(self, event: QKeyEvent) -> bool:
        if event.isAutoRepeat():
            return False
        key = event.key()
        for held in self._held:
            if held.key == key and not held.released:
                held.released = True
                held.release_modifiers = event.modifiers()
                return True
        if key in self._orphan_releases:
            self._orphan_releases.remove(key)
            return True
        return False

    def _on_enter(self) -> bool:
        """Enter right after a burst ends the scan (swallowed); else it belongs to the field."""
        if self._held:
            self._settle(self._detector.flush())  # a scan already over by the clock ends now
        if not self._held:
            if not self._detector.enter_is_suffix():
                return False
            self._orphan_releases = (self._orphan_releases + list(_ENTER_KEYS))[-64:]
            return True  # the late Enter of a scan the gap already ended: not the field's
        scan = self._detector.enter()
        if scan is not None:
            self._swallow(scan, with_enter=True)
            return True
        self._settle(None)
        return False

    def _on_timeout(self) -> None:
        self._settle(self._detector.flush())
        if self._held:
            self._timer.start()  # the clock says the gap has not passed yet

    def _end_burst(self) -> bool:
        """Force the burst in progress to end now; True if it was a scan."""
        if not self._held:
            return False
        scan = self._detector.flush(float("inf"))
        self._settle(scan)
        return scan is not None

    # -- resolving held keys -------------------------------------------------------------------
    def _settle(self, scan: str | None) -> None:
        """The detector ended a burst (or not): emit it as a scan, or replay it as typing."""
        typed = self._detector.take_typed()
        if scan is not None:
            self._swallow(scan)
        elif typed:
            held, self._held = self._held, []
            self._replay(held)
        if not self._held:
            self._timer.stop()

    def _swallow(self, scan: str, with_enter: bool = False) -> None:
        held, self._held = self._held, []
        orphans = [h.key for h in held if not h.released]
        if with_enter:
            orphans += [Qt.Key.Key_Return, Qt.Key.Key_Enter]
        self._orphan_releases = (self._orphan_releases + orphans)[-64:]
        self._timer.stop()
        text = undo_us_on_italian(scan)
        if self._confirmer is None or self._confirmer.accept_single(text):
            self.scanned.emit(text)  # else the same code within its cool-down: one scan

    def _replay(self, held: list[_Held]) -> None:
        self._replaying = True
        try:
            for h in held:
                target = h.target if shiboken6.isValid(h.target) else QApplication.focusWidget()
                if target is None:
                    continue  # the widget is gone and nothing has focus: nowhere to type
                press = QKeyEvent(QEvent.Type.KeyPress, h.key, h.modifiers, h.text)
                QCoreApplication.sendEvent(target, press)
                if h.released:
                    release = QKeyEvent(QEvent.Type.KeyRelease, h.key, h.release_modifiers, h.text)
                    QCoreApplication.sendEvent(target, release)
        finally:
            self._replaying = False

    def _release_all(self) -> None:
        """Give back whatever is held (disabling, uninstalling): better typed than lost."""
        self._detector.reset()
        held, self._held = self._held, []
        self._timer.stop()
        self._replay(held)


def _is_character(event: QKeyEvent) -> bool:
    """A key that types one visible character (AltGr combinations included, Ctrl shortcuts not)."""
    text = event.text()
    if len(text) != 1 or not text.isprintable():
        return False
    mods = event.modifiers()
    ctrl_only = mods & Qt.KeyboardModifier.ControlModifier and not (
        mods & Qt.KeyboardModifier.AltModifier
    )
    return not (ctrl_only or mods & Qt.KeyboardModifier.MetaModifier)
