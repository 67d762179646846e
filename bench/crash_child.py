"""The crash test's child: one till that redeems and syncs in a loop on a shared SQLite file until
it is killed. Reads its set-up as one JSON line on stdin (the till token included: it goes into an
in-memory keyring backend, never into a file) and prints, flushed, one line per scanned code:

    ACK <index> <redemption_id>   only after the policy returned accepted (online or offline)
    REF <index> <reason>          refused (already used here, ...)
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keyring

from posapp.core.accounts import PlatformAccount, client_for
from posapp.core.connectivity import ConnectivityMonitor
from posapp.core.credentials import TokenStore
from posapp.core.memory_keyring import MemoryKeyring
from posapp.core.policy import AcceptedOffline, AcceptedOnline, RedeemPolicy, Till
from posapp.core.settings import OfflineCaps
from posapp.core.store import Store
from posapp.core.sync import SyncEngine


def _start_background_sync(store: Store, account, tokens: TokenStore, seed: int) -> None:
    """A second sync engine on its own connection, as PosService's loop runs beside the counter:
    the counter's online attempt of an id and a sync batch carrying that id race for real."""
    client = client_for(account, tokens, timeout=(0.5, 1.0))
    engine = SyncEngine(
        store,
        Till(account, client, ConnectivityMonitor()),
        max_attempts=2,
        base_delay_s=0.05,
        max_delay_s=0.2,
    )
    rng = random.Random(seed)

    def loop() -> None:
        while True:
            engine.run()
            time.sleep(rng.uniform(0.0, 0.05))

    threading.Thread(target=loop, name="background-sync", daemon=True).start()


def main() -> int:
    setup = json.loads(sys.stdin.readline())
    keyring.set_keyring(MemoryKeyring())
    tokens = TokenStore()
    account = PlatformAccount.from_json(setup["account"])
    tokens.set(account.account_id, setup.pop("token"))
    client = client_for(account, tokens, timeout=(0.5, 1.0))
    monitor = ConnectivityMonitor()
    client.observer = monitor.record
    till = Till(account, client, monitor)
    store = Store(Path(setup["db"]))
    caps = OfflineCaps(max_pending_count=10_000, max_pending_value_cents=10**9)
    policy = RedeemPolicy(store, [till], caps)
    sync = SyncEngine(store, till, max_attempts=2, base_delay_s=0.05, max_delay_s=0.2)
    rng = random.Random(setup["seed"])
    if setup.get("background_sync"):
        _start_background_sync(store, account, tokens, rng.randrange(2**31))
    print("READY", flush=True)
    sync.run()
    codes: list[str] = setup["codes"]
    for index in range(setup["start"], len(codes)):
        if rng.random() < setup.get("offline_share", 0.4):
            monitor.force_offline()  # as if the line had dropped: the offline rules decide
        outcome = policy.submit(codes[index], confirmed=True)
        if isinstance(outcome, AcceptedOnline | AcceptedOffline):
            print(f"ACK {index} {outcome.redemption_id}", flush=True)
        else:
            print(f"REF {index} {getattr(outcome, 'reason', outcome)}", flush=True)
        if rng.random() < 0.25:
            sync.run()
    while sync.run().pending_left:
        pass
    print("DONE", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
