"""The schema as a list of forward migrations; PRAGMA user_version is the version reached.

Each step runs in its own transaction with the version bump, so a crash mid-upgrade leaves the
previous version intact. A file from a newer posapp (higher user_version) is refused.
"""

from __future__ import annotations

import sqlite3

V1 = """
CREATE TABLE vouchers (
    account_id TEXT NOT NULL,
    voucher_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    shop_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    face_value_cents INTEGER NOT NULL,
    server_balance_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    expires_at TEXT,
    partial_allowed INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account_id, voucher_id)
) WITHOUT ROWID;
CREATE TABLE signing_keys (
    account_id TEXT NOT NULL,
    kid TEXT NOT NULL,
    public_key BLOB NOT NULL,
    not_before TEXT NOT NULL,
    not_after TEXT,
    PRIMARY KEY (account_id, kid)
) WITHOUT ROWID;
CREATE TABLE revocations (
    account_id TEXT NOT NULL,
    voucher_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    revoked_at TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (account_id, voucher_id)
) WITHOUT ROWID;
CREATE TABLE ledger (
    redemption_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    voucher_code TEXT NOT NULL,
    voucher_id INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    currency TEXT NOT NULL,
    till_id INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    offline INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'refused', 'conflict', 'voided')),
    balance_after_cents INTEGER,
    reason_code TEXT,
    reason_message TEXT,
    voided_at TEXT,
    void_reason TEXT,
    local_day TEXT NOT NULL,
    local_hour INTEGER NOT NULL,
    settled_at TEXT
);
CREATE INDEX ledger_voucher ON ledger (account_id, voucher_id, state);
CREATE INDEX ledger_state ON ledger (state, account_id);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('redeem', 'void')),
    redemption_id TEXT NOT NULL REFERENCES ledger (redemption_id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_account ON outbox (account_id, seq);
CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    op TEXT NOT NULL,
    redemption_id TEXT NOT NULL,
    voucher_code TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    body TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    reason_message TEXT NOT NULL,
    created_at TEXT NOT NULL,
    acknowledged_at TEXT
);
CREATE INDEX conflicts_open ON conflicts (account_id, acknowledged_at);
CREATE TABLE sync_state (
    account_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account_id, key)
) WITHOUT ROWID;
"""

# v2: the owner's daily totals read only this covering index (1,000,000 rows: milliseconds).
V2 = """
CREATE INDEX ledger_day ON ledger (
    local_day, account_id, state, voided_at, local_hour, till_id, amount_cents
);
CREATE INDEX vouchers_code ON vouchers (account_id, code);
"""

# v3: settling a redemption removes its outbox row by id; without this every settle scanned the
# whole outbox (10,000 queued items made sync quadratic).
V3 = """
CREATE INDEX outbox_redemption ON outbox (redemption_id, op);
"""

# v4: provenance of cached balances. A result of one of our redemptions tells a balance the
# platform had at some instant; `learned_balances` keeps the lowest one learned since the last
# voucher-list page that is known to be fresher, with the per-account counter value (`seq`, see
# cache.set_server_balance) at which it was learned. A page requested before that value may be
# staler than what the till knows: it may lower a balance, never raise it.
V4 = """
CREATE TABLE learned_balances (
    account_id TEXT NOT NULL,
    voucher_id INTEGER NOT NULL,
    balance_cents INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (account_id, voucher_id)
) WITHOUT ROWID;
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4)
LATEST = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply every step above the file's version up to `target`; return the version reached."""
    current = version(conn)
    if current > LATEST:
        from posapp.core.store.db import StoreError

        raise StoreError(
            "db_too_new",
            f"the database has schema version {current}, this posapp knows up to {LATEST}: "
            "update posapp",
        )
    for number in range(current + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[number - 1].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return version(conn)
