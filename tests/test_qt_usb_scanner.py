"""A keyboard-wedge scanner typing into the scan window: bursts become codes, typing stays typing.

Key times come from a manual millisecond clock given to the KeyBurstDetector, so "fast" and "slow"
are exact whatever the machine's load; one test uses the real clock with QTest's own key timing.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from posapp.core.codes import encode_plain
from posapp.qt.scan_window import ScanWindow
from posapp.qt.usb_scanner import UsbScannerFilter
from posapp.scan.keyburst import KeyBurstDetector

CODE = "7K3M-9QXT-20A"


class MsClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, ms: float) -> None:
        self.now += ms


@pytest.fixture
def clock():
    return MsClock()


@pytest.fixture
def window(qtbot, clock):
    scanner = UsbScannerFilter(KeyBurstDetector(max_gap_ms=35, min_length=6, clock=clock))
    scanner.install()
    win = ScanWindow(scanner=scanner)
    qtbot.addWidget(win)
    win.show()
    win.entry.setFocus()
    yield win
    scanner.uninstall()


def _type(widget, text: str, clock: MsClock, gap_ms: float) -> None:
    for char in text:
        clock.advance(gap_ms)
        QTest.keyClick(widget, char)


def _enter(widget, clock: MsClock, gap_ms: float) -> None:
    clock.advance(gap_ms)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def test_burst_with_enter_is_a_scan_and_never_reaches_the_field(qtbot, window, clock):
    entered = []
    window.codeEntered.connect(lambda text, source: entered.append((text, source)))
    _type(window.entry, CODE, clock, gap_ms=4)
    _enter(window.entry, clock, gap_ms=4)
    assert entered == [(CODE, "usb")]
    assert window.entry.text() == ""
    qtbot.wait(80)  # the gap timer must not bring anything back
    assert window.entry.text() == ""
    assert CODE in window.code_label.text()


def test_burst_without_enter_is_a_scan_after_the_gap(qtbot, window, clock):
    _type(window.entry, CODE, clock, gap_ms=6)
    assert window.entry.text() == ""  # held back while the burst may still go on
    clock.advance(50)  # silence longer than the 35 ms gap: the burst is over
    with qtbot.waitSignal(window.codeEntered, timeout=2_000) as got:
        pass
    assert got.args == [CODE, "usb"]
    assert window.entry.text() == ""


def test_slow_typing_stays_in_the_field(qtbot, window, clock):
    entered = []
    window.codeEntered.connect(lambda text, source: entered.append(text))
    _type(window.entry, "ab12-CD9", clock, gap_ms=120)
    clock.advance(120)
    qtbot.waitUntil(lambda: window.entry.text() == "ab12-CD9", timeout=2_000)
    QTest.keyClick(window.entry, Qt.Key.Key_Backspace)
    assert window.entry.text() == "ab12-CD"
    assert entered == []


def test_typing_then_enter_submits_manually(qtbot, window, clock):
    entered = []
    window.codeEntered.connect(lambda text, source: entered.append((text, source)))
    _type(window.entry, "ABCD1234", clock, gap_ms=150)
    _enter(window.entry, clock, gap_ms=150)  # Enter comes after the held key is replayed
    assert entered == [("ABCD1234", "manual")]
    assert window.entry.text() == ""


def test_short_fast_burst_is_typing(qtbot, window, clock):
    _type(window.entry, "12", clock, gap_ms=5)  # two quick keys: below min_length
    clock.advance(100)
    qtbot.waitUntil(lambda: window.entry.text() == "12", timeout=2_000)


def test_scanner_with_shift_for_capitals(qtbot, window, clock):
    """Scanners press Shift around every capital; the burst must survive it."""
    entered = []
    window.codeEntered.connect(lambda text, source: entered.append(text))
    for char in "AB-12CD":
        clock.advance(3)
        QTest.keyPress(window.entry, Qt.Key.Key_Shift)
        QTest.keyClick(window.entry, char, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyRelease(window.entry, Qt.Key.Key_Shift)
    _enter(window.entry, clock, gap_ms=3)
    assert entered == ["AB-12CD"]
    assert window.entry.text() == ""


def test_real_clock_burst_with_enter(qtbot):
    """The default clock with QTest's back-to-back key events, as a scanner sends them."""
    scanner = UsbScannerFilter().install()
    try:
        win = ScanWindow(scanner=scanner)
        qtbot.addWidget(win)
        win.show()
        win.entry.setFocus()
        with qtbot.waitSignal(win.codeEntered, timeout=2_000) as got:
            QTest.keyClicks(win.entry, CODE)
            QTest.keyClick(win.entry, Qt.Key.Key_Return)
        assert got.args == [CODE, "usb"]
        assert win.entry.text() == ""
    finally:
        scanner.uninstall()


