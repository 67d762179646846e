"""Rolling backups of the ledger with SQLite's online backup API, and restoring one.

Why: a ledger that is lost or damaged must have a real way back. A backup is taken after a
successful sync (at most every `min_interval_s`), at the first sync of a new day in Rome (so the
previous day is kept whole) and when the app closes; backups older than `keep_days` are removed,
the newest `keep_min` always kept. The copy is read through its own connection (WAL lets it read
a consistent snapshot while the store thread writes), so the counter never waits for it.
Restore never deletes anything: the file it replaces is moved aside.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from posapp.core.store.marker import LedgerError, check_file, read_marker, write_marker

log = logging.getLogger("posapp.backup")
ROME = ZoneInfo("Europe/Rome")
PREFIX, SUFFIX = "posapp-", ".sqlite3"


def backup_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


def take_backup(db_path: Path, now: datetime, folder: Path | None = None) -> Path:
    """A consistent copy of the database in `folder`, named by its UTC time; atomic."""
    folder = folder or backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{now.astimezone(UTC).strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"
    final, tmp = folder / name, folder / f".{name}.tmp"
    src = sqlite3.connect(db_path)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return final


def list_backups(folder: Path) -> list[Path]:
    """Newest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.suffix == SUFFIX]
    return sorted(found, key=lambda p: p.name, reverse=True)


def prune(folder: Path, now: datetime, keep_days: float, keep_min: int = 3) -> list[Path]:
    removed = []
    for old in list_backups(folder)[keep_min:]:
        if now - _taken_at(old) > timedelta(days=keep_days):
            old.unlink(missing_ok=True)
            removed.append(old)
    return removed


def _taken_at(path: Path) -> datetime:
    stamp = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
    return datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


def verify(backup: Path) -> str:
    """The backup's identity (db uuid); LedgerError if it is not a whole, sound ledger."""
    check_file(backup, writable=False)
    try:
        conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            row = conn.execute(
                "SELECT value FROM sync_state WHERE account_id = '_till' AND key = 'db_uuid'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise LedgerError("db_damaged", backup, type(exc).__name__) from None
    if ok != "ok" or row is None:
        raise LedgerError("db_damaged", backup, "integrity check failed or no identity")
    return str(row[0])


def restore(backup: Path, db_path: Path, now: datetime | None = None) -> Path | None:
    """Put `backup` in place of the ledger (posapp must not be running). The current file, if
    any, is moved aside (returned), never deleted; the marker takes the backup's identity."""
    backup, db_path = Path(backup), Path(db_path)
    db_uuid = verify(backup)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = None
    for suffix in ("", "-wal", "-shm"):
        current = db_path.with_name(db_path.name + suffix)
        if current.exists():
            moved = db_path.with_name(f"{db_path.name}.replaced-{stamp}{suffix}")
            os.replace(current, moved)
            aside = aside or moved
    tmp = db_path.with_name(f".{db_path.name}.restore.tmp")
    shutil.copyfile(backup, tmp)
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, db_path)
    accounts = (read_marker(db_path) or {}).get("accounts", [])
    write_marker(db_path, db_uuid, accounts)
    log.info("ledger restored from %s (previous file: %s)", backup.name, aside)
    return aside


class Backups:
    """When to take one: after a good sync, rate limited; on a new Rome day; at close."""

    def __init__(
        self,
        db_path: Path,
        *,
        keep_days: float = 7.0,
        keep_min: int = 3,
        min_interval_s: float = 900.0,
        folder: Path | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.folder = folder or backup_dir(self.db_path)
        self.keep_days = keep_days
        self.keep_min = keep_min
        self.min_interval_s = min_interval_s
        self._lock = threading.Lock()
        newest = list_backups(self.folder)
        self.last: datetime | None = _taken_at(newest[0]) if newest else None

    def due(self, now: datetime) -> bool:
        if self.last is None:
            return True
        new_day = now.astimezone(ROME).date() != self.last.astimezone(ROME).date()
        return new_day or (now - self.last).total_seconds() >= self.min_interval_s

    def maybe(self, now: datetime, force: bool = False) -> Path | None:
        """Take a backup if one is due (or forced); a failure is logged, never raised."""
        with self._lock:
            if not (force or self.due(now)):
                return None
            try:
                path = take_backup(self.db_path, now, self.folder)
                prune(self.folder, now, self.keep_days, self.keep_min)
            except (OSError, sqlite3.Error) as exc:
                log.error("backup of the ledger failed: %s", exc)
                return None
            self.last = now
            return path


__all__ = ["Backups", "backup_dir", "list_backups", "prune", "restore", "take_backup", "verify"]
