"""`posapp --self-test`: what works on this till and what does not, in the shopkeeper's words.

Each check looks at one part the counter depends on and never changes the shop's data (the keyring
check writes and removes its own probe entry). The exit code is the sum of the failed classes, so a
support script can tell "no camera" from "database damaged" from the number alone:

    0 all good · 2 decoders · 4 camera · 8 keyring · 16 database · 32 platform · 64 clock

(1 is left to Python: the self-test itself crashed). A "note" (not paired yet, no backup yet, no
database yet on a fresh install) is printed but fails nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from posapp.i18n import N_, _, ngettext, set_language, system_language, tr

EXIT_CODES = {"decoders": 2, "camera": 4, "keyring": 8, "database": 16, "platform": 32, "clock": 64}
AREA_NAMES = {
    "decoders": N_("Decoders"),
    "camera": N_("Camera"),
    "keyring": N_("System keyring"),
    "database": N_("Database"),
    "platform": N_("Platform"),
    "clock": N_("Clock"),
}
CLOCK_TOLERANCE_S = 120.0
PROBE_TEXT = "POSAPP-SELFTEST-1"


@dataclass(frozen=True)
class Check:
    """One line of the report: `status` is "ok", "fail" or "note"; `text` is for the shopkeeper."""

    area: str
    status: str
    text: str
    detail: str = ""  # English, for support (diagnostics); never a secret


def probe_image():
    """The built-in QR image: PROBE_TEXT drawn with segno, 8 px modules, white quiet zone."""
    import numpy as np
    import segno

    matrix = np.array(segno.make_qr(PROBE_TEXT, error="m").matrix, dtype=np.uint8)
    modules = np.pad(1 - matrix, 4, constant_values=1) * 255
    return np.kron(modules, np.ones((8, 8), dtype=np.uint8)).astype(np.uint8)


def check_decoders() -> list[Check]:
    """zxing-cpp (primary) and ZBar (fallback) must both read the built-in code."""
    from posapp.scan.decoders import DecoderUnavailable, make_decoder

    image, checks = probe_image(), []
    for name in ("zxing", "zbar"):
        try:
            texts = [d.text for d in make_decoder(name).decode(image)]
        except DecoderUnavailable as exc:
            checks.append(
                Check("decoders", "fail", _("Decoder {name}: missing").format(name=name), exc.hint)
            )
            continue
        except Exception as exc:  # noqa: BLE001 - a broken native library: say which, go on
            texts, detail = [], type(exc).__name__
        else:
            detail = f"read {texts!r}"
        if PROBE_TEXT in texts:
            checks.append(
                Check(
                    "decoders", "ok", _("Decoder {name}: reads QR codes").format(name=name), detail
                )
            )
        else:
            checks.append(
                Check(
                    "decoders",
                    "fail",
                    _("Decoder {name}: cannot read the test QR code").format(name=name),
                    detail,
                )
            )
    return checks


def check_camera(target: int | str) -> list[Check]:
    """The configured camera opens and gives a frame (a USB scanner works without one)."""
    import cv2

    quiet = getattr(getattr(cv2, "utils", None), "logging", None)  # no V4L2 warnings on stderr
    previous = quiet.getLogLevel() if quiet else None
    if quiet:
        quiet.setLogLevel(quiet.LOG_LEVEL_ERROR)
    cap = cv2.VideoCapture(target)
    try:
        ok, frame = cap.read() if cap.isOpened() else (False, None)
    finally:
        cap.release()
        if quiet:
            quiet.setLogLevel(previous)
    if ok and frame is not None:
        size = f"{frame.shape[1]}x{frame.shape[0]}"
        return [Check("camera", "ok", _("Camera: working ({size})").format(size=size), str(target))]
    return [
        Check(
            "camera",
            "fail",
            _(
                "Camera: not found or busy. Check the cable, close other programs using it; "
                "a USB barcode scanner still works."
            ),
            f"camera {target!r} gave no frame",
        )
    ]


def check_keyring() -> list[Check]:
    """A real OS keyring that stores, returns and deletes a probe entry."""
    from posapp.core.credentials import CredentialsUnavailable, TokenStore, check_available

    store = TokenStore(service="posapp-selftest")
    try:
        check_available()
        probe = f"probe-{os.getpid()}-{time.time_ns()}"
        store.set("probe", probe)
        back = store.get("probe")
        store.delete("probe")
    except CredentialsUnavailable as exc:
        return [
            Check(
                "keyring",
                "fail",
                _("System keyring: not available. The till cannot keep its access code safely."),
                exc.detail,
            )
        ]
    if back != probe:
        return [Check("keyring", "fail", _("System keyring: does not return what it stores."))]
    return [Check("keyring", "ok", _("System keyring: working"))]


def check_database(base: Path) -> list[Check]:
    """Integrity of the local database (read-only) and a backup next to it."""
    from posapp.core.store.backup import backup_dir, list_backups
    from posapp.core.store.db import DB_NAME

    path = base / DB_NAME
    if not path.exists():
        return [Check("database", "note", _("Database: not created yet (new installation)"))]
    ok, detail = _integrity(path)
    if not ok:
        return [
            Check(
                "database",
                "fail",
                _("Database: damaged. Do not delete it; call support and send the diagnostics."),
                detail,
            )
        ]
    checks = [Check("database", "ok", _("Database: intact"), detail)]
    backups = list_backups(backup_dir(path))  # newest first
    if backups:
        newest = datetime.fromtimestamp(backups[0].stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        sound, detail = _integrity(backups[0])
        if not sound:
            text = _("Backups: the newest one ({when}) is damaged").format(when=newest)
            return [*checks, Check("database", "fail", text, detail)]
        text = _("Backups: {count}, newest {when}").format(count=len(backups), when=newest)
        checks.append(Check("database", "ok", text))
    else:
        checks.append(Check("database", "note", _("Backups: none yet")))
    return checks


PLATFORM_TEXT = {
    "unreachable": N_(
        "{platform}: not reachable. Check the internet connection; the till works offline "
        "meanwhile."
    ),
    "reachable": N_("{platform}: reachable"),
    "clock_off": N_(
        "Clock: this computer is {minutes} minutes off the platform's time. Set the date and time."
    ),
    "clock_ok": N_("Clock: right"),
    "no_token": N_("{platform}: the access code is missing on this computer: pair the till again"),
    "refused": N_("{platform}: the till's access code was refused: pair the till again"),
    "unconfirmed": N_("{platform}: cannot confirm the till's access code now"),
    "accepted": N_("{platform}: access code accepted"),
}


def _integrity(path: Path) -> tuple[bool, str]:
    """SQLite's own integrity check, read-only (the self-test never changes a file)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = con.execute("PRAGMA integrity_check").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        return False, type(exc).__name__
    return rows == [("ok",)], "; ".join(str(r[0]) for r in rows[:5])


