"""Online or offline, decided by the last few requests, and what the screen shows about the queue.

Offline after `failures_to_go_offline` of the last `window` requests failed or were slower than
`slow_request_s`; back online only when the window is clean (hysteresis: a flaky line does not
flap); at once online after a successful forced sync. Qt-free: the UI subscribes a callback and
forwards it to a signal.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from posapp.core import messages
from posapp.core.clock import Clock, SystemClock
from posapp.core.settings import ConnectivitySettings


@dataclass(frozen=True)
class ConnectivityState:
    online: bool
    pending_count: int = 0
    pending_value_cents: int = 0
    oldest_pending_at: datetime | None = None
    last_good_sync: datetime | None = None
    open_conflicts: int = 0
    # any account's token refused (401): persisted; nothing is taken until paired again
    needs_pairing: bool = False
    # "pc_clock_ahead" / "pc_clock_behind" when the PC's clock is far from the platform's
    clock_warning: str | None = None
    clock_offset_s: float | None = None  # platform minus PC, seconds

    def clock_text(self, lang: str = "it") -> str | None:
        """The clock warning in words for the status bar, or None."""
        if self.clock_warning is None or self.clock_offset_s is None:
            return None
        minutes = max(1, round(abs(self.clock_offset_s) / 60))
        return messages.text(f"clock.{self.clock_warning}", lang, minutes=minutes)

    def oldest_pending_age_s(self, now: datetime) -> float | None:
        if self.oldest_pending_at is None:
            return None
        return max(0.0, (now - self.oldest_pending_at).total_seconds())


Listener = Callable[[ConnectivityState], None]
log = logging.getLogger("posapp.connectivity")


class ConnectivityMonitor:
    """Feed it each request outcome (`record`, the client observer); read or subscribe `state`."""

    def __init__(
        self, settings: ConnectivitySettings | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings or ConnectivitySettings()
        self.clock = clock or SystemClock()
        self._window: deque[bool] = deque(maxlen=max(1, self.settings.window))
        self._lock = threading.Lock()
        self._state = ConnectivityState(online=True)
        self._delivered = self._state
        self._deliver_lock = threading.RLock()
        self._listeners: list[Listener] = []

    @property
    def state(self) -> ConnectivityState:
        with self._lock:
            return self._state

    @property
    def online(self) -> bool:
        return self.state.online

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(state)` on every change; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def record(self, ok: bool, elapsed_s: float) -> None:
        """One request finished: `ok` False for a network failure or 5xx; slow counts as bad."""
        good = ok and elapsed_s <= self.settings.slow_request_s
        with self._lock:  # decide and store under one lock: a sync finishing meanwhile wins
            self._window.append(good)
            bad = sum(1 for g in self._window if not g)
            online = self._state.online
            if online and bad >= self.settings.failures_to_go_offline:
                online = False
            elif not online and bad == 0 and len(self._window) == self._window.maxlen:
                online = True
            self._state = replace(self._state, online=online)
        self._deliver()

    def synced(self, when: datetime | None = None) -> None:
        """A sync went through: online at once, with a clean window."""
        when = when or self.clock.now()
        with self._lock:
            self._window.clear()
            self._window.extend([True] * (self._window.maxlen or 0))
            self._state = replace(self._state, online=True, last_good_sync=when)
        self._deliver()

    def force_offline(self) -> None:
        """The operator (or a test) says the line is down; a clean window brings it back."""
        with self._lock:
            self._window.clear()
            self._state = replace(self._state, online=False)
        self._deliver()

    def update_queue(
        self,
        pending_count: int,
        pending_value_cents: int,
        oldest_pending_at: datetime | None,
        open_conflicts: int,
        last_good_sync: datetime | None = None,
    ) -> None:
        changes: dict[str, object] = {
            "pending_count": pending_count,
            "pending_value_cents": pending_value_cents,
            "oldest_pending_at": oldest_pending_at,
            "open_conflicts": open_conflicts,
        }
        if last_good_sync is not None:
            changes["last_good_sync"] = last_good_sync
        with self._lock:
            self._state = replace(self._state, **changes)  # type: ignore[arg-type]
        self._deliver()

    def _deliver(self) -> None:
        """Tell the listeners, one delivery at a time and always the latest state: two threads
        changing it at once can never leave a listener with an older state than the monitor's.
        A failing listener is logged; it never breaks the request, sync or redeem that fed us."""
        with self._deliver_lock:
            with self._lock:
                state = self._state
                listeners = list(self._listeners)
            if state == self._delivered:
                return
            self._delivered = state
            for listener in listeners:
                try:
                    listener(state)
                except Exception:
                    log.exception("connectivity listener failed")
