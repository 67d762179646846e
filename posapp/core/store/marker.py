"""The ledger is never silently replaced: a marker file beside the database holds its identity.

Why: SQLite creates an empty database wherever it is asked to open one, so a deleted, emptied or
swapped file used to become a fresh, empty ledger: the queued redemptions were never uploaded and
nobody was told. Now the database carries a uuid (sync_state `_till`/`db_uuid`) and the marker
`posapp.sqlite3.marker.json` beside it records that uuid and the accounts it serves. At start:

- no marker and no database: first run, both are created;
- no marker but a database: an older posapp's file, adopted (its uuid written, marker created);
- a marker and no database, a 0-byte, truncated or damaged file, a database with another uuid, or
  a file that cannot be written: `LedgerError` with words and a way forward (restore a backup,
  rebuild the history from the platform), before anything is written.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import uuid
from pathlib import Path

from posapp.core import messages
from posapp.core.store import cache, transaction
from posapp.core.store.db import Store, StoreError

TILL = "_till"
UUID_KEY = "db_uuid"
SQLITE_HEADER = b"SQLite format 3\x00"


class LedgerError(Exception):
    """The database cannot be trusted as this till's ledger; `text(lang)` says what to do."""

    def __init__(self, code: str, path: Path, detail: str = "") -> None:
        super().__init__(f"{code}: {path} {detail}".strip())
        self.code = code
        self.path = path
        self.detail = detail

    @property
    def message_key(self) -> str:
        return f"ledger.{self.code}"

    def text(self, lang: str = "it") -> str:
        return messages.text(self.message_key, lang)


def marker_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".marker.json")


def read_marker(db_path: Path) -> dict | None:
    try:
        raw = json.loads(marker_path(db_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # unreadable marker: still says a ledger was here
    return raw if isinstance(raw, dict) else {}


def write_marker(db_path: Path, db_uuid: str, account_ids: list[str]) -> None:
    """Atomic write (temp file, fsync, rename)."""
    path = marker_path(db_path)
    payload = {"version": 1, "db_uuid": db_uuid, "accounts": sorted(set(account_ids))}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".marker-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_file(db_path: Path, writable: bool = True) -> None:
    """Refuse, before SQLite touches it, a file that is missing, empty, cut short or not SQLite,
    or that this user cannot write (refused at start, not at the first redemption)."""
    if not db_path.exists():
        raise LedgerError("db_missing", db_path)
    size = db_path.stat().st_size
    if size == 0:
        raise LedgerError("db_empty", db_path)
    with db_path.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise LedgerError("db_damaged", db_path, "not an SQLite file")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if page_size and size % page_size:
        raise LedgerError("db_damaged", db_path, "truncated")
    if pages and size < pages * page_size and not _has_wal(db_path):
        raise LedgerError("db_damaged", db_path, "truncated")
    if writable and (not os.access(db_path, os.W_OK) or not os.access(db_path.parent, os.W_OK)):
        raise LedgerError("db_read_only", db_path)


def _has_wal(db_path: Path) -> bool:
    wal = db_path.with_name(db_path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def open_ledger(db_path: Path, account_ids: list[str]) -> Store:
    """Open this till's ledger, or raise LedgerError; first run and older files are adopted."""
    db_path = Path(db_path)
    marker = read_marker(db_path)
    if marker is not None or (db_path.exists() and db_path.stat().st_size > 0):
        check_file(db_path)  # (no marker and 0 bytes: a first start killed at its first write)
    try:
        store = Store(db_path)
    except StoreError as exc:
        code = {"db_unwritable": "db_read_only", "db_unsafe": "db_read_only"}.get(exc.code)
        raise LedgerError(code or "db_damaged", db_path, exc.code) from None
    try:
        found = store.call(_identity)
        if marker is not None and (not marker.get("db_uuid") or marker["db_uuid"] != found):
            raise LedgerError("db_foreign", db_path, "not the database this till used")
        try:
            db_uuid = store.call(_claim, found)  # a write: a read-only file fails here, at start
        except StoreError as exc:
            raise LedgerError("db_read_only", db_path, exc.code) from None
        known = set(account_ids) | set((marker or {}).get("accounts", []))
        foreign = store.call(_accounts_in_use) - known
        if foreign and marker is not None:
            raise LedgerError("db_foreign", db_path, f"accounts {sorted(foreign)}")
        write_marker(db_path, db_uuid, sorted(known))
    except BaseException:
        store.close()
        raise
    return store


def _identity(conn: sqlite3.Connection) -> str | None:
    try:
        return cache.get_state(conn, TILL, UUID_KEY)
    except sqlite3.DatabaseError as exc:
        raise StoreError("db_corrupt", str(exc)) from exc


def _claim(conn: sqlite3.Connection, found: str | None) -> str:
    value = found or str(uuid.uuid4())
    with transaction(conn):
        cache.set_state(conn, TILL, UUID_KEY, value)
    return value


def _accounts_in_use(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT DISTINCT account_id FROM ledger UNION SELECT DISTINCT account_id FROM outbox"
    )
    return {r[0] for r in rows}


__all__ = ["LedgerError", "check_file", "marker_path", "open_ledger", "read_marker", "write_marker"]
