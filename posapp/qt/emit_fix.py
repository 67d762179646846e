"""A PySide6 work-around applied on any import of posapp's Qt layer.

PySide6 6.12.0 returns the result of `SignalInstance.emit()` (a bool) without a new reference, so
every emit from Python drops one reference to `True`; under Python 3.11, where True is not
immortal, the process aborts ("bool_dealloc: deallocating True or False") after a few thousand
emits, i.e. minutes of camera preview. `fix_signal_emit_refcount()` detects the bug by measuring
it and, only then, wraps `emit` to give the reference back. It is idempotent. It lives apart from
app.py so that the package can apply it without importing app.py (`python -m posapp.qt.app`).
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

_fixed = False


def _emit_steals_true() -> bool:
    """Measure whether emit() leaves True with one reference fewer than before."""

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.ping.emit()
    return before - sys.getrefcount(True) >= 16


def fix_signal_emit_refcount() -> bool:
    """Install the emit() work-around if this PySide6 needs it; True if it is installed."""
    global _fixed
    if _fixed or not _emit_steals_true():
        return _fixed
    original = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None

    def emit(self: SignalInstance, *args: object) -> object:
        result = original(self, *args)
        if result is True or result is False:
            incref(result)  # the reference PySide forgot to give us
        return result

    SignalInstance.emit = emit
    _fixed = True
    return True


fix_signal_emit_refcount()
