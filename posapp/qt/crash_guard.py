"""A bug must not reach the shopkeeper as a crash dialog, a frozen window or a stack trace.

`install(show)` sets sys.excepthook and threading.excepthook: the exception goes to the log with
its trace; the window gets one line of plain words through `show(str)` (a Qt signal, so a worker
thread's failure reaches the GUI thread safely) and the counter keeps working.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from posapp.i18n import _

log = logging.getLogger("posapp.crash")


class _Relay(QObject):
    message = Signal(str)


_relay: _Relay | None = None


def install(show: Callable[[str], None]) -> None:
    """Route every uncaught exception to the log and `show` (called on the GUI thread)."""
    global _relay
    if _relay is not None:
        _relay.deleteLater()  # one window at a time hears about failures: the latest
    _relay = _Relay()
    _relay.message.connect(show)
    relay = _relay

    def words() -> str:
        return _("Something went wrong on this screen: it was written to the log. Carry on.")

    def hook(kind, value, trace) -> None:  # type: ignore[no-untyped-def]
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, trace)
            return
        log.error("uncaught exception", exc_info=(kind, value, trace))
        try:
            relay.message.emit(words())
        except RuntimeError:
            pass

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        log.error(
            "uncaught exception in thread %s",
            getattr(args.thread, "name", "?"),
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
        )
        try:
            relay.message.emit(words())
        except RuntimeError:
            pass

    sys.excepthook = hook
    threading.excepthook = thread_hook
