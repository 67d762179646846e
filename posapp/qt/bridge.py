"""The counter's Qt adapter over PosService: service calls on a worker pool, answers as signals.

`PosService.submit` looks up and redeems over the network (seconds when the line is bad), `void`
and `sync_now` too: none of them may run on the GUI thread. The bridge sends the counter's calls
(submit, void, receipt) to one worker, in order, so a confirmation never overtakes its lookup; a
forced sync and any other call (`run`) go to a second pool so a long sync never holds a scan back.
Answers come back as signals, delivered on the GUI thread because the bridge lives there:

- `outcome(object)` every submit's Outcome; `answered(int, object)` the same with its ticket, so
  the counter can ignore the answer to a scan the shopkeeper already left with Esc;
- `voided(object)` a void's Voided or Refused;
- `stateChanged(object)` the ConnectivityState, whenever the service says it changed (its
  listeners run on worker threads: the signal hops to the GUI thread by itself);
- `failed(str)` plain words when a call raised (the exception goes to the log only).
"""

from __future__ import annotations

import inspect
import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from posapp.i18n import _
from posapp.qt.emit_fix import fix_signal_emit_refcount

fix_signal_emit_refcount()
log = logging.getLogger("posapp.qt.bridge")


class PosBridge(QObject):
    outcome = Signal(object)
    answered = Signal(int, object)  # (ticket, Outcome)
    voided = Signal(object)
    stateChanged = Signal(object)
    failed = Signal(str)
    _done = Signal(object, object)  # (callback, result): runs the callback on the GUI thread

    def __init__(self, service: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.operator: Any = None  # posapp.core.operators.Operator, set by the operator switch
        # operators are configured: no voucher is taken until someone is at the till (F6)
        self.operator_required = False
        self._counter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="posapp-counter")
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="posapp-pool")
        self._tickets = itertools.count(1)
        self._takes_operator = "operator" in inspect.signature(service.submit).parameters
        self._closed = False
        self._done.connect(self._call_back)
        self._unsubscribe = service.subscribe(self._on_state)

    # -- the counter's calls -------------------------------------------------------------------
    def submit(
        self,
        text: str,
        amount_cents: int | None = None,
        confirmed: bool = False,
        account_id: str | None = None,
    ) -> int:
        """Look up (confirmed=False) or redeem a code; returns the ticket its answer will carry.
        `account_id`: the platform the shopkeeper chose when several know the code (NeedsChoice)."""
        ticket = next(self._tickets)
        kwargs: dict[str, Any] = {}
        name = getattr(self.operator, "name", None)
        if name and self._takes_operator:
            kwargs["operator"] = name
        if account_id is not None:
            kwargs["account_id"] = account_id

        def work() -> Any:
            return self.service.submit(text, amount_cents, confirmed, **kwargs)

        def done(result: Any) -> None:
            self.outcome.emit(result)
            self.answered.emit(ticket, result)

        self._start(self._counter, work, done)
        return ticket

    def void(self, redemption_id: str, reason: str) -> None:
        self._start(
            self._counter,
            lambda: self.service.void(redemption_id, reason),
            self.voided.emit,
        )

    def set_receipt(self, redemption_id: str, number: str, on_done: Callable | None = None) -> None:
        self._start(self._counter, lambda: self.service.set_receipt(redemption_id, number), on_done)

    def sync_now(self, on_done: Callable | None = None) -> None:
        self._start(self._pool, self.service.sync_now, on_done)

    def run(self, fn: Callable, *args: Any, on_done: Callable | None = None) -> Future | None:
        """Any other service call (or function) on the pool; `on_done(result)` on the GUI thread."""
        return self._start(self._pool, lambda: fn(*args), on_done)

    @property
    def state(self) -> Any:
        """The latest ConnectivityState (a cheap in-memory read: safe on the GUI thread)."""
        return self.service.state

    def close(self, wait: bool = True) -> None:
        """Stop taking calls; wait for the running ones (the service is closed by its owner)."""
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        self._counter.shutdown(wait=wait, cancel_futures=True)
        self._pool.shutdown(wait=wait, cancel_futures=True)

    # -- plumbing ------------------------------------------------------------------------------
    def _start(
        self, pool: ThreadPoolExecutor, work: Callable[[], Any], on_done: Callable | None
    ) -> Future | None:
        if self._closed:
            return None

        def job() -> Any:
            try:
                result = work()
            except Exception:
                log.exception("a counter call failed")
                self._emit_safe(self.failed, _("That did not work: please try again in a moment."))
                return None
            if on_done is not None:
                self._emit_safe(self._done, on_done, result)
            return result

        try:
            return pool.submit(job)
        except RuntimeError:  # shut down meanwhile (the window is closing)
            return None

    def _on_state(self, state: Any) -> None:
        """ConnectivityState listener: called on worker threads."""
        self._emit_safe(self.stateChanged, state)

    @staticmethod
    def _emit_safe(signal: Any, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the bridge was deleted while a worker finished: nobody to tell
            pass

    @Slot(object, object)
    def _call_back(self, callback: Callable, result: Any) -> None:
        try:
            callback(result)
        except Exception:
            log.exception("a counter callback failed")
            self.failed.emit(_("Something went wrong on screen: please try again."))
