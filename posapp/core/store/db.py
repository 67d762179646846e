"""The one SQLite connection, owned by one thread: every database function runs on `StoreThread`.

Why one owner: SQLite with several writers means SQLITE_BUSY retries and surprises after a crash;
one thread serialises every transaction, each short, so the counter never waits long and a kill at
any instant leaves the whole transaction or none of it (WAL + synchronous=FULL, checked at start).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from posapp.core import settings
from posapp.core.store.schema import migrate

log = logging.getLogger(__name__)
T = TypeVar("T")
DB_NAME = "posapp.sqlite3"


class StoreError(Exception):
    """A database failure the UI can name: `code` is a machine code, `message` plain text."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def default_path() -> Path:
    return settings.data_dir() / DB_NAME


def translate(exc: sqlite3.Error) -> StoreError:
    """Map sqlite errors to a typed StoreError with a message a shop owner can act on."""
    text = str(exc).lower()
    if "full" in text:
        return StoreError("disk_full", "the disk is full: nothing was saved, free some space")
    if "locked" in text or "busy" in text:
        return StoreError("db_busy", "the database is used by another program")
    if "malformed" in text or "not a database" in text:
        return StoreError("db_corrupt", "the database file is damaged")
    if "readonly" in text or "unable to open" in text:
        return StoreError("db_unwritable", "the database file cannot be written")
    return StoreError("db_error", f"database error: {exc}")


class StoreThread:
    """A single-thread executor: `call` runs fn on the owner thread and returns its result."""

    def __init__(self, name: str = "posapp-store") -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[..., Any], tuple, Future] | None] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def ident(self) -> int | None:
        return self._thread.ident

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, args, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
                future.set_exception(exc)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        if not self._thread.is_alive():
            raise StoreError("db_closed", "the database is closed")
        future: Future[T] = Future()
        self._jobs.put((fn, args, future))
        return future

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        if threading.get_ident() == self._thread.ident:
            return fn(*args)  # already on the owner thread: run inline, never deadlock
        return self.submit(fn, *args).result()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()


BUSY_TIMEOUT_MS = 5000


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode, waiting for another opener as long as the busy timeout.

    WAL is a property of the file: on a file already in WAL the pragma answers "wal" at once,
    whatever locks others hold. Converting a rollback-journal file needs exclusive access and
    SQLite does not run the busy handler for that pragma: another posapp opening the same old
    file at the same instant would get "database is locked" at once. So the conversion is
    retried with backoff inside the same budget (another opener finishing it meanwhile makes
    the next try answer "wal").
    """
    deadline = time.monotonic() + conn.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    pause = 0.01
    while True:
        try:
            if str(conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower() == "wal":
                return
            if time.monotonic() >= deadline:
                return  # the caller reads the mode back and refuses to run on it
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    try:
        return _set_up(conn, path)
    except BaseException:
        conn.close()  # a refused open leaves no handle on the file behind
        raise


def _set_up(conn: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _use_wal(conn)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    fks = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    if str(mode).lower() != "wal" or sync != 2 or fks != 1:
        raise StoreError(
            "db_unsafe",
            f"the database at {path} cannot run safely (journal_mode={mode}, synchronous={sync}, "
            f"foreign_keys={fks}; need wal, 2=FULL, 1): refusing to start",
        )
    migrate(conn)
    return conn


class Store:
    """The local database; `call(fn, *args)` runs `fn(conn, *args)` on the owner thread."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._thread = StoreThread()
        try:
            self._conn: sqlite3.Connection | None = self._thread.call(self._guarded_open)
        except BaseException:
            self._thread.stop()
            raise

    def _guarded_open(self) -> sqlite3.Connection:
        try:
            return _open(self.path)
        except sqlite3.Error as exc:
            raise translate(exc) from exc

    def _run(self, fn: Callable[..., T], args: tuple) -> T:
        assert threading.get_ident() == self._thread.ident, "store used off its owner thread"
        if self._conn is None:
            raise StoreError("db_closed", "the database is closed")
        try:
            return fn(self._conn, *args)
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                self._conn.rollback()
            raise translate(exc) from exc

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        return self._thread.call(self._run, fn, args)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._thread.submit(self._run, fn, args)

    @property
    def closed(self) -> bool:
        return not self._thread.alive

    def close(self) -> None:
        """Close the connection and stop the owner thread; closing twice is harmless."""
        if self.closed:
            return

        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        try:
            self._thread.call(_close)
        finally:
            self._thread.stop()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: all of it or none of it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
