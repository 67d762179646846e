"""Building the counter: service -> bridge -> flow -> window, with the scanning parts wired in.

`build_counter` is shared by `posapp` (a paired till), `posapp demo` and the tests. `main` is the
`posapp` command with no arguments: a paired till opens the counter; a first run opens the pairing
wizard; a database that cannot be opened gives a screen with plain words and a way forward.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from posapp.i18n import _, set_language
from posapp.qt.app import Scanning, make_application, make_scanning
from posapp.qt.bridge import PosBridge
from posapp.qt.counter_flow import CounterFlow
from posapp.qt.main_window import CounterWindow
from posapp.qt.sounds import Sounds

log = logging.getLogger("posapp.qt.counter")


@dataclass
class Counter:
    window: CounterWindow
    bridge: PosBridge
    flow: CounterFlow
    scanning: Scanning | None

    def close(self) -> None:
        """Stop the scanning thread and the bridge's workers (the service is its owner's)."""
        if self.scanning is not None and self.scanning.worker is not None:
            self.scanning.worker.stop(3000)
        if self.scanning is not None and self.scanning.scanner is not None:
            self.scanning.scanner.uninstall(make_application())
        self.window.close()
        self.bridge.close()


def build_counter(
    service: Any,
    settings: Any,
    scanning: Scanning | None = None,
    *,
    extra_actions: dict[str, Callable[[], None]] | None = None,
    auto_confirm_s: float | None = None,
    verdict_s: float = 5.0,
    start_worker: bool = True,
) -> Counter:
    make_application()
    bridge = PosBridge(service)
    void_window = getattr(getattr(service, "policy", None), "void_window", None)
    kwargs = {"void_window": void_window} if void_window is not None else {}
    flow = CounterFlow(bridge, verdict_s=verdict_s, auto_confirm_s=auto_confirm_s, **kwargs)
    worker = scanning.worker if scanning else None
    scanner = scanning.scanner if scanning else None
    window = CounterWindow(
        flow,
        worker,
        scanner,
        Sounds(enabled=bool(getattr(settings, "sound", True))),
        extra_actions=extra_actions,
    )
    if scanning is not None and scanning.problem:
        window.preview.show_problem(scanning.problem)
    from posapp.qt import crash_guard

    crash_guard.install(window.show_problem)
    if worker is not None and start_worker:
        worker.start()
    return Counter(window, bridge, flow, scanning)


def main(argv: Sequence[str] | None = None) -> int:
    """`posapp`: the counter of a paired till (or the first-run pairing)."""
    import argparse

    from posapp.qt.display import display_problem

    parser = argparse.ArgumentParser(
        prog="posapp", description=_("The counter: scan and redeem vouchers.")
    )
    parser.add_argument("--lang", choices=("it", "en"), help=_("interface language"))
    args = parser.parse_args(argv)
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from posapp.core.accounts import AccountDirectory
    from posapp.core.credentials import TokenStore
    from posapp.core.service import PosService
    from posapp.core.settings import Settings

    settings = Settings.load()
    set_language(args.lang or settings.language)
    app = make_application()
    accounts = AccountDirectory().accounts()
    if not accounts:
        return first_run(app)
    try:
        service = PosService.open(list(accounts), TokenStore().get, settings)
    except Exception as exc:  # a full disk, a damaged or locked database: words, not a trace
        log.exception("the counter could not start")
        return show_start_problem(app, exc)
    service.start()
    counter = build_counter(service, settings, make_scanning(settings))
    counter.window.show()
    try:
        return app.exec()
    finally:
        counter.close()
        service.close()


def first_run(app: Any) -> int:
    """No paired till: the pairing wizard (its own module); until it exists, a clear message."""
    try:
        from posapp.qt.pairing import run_first_pairing  # type: ignore[attr-defined]
    except ImportError:
        print(
            _(
                "This till is not paired with a platform yet. Try the counter with `posapp demo`; "
                "pairing from the window comes with the pairing wizard."
            ),
            file=sys.stderr,
        )
        return 3
    return int(run_first_pairing(app) or 0)


def show_start_problem(app: Any, exc: BaseException) -> int:
    from PySide6.QtWidgets import QMessageBox

    from posapp.core.policy import Refused
    from posapp.core.store import StoreError
    from posapp.core.store.marker import LedgerError
    from posapp.i18n import current_language

    if isinstance(exc, LedgerError):  # missing, empty, damaged, foreign, read-only: the way out
        words = exc.text(current_language())
    elif isinstance(exc, StoreError):
        words = _(
            "The till's records cannot be opened: {why}. Check that the disk is not full and "
            "that posapp is not already open, then start it again."
        ).format(why=Refused(f"store.{exc.code}").text(current_language()))
    else:
        words = _(
            "The counter could not start. Details are in the log; start it again, and if it "
            "happens again call support."
        )
    print(words, file=sys.stderr)
    box = QMessageBox(QMessageBox.Icon.Warning, "posapp", words)
    box.exec()
    return 1
