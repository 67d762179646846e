"""One step of a till's life, run by an *installed* posapp (tests/test_installer_upgrade.py).

    python upgrade_till.py pair URL CODE | offline CODE... | sync

Uses only the API both the old and the new version have (AccountDirectory.pair, PosService.open,
submit, sync_now), prints one JSON line with what it saw.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from importlib.metadata import version as _dist_version

import posapp
from posapp.core.accounts import AccountDirectory
from posapp.core.credentials import TokenStore
from posapp.core.policy import AcceptedOffline, NeedsConfirmation
from posapp.core.service import PosService
from posapp.core.settings import data_dir


def service() -> PosService:
    accounts = list(AccountDirectory().accounts())
    return PosService.open(accounts, TokenStore().get, timeout=(1.0, 2.0))


def main(step: str, *args: str) -> dict:
    seen: dict = {"version": _dist_version("posapp"), "module": posapp.__file__}
    if step == "pair":
        url, code = args
        account = AccountDirectory().pair(url, code, "Cassa 1", TokenStore())
        svc = service()
        try:
            seen["synced_vouchers"] = svc.sync_now()[account.account_id].vouchers
        finally:
            svc.close()
    elif step == "offline":
        svc = service()
        try:
            outcomes = []
            for text in args:
                first = svc.submit(text)
                if isinstance(first, NeedsConfirmation):
                    amount = first.summary.default_amount_cents
                    first = svc.submit(text, amount, confirmed=True)
                outcomes.append(isinstance(first, AcceptedOffline))
                seen.setdefault("ids", []).append(getattr(first, "redemption_id", None))
            seen["accepted_offline"] = outcomes
            seen["pending"] = svc.state.pending_count
        finally:
            svc.close()
    elif step == "sync":
        token_kept = all(TokenStore().get(a.account_id) for a in AccountDirectory().accounts())
        svc = service()
        try:
            seen["pending_before"] = svc.state.pending_count
            reports = svc.sync_now()
            seen["accepted"] = sum(r.accepted for r in reports.values())
            seen["conflicts"] = sum(r.conflicts for r in reports.values())
            seen["pending"] = svc.state.pending_count
        finally:
            svc.close()
        seen["token_kept"] = token_kept
    con = sqlite3.connect(data_dir() / "posapp.sqlite3")
    seen["user_version"] = con.execute("PRAGMA user_version").fetchone()[0]
    con.close()
    return seen


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], *sys.argv[2:])))
