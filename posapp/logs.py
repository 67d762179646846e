"""Rotating log files in the app-data folder, with every line passed through a redaction filter.

Support needs the logs; nobody may read a till token, an Authorization header or a signed voucher's
full text in them (a `PV:` code is a bearer instrument: its text is the voucher). The filter sits on
the handlers, so a record from any logger, with any arguments or traceback, is redacted before it is
written; `redact()` is also used on every file that goes into a diagnostics bundle.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

from posapp.core.settings import data_dir

LOG_DIR_NAME = "logs"
LOG_FILE_NAME = "posapp.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
REDACTED = "<redacted>"

# A signed code: "PV:" then base45 (upper case, digits, space and $%*+-./:); a scanner with Caps
# Lock on gives lower case, so match either and over-redact rather than leak.
_SIGNED = re.compile(r"(?i)\bPV:[0-9A-Z $%*+\-./:]+")
_AUTH_HEADER = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n,}]+")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[\x21-\x7e]+")
_TOKEN_FIELD = re.compile(
    r"(?i)((?:till_)?token['\"]?\s*[:=]\s*['\"]?)[\x21-\x7e]+?(?=['\"\s,}]|$)"
)

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Redact this exact text wherever it appears (a till token read from the keyring)."""
    if value and len(value) >= 8:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """The text with tokens, Authorization values and signed codes replaced by <redacted>."""
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, REDACTED)
    text = _SIGNED.sub("PV:" + REDACTED, text)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    return _TOKEN_FIELD.sub(lambda m: m.group(1) + REDACTED, text)


class RedactionFilter(logging.Filter):
    """Formats the record's message (and traceback) now, redacted; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} (unformattable arguments)"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def log_dir(base: Path | None = None) -> Path:
    return (base or data_dir()) / LOG_DIR_NAME


def configure(level: int = logging.INFO, *, console_level: int = logging.WARNING) -> Path | None:
    """Log to <app data>/logs/posapp.log (1 MB x 5 files) and warnings to stderr; idempotent.

    Returns the log file, or None when the folder cannot be written (the app runs on, to stderr).
    """
    root = logging.getLogger()
    if any(getattr(h, "_posapp", False) for h in root.handlers):
        return getattr(root, "_posapp_log_path", None)
    console = logging.StreamHandler()
    console.setLevel(console_level)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console.addFilter(RedactionFilter())
    console._posapp = True  # type: ignore[attr-defined]
    root.addHandler(console)
    root._posapp_previous_level = root.level  # type: ignore[attr-defined]
    root.setLevel(min(level, console_level))
    path: Path | None = None
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_FILE_NAME
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger("posapp.logs").warning("no log file (%s)", type(exc).__name__)
        return None
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactionFilter())
    handler._posapp = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root._posapp_log_path = path  # type: ignore[attr-defined]
    return path


def unconfigure() -> None:
    """Remove and close the handlers `configure` added (tests, and before a data folder moves)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_posapp", False)]:
        root.removeHandler(handler)
        handler.close()
    if hasattr(root, "_posapp_log_path"):
        del root._posapp_log_path  # type: ignore[attr-defined]
    if hasattr(root, "_posapp_previous_level"):
        root.setLevel(root._posapp_previous_level)  # type: ignore[attr-defined]
        del root._posapp_previous_level  # type: ignore[attr-defined]
