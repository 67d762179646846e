"""Schema migrations on sqlite-utils: files written by older posapp (v1..v4, known only by
PRAGMA user_version) move forward without loss; the v5 triggers (multi-statement bodies, which
the old split-on-";" runner broke) exist and keep the search index right; a failed step changes
nothing."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from posapp.core.store import Store, StoreError, ledger, schema

LEGACY_ROW = (
    "INSERT INTO ledger (redemption_id, account_id, voucher_code, voucher_id, amount_cents, "
    "currency, till_id, occurred_at, offline, state, local_day, local_hour) VALUES "
    "('r-old', 'acct', 'PUG-7K3M-X9QA', 42, 1500, 'EUR', 3, '2026-10-25T00:30:00.000Z', 1, "
    "'accepted', '2026-10-25', 2)"
)


def legacy_file(path, version: int) -> None:
    """A database exactly as posapp wrote it before sqlite-utils: the raw scripts run one by one,
    user_version bumped, no _sqlite_migrations table; one ledger row, one cached voucher."""
    conn = sqlite3.connect(path, isolation_level=None)
    for number in range(1, version + 1):
        conn.executescript(schema.SCRIPTS[number - 1])
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute(LEGACY_ROW)
    conn.execute(
        "INSERT INTO vouchers VALUES ('acct', 42, 'PUG-7K3M-X9QA', 1, 'used', 1500, 0, 'EUR', "
        "NULL, 0, '2026-10-25T00:30:00.000Z')"
    )
    conn.close()


def _names(store: Store, kind: str) -> set[str]:
    return store.call(
        lambda c: {
            r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))
        }
    )


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_a_legacy_file_moves_forward_without_loss(tmp_path, version):
    path = tmp_path / f"v{version}.sqlite3"
    legacy_file(path, version)
    with Store(path) as store:
        assert store.call(schema.version) == schema.LATEST
        row = store.call(ledger.get, "r-old")
        applied = store.call(
            lambda c: [r[0] for r in c.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        )
        voucher = store.call(
            lambda c: c.execute(
                "SELECT code, status FROM vouchers WHERE voucher_id = 42"
            ).fetchone(),
        )
    assert (row.voucher_code, row.amount_cents, row.state, row.till_id) == (
        "PUG-7K3M-X9QA",
        1500,
        "accepted",
        3,
    )
    assert (row.operator, row.receipt_number) == (None, None)
    assert tuple(voucher) == ("PUG-7K3M-X9QA", "used")
    assert applied == list(schema.NAMES)
    with Store(path) as store:  # opening again applies nothing twice
        count = store.call(
            lambda c: c.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0]
        )
    assert count == len(schema.NAMES)


def test_v5_triggers_exist_and_keep_the_search_index_right(tmp_path):
    path = tmp_path / "v4.sqlite3"
    legacy_file(path, 4)
    with Store(path) as store:
        assert {"ledger_fts_ai", "ledger_fts_ad", "ledger_fts_au"} <= _names(store, "trigger")
        sql = store.call(
            lambda c: c.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'ledger_fts_au'"
            ).fetchone()[0]
        )
        assert sql.count(";") == 2  # two statements in one body: split(";") would have cut it

        def match(conn, query):
            return [
                r[0]
                for r in conn.execute(
                    "SELECT l.redemption_id FROM ledger_fts JOIN ledger l ON l.rowid = "
                    "ledger_fts.rowid WHERE ledger_fts MATCH ? ORDER BY l.redemption_id",
                    (query,),
                )
            ]

        assert store.call(match, '"7K3M"') == ["r-old"]  # the old row was indexed by the step
        assert store.call(ledger.set_receipt, "r-old", "0042-0017")
        assert store.call(match, '"0042"') == ["r-old"]
        assert store.call(ledger.set_receipt, "r-old", "0099-0001")
        assert store.call(match, '"0042"') == [] and store.call(match, '"0099"') == ["r-old"]
        store.call(lambda c: c.execute("DELETE FROM ledger WHERE redemption_id = 'r-old'"))
        assert store.call(match, '"7K3M"') == []


def test_a_failing_step_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "odd.sqlite3"
    legacy_file(path, 4)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ALTER TABLE ledger ADD COLUMN operator TEXT")  # v5 will collide with it
    conn.close()
    with pytest.raises(StoreError):
        Store(path)
    conn = sqlite3.connect(path, isolation_level=None)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "_sqlite_migrations" not in tables and "ledger_fts" not in tables
    assert conn.execute("SELECT amount_cents FROM ledger").fetchone() == (1500,)
    conn.close()


def test_a_step_this_posapp_does_not_know_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('posapp.store', 'v9_from_the_future', '2027-01-01')"
    )
    conn.close()
    with pytest.raises(StoreError) as info:
        Store(path)
    assert info.value.code == "db_too_new"


class _PatientConnection(sqlite3.Connection):
    """A connection that waits up to two minutes for a lock instead of the store's 5 s: on a
    loaded machine the other opener's migration can take longer, and how long the store waits
    is not what the test below is about (that both open the file and it migrates once is)."""

    def execute(self, sql, *args):
        if sql.replace(" ", "").lower().startswith("pragmabusy_timeout"):
            sql = "PRAGMA busy_timeout=120000"
        return super().execute(sql, *args)


def test_two_posapps_opening_an_old_file_together_migrate_it_once(tmp_path, monkeypatch):
    path = tmp_path / "shared.sqlite3"
    legacy_file(path, 2)
    connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3,
        "connect",
        lambda *args, **kw: connect(*args, **{**kw, "timeout": 120, "factory": _PatientConnection}),
    )
    barrier = threading.Barrier(2, timeout=60)
    errors: list[BaseException] = []
    stores: list[Store] = []

    def open_it():
        barrier.wait()
        try:
            stores.append(Store(path))
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    try:
        assert errors == [] and len(stores) == 2
        count = stores[0].call(
            lambda c: c.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0]
        )
        assert count == len(schema.NAMES)
    finally:
        for store in stores:
            store.close()


def test_a_v5_file_gains_search_prefixes_and_keeps_its_index(tmp_path):
    path = tmp_path / "v5.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, target=5) == 5
    conn.execute(LEGACY_ROW)
    conn.close()
    with Store(path) as store:
        assert store.call(schema.version) == schema.LATEST == 6
        sql = store.call(
            lambda c: c.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'ledger_fts'"
            ).fetchone()
        )[0]
        assert "prefix='1 2 3 4'" in sql
        rows = store.call(
            lambda c: c.execute(
                "SELECT rowid FROM ledger_fts WHERE ledger_fts MATCH ?", ('"pu"*',)
            ).fetchall()
        )
        assert len(rows) == 1  # the row written at v5 is in the rebuilt index
        assert {"ledger_fts_ai", "ledger_fts_ad", "ledger_fts_au"} <= _names(store, "trigger")


def test_an_old_file_another_program_is_writing_is_switched_to_wal_once_it_lets_go(tmp_path):
    # SQLite does not run the busy handler for PRAGMA journal_mode=WAL once the pragma holds its
    # read lock: without the store's own retry, opening a rollback-journal file while another
    # program (or a second posapp converting it) holds the write lock fails at once.
    path = tmp_path / "old.sqlite3"
    legacy_file(path, 2)
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: writer.execute("COMMIT"))
    release.start()
    try:
        with Store(path) as store:
            assert store.call(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
            assert store.call(schema.version) == schema.LATEST
    finally:
        release.join()
        writer.close()
