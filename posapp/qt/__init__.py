"""Thin Qt layer over the core and the scanning pipeline.

Importing it applies the PySide6 Signal.emit reference work-around when the installed release needs
it (see posapp/qt/emit_fix.py), so every Qt module of posapp, present or future, is covered.
"""

from posapp.qt.emit_fix import fix_signal_emit_refcount

fix_signal_emit_refcount()
