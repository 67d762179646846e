"""Counter latency: from a confirmed code to its verdict painted, online and offline; and start-up.

The real counter window (offscreen), the real PosService on a SQLite file and the real sandbox on
loopback, in a process of its own as a platform is. For each voucher: the code is looked up, then
the clock starts when the shopkeeper confirms (Enter) and stops when the verdict panel has painted
the verdict. Offline: the sandbox is stopped and signed codes are accepted from the till's cache.
Start-up: a child process opens the counter of a paired till on a video source; the time from
spawning it to the first preview frame painted.

    .venv/bin/python bench/latency.py [--n 60]

Writes bench/results/latency.json (flat keys with units) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CHILD = r"""
import os, sys, time
from pathlib import Path
import keyring
from posapp.core.memory_keyring import MemoryKeyring
keyring.set_keyring(MemoryKeyring())
from posapp.core.credentials import TokenStore
from posapp.core.accounts import AccountDirectory
from posapp.core.service import PosService
from posapp.core.settings import Settings
from posapp.qt.app import make_application, make_scanning
from posapp.qt.counter_app import build_counter
from posapp.scan.sources import VideoFileSource
from PySide6.QtCore import QTimer
work = Path(sys.argv[1])
accounts = AccountDirectory(work / "accounts.json").accounts()
TokenStore().set(accounts[0].account_id, os.environ.pop("BENCH_TOKEN"))
app = make_application()
settings = Settings(); settings.sound = False
service = PosService.open(
    list(accounts), TokenStore().get, settings, db_path=work / "child.sqlite3"
)
video = sys.argv[2]
scanning = make_scanning(settings, lambda: VideoFileSource(video, loop=True, realtime=True))
counter = build_counter(service, settings, scanning)
counter.window.show()
def check():
    if counter.window.preview.frames_painted:
        print(f"FIRST_FRAME {time.time():.6f}", flush=True)
        app.quit()
timer = QTimer(interval=5); timer.timeout.connect(check); timer.start()
app.exec()
counter.close(); service.close()
"""


def platform(conn, folder: str, n: int) -> None:
    """The sandbox in a process of its own (as a real platform is: no shared interpreter lock)."""
    from posapp.sandbox.server import SandboxServer

    server = SandboxServer(Path(folder) / "sandbox", fresh=True, seed_demo=False).start()
    shop = server.store.create_shop("Panificio Rizzo", "Calimera")
    vouchers = [server.store.create_voucher(shop, 500) for _ in range(2 * n)]
    conn.send(
        {
            "url": server.url,
            "pairing_code": server.store.new_pairing_code(shop),
            "codes": [v["code"] for v in vouchers],
            "signed": [server.store.sign_voucher(v["voucher_id"]) for v in vouchers[n:]],
        }
    )
    while True:
        command = conn.recv()
        if command == "stop":
            server.stop()
        elif command == "start":
            server = SandboxServer(Path(folder) / "sandbox", port=server.port).start()
        elif command == "quit":
            server.stop()
            conn.send("bye")
            return
        conn.send("done")


# The offscreen platform plugin says this once per window resize: noise, not a problem of the app.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def quiet_offscreen_noise() -> None:
    """Drop that one message of Qt's; every other one still reaches stderr as Qt prints it."""
    from PySide6.QtCore import qFormatLogMessage, qInstallMessageHandler

    def handler(mode, context, message: str) -> None:  # type: ignore[no-untyped-def]
        if message != OFFSCREEN_NOISE:
            sys.stderr.write(qFormatLogMessage(mode, context, message) + "\n")

    qInstallMessageHandler(handler)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="vouchers per mode")
    args = parser.parse_args()

    import keyring
    from PySide6.QtCore import QEvent, QObject

    from posapp.core.accounts import AccountDirectory
    from posapp.core.credentials import TokenStore
    from posapp.core.memory_keyring import MemoryKeyring
    from posapp.core.service import PosService
    from posapp.core.settings import Settings
    from posapp.demo_video import make_demo_video
    from posapp.qt.app import make_application
    from posapp.qt.counter_app import build_counter

    keyring.set_keyring(MemoryKeyring())
    quiet_offscreen_noise()
    app = make_application()
    work = Path(tempfile.mkdtemp(prefix="posapp-latency-"))
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=platform, args=(theirs, str(work), args.n), daemon=True
    )
    child.start()
    info = ours.recv()

    def tell(command: str) -> None:
        ours.send(command)
        ours.recv()

    tokens = TokenStore()
    account = AccountDirectory(work / "accounts.json").pair(
        info["url"], info["pairing_code"], "Cassa 1", tokens
    )
    codes, signed = info["codes"], info["signed"]
    settings = Settings()
    settings.sound = False
    service = PosService.open([account], tokens.get, settings, db_path=work / "till.sqlite3")
    service.sync_now()
    counter = build_counter(service, settings, None, verdict_s=60)
    counter.window.resize(1024, 600)
    counter.window.show()

    class PaintSpy(QObject):
        painted = False

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    spy = PaintSpy()
    counter.window.verdict.installEventFilter(spy)

    def wait(predicate, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the counter did not answer in time")
            app.processEvents()
            time.sleep(0.0005)

    def one(code: str, expect: str) -> float:
        counter.flow.on_code(code, "usb")
        wait(lambda: counter.flow.phase == "confirm")
        app.processEvents()
        spy.painted = False
        started = time.perf_counter()
        counter.window.confirm()
        wait(lambda: counter.flow.phase == "verdict" and spy.painted)
        elapsed = (time.perf_counter() - started) * 1000
        if counter.flow.verdict.tone != expect:
            raise RuntimeError(f"unexpected verdict {counter.flow.verdict}")
        counter.flow.back_to_scanning()
        return elapsed

    online = [one(code, "ok") for code in codes[: args.n]]
    tell("stop")
    offline = [one(code, "attention") for code in signed]
    counter.close()
    service.close()

    # start-up: a fresh process opens the counter of a paired till on a video source
    tell("start")
    video = make_demo_video(work / "startup.avi", [(codes[0], "5,00")])
    env = {**os.environ, "BENCH_TOKEN": tokens.get(account.account_id) or ""}
    starts = []
    for _ in range(3):
        spawned = time.time()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(work), str(video)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("FIRST_FRAME")), None)
        if line is None:
            raise RuntimeError(f"the counter did not start: {done.stderr[-2000:]}")
        starts.append(float(line.split()[1]) - spawned)
    tell("quit")
    child.join(10)

    results = {
        "online_p50_ms": round(statistics.median(online), 1),
        "online_p95_ms": round(percentile(online, 0.95), 1),
        "offline_p50_ms": round(statistics.median(offline), 1),
        "offline_p95_ms": round(percentile(offline, 0.95), 1),
        "startup_first_frame_s": round(statistics.median(starts), 2),
        "vouchers_per_mode": args.n,
        "startup_runs": len(starts),
    }
    out = ROOT / "bench" / "results" / "latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
