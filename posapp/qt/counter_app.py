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

from posapp.i18n import _, chosen_or_system
from posapp.qt.app import Scanning, make_application, make_scanning
from posapp.qt.bridge import PosBridge
from posapp.qt.counter_flow import CounterFlow
from posapp.qt.main_window import CounterWindow
from posapp.qt.qt_i18n import apply_language
from posapp.qt.sounds import Sounds
from posapp.qt.style import resize_within_screen

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
    apply_language()  # Qt's own buttons (QMessageBox, QDialogButtonBox) in the app's language
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
    fit_to_screen(window)
    if worker is not None and start_worker:
        worker.start()
    return Counter(window, bridge, flow, scanning)


def fit_to_screen(window: CounterWindow) -> None:
    """Start at the window's preferred size, never larger than the screen's free area."""
    hint = window.sizeHint()
    resize_within_screen(window, hint.width(), hint.height())


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
    app = make_application()
    start_language(args.lang, settings)
    running: dict[str, Any] = {}

    def open_counter() -> bool:
        try:
            service = PosService.open(
                list(AccountDirectory().accounts()), TokenStore().get, settings
            )
        except Exception as exc:  # a full disk, a damaged or locked database: words, no trace
            log.exception("the counter could not start")
            show_start_problem(app, exc)
            return False
        service.start()
        from posapp.qt.counter_extras import CounterExtras

        extras = CounterExtras(service, settings)
        counter = build_counter(
            service, settings, make_scanning(settings), extra_actions=extras.actions()
        )
        extras.attach(counter)
        counter.window.show()
        extras.start()  # operators configured: who is at the till? (the PIN keypad)
        running.update(service=service, counter=counter)
        return True

    if AccountDirectory().accounts():
        if not open_counter():
            return 1
    elif not first_run(settings, open_counter, running):
        return 3
    try:
        return app.exec()
    finally:
        if "counter" in running:
            running["counter"].close()
        if "service" in running:
            running["service"].close()


def start_language(arg: str | None, settings: Any) -> str:
    """`--lang`, else the language the shop chose, else the system's (Italian on an Italian PC);
    our catalogs and Qt's both. Returns the language in force."""
    return apply_language(arg or chosen_or_system(settings.language))


def first_run(settings: Any, then: Callable[[], bool], running: dict[str, Any]) -> bool:
    """No paired till: the pairing wizard; once paired, the counter opens. False when the
    wizard is not installed (a clear line instead)."""
    try:
        from posapp.core.accounts import AccountDirectory
        from posapp.core.operators import OperatorBook
        from posapp.qt.pairing import PairingWizard
        from posapp.qt.pairing_run import listen_to_usb_scanner
    except ImportError:
        print(
            _(
                "This till is not paired with a platform yet. Try the counter with `posapp demo`; "
                "pairing from the window comes with the pairing wizard."
            ),
            file=sys.stderr,
        )
        return False
    wizard = PairingWizard(AccountDirectory(), OperatorBook(), settings.till_name)
    wizard.setWindowTitle(_("posapp · Pair this till"))
    listen_to_usb_scanner(wizard, settings)  # no counter yet: the wizard takes the scanner's QR

    def paired(_account: object, _owner: object) -> None:
        then()  # the counter first: closing the last window would end the app
        wizard.close()

    wizard.paired.connect(paired)
    resize_within_screen(wizard, 720, 520)
    wizard.show()
    running["wizard"] = wizard
    return True


def start_problem_words(exc: BaseException) -> str:
    """Why the counter cannot start, in plain words with a way forward (never the exception)."""
    from posapp.core.policy import Refused
    from posapp.core.store import StoreError
    from posapp.core.store.marker import LedgerError
    from posapp.i18n import current_language

    if isinstance(exc, LedgerError):  # missing, empty, damaged, foreign, read-only: the way out
        return exc.text(current_language())
    if isinstance(exc, StoreError):
        return _(
            "The till's records cannot be opened: {why}. Check that the disk is not full and "
            "that posapp is not already open, then start it again."
        ).format(why=Refused(f"store.{exc.code}").text(current_language()))
    return _(
        "The counter could not start. Details are in the log; start it again, and if it "
        "happens again call support."
    )


def show_start_problem(app: Any, exc: BaseException) -> int:
    from PySide6.QtWidgets import QMessageBox

    words = start_problem_words(exc)
    print(words, file=sys.stderr)
    QMessageBox(QMessageBox.Icon.Warning, "posapp", words).exec()
    return 1