def check_platforms(base: Path) -> list[Check]:
    """Each paired platform: reachable, clock difference, this till's token accepted."""
    from posapp.core.accounts import AccountDirectory
    from posapp.core.credentials import CredentialsUnavailable, TokenStore

    accounts = AccountDirectory(base / "accounts.json").accounts()
    if not accounts:
        return [Check("platform", "note", _("Platform: this till is not paired yet"))]
    checks: list[Check] = []
    for account in accounts:
        try:
            token = TokenStore().get(account.account_id)
        except CredentialsUnavailable:
            token = None
        checks.extend(_check_platform(account, token))
    return checks


def _check_platform(account, token: str | None) -> list[Check]:
    from posapp.core.api.client import ApiClient
    from posapp.core.api.errors import ApiError, UnauthorizedError
    from posapp.logs import register_secret

    register_secret(token)

    def say(area: str, status: str, key: str, detail: str = "", **params: object) -> Check:
        return Check(area, status, tr(PLATFORM_TEXT[key], platform=account.name, **params), detail)

    with ApiClient(account.api_url, token, timeout=(3.05, 6.0)) as client:
        try:
            sent = time.monotonic()
            health = client.health()
            round_trip = time.monotonic() - sent
        except ApiError as exc:
            return [say("platform", "fail", "unreachable", exc.code)]
        checks = [say("platform", "ok", "reachable", f"{account.api_url} in {round_trip:.2f} s")]
        offset = (health.server_time - datetime.now(UTC)).total_seconds() + round_trip / 2
        detail = f"offset {offset:+.1f} s"
        if abs(offset) > CLOCK_TOLERANCE_S:
            minutes = round(abs(offset) / 60)
            checks.append(say("clock", "fail", "clock_off", detail, minutes=minutes))
        else:
            checks.append(say("clock", "ok", "clock_ok", detail))
        if token is None:
            return [*checks, say("platform", "fail", "no_token")]
        try:
            client.whoami()
        except UnauthorizedError as exc:
            checks.append(say("platform", "fail", "refused", exc.code))
        except ApiError as exc:
            checks.append(say("platform", "fail", "unconfirmed", exc.code))
        else:
            checks.append(say("platform", "ok", "accepted"))
    return checks


