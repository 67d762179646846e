"""The counter's back office in one object: the store, the redeem policy, and per platform account a
client, a connectivity monitor and a sync engine, plus a background loop that syncs and probes.

The UI (through a thin Qt adapter) and the demo call `submit`, `void`, `sync_now` and subscribe to
`state`; nothing here touches Qt or blocks on the network from the store thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from posapp.core.api.client import ApiClient
from posapp.core.api.errors import ApiError
from posapp.core.clock import Clock, SystemClock
from posapp.core.connectivity import ConnectivityMonitor, ConnectivityState
from posapp.core.policy import Outcome, RedeemPolicy, Refused, Till, Voided
from posapp.core.settings import Settings
from posapp.core.store import Store, ledger, outbox, transaction
from posapp.core.sync import SyncEngine, SyncReport, refresh_queue_state

log = logging.getLogger("posapp.service")
Listener = Callable[[ConnectivityState], None]


class PosService:
    def __init__(
        self,
        store: Store,
        tills: list[Till],
        settings: Settings | None = None,
        clock: Clock | None = None,
        *,
        sync_interval_s: float = 30.0,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.clock = clock or SystemClock()
        self.tills = {t.account_id: t for t in tills}
        self.policy = RedeemPolicy(store, tills, self.settings.offline, self.clock)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.engines = {
            t.account_id: SyncEngine(store, t, self.clock, sleep=self._stop.wait) for t in tills
        }
        self.sync_interval_s = sync_interval_s
        self._listeners: list[Listener] = []
        self._sync_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        for till in tills:
            till.monitor.subscribe(lambda _state: self._notify())
            refresh_queue_state(store, till.account_id, till.monitor)

    @classmethod
    def open(
        cls,
        accounts: list,  # posapp.core.accounts.PlatformAccount
        tokens: Callable[[str], str | None],
        settings: Settings | None = None,
        db_path: Path | None = None,
        clock: Clock | None = None,
        timeout: tuple[float, float] = (3.05, 10.0),
    ) -> PosService:
        """Build everything from the paired accounts; `tokens(account_id)` reads the keyring."""
        settings = settings or Settings()
        tills = []
        for account in accounts:
            client = ApiClient(account.api_url, tokens(account.account_id), timeout=timeout)
            monitor = ConnectivityMonitor(settings.connectivity, clock)
            client.observer = monitor.record
            tills.append(Till(account, client, monitor))
        return cls(Store(db_path), tills, settings, clock)

    # -- the counter ---------------------------------------------------------------------------
    def submit(
        self,
        text: str,
        amount_cents: int | None = None,
        confirmed: bool = False,
        operator: str | None = None,
    ) -> Outcome:
        outcome = self.policy.submit(text, amount_cents, confirmed, operator)
        self._refresh()
        return outcome

    def set_receipt(self, redemption_id: str, number: str | None) -> bool:
        """Store the fiscal receipt number typed after a redemption (None clears it); False when
        the number is not 1..40 printable characters or the redemption is unknown: nothing
        changes. Local only, never sent to the platform."""
        if number is not None:
            number = ledger.clean_receipt(number)
            if number is None:
                return False
        return self.store.call(_set_receipt_txn, redemption_id, number)

    def void(self, redemption_id: str, reason: str) -> Voided | Refused:
        result = self.policy.void(redemption_id, reason)
        self._refresh()
        return result

    # -- sync ----------------------------------------------------------------------------------
    def sync_now(self) -> dict[str, SyncReport]:
        """Forced sync of every account (a worker thread calls this, never the GUI thread)."""
        with self._sync_lock:
            return {acct: engine.run() for acct, engine in self.engines.items()}

    def start(self) -> None:
        """Background loop: sync every interval (sooner when woken), probe when offline."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="posapp-sync", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for account_id, till in self.tills.items():
                if self._stop.is_set():
                    return
                try:  # nothing may end this thread: a dead loop would never sync again
                    self._cycle(account_id, till)
                except Exception:
                    log.exception("background sync of %s failed", account_id)
            self._wake.wait(self.sync_interval_s)
            self._wake.clear()

    def _cycle(self, account_id: str, till: Till) -> None:
        if not till.monitor.online:
            try:
                till.client.health()  # the observer feeds the monitor
            except ApiError:
                return  # still down: do not spend a whole backoff cycle on it
        with self._sync_lock:
            self.engines[account_id].run()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        for till in self.tills.values():
            till.client.close()
        self.store.close()

    # -- what the screens show -----------------------------------------------------------------
    @property
    def state(self) -> ConnectivityState:
        """All accounts together: online only if all are; queue figures summed."""
        states = [t.monitor.state for t in self.tills.values()]
        if not states:
            return ConnectivityState(online=False)
        oldest = [s.oldest_pending_at for s in states if s.oldest_pending_at]
        syncs = [s.last_good_sync for s in states]
        return ConnectivityState(
            online=all(s.online for s in states),
            pending_count=sum(s.pending_count for s in states),
            pending_value_cents=sum(s.pending_value_cents for s in states),
            oldest_pending_at=min(oldest) if oldest else None,
            last_good_sync=None if None in syncs else min(syncs),  # type: ignore[type-var]
            open_conflicts=sum(s.open_conflicts for s in states),
        )

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def conflicts(self, account_id: str | None = None) -> list[outbox.Conflict]:
        return self.store.call(outbox.conflicts, account_id)

    def acknowledge(self, conflict_id: int) -> bool:
        done = self.store.call(_ack_txn, conflict_id, self.clock.now())
        self._refresh()
        return done

    def daily_totals(self, day: date, account_id: str | None = None) -> ledger.Totals:
        return self.store.call(ledger.daily_totals, day, account_id)

    def recent(self, account_id: str | None = None, limit: int = 50) -> list[ledger.LedgerRow]:
        return self.store.call(ledger.recent, account_id, limit)

    def oldest_pending_age(self, now: datetime | None = None) -> timedelta | None:
        age = self.state.oldest_pending_age_s(now or self.clock.now())
        return None if age is None else timedelta(seconds=age)

    def _refresh(self) -> None:
        """Update the status bar's queue figures; a failure here is logged, never raised at the
        counter after it already has its outcome (the next refresh catches up)."""
        for till in self.tills.values():
            try:
                refresh_queue_state(self.store, till.account_id, till.monitor)
            except Exception:
                log.exception("queue figures of %s not refreshed", till.account_id)

    def _notify(self) -> None:
        state = self.state
        for listener in list(self._listeners):
            try:
                listener(state)
            except Exception:
                log.exception("state listener failed")


def _ack_txn(conn, conflict_id: int, now: datetime) -> bool:
    with transaction(conn):
        return outbox.acknowledge(conn, conflict_id, now)


def _set_receipt_txn(conn, redemption_id: str, number: str | None) -> bool:
    with transaction(conn):
        return ledger.set_receipt(conn, redemption_id, number)
