"""`posapp diagnostics`: one zip the owner can send to support (logs, self-test, versions).

No secrets: the till tokens are read from the keyring only to be registered with the redaction
filter, every text file is redacted again on its way into the zip (older logs, a log written by a
previous version), and the database, the keyring and any backup are never included.
"""

from __future__ import annotations

import argparse
import json
import platform
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from posapp import logs
from posapp.i18n import _, chosen_or_system, set_language
from posapp.version import version_line

# Files of the app-data folder that may go to support: settings and accounts hold no secret by
# design; they are redacted anyway.
SAFE_FILES = ("settings.json", "accounts.json", "operators.json")
SKIP_FILES = ("operators.json",)  # PIN hashes: not a secret by the rules, but support needs none


def _register_tokens(base: Path) -> None:
    """Teach the redaction filter this till's tokens so no copy of them leaves the computer."""
    from posapp.core.accounts import AccountDirectory
    from posapp.core.credentials import CredentialsUnavailable, TokenStore

    try:
        store = TokenStore()
        for account in AccountDirectory(base / "accounts.json").accounts():
            logs.register_secret(store.get(account.account_id))
    except (CredentialsUnavailable, OSError, ValueError):
        return


def collect(out: Path, base: Path | None = None, camera: int | str | None = None) -> Path:
    """Write the diagnostics zip to `out` and return it."""
    from posapp.core.settings import data_dir
    from posapp.selftest import as_json, render, run_checks

    base = base or data_dir()
    _register_tokens(base)
    results = run_checks(base, camera=camera)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("version.txt", version_line() + "\n" + platform.platform() + "\n")
        zf.writestr("selftest.txt", logs.redact(render(results)) + "\n")
        zf.writestr("selftest.json", logs.redact(json.dumps(as_json(results), indent=2)))
        for name in SAFE_FILES:
            path = base / name
            if name not in SKIP_FILES and path.is_file():
                zf.writestr(name, logs.redact(path.read_text(encoding="utf-8", errors="replace")))
        folder = logs.log_dir(base)
        for path in sorted(folder.glob("*.log*")) if folder.is_dir() else []:
            text = path.read_text(encoding="utf-8", errors="replace")
            zf.writestr(f"logs/{path.name}", logs.redact(text))
    return out


def default_out() -> Path:
    from posapp.core.settings import data_dir

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return data_dir() / "diagnostics" / f"posapp-diagnostics-{stamp}.zip"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="posapp diagnostics",
        description=_(
            "Write one zip the owner can send to support: logs, self-test and versions, no secrets."
        ),
    )
    parser.add_argument(
        "--out", type=Path, help=_("the zip to write (default: in the data folder)")
    )
    parser.add_argument(
        "--lang",
        choices=("it", "en"),
        default=None,
        help=_("language of the report (default: from the settings)"),
    )
    args = parser.parse_args(argv)
    from posapp.core.settings import Settings

    set_language(args.lang or chosen_or_system(Settings.load().language))
    path = collect(args.out or default_out())
    print(_("Diagnostics file for support: {path}").format(path=path), flush=True)
    return 0


STARTUP_PROBE_ENV = "POSAPP_STARTUP_PROBE"


def install_startup_probe(out: Path) -> None:
    """For bench/bundle.py: when the first window paints, write the wall-clock time to `out` and
    quit. It creates the QApplication (the app's own bootstrap reuses `QApplication.instance()`)
    and watches paint events of top-level widgets; nothing else changes.
    """
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication(["posapp"])

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (
                not self.done
                and event.type() == QEvent.Type.Paint
                and isinstance(obj, QWidget)
                and obj.window().isVisible()
            ):
                self.done = True
                out.write_text(f"{time.time():.6f}\n", encoding="utf-8")
                QTimer.singleShot(0, app.quit)
            return False

    probe = FirstPaint(app)
    app.installEventFilter(probe)
    app._posapp_startup_probe = probe  # type: ignore[attr-defined] - keep it alive