def run_checks(base: Path | None = None, camera: int | str | None = None) -> list[Check]:
    """Every check, in the order the report prints them; one that crashes becomes a failure."""
    from posapp.core.settings import Settings, data_dir

    base = base or data_dir()
    settings = Settings.load(base / "settings.json")
    target = settings.scanner.camera_index if camera is None else camera
    steps: list[tuple[str, Callable[[], list[Check]]]] = [
        ("decoders", check_decoders),
        ("camera", lambda: check_camera(target)),
        ("keyring", check_keyring),
        ("database", lambda: check_database(base)),
        ("platform", lambda: check_platforms(base)),
    ]
    results: list[Check] = []
    for area, step in steps:
        try:
            results.extend(step())
        except Exception as exc:  # noqa: BLE001 - one broken part must not hide the others
            results.append(
                Check(
                    area,
                    "fail",
                    tr(N_("{area}: the check itself failed"), area=tr(AREA_NAMES[area])),
                    type(exc).__name__,
                )
            )
    return results


def exit_code(results: Sequence[Check]) -> int:
    code = 0
    for check in results:
        if check.status == "fail":
            code |= EXIT_CODES[check.area]
    return code


def render(results: Sequence[Check]) -> str:
    labels = {"ok": _("OK"), "fail": _("PROBLEM"), "note": _("NOTE")}
    width = max(len(v) for v in labels.values())
    lines = [f"{labels[c.status]:<{width}}  {c.text}" for c in results]
    failed = sum(c.status == "fail" for c in results)
    lines.append(
        _("Everything works.")
        if not failed
        else ngettext("{count} problem found.", "{count} problems found.", failed).format(
            count=failed
        )
    )
    return "\n".join(lines)


def as_json(results: Sequence[Check]) -> dict:
    return {"exit_code": exit_code(results), "checks": [asdict(c) for c in results]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="posapp --self-test",
        description=_("What works on this till and what does not, in the shopkeeper's words."),
        epilog=_(
            "Exit status: the sum of the failed parts: 2 decoders, 4 camera, 8 keyring, "
            "16 database, 32 platform, 64 clock; 0 all good."
        ),
    )
    parser.add_argument(
        "--lang",
        choices=("it", "en"),
        default=None,
        help=_("language of the report (default: from the settings)"),
    )
    parser.add_argument("--json", action="store_true", help=_("machine-readable report (JSON)"))
    parser.add_argument("--camera", help=_("camera number, or a video file to test instead"))
    args = parser.parse_args(argv)
    from posapp.core.settings import Settings

    set_language(args.lang or Settings.load().language or system_language())
    camera = (
        None
        if args.camera is None
        else (int(args.camera) if args.camera.isdigit() else args.camera)
    )
    results = run_checks(camera=camera)
    print(json.dumps(as_json(results), indent=2) if args.json else render(results), flush=True)
    return exit_code(results)
