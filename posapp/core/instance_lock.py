"""One posapp per sales database: an OS file lock beside the database, held while it runs.

Why: two counters on one ledger would each think they own the queue, and `posapp restore` moving the
file aside under a running counter would leave it writing to a file nobody reads. The lock is the
operating system's (`fcntl.flock` on POSIX, `msvcrt.locking` on Windows), so it goes away with the
process however it ends (a crash, a kill, a power cut): there is no stale lock to clean up. The
file holds the holder's process id, for the words only.

`PosService.open` takes it before opening the ledger and `close()` gives it back; `posapp restore`
takes it for the time of the restore, so neither can start while the other works.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from posapp.core.store.marker import LedgerError
from posapp.i18n import N_, tr

IN_USE = N_(
    "posapp is already open with this sales database (process {pid}): use that window, or close "
    "it and start again"
)
_PID_AT = 1  # Windows locks byte 0; the process id is written after it, where readers can read


class LedgerInUse(LedgerError):
    """Another running posapp (or a restore) holds the database's lock."""

    def __init__(self, db_path: Path, pid: int | None) -> None:
        super().__init__("db_in_use", db_path, f"process {pid or '?'}")
        self.pid = pid

    def text(self, lang: str = "it") -> str:
        return tr(IN_USE, lang).format(pid=self.pid or "?")


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class InstanceLock:
    """`InstanceLock(db_path).acquire()` or LedgerInUse; `release()` (also on `with` exit)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path(self.db_path)
        self._file: IO[str] | None = None

    def acquire(self) -> InstanceLock:
        if self._file is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        handle = os.fdopen(fd, "r+", encoding="ascii")  # held open while posapp runs
        if not _try_lock(handle):
            pid = _read_pid(handle)
            handle.close()
            raise LedgerInUse(self.db_path, pid)
        handle.seek(0)
        handle.truncate()
        handle.write("\n" + str(os.getpid()) + "\n")
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is None:
            return
        try:
            _unlock(handle)
        finally:
            handle.close()

    @property
    def held(self) -> bool:
        return self._file is not None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(handle: IO[str]) -> int | None:
    try:
        handle.seek(_PID_AT)
        return int(handle.read(32).strip() or 0) or None
    except (OSError, ValueError):
        return None


if sys.platform == "win32":  # pragma: no cover - exercised on the Windows runners
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