def test_disabling_gives_back_held_keys_and_lets_bursts_through(qtbot, window, clock):
    _type(window.entry, "ABC", clock, gap_ms=3)
    assert window.entry.text() == ""
    window.scanner.setEnabled(False)
    assert window.entry.text() == "ABC"  # held keys are typed, never lost
    _type(window.entry, "XYZ789QQ", clock, gap_ms=3)
    assert window.entry.text() == "ABCXYZ789QQ"


VALID = encode_plain(31_415_926)  # a real plain code: the restored text must parse


def _type_text(widget, text: str, clock: MsClock, gap_ms: float) -> None:
    """Key events carrying `text` as the OS would produce it (any character, e.g. 'ç')."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtGui import QKeyEvent

    for char in text:
        clock.advance(gap_ms)
        key = ord(char.upper()) if char.isascii() else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            QCoreApplication.sendEvent(widget, event)


def test_us_scanner_on_italian_layout_plain_code_is_restored(qtbot, window, clock):
    """The scanner types '-' as "'" on an Italian layout; the scan comes out as the real code."""
    entered = []
    window.codeEntered.connect(lambda text, source: entered.append((text, source)))
    _type(window.entry, VALID.replace("-", "'"), clock, gap_ms=4)
    _enter(window.entry, clock, gap_ms=4)
    assert entered == [(VALID, "usb")]
    assert window.entry.text() == ""


def test_us_scanner_on_italian_layout_url_is_restored(qtbot, window, clock):
    url = "https://buoni.example.it/v/" + VALID
    typed = url.replace("-", "'").replace("/", "-").replace(":", "ç")
    entered = []
    window.codeEntered.connect(lambda text, source: entered.append(text))
    _type_text(window.entry, typed, clock, gap_ms=3)
    _enter(window.entry, clock, gap_ms=3)
    assert entered == [url]


def test_a_second_scan_of_the_same_code_within_the_cooldown_is_swallowed(qtbot, clock):
    """A scanner's double read (or a second pass) is one scan, as the product brief asks."""
    from posapp.scan.confirm import ScanConfirmer

    seconds = {"now": 0.0}
    confirmer = ScanConfirmer(cooldown_s=4.0, clock=lambda: seconds["now"])
    detector = KeyBurstDetector(max_gap_ms=35, min_length=6, clock=clock)
    scanner = UsbScannerFilter(detector, confirmer=confirmer).install()
    try:
        win = ScanWindow(scanner=scanner)
        qtbot.addWidget(win)
        win.show()
        win.entry.setFocus()
        entered = []
        win.codeEntered.connect(lambda text, source: entered.append(text))
        for at in (0.0, 1.0, 6.0):
            seconds["now"] = at
            _type(win.entry, VALID, clock, gap_ms=4)
            _enter(win.entry, clock, gap_ms=4)
            clock.advance(500)
        assert entered == [VALID, VALID]  # at 0 s and 6 s; the read at 1 s is the same scan
        assert win.entry.text() == ""  # the swallowed scan's keys did not land in the field
    finally:
        scanner.uninstall()


def test_a_slow_enter_suffix_after_the_gap_does_not_submit_the_field(qtbot, window, clock):
    """Scanner Enter 50 ms after the last key: the gap already ended the scan; Enter is its."""
    entered = []
    window.codeEntered.connect(lambda text, source: entered.append((text, source)))
    _type(window.entry, "AB", clock, gap_ms=200)  # the operator had started typing by hand
    clock.advance(200)
    qtbot.waitUntil(lambda: window.entry.text() == "AB", timeout=2_000)
    _type(window.entry, VALID, clock, gap_ms=4)
    clock.advance(40)
    qtbot.waitUntil(lambda: entered == [(VALID, "usb")], timeout=2_000)
    _enter(window.entry, clock, gap_ms=10)  # the scanner's late Enter
    qtbot.wait(60)
    assert entered == [(VALID, "usb")]  # "AB" was not submitted as a manual code
    assert window.entry.text() == "AB"
