"""Crash test: a real child process (PosService, as the app runs it) redeems and syncs against the
sandbox on a shared SQLite file and is killed with SIGKILL at random instants, then restarted; at
the end every redemption the child acknowledged must be on the sandbox exactly once, and PRAGMA
integrity_check ok after every kill.

`duplicated` counts what a real double would be: one sale (one scanned code, an "intent") recorded
on the platform under two redemption ids. The vouchers allow partial use and hold twice the
amount of a sale, so the platform itself would accept a second redemption of one voucher: a
double is not masked by the platform's refusal, it shows.

    .venv/bin/python bench/crash.py --kills 1000      # writes bench/results/crash.json

tests/test_crash.py runs the same loop with 100 kills.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from posapp.core.api.client import ApiClient  # noqa: E402
from posapp.sandbox.server import SandboxServer  # noqa: E402

CHILD = ROOT / "bench" / "crash_child.py"
SALE = 500  # cents per sale; each voucher holds two
RESULTS = ROOT / "bench" / "results" / "crash.json"


def _integrity(db: Path) -> bool:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


class _Child:
    """One run of the child; its stdout lines are collected by a reader thread."""

    def __init__(self, setup: dict) -> None:
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(setup) + "\n")
        self.proc.stdin.close()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.strip()
            if line == "READY":
                self.ready.set()
            self.lines.append(line)
        self.ready.set()

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._reader.join(10)

    def finish(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._reader.join(10)


def _till_view(db: Path) -> tuple[dict[str, str], int, int]:
    """(redemption id -> ledger state, outbox rows left, open conflicts) in the till's file."""
    conn = sqlite3.connect(db)
    try:
        states = dict(conn.execute("SELECT redemption_id, state FROM ledger"))
        left = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        conflicts = conn.execute(
            "SELECT COUNT(*) FROM conflicts WHERE acknowledged_at IS NULL"
        ).fetchone()[0]
        return states, left, conflicts
    finally:
        conn.close()


def run_crash(
    kills: int,
    folder: Path,
    seed: int = 1,
    max_wait_s: float = 0.3,
    background_sync: bool = True,
    rescan_blind: bool = False,
    double_sale: bool = False,
) -> dict:
    """The whole experiment; returns {kills, acknowledged, lost, duplicated, integrity_failures}
    and the till's own books against the platform's (unknown_to_till, state_mismatches,
    left_in_outbox, open_conflicts: all 0 when nothing went astray)."""
    rng = random.Random(seed)
    server = SandboxServer(
        folder / "sandbox", fresh=True, faults=True, platform_id="crash", seed_demo=False
    ).start()
    try:
        store = server.store
        shop = store.create_shop("Crash Test Bar")
        with ApiClient(server.url) as client:
            paired = client.pair(store.new_pairing_code(shop), "Cassa crash")
        till = paired.till
        account = {
            "account_id": till.platform_id,
            "name": till.platform_name,
            "api_url": server.url,
            "shop_id": till.shop_id,
            "shop_name": till.shop_name,
            "till_id": till.till_id,
            "till_name": till.till_name,
            "voucher_hosts": [],
        }
        intent_of: dict[int, int] = {}  # voucher id -> the index of the sale that scans it

        def new_codes(n: int) -> list[str]:
            made = [store.create_voucher(shop, 2 * SALE, partial_allowed=True) for _ in range(n)]
            for v in made:
                intent_of[v["voucher_id"]] = len(intent_of)
            return [v["code"] for v in made]

        codes = new_codes(400)
        # unknown outcomes too: some answers are lost after the platform committed
        server.faults.set(
            [
                {
                    "kind": "drop_after_commit",
                    "path": "/v1/redemptions",
                    "count": None,
                    "probability": 0.05,
                },
            ],
            seed=seed,
        )
        db = folder / "till.sqlite3"
        acked: dict[str, int] = {}
        start, integrity_failures, done_kills = 0, 0, 0
        while done_kills < kills:
            if start > len(codes) - 150:
                codes += new_codes(300)
            setup = {
                "db": str(db),
                "account": account,
                "token": paired.token,
                "codes": codes,
                "start": start,
                "seed": rng.randrange(2**31),
                "background_sync": background_sync,
                "amount_cents": SALE,
                "rescan_blind": rescan_blind,
                "double_sale": double_sale,
            }
            child = _Child(setup)
            if not child.ready.wait(30):
                child.kill()
                raise RuntimeError("the child did not start")
            time.sleep(rng.uniform(0.0, max_wait_s))
            child.kill()
            done_kills += 1
            for line in child.lines:
                parts = line.split()
                if parts[0] == "ACK":
                    acked[parts[2]] = int(parts[1])
                if parts[0] in ("ACK", "REF"):
                    start = max(start, int(parts[1]) + 1)
            if not _integrity(db):
                integrity_failures += 1
        server.faults.clear()
        final = _Child(
            {
                "db": str(db),
                "account": account,
                "token": paired.token,
                "codes": codes,
                "start": len(codes),
                "seed": 0,
                "amount_cents": SALE,
            }
        )
        if final.finish(120) != 0 or "DONE" not in final.lines:
            raise RuntimeError("the final sync did not finish")
        if not _integrity(db):
            integrity_failures += 1
        remote = store.list_redemptions(shop_id=shop)
        by_intent = Counter(intent_of[r["voucher_id"]] for r in remote if r["status"] == "accepted")
        by_id = Counter(r["redemption_id"] for r in remote)
        status = {r["redemption_id"]: r["status"] for r in remote}
        lost = [rid for rid in acked if status.get(rid) != "accepted"]
        # one sale under two redemption ids (or, impossible by the platform's key, one id twice)
        duplicated = sum(1 for n in by_intent.values() if n > 1)
        duplicated += sum(1 for n in by_id.values() if n > 1)
        states, left, open_conflicts = _till_view(db)
        unknown = [rid for rid in status if rid not in states]
        mismatched = [rid for rid, st in status.items() if rid in states and states[rid] != st]
        return {
            "kills": done_kills,
            "acknowledged": len(acked),
            "lost": len(lost),
            "duplicated": duplicated,
            "integrity_failures": integrity_failures,
            "codes_scanned": start,
            "on_platform": len(remote),
            "unknown_to_till": len(unknown),
            "state_mismatches": len(mismatched),
            "left_in_outbox": left,
            "open_conflicts": open_conflicts,
            "background_sync": background_sync,
            "lost_ids": lost[:10],
            "mismatched_ids": mismatched[:10],
        }
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SIGKILL crash test of the till's ledger")
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-", suffix=".tmp", dir=RESULTS.parent) as tmp:
        result = run_crash(args.kills, Path(tmp), args.seed)
    result["seconds"] = round(time.monotonic() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for key, value in result.items():
        print(f"{key:<20} {value}")
    ok = not any(
        result[k]
        for k in (
            "lost",
            "duplicated",
            "integrity_failures",
            "unknown_to_till",
            "state_mismatches",
            "left_in_outbox",
            "open_conflicts",
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
