"""Shared rig for the offline-core tests (no tests here): a real sandbox on loopback with fault
injection, a real till paired with it, and that till's store, policy and sync engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from posapp.core.accounts import PlatformAccount
from posapp.core.api.client import ApiClient
from posapp.core.clock import ManualClock
from posapp.core.connectivity import ConnectivityMonitor
from posapp.core.policy import RedeemPolicy, Till
from posapp.core.settings import ConnectivitySettings, OfflineCaps
from posapp.core.store import Store
from posapp.core.sync import SyncEngine
from posapp.sandbox.server import SandboxServer

TIMEOUT = (0.5, 1.0)  # short: the fault tests must show no call hangs past it
# Where the timeout is not what a test is about (pairing in a fixture, an honest sync): patient,
# so a loaded 2-core machine does not turn a slow answer into a false "offline".
PATIENT = (5.0, 30.0)
PATIENT_SLOW_S = 20.0  # the monitor's "slow request" threshold that goes with it


def start_sandbox(folder: Path, clock=None, platform_id: str = "puglia-test") -> SandboxServer:
    server = SandboxServer(
        folder, fresh=True, faults=True, clock=clock, platform_id=platform_id, seed_demo=False
    )
    return server.start()


@dataclass
class TillRig:
    server: SandboxServer
    shop_id: int
    store: Store
    till: Till
    policy: RedeemPolicy
    sync: SyncEngine
    sleeps: list[float] = field(default_factory=list)

    def voucher(self, cents: int = 1000, **options) -> dict:
        return self.server.store.create_voucher(self.shop_id, cents, **options)

    def offline(self) -> None:
        self.till.monitor.force_offline()

    def on_sandbox(self, voucher_id: int | None = None) -> list[dict]:
        return self.server.store.list_redemptions(voucher_id=voucher_id)

    def close(self) -> None:
        self.till.client.close()
        self.store.close()


def make_till(
    server: SandboxServer,
    shop_id: int,
    db_path: Path,
    clock: ManualClock | None = None,
    caps: OfflineCaps | None = None,
    till_name: str = "Cassa 1",
    batch_size: int = 500,
    timeout: tuple[float, float] = PATIENT,
    slow_request_s: float = PATIENT_SLOW_S,
) -> TillRig:
    """`timeout`/`slow_request_s`: the till's client and monitor; the fault tests pass the
    short TIMEOUT (and 0.9 s) they are about. Pairing, a fixture's step, is always patient."""
    clock = clock or ManualClock()
    with ApiClient(server.url, timeout=PATIENT) as pairing:
        paired = pairing.pair(server.store.new_pairing_code(shop_id), till_name)
    client = ApiClient(server.url, paired.token, timeout=timeout)
    info = paired.till
    account = PlatformAccount(
        account_id=info.platform_id,
        name=info.platform_name,
        api_url=server.url,
        shop_id=info.shop_id,
        shop_name=info.shop_name,
        till_id=info.till_id,
        till_name=info.till_name,
    )
    monitor = ConnectivityMonitor(ConnectivitySettings(slow_request_s=slow_request_s), clock)
    client.observer = monitor.record
    till = Till(account, client, monitor)
    store = Store(db_path)
    policy = RedeemPolicy(store, [till], caps or OfflineCaps(), clock)
    sleeps: list[float] = []
    sync = SyncEngine(
        store, till, clock, batch_size=batch_size, sleep=sleeps.append, rng=lambda: 0.5
    )
    return TillRig(server, shop_id, store, till, policy, sync, sleeps)


# the caps the offline-policy tests run under: small enough to reach each one in a few redemptions
OFFLINE_CAPS = OfflineCaps(
    max_hours_since_sync=24,
    max_value_per_redemption_cents=5_000,
    max_pending_count=3,
    max_pending_value_cents=6_000,
)


@contextmanager
def offline_rig(folder: Path, shop_name: str, town: str) -> Iterator[TillRig]:
    """A sandbox and one till on a manual clock (`rig.clock`), under OFFLINE_CAPS."""
    clock = ManualClock()
    server = start_sandbox(folder / "sandbox", clock)
    try:
        shop = server.store.create_shop(shop_name, town)
        rig = make_till(server, shop, folder / "till.sqlite3", clock, OFFLINE_CAPS)
        rig.clock = clock
        try:
            yield rig
        finally:
            rig.close()
    finally:
        server.stop()
