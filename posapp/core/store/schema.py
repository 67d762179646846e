"""The schema as sqlite-utils `Migrations`: named steps, each recorded in `_sqlite_migrations`.

Files written before sqlite-utils (schema v1..v4, known only by PRAGMA user_version) are adopted:
the steps their version says they ran are recorded as applied, then the rest run. The whole upgrade
is one BEGIN IMMEDIATE transaction (the write lock first, so a second posapp opening the same file
waits instead of migrating twice); every step also bumps user_version, so an older posapp still
refuses a newer file by that number. A file from a newer posapp (higher user_version, or a step
this posapp does not know) is refused, never guessed at.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

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


# v5: the owner's view. Who took each redemption (`operator`, the display name the counter sent)
# and the fiscal receipt number typed after it (`receipt_number`, local only); history pages in
# keyset order (occurred_at, rowid) with or without a filter; full-text search of voucher codes
# and receipt numbers. The FTS triggers have bodies with several statements: the old hand-run
# migration split scripts on ";" and could not create them.
V5_TRIGGERS = """
CREATE TRIGGER ledger_fts_ai AFTER INSERT ON ledger BEGIN
  INSERT INTO ledger_fts (rowid, voucher_code, receipt_number)
  VALUES (new.rowid, new.voucher_code, new.receipt_number);
END;
CREATE TRIGGER ledger_fts_ad AFTER DELETE ON ledger BEGIN
  INSERT INTO ledger_fts (ledger_fts, rowid, voucher_code, receipt_number)
  VALUES ('delete', old.rowid, old.voucher_code, old.receipt_number);
END;
CREATE TRIGGER ledger_fts_au AFTER UPDATE OF voucher_code, receipt_number ON ledger BEGIN
  INSERT INTO ledger_fts (ledger_fts, rowid, voucher_code, receipt_number)
  VALUES ('delete', old.rowid, old.voucher_code, old.receipt_number);
  INSERT INTO ledger_fts (rowid, voucher_code, receipt_number)
  VALUES (new.rowid, new.voucher_code, new.receipt_number);
END;
"""

SCRIPTS: tuple[str, ...] = (V1, V2, V3, V4)
NAMES: tuple[str, ...] = (
    "v1_tables",
    "v2_daily_totals_index",
    "v3_outbox_index",
    "v4_learned_balances",
    "v5_owner_view",
    "v6_search_prefixes",
)
LATEST = len(NAMES)
MIGRATIONS = Migrations("posapp.store")


def _script_step(number: int, sql: str) -> None:
    @MIGRATIONS(name=NAMES[number - 1])
    def step(db: Database) -> None:
        db.executescript(sql)
        db.execute(f"PRAGMA user_version = {number}")


for _number, _sql in enumerate(SCRIPTS, start=1):
    _script_step(_number, _sql)


@MIGRATIONS(name="v5_owner_view")
def _v5_owner_view(db: Database) -> None:
    ledger = db.table("ledger")
    ledger.add_column("operator", str)
    ledger.add_column("receipt_number", str)
    ledger.create_index(["occurred_at"], index_name="ledger_time")
    ledger.create_index(["operator", "occurred_at"], index_name="ledger_operator")
    ledger.create_index(["state", "occurred_at"], index_name="ledger_state_time")
    ledger.create_index(["local_day", "occurred_at"], index_name="ledger_day_time")
    db.execute(  # voids are rare: a partial index finds a page of them without a scan
        "CREATE INDEX ledger_voided ON ledger (occurred_at) "
        "WHERE voided_at IS NOT NULL OR state = 'voided'"
    )
    ledger.enable_fts(["voucher_code", "receipt_number"], create_triggers=False)
    db.executescript(V5_TRIGGERS)
    db.execute("PRAGMA user_version = 5")


# v6: prefix indexes for the search. Without them a typed prefix ("0000", the group that every
# low voucher id shares) merged the doclists of every matching term before the first row came
# back: 0.1-0.5 s over a million rows. With prefixes of 1..4 characters indexed it is one doclist
# walked newest-first (under a millisecond). sqlite-utils' enable_fts cannot set `prefix`, so the
# table is declared here and filled with its populate_fts.
V6_FTS = """
CREATE VIRTUAL TABLE ledger_fts USING fts5 (
    voucher_code, receipt_number, content=ledger, prefix='1 2 3 4'
)
"""


@MIGRATIONS(name="v6_search_prefixes")
def _v6_search_prefixes(db: Database) -> None:
    for trigger in ("ledger_fts_ai", "ledger_fts_ad", "ledger_fts_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS ledger_fts")
    db.execute(V6_FTS)
    db.table("ledger").populate_fts(["voucher_code", "receipt_number"])
    db.executescript(V5_TRIGGERS)
    db.execute("PRAGMA user_version = 6")


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def database(conn: sqlite3.Connection) -> Database:
    """A sqlite-utils view of the store's own connection (no plugins, SQLite's trigger rules)."""
    return Database(conn, recursive_triggers=False, execute_plugins=False)


def _too_new(current: object) -> Exception:
    from posapp.core.store.db import StoreError

    return StoreError(
        "db_too_new",
        f"the database has schema version {current}, this posapp knows up to {LATEST}: "
        "update posapp",
    )


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply every step above the file's version up to `target`; return the version reached."""
    db = database(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = version(conn)
        if current > LATEST:
            raise _too_new(current)
        applied = [m.name for m in MIGRATIONS.applied(db)]
        unknown = [name for name in applied if name not in NAMES]
        if unknown:
            raise _too_new(", ".join(unknown))
        if current and not applied:  # a file from before sqlite-utils: adopt its steps
            MIGRATIONS.ensure_migrations_table(db)
            for name in NAMES[:current]:
                MIGRATIONS._record_applied(db, name)  # as apply() records
        if target < LATEST:
            if NAMES[target] not in applied:
                MIGRATIONS.apply(db, stop_before=NAMES[target])
        else:
            MIGRATIONS.apply(db)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return version(conn)
