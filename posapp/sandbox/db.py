"""The sandbox's SQLite database: schema, one connection per thread, IMMEDIATE write transactions.

Every write runs in `BEGIN IMMEDIATE`, so two requests touching one voucher are serialised by SQLite
itself: a redeem reads the balance and writes it back with no other writer in between.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS platform (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    platform_id TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS shops (
    shop_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    town TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tills (
    till_id INTEGER PRIMARY KEY,
    shop_id INTEGER NOT NULL REFERENCES shops(shop_id),
    name TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS pairing_codes (
    code TEXT PRIMARY KEY,
    shop_id INTEGER NOT NULL REFERENCES shops(shop_id),
    expires_at TEXT NOT NULL,
    used_at TEXT,
    till_id INTEGER
);
CREATE TABLE IF NOT EXISTS vouchers (
    voucher_id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    shop_id INTEGER NOT NULL REFERENCES shops(shop_id),
    face_value_cents INTEGER NOT NULL CHECK (face_value_cents > 0),
    balance_cents INTEGER NOT NULL CHECK (balance_cents >= 0),
    currency TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0,
    partial_allowed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS vouchers_by_shop_seq ON vouchers (shop_id, seq);
CREATE TABLE IF NOT EXISTS revocations (
    rev_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    voucher_id INTEGER NOT NULL REFERENCES vouchers(voucher_id),
    shop_id INTEGER NOT NULL,
    revoked_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS redemptions (
    redemption_id TEXT PRIMARY KEY,
    body_hash TEXT NOT NULL,
    voucher_code TEXT NOT NULL,
    voucher_id INTEGER,
    shop_id INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    till_id INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    offline INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'refused', 'conflict', 'voided')),
    balance_after_cents INTEGER,
    reason_code TEXT,
    reason_message TEXT,
    voided_at TEXT,
    void_reason TEXT,
    effective_at TEXT,
    operator TEXT,
    seq INTEGER,
    void_offline INTEGER
);
CREATE INDEX IF NOT EXISTS redemptions_by_shop_time ON redemptions (shop_id, occurred_at);
CREATE TABLE IF NOT EXISTS signing_keys (
    kid TEXT PRIMARY KEY,
    private_key BLOB NOT NULL,
    public_key BLOB NOT NULL,
    not_before TEXT NOT NULL,
    not_after TEXT,
    active INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
"""

# Columns added after the first release: an older sandbox file gets them on open.
ADDED_COLUMNS = {
    "pairing_codes": {"failures": "INTEGER NOT NULL DEFAULT 0"},
    "tills": {"drained_through": "TEXT"},
    "redemptions": {
        "effective_at": "TEXT",
        "operator": "TEXT",
        "seq": "INTEGER",
        "void_offline": "INTEGER",
        "payout_id": "INTEGER",
    },
}
INDEXES = """
CREATE INDEX IF NOT EXISTS redemptions_by_shop_effective ON redemptions (shop_id, effective_at);
CREATE INDEX IF NOT EXISTS redemptions_by_seq ON redemptions (shop_id, seq);
"""

DB_FILE = "sandbox.sqlite3"


class Database:
    """One SQLite file; each thread gets its own connection (sqlite3 objects are not shared)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        conn = self.connection()
        conn.executescript(SCHEMA)
        for table, columns in ADDED_COLUMNS.items():
            have = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns.items():
                if name not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        conn.executescript(INDEXES)
        if conn.execute("SELECT 1 FROM redemptions WHERE seq IS NULL LIMIT 1").fetchone():
            with self.write() as tx:  # an older file: number its redemptions in stored order
                tx.execute("UPDATE redemptions SET seq = rowid WHERE seq IS NULL")
                tx.execute(
                    "INSERT INTO counters (name, value) SELECT 'redemption_seq', MAX(seq)"
                    " FROM redemptions WHERE true"
                    " ON CONFLICT(name) DO UPDATE SET value = MAX(value, excluded.value)"
                )

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (autocommit; transactions are explicit)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # check_same_thread=False only so close() can run from the stopping thread.
            conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A `BEGIN IMMEDIATE` transaction: committed on success, rolled back on any exception."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: a consistent snapshot across several SELECTs."""
        conn = self.connection()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection (call once the server threads are gone)."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    @staticmethod
    def next_seq(conn: sqlite3.Connection, name: str) -> int:
        """Bump and return a named monotonic counter inside the caller's write transaction."""
        conn.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1",
            (name,),
        )
        return conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0]
