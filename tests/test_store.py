"""The local database on real SQLite files: pragmas, migrations, the owner thread, atomic writes."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime

import pytest

from posapp.core.api.models import RedeemRequest
from posapp.core.store import Store, StoreError, ledger, outbox, schema, transaction

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _req(code: str = "AAAA-BBBB-CCC", amount: int = 500, when: datetime = NOW, till=1):
    return RedeemRequest.new(code, amount, till, when, offline=True)


def _record(conn, account, voucher_id, req):
    with transaction(conn):
        ledger.insert_pending(conn, account, voucher_id, req)


def _counts(conn):
    return tuple(
        conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("ledger", "outbox")
    )


def test_pragmas_checked_and_schema_latest(tmp_path):
    with Store(tmp_path / "p.sqlite3") as store:
        mode, sync, fks, version = store.call(
            lambda c: (
                c.execute("PRAGMA journal_mode").fetchone()[0],
                c.execute("PRAGMA synchronous").fetchone()[0],
                c.execute("PRAGMA foreign_keys").fetchone()[0],
                c.execute("PRAGMA user_version").fetchone()[0],
            )
        )
    assert (mode, sync, fks, version) == ("wal", 2, 1, schema.LATEST)


def test_default_path_is_in_the_data_dir(_isolated_data_dir):
    with Store() as store:
        assert store.path == _isolated_data_dir / "posapp.sqlite3"
    assert store.path.exists()


def test_refuses_a_database_that_cannot_do_wal():
    with pytest.raises(StoreError) as info:
        Store(":memory:")
    assert info.value.code == "db_unsafe"
    assert "journal_mode=memory" in info.value.message


def test_forward_migration_keeps_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, target=1) == 1
    req = _req()
    conn.execute(  # a row as posapp v1 wrote it (no operator, no receipt number)
        "INSERT INTO ledger (redemption_id, account_id, voucher_code, voucher_id, amount_cents, "
        "currency, till_id, occurred_at, offline, state, local_day, local_hour) "
        "VALUES (?, 'acct', ?, 42, 500, 'EUR', 1, '2026-11-26T09:00:00.000Z', 1, 'pending', "
        "'2026-11-26', 10)",
        (req.redemption_id, req.voucher_code),
    )
    conn.close()
    with Store(path) as store:
        assert store.call(schema.version) == schema.LATEST
        row = store.call(ledger.get, req.redemption_id)
        indexes = store.call(
            lambda c: {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        )
    assert row is not None and row.amount_cents == 500 and row.state == "pending"
    assert "ledger_day" in indexes


def test_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError) as info:
        Store(path)
    assert info.value.code == "db_too_new"


def test_one_thread_owns_the_connection(tmp_path):
    with Store(tmp_path / "t.sqlite3") as store:
        owner = store.call(lambda c: threading.get_ident())
        assert owner != threading.get_ident()
        assert store.submit(lambda c: threading.get_ident()).result() == owner
        with pytest.raises(AssertionError, match="owner thread"):
            store._run(lambda c: None, ())


def test_ledger_and_outbox_written_together_with_the_exact_body(tmp_path):
    with Store(tmp_path / "l.sqlite3") as store:
        req = _req()
        store.call(_record, "acct", 7, req)
        items = store.call(outbox.next_items, "acct", 10)
        assert [i.redemption_id for i in items] == [req.redemption_id]
        assert items[0].body == ledger.canonical_body(req)
        again = ledger.request_from_body(items[0].body)
        assert again == RedeemRequest.from_json(req.to_json())
        assert ledger.canonical_body(again) == items[0].body  # re-sent byte-identical
        # a failing transaction leaves neither row
        dup = RedeemRequest(req.redemption_id, "X", 1, "EUR", 1, NOW, True)
        with pytest.raises(StoreError):
            store.call(_record, "acct", 8, dup)
        assert store.call(_counts) == (1, 1)


def test_full_disk_is_a_typed_error_and_writes_nothing(tmp_path):
    with Store(tmp_path / "full.sqlite3") as store:
        store.call(_record, "acct", 1, _req())
        pages = store.call(lambda c: c.execute("PRAGMA page_count").fetchone()[0])
        store.call(lambda c: c.execute(f"PRAGMA max_page_count = {pages}"))
        big = "x" * 20_000
        with pytest.raises(StoreError) as info:
            store.call(_record, "acct", 2, _req(code=big))
        assert info.value.code == "disk_full"
        assert "disk is full" in info.value.message
        assert store.call(_counts) == (1, 1)
        assert store.call(lambda c: c.in_transaction) is False


def test_daily_totals_by_rome_day_hour_and_till(tmp_path):
    with Store(tmp_path / "d.sqlite3") as store:
        rows = [
            ("a", _req(amount=100, when=datetime(2026, 11, 26, 8, 5, tzinfo=UTC))),  # 09 Rome
            ("a", _req(amount=200, when=datetime(2026, 11, 26, 8, 55, tzinfo=UTC), till=2)),
            ("b", _req(amount=400, when=datetime(2026, 11, 26, 15, 0, tzinfo=UTC))),  # 16 Rome
            ("a", _req(amount=800, when=datetime(2026, 11, 26, 23, 30, tzinfo=UTC))),  # 27th
            ("a", _req(amount=1600, when=datetime(2026, 11, 25, 23, 30, tzinfo=UTC))),  # 26th 00
        ]
        for i, (acct, req) in enumerate(rows):
            store.call(_record, acct, i, req)
        voided = _req(amount=3200, when=datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
        store.call(_record, "a", 99, voided)
        store.call(
            lambda c: c.execute(
                "UPDATE ledger SET voided_at = 'x' WHERE redemption_id = ?", (voided.redemption_id,)
            )
        )
        day = date(2026, 11, 26)
        every = store.call(ledger.daily_totals, day)
        only_a = store.call(ledger.daily_totals, day, "a")
    assert (every.count, every.total_cents) == (4, 2300)
    assert every.by_hour == {0: (1, 1600), 9: (2, 300), 16: (1, 400)}
    assert every.by_till == {1: (3, 2100), 2: (1, 200)}
    assert (only_a.count, only_a.total_cents) == (3, 1900)


def test_conflicts_are_kept_until_acknowledged(tmp_path):
    with Store(tmp_path / "c.sqlite3") as store:
        req = _req()
        store.call(_record, "acct", 1, req)
        item = store.call(outbox.next_items, "acct", 1)[0]

        def to_conflict(conn):
            with transaction(conn):
                outbox.add_conflict(conn, item, req.voucher_code, 500, "voucher_used", "used", NOW)

        store.call(to_conflict)
        assert store.call(outbox.next_items, "acct", 10) == []
        (conflict,) = store.call(outbox.conflicts)
        assert (conflict.reason_code, conflict.amount_cents) == ("voucher_used", 500)
        assert store.call(outbox.open_conflict_count) == 1
        assert store.call(outbox.acknowledge, conflict.id, NOW) is True
        assert store.call(outbox.acknowledge, conflict.id, NOW) is False
        assert store.call(outbox.open_conflict_count) == 0
        kept = store.call(lambda c: outbox.conflicts(c, include_acknowledged=True))
        assert len(kept) == 1 and kept[0].acknowledged_at is not None


def test_a_damaged_file_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database, just bytes " * 200)
    with pytest.raises(StoreError) as info:
        Store(path)
    assert info.value.code == "db_corrupt"


def test_v3_file_gains_learned_balances_and_keeps_its_cache(tmp_path):
    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, target=3) == 3
    conn.execute(
        "INSERT INTO vouchers VALUES ('acct', 7, 'CODE', 1, 'valid', 1000, 1000, 'EUR', NULL, 1, "
        "'2026-11-26T09:00:00.000Z')"
    )
    conn.close()
    with Store(path) as store:
        assert store.call(schema.version) == schema.LATEST == 6
        assert (
            store.call(lambda c: c.execute("SELECT COUNT(*) FROM learned_balances").fetchone())[0]
            == 0
        )
        from posapp.core.store import cache

        assert store.call(cache.get_voucher, "acct", 7).server_balance_cents == 1000
        assert store.call(cache.learned_counter, "acct") == 0
