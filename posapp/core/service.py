"""The counter's back office in one object: the store, the redeem policy, and per platform account a
client, a connectivity monitor and a sync engine, plus a background loop that syncs and probes.

The UI (through a thin Qt adapter) and the demo call `submit`, `void`, `sync_now` and subscribe to
`state`; nothing here touches Qt or blocks on the network from the store thread.

Time is trusted time (trusted_time.py): the platform's clock carried by a monotonic one, not the
PC's. A 401 anywhere puts the till in a persisted "needs pairing" state (nothing is taken, the queue
is kept) until `repair` pairs it again in place (repair.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from posapp.core import repair as repairing
from posapp.core import trust_store
from posapp.core.api.errors import ApiError, UnauthorizedError
from posapp.core.client_pool import ClientPool
from posapp.core.clock import Clock, SystemClock
from posapp.core.connectivity import ConnectivityMonitor, ConnectivityState
from posapp.core.instance_lock import InstanceLock
from posapp.core.policy import Outcome, RedeemPolicy, Refused, Till, Voided
from posapp.core.settings import Settings
from posapp.core.store import Store, StoreError, default_path, ledger, outbox, transaction
from posapp.core.store.backup import Backups
from posapp.core.store.marker import open_ledger
from posapp.core.sync import SyncEngine, SyncReport, refresh_queue_state
from posapp.core.trusted_time import TrustedClock, boot_monotonic

log = logging.getLogger("posapp.service")
Listener = Callable[[ConnectivityState], None]
# a platform's time is asked for (GET /v1/health) before a sync when none arrived for this long
TIME_PROBE_S = 60.0


class PosService:
    def __init__(
        self,
        store: Store,
        tills: list[Till],
        settings: Settings | None = None,
        clock: Clock | None = None,
        *,
        sync_interval_s: float = 30.0,
        monotonic: Callable[[], float] | None = None,
        token_store: object | None = None,  # credentials.TokenStore (default: the OS keyring)
        directory: object | None = None,  # accounts.AccountDirectory, updated by repair
        timeout: tuple[float, float] = (3.05, 10.0),
        backups: Backups | None = None,
        instance_lock: InstanceLock | None = None,
    ) -> None:
        """`clock` is the PC's clock; `self.clock` the trusted one everything else reads; with
        no `monotonic`, a given clock also stands for the monotonic one (tests: a manual clock
        moved by the test is the only time there is), the system's boot-time clock otherwise.
        `backups`: rolling backups of the ledger (default: beside the database file)."""
        self.store = store
        self.instance_lock = instance_lock  # given back at close()
        self.settings = settings or Settings()
        self.wall = clock or SystemClock()
        mark, offset = store.call(trust_store.load_time)
        if monotonic is None:  # a clock given by a test is all the time there is: follow it
            monotonic = boot_monotonic if clock is None else _following(self.wall)
        self.clock = TrustedClock(
            self.wall,
            monotonic,
            high_water=mark,
            offset_s=offset,
            save=self._save_time,
        )
        self.tills = {t.account_id: t for t in tills}
        self.token_store = token_store
        self.directory = directory
        self.timeout = timeout
        kept = self.settings.backup
        self.backups = backups or Backups(
            store.path,
            keep_days=kept.keep_days,
            keep_min=kept.keep_min,
            min_interval_s=kept.min_interval_minutes * 60,
        )
        self._paired_out: set[str] = store.call(trust_store.paired_out) & set(self.tills)
        self._pairing_lock = threading.Lock()
        for till in tills:
            till.client.time_observer = self.clock.observe
            till.monitor.clock = self.clock
        self.policy = RedeemPolicy(
            store,
            tills,
            self.settings.offline,
            self.clock,
            on_unauthorized=self.mark_needs_pairing,
            blocked=lambda: bool(self._paired_out),
        )
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.engines = {
            t.account_id: SyncEngine(
                store, t, self.clock, sleep=self._stop.wait, horizon=self.policy.recording.horizon
            )
            for t in tills
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
        **kwargs: Any,
    ) -> PosService:
        """Build everything from the paired accounts; `tokens(account_id)` reads the keyring.
        Each account gets a ClientPool: the counter's threads and the sync thread never share
        one requests.Session, and a new token reaches all of them."""
        settings = settings or Settings()
        path = db_path or default_path()
        # one posapp per database (a second one, or a restore meanwhile: LedgerInUse, in words)
        lock = InstanceLock(path).acquire()
        tills = []
        for account in accounts:
            client = ClientPool(account.api_url, tokens(account.account_id), timeout=timeout)
            monitor = ConnectivityMonitor(settings.connectivity, clock)
            client.observer = monitor.record
            tills.append(Till(account, client, monitor))
        try:
            store = open_ledger(path, [a.account_id for a in accounts])
            try:
                return cls(
                    store, tills, settings, clock, timeout=timeout, instance_lock=lock, **kwargs
                )
            except BaseException:
                store.close()
                raise
        except BaseException:
            lock.release()
            raise

    # -- the counter ---------------------------------------------------------------------------
    def submit(
        self,
        text: str,
        amount_cents: int | None = None,
        confirmed: bool = False,
        operator: str | None = None,
        account_id: str | None = None,
    ) -> Outcome:
        """`operator`: who is at the counter (onto the ledger row); `account_id`: the
        shopkeeper's answer to a NeedsChoice (several platforms know the code)."""
        outcome = self.policy.submit(text, amount_cents, confirmed, operator, account_id)
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
            return {acct: self._run_engine(acct) for acct in self.engines}

    def probe_time(self, till: Till, max_age_s: float = TIME_PROBE_S) -> None:
        """Ask a platform its time (GET /v1/health) unless one answered lately; every answer
        that carries a Server-Time feeds the clock too, through the client's time_observer."""
        if self.clock.observed_within(max_age_s):
            return
        started = time.monotonic()
        try:
            health = till.client.health()
        except UnauthorizedError:
            self.mark_needs_pairing(till.account_id)
            return
        except Exception as exc:  # noqa: BLE001 - a probe never breaks sync or the loop
            log.info("time probe of %s failed: %s", till.account_id, type(exc).__name__)
            return
        self.clock.observe(health.server_time, time.monotonic() - started)

    def _run_engine(self, account_id: str) -> SyncReport:
        """One account's sync; an account that needs pairing is not sent anything (it would only
        collect another 401); a 401 during the run puts the till in needs-pairing state."""
        if account_id in self._paired_out:
            return SyncReport(needs_pairing=True, error="needs_pairing")
        self.probe_time(self.tills[account_id])
        report = self.engines[account_id].run()
        if report.needs_pairing:
            self.mark_needs_pairing(account_id)
        if report.ok:
            self.backups.maybe(self.clock.now())  # rate limited; a new Rome day always
        return report

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
        if account_id in self._paired_out:
            return  # waits for repair(); nothing to send with a refused token
        if not till.monitor.online:
            started = time.monotonic()
            try:
                health = till.client.health()  # the observer feeds the monitor
            except UnauthorizedError:
                self.mark_needs_pairing(account_id)
                return
            except ApiError:
                return  # still down: do not spend a whole backoff cycle on it
            self.clock.observe(health.server_time, time.monotonic() - started)
        with self._sync_lock:
            self._run_engine(account_id)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        self.clock.checkpoint()  # a restart knows the last time used (clock set back: seen)
        if not self.store.closed:
            self.backups.maybe(self.clock.now(), force=True)  # the day's end, as the shop closes
        for till in self.tills.values():
            till.client.close()
        self.store.close()
        if self.instance_lock is not None:
            self.instance_lock.release()

    # -- what the screens show -----------------------------------------------------------------
    @property
    def state(self) -> ConnectivityState:
        """All accounts together: online only if all are; queue figures summed."""
        states = [t.monitor.state for t in self.tills.values()]
        trust = {
            "needs_pairing": bool(self._paired_out),
            "clock_warning": self.clock.warning,
            "clock_offset_s": self.clock.offset_s,
        }
        if not states:
            return ConnectivityState(online=False, **trust)  # type: ignore[arg-type]
        oldest = [s.oldest_pending_at for s in states if s.oldest_pending_at]
        syncs = [s.last_good_sync for s in states]
        return ConnectivityState(
            online=all(s.online for s in states),
            pending_count=sum(s.pending_count for s in states),
            pending_value_cents=sum(s.pending_value_cents for s in states),
            oldest_pending_at=min(oldest) if oldest else None,
            last_good_sync=None if None in syncs else min(syncs),  # type: ignore[type-var]
            open_conflicts=sum(s.open_conflicts for s in states),
            **trust,  # type: ignore[arg-type]
        )

    # -- identity ------------------------------------------------------------------------------
    @property
    def needs_pairing(self) -> frozenset[str]:
        """The accounts whose token the platform refused, until `repair`."""
        return frozenset(self._paired_out)

    def mark_needs_pairing(self, account_id: str) -> None:
        """A 401 from this account's platform: persisted, so a restart still refuses."""
        with self._pairing_lock:
            new = account_id not in self._paired_out
            self._paired_out.add(account_id)
        if not new:
            return
        log.warning("the platform refused the token of %s: needs pairing", account_id)
        try:
            self.store.call(trust_store.set_needs_pairing_txn, account_id, True)
        except StoreError as exc:  # held in memory for this run all the same
            log.error("needs-pairing state not saved: %s", exc)
        self._notify()

    def repair(self, account_id: str, pairing_code: str, till_name: str | None = None) -> Any:
        """Pair this account again in place (no restart): new token into the keyring and every
        client, needs-pairing cleared, sync woken; the queue is kept and sent once (same ids).
        Raises repair.RepairError (words for the shopkeeper) or CredentialsUnavailable."""
        till = self.tills.get(account_id)
        if till is None:
            raise repairing.RepairError("unknown_account")
        account = repairing.pair_again(self, till, pairing_code, till_name)
        with self._pairing_lock:
            self._paired_out.discard(account_id)
        self.store.call(trust_store.set_needs_pairing_txn, account_id, False)
        till.monitor.synced(self.clock.now())  # the platform just answered: online
        self.wake()
        self._notify()
        return account

    def roll_token(self, account_id: str) -> None:
        """Replace this account's till token (repair.roll: keyring first, then every client)."""
        repairing.roll(self, self.tills[account_id])

    def rebuild_history(self, account_id: str, scope: str = "till") -> Any:
        """Fill the ledger from the platform's list of this till's redemptions (rebuild.py);
        returns a RebuildReport whose text says what cannot be recovered."""
        from posapp.core.rebuild import rebuild_history

        return rebuild_history(self, account_id, scope)

    def _save_time(self, mark: datetime, offset_s: float | None) -> None:
        future = self.store.submit(trust_store.save_time_txn, mark, offset_s)
        future.add_done_callback(_log_failure)

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


def _following(clock: Clock) -> Callable[[], float]:
    return lambda: clock.now().timestamp()


def _log_failure(future) -> None:
    if future.exception() is not None:
        log.error("trusted time not saved: %s", future.exception())


def _ack_txn(conn, conflict_id: int, now: datetime) -> bool:
    with transaction(conn):
        return outbox.acknowledge(conn, conflict_id, now)


def _set_receipt_txn(conn, redemption_id: str, number: str | None) -> bool:
    with transaction(conn):
        return ledger.set_receipt(conn, redemption_id, number)
