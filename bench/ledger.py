"""Ledger benchmark: one durable offline redemption, syncing 10,000 queued redemptions to a loopback
sandbox (batched and one request each), and the owner's daily totals over 1,000,000 ledger rows.

    .venv/bin/python bench/ledger.py [--offline N] [--sync N] [--unbatched N] [--rows N]

Prints a table and writes bench/results/ledger.json. Everything runs on real files in a temp folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posapp.core.api.client import ApiClient  # noqa: E402
from posapp.core.api.models import RedeemRequest, VoucherInfo  # noqa: E402
from posapp.core.clock import utc_iso  # noqa: E402
from posapp.core.codes import encode_plain  # noqa: E402
from posapp.core.connectivity import ConnectivityMonitor  # noqa: E402
from posapp.core.policy import AcceptedOffline, RedeemPolicy, Till  # noqa: E402
from posapp.core.settings import OfflineCaps  # noqa: E402
from posapp.core.store import Store, cache, ledger, transaction  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "ledger.json"


class _Account:
    def __init__(self, account_id: str, till_id: int, shop_id: int) -> None:
        self.account_id, self.till_id, self.shop_id = account_id, till_id, shop_id

    def serves_host(self, host: str) -> bool:
        return False


def bench_offline(folder: Path, n: int) -> dict:
    """p50/p95 of RedeemPolicy.submit(confirmed=True) offline: checks + one durable transaction."""
    store = Store(folder / "offline.sqlite3")
    now = datetime.now(UTC)
    vouchers = [
        VoucherInfo(encode_plain(i), i, 1, "valid", 1000, 1000, "EUR", None, True)
        for i in range(1, n + 1)
    ]

    def seed(conn):
        with transaction(conn):
            cache.upsert_vouchers(conn, "bench", vouchers, now)
            cache.set_state(conn, "bench", "last_good_sync", utc_iso(now))

    store.call(seed)
    monitor = ConnectivityMonitor()
    monitor.force_offline()
    client = ApiClient("http://127.0.0.1:9")  # never called: the till is offline
    caps = OfflineCaps(max_pending_count=n + 1, max_pending_value_cents=10**12)
    policy = RedeemPolicy(store, [Till(_Account("bench", 1, 1), client, monitor)], caps)
    times = []
    for v in vouchers:
        started = time.perf_counter()
        outcome = policy.submit(v.code, 500, confirmed=True)
        times.append((time.perf_counter() - started) * 1000)
        assert isinstance(outcome, AcceptedOffline), outcome
    store.close()
    times.sort()
    return {
        "offline_redeem_n": n,
        "offline_redeem_p50_ms": round(statistics.median(times), 3),
        "offline_redeem_p95_ms": round(times[int(0.95 * (n - 1))], 3),
        "offline_redeem_max_ms": round(times[-1], 3),
    }


def bench_totals(folder: Path, rows: int) -> dict:
    """1,000,000 ledger rows over a year, 3 tills, 2 accounts; time the totals of one day."""
    store = Store(folder / "totals.sqlite3")
    start = datetime(2026, 1, 1, 7, tzinfo=UTC)
    span = 365 * 86400
    rng = random.Random(7)

    def fill(conn, chunk):
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO ledger (redemption_id, account_id, voucher_code, voucher_id, amount_cents,"
            " currency, till_id, occurred_at, offline, state, local_day, local_hour)"
            " VALUES (?, ?, 'X', ?, ?, 'EUR', ?, ?, 0, ?, ?, ?)",
            chunk,
        )
        conn.execute("COMMIT")

    started = time.perf_counter()
    batch = []
    for i in range(rows):
        when = start + timedelta(seconds=rng.randrange(span))
        local = when.astimezone(ledger.LOCAL_TZ)
        state = "accepted" if i % 50 else "pending"
        batch.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128))),
                "a" if i % 3 else "b",
                i,
                rng.randrange(100, 5000),
                1 + i % 3,
                utc_iso(when),
                state,
                local.date().isoformat(),
                local.hour,
            )
        )
        if len(batch) == 50_000:
            store.call(fill, batch)
            batch = []
    if batch:
        store.call(fill, batch)
    store.call(lambda c: c.execute("ANALYZE"))
    fill_s = time.perf_counter() - started
    day = date(2026, 6, 15)
    runs = []
    for _ in range(20):
        t0 = time.perf_counter()
        totals = store.call(ledger.daily_totals, day)
        store.call(ledger.daily_totals, day, "a")
        runs.append((time.perf_counter() - t0) * 1000 / 2)
    store.close()
    return {
        "daily_totals_rows": rows,
        "daily_totals_day_count": totals.count,
        "daily_totals_1m_ms": round(statistics.median(runs), 3),
        "daily_totals_max_ms": round(max(runs), 3),
        "ledger_fill_s": round(fill_s, 1),
    }


def _queue(store: Store, account_id: str, till_id: int, vouchers: list[dict], n: int) -> None:
    """n offline redemptions of 1 EUR spread over partial-use vouchers, straight into the outbox."""
    start = datetime.now(UTC) - timedelta(hours=2)

    def write(conn, chunk):
        with transaction(conn):
            for i in chunk:
                v = vouchers[i % len(vouchers)]
                when = start + timedelta(milliseconds=i)
                req = RedeemRequest.new(v["code"], 100, till_id, when, offline=True)
                ledger.insert_pending(conn, account_id, v["voucher_id"], req)

    for first in range(0, n, 1000):
        store.call(write, range(first, min(n, first + 1000)))


def _sync_run(server, shop: int, folder: Path, name: str, n: int, batched: bool) -> tuple:
    from posapp.core.accounts import PlatformAccount
    from posapp.core.sync import SyncEngine

    per_voucher = 100
    vouchers = [
        server.store.create_voucher(shop, 100 * per_voucher, partial_allowed=True)
        for _ in range(-(-n // per_voucher))
    ]
    client = ApiClient(server.url, timeout=(3.05, 30.0))
    info = client.pair(server.store.new_pairing_code(shop), name).till
    account = PlatformAccount(
        info.platform_id,
        info.platform_name,
        server.url,
        info.shop_id,
        info.shop_name,
        info.till_id,
        info.till_name,
    )
    store = Store(folder / f"{name}.sqlite3")
    _queue(store, account.account_id, info.till_id, vouchers, n)
    till = Till(account, client, ConnectivityMonitor())
    engine = SyncEngine(store, till, use_batch=batched)
    counter = _Counter(store) if batched else None  # the counter keeps redeeming meanwhile
    started = time.perf_counter()
    report = engine.run()
    elapsed = time.perf_counter() - started
    during = counter.stop() if counter else []
    assert report.accepted == n and report.conflicts == 0, report
    store.close()
    client.close()
    return elapsed, report.requests, during


class _Counter:
    """Offline redemptions on another account of the same store while a sync runs."""

    def __init__(self, store: Store) -> None:
        import threading

        now = datetime.now(UTC)
        vouchers = [
            VoucherInfo(encode_plain(i), i, 1, "valid", 100, 100, "EUR", None, False)
            for i in range(1, 5001)
        ]

        def seed(conn):
            with transaction(conn):
                cache.upsert_vouchers(conn, "counter", vouchers, now)
                cache.set_state(conn, "counter", "last_good_sync", utc_iso(now))

        store.call(seed)
        monitor = ConnectivityMonitor()
        monitor.force_offline()
        till = Till(_Account("counter", 9, 1), ApiClient("http://127.0.0.1:9"), monitor)
        caps = OfflineCaps(max_pending_count=10**6, max_pending_value_cents=10**12)
        self.policy = RedeemPolicy(store, [till], caps)
        self.codes = [v.code for v in vouchers]
        self.times: list[float] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self) -> None:
        for code in self.codes:
            if self._done.is_set():
                return
            t0 = time.perf_counter()
            outcome = self.policy.submit(code, confirmed=True)
            self.times.append((time.perf_counter() - t0) * 1000)
            assert isinstance(outcome, AcceptedOffline), outcome
            time.sleep(0.02)  # a fast shopkeeper: 50 scans a second

    def stop(self) -> list[float]:
        self._done.set()
        self._thread.join()
        return sorted(self.times)


def bench_sync(folder: Path, n: int, unbatched: int) -> dict:
    """Queue n offline redemptions and sync them to a loopback sandbox: batches of 500, and one
    request each (the speed-up batching buys)."""
    from posapp.sandbox.server import SandboxServer

    server = SandboxServer(folder / "sandbox", fresh=True, platform_id="bench", seed_demo=False)
    server.start()
    try:
        shop = server.store.create_shop("Bench")
        batched_s, batched_requests, during = _sync_run(server, shop, folder, "batched", n, True)
        result = {
            "sync_n": n,
            "sync_10k_s": round(batched_s * 10_000 / n, 2),
            "sync_batched_requests": batched_requests,
            "redeem_during_sync_n": len(during),
            "redeem_during_sync_p95_ms": round(during[int(0.95 * (len(during) - 1))], 3),
            "redeem_during_sync_max_ms": round(during[-1], 3),
        }
        if unbatched:
            single_s, _, _ = _sync_run(server, shop, folder, "single", unbatched, False)
            result["sync_unbatched_n"] = unbatched
            result["sync_10k_unbatched_s"] = round(single_s * 10_000 / unbatched, 2)
            result["batching_speedup"] = round(
                result["sync_10k_unbatched_s"] / result["sync_10k_s"], 1
            )
        return result
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offline", type=int, default=2000)
    parser.add_argument("--sync", type=int, default=10_000)
    parser.add_argument("--unbatched", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help="where to write (partial runs: not the default)"
    )
    args = parser.parse_args(argv)
    results: dict = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "when": utc_iso(datetime.now(UTC)),
    }
    # on the repository disk, not a tmpfs /tmp: fsync must really reach the disk
    with tempfile.TemporaryDirectory(prefix="ledger-", suffix=".tmp", dir=RESULTS.parent) as tmp:
        folder = Path(tmp)
        if args.offline:
            results.update(bench_offline(folder, args.offline))
        if args.sync:
            results.update(bench_sync(folder, args.sync, args.unbatched))
        if args.rows:
            results.update(bench_totals(folder, args.rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
