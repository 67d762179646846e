"""The crash test's child: one till run as the app runs it (PosService.open over a keyring and the
ledger file, its background sync loop, submit at the counter) until it is killed. Reads its set-up
as one JSON line on stdin (the till token included: it goes into an in-memory keyring backend,
never into a file) and prints, flushed, one line per sale intent (one scanned code):

    ACK <index> <redemption_id>   only after the till said accepted (online or offline)
    REF <index> <reason>          refused (already used here, ...)

After a restart the cashier does what the counter's screen lets them do: look at the recent
redemptions before scanning again the code that was in progress when the till died. A till that
instead records that sale again under a new id would be counted as `duplicated` by the parent
(`rescan_blind` does exactly that; `double_sale` records every sale twice, a broken till that
proves the count can fail).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keyring

from posapp.core.accounts import PlatformAccount
from posapp.core.credentials import TokenStore
from posapp.core.memory_keyring import MemoryKeyring
from posapp.core.policy import AcceptedOffline, AcceptedOnline
from posapp.core.service import PosService
from posapp.core.settings import OfflineCaps, Settings


def _recorded(service: PosService, code: str) -> str | None:
    """The id of a sale of this code already in the ledger (the counter's recent list)."""
    for row in service.recent(limit=20):
        if row.voucher_code == code and row.state in ("pending", "accepted"):
            return row.redemption_id
    return None


def main() -> int:
    setup = json.loads(sys.stdin.readline())
    keyring.set_keyring(MemoryKeyring())
    tokens = TokenStore()
    account = PlatformAccount.from_json(setup["account"])
    tokens.set(account.account_id, setup.pop("token"))
    settings = Settings()
    settings.offline = OfflineCaps(max_pending_count=10_000, max_pending_value_cents=10**9)
    rng = random.Random(setup["seed"])
    service = PosService.open(
        [account],
        tokens.get,
        settings,
        db_path=Path(setup["db"]),
        timeout=(0.5, 1.0),
        sync_interval_s=rng.uniform(0.0, 0.05),
        token_store=tokens,
    )
    for engine in service.engines.values():  # short backoff: a kill should find work to cut
        engine.max_attempts, engine.base_delay_s, engine.max_delay_s = 2, 0.05, 0.2
    monitor = service.tills[account.account_id].monitor
    print("READY", flush=True)
    if setup.get("background_sync"):
        service.start()  # the app's loop: its sync races the counter's online attempts
    service.sync_now()
    codes: list[str] = setup["codes"]
    amount = setup.get("amount_cents")
    for index in range(setup["start"], len(codes)):
        seen = None if setup.get("rescan_blind") else _recorded(service, codes[index])
        if seen is not None:  # in progress when the till died, and recorded: not scanned again
            print(f"ACK {index} {seen}", flush=True)
            continue
        if rng.random() < setup.get("offline_share", 0.4):
            monitor.force_offline()  # as if the line had dropped: the offline rules decide
        outcome = service.submit(codes[index], amount, confirmed=True)
        if isinstance(outcome, AcceptedOnline | AcceptedOffline):
            print(f"ACK {index} {outcome.redemption_id}", flush=True)
        else:
            print(f"REF {index} {getattr(outcome, 'reason', outcome)}", flush=True)
        if setup.get("double_sale") and isinstance(outcome, AcceptedOnline | AcceptedOffline):
            service.submit(codes[index], amount, confirmed=True)  # a broken till: twice
        if rng.random() < 0.25:
            service.sync_now()
    while service.sync_now()[account.account_id].pending_left:
        pass
    print("DONE", flush=True)
    service.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
