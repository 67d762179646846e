"""PySide6 6.12.0 drops a reference to True on every Signal.emit(); posapp's Qt layer repairs it.

Without the repair, a camera preview (25 emits a second) aborts the process within minutes under
Python 3.11 ("bool_dealloc: deallocating True or False"). See posapp/qt/emit_fix.py.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import posapp.qt.scan_worker  # noqa: F401 - importing any posapp Qt module applies the fix


class _Emitter(QObject):
    plain = Signal()
    text = Signal(str, str)


def test_emitting_keeps_true_alive(qtbot):
    emitter = _Emitter()
    received = []
    emitter.text.connect(lambda a, b: received.append(a))
    before_true, before_false = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(5_000):
        emitter.plain.emit()
        emitter.text.emit("a", "b")
    assert len(received) == 5_000
    # other threads may hold a few references for a moment; 10,000 lost ones would show
    assert abs(sys.getrefcount(True) - before_true) < 50
    assert abs(sys.getrefcount(False) - before_false) < 50
