"""The emit() work-around's own path, forced: this PySide6 does not need it, so without forcing
it the wrapper would never run in any test. Forced on a PySide6 that keeps its references right,
the wrapper must give back exactly one reference to the returned bool per emit (what the buggy
6.12.0 takes), deliver every signal, and be installed once."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal, SignalInstance

from posapp.qt import emit_fix


class _Emitter(QObject):
    plain = Signal()
    text = Signal(str)


@pytest.fixture
def forced(monkeypatch):
    original = SignalInstance.emit
    monkeypatch.setattr(emit_fix, "_fixed", False)
    monkeypatch.setattr(emit_fix, "_emit_steals_true", lambda: True)
    try:
        yield
    finally:
        SignalInstance.emit = original


def test_forced_work_around_gives_back_one_reference_per_emit(qtbot, forced):
    emitter = _Emitter()
    got = []
    emitter.text.connect(got.append)
    result = emitter.plain.emit()
    assert result is True or result is False  # what the wrapper gives a reference back to
    assert emit_fix.fix_signal_emit_refcount() is True
    assert emit_fix.fix_signal_emit_refcount() is True  # idempotent: not wrapped twice
    wrapped = SignalInstance.emit
    before = sys.getrefcount(result)
    for index in range(2_000):
        emitter.text.emit(str(index))
    gained = sys.getrefcount(result) - before
    assert got == [str(i) for i in range(2_000)]
    # this PySide6 does not steal the reference, so each forced incref shows as one more
    assert 2_000 - 50 <= gained <= 2_000 + 50
    assert SignalInstance.emit is wrapped


def test_not_forced_nothing_is_installed_on_a_sound_pyside(qtbot, monkeypatch):
    monkeypatch.setattr(emit_fix, "_fixed", False)
    original = SignalInstance.emit
    assert emit_fix.fix_signal_emit_refcount() is False
    assert SignalInstance.emit is original
