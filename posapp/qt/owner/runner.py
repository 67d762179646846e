"""Where the owner's view runs its calls: never on the GUI thread.

With the counter's `PosBridge` the calls go to its pool (`bridge.run`), so the counter keeps
scanning while the owner looks; without one (tests, a stand-alone window) a small pool of our own
does the same, and results come back to the GUI thread through a queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from posapp.i18n import _

log = logging.getLogger("posapp.owner")


class Runner(QObject):
    """`call(fn, *args, on_done=cb)`: fn on a worker, cb(result) on the GUI thread; a failure
    is logged and reported once as plain words through `failed`."""

    failed = Signal(str)
    _done = Signal(object, object)

    def __init__(self, bridge: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge if hasattr(bridge, "run") else None
        self._pool = None if self._bridge else ThreadPoolExecutor(2, thread_name_prefix="owner")
        self._closed = False
        self._done.connect(self._deliver)

    def call(self, fn: Callable, *args: Any, on_done: Callable | None = None) -> None:
        if self._closed:
            return

        def job() -> None:
            try:
                result = fn(*args)
            except Exception:
                log.exception("an owner's view call failed")
                self._emit(self.failed, _("The figures could not be read: please try again."))
                return
            if on_done is not None:
                self._emit(self._done, on_done, result)

        try:
            if self._bridge is not None:
                self._bridge.run(job)
            else:
                self._pool.submit(job)
        except RuntimeError:  # shut down meanwhile
            pass

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the window was closed while a worker finished
            pass

    @Slot(object, object)
    def _deliver(self, callback: Callable, result: Any) -> None:
        if self._closed:
            return
        try:
            callback(result)
        except Exception:
            log.exception("an owner's view callback failed")
            self.failed.emit(_("Something went wrong on screen: please try again."))

    @property
    def pool(self) -> ThreadPoolExecutor | None:
        return self._pool

    def close(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
