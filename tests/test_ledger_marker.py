"""The ledger is never silently replaced: missing, empty, truncated, foreign and read-only files are
refused at start with words and a way forward; backups are taken and restored; nothing is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from posapp.core.policy import AcceptedOffline
from posapp.core.store.backup import Backups, list_backups, prune, restore, take_backup
from posapp.core.store.marker import LedgerError, marker_path, open_ledger
from tests.support.trust import trust_rig


@pytest.fixture
def rig(tmp_path):
    with trust_rig(tmp_path) as rig:
        yield rig


def _db(rig) -> Path:
    return rig.folder / "till.sqlite3"


def _queue_two_offline(rig) -> list[str]:
    acct = rig.account.account_id
    vs = [rig.voucher(1000), rig.voucher(1200)]
    assert rig.service.sync_now()[acct].ok
    rig.offline()
    done = [rig.service.submit(v["code"], confirmed=True) for v in vs]
    assert all(isinstance(d, AcceptedOffline) for d in done)
    return [d.redemption_id for d in done]


def _refused(rig, code: str) -> LedgerError:
    with pytest.raises(LedgerError) as refused:
        rig.open()
    error = refused.value
    assert error.code == code
    assert "posapp restore" in error.text("it") or "permessi" in error.text("it")
    assert error.text("en") != error.text("it")
    return error


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def test_first_run_writes_the_marker_and_a_restart_opens_the_same_ledger(rig):
    ids = _queue_two_offline(rig)
    assert marker_path(_db(rig)).exists()
    rig.close()
    assert rig.open().state.pending_count == len(ids)


def test_a_missing_database_is_refused_not_recreated(rig):
    _queue_two_offline(rig)
    rig.close()
    _remove(_db(rig))
    _refused(rig, "db_missing")
    assert not _db(rig).exists()  # nothing was created in its place


def test_an_empty_database_is_refused(rig):
    _queue_two_offline(rig)
    rig.close()
    _remove(_db(rig))
    _db(rig).write_bytes(b"")
    _refused(rig, "db_empty")
    assert _db(rig).stat().st_size == 0


def test_a_truncated_database_is_refused(rig):
    _queue_two_offline(rig)
    rig.close()
    data = _db(rig).read_bytes()
    _db(rig).write_bytes(data[: len(data) // 2 + 100])
    _refused(rig, "db_damaged")
    _db(rig).write_bytes(data[:4096])  # whole pages, but fewer than the header counts
    _refused(rig, "db_damaged")


def test_another_tills_database_is_refused(rig, tmp_path):
    _queue_two_offline(rig)
    rig.close()
    other = open_ledger(tmp_path / "other" / "till.sqlite3", [rig.account.account_id])
    other.close()
    _remove(_db(rig))
    shutil.copyfile(tmp_path / "other" / "till.sqlite3", _db(rig))
    _refused(rig, "db_foreign")


def _make_read_only(path: Path) -> None:
    """chmod for a user; root writes any file, so for root the file is made immutable."""
    if os.geteuid() != 0:
        path.chmod(0o444)
    elif shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode:
        pytest.skip("running as root without chattr: no way to make a file read-only")


def _make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    path.chmod(0o644)


def test_a_read_only_database_is_refused_at_start(rig):
    _queue_two_offline(rig)
    rig.close()
    before = _db(rig).read_bytes()
    _make_read_only(_db(rig))
    try:
        _refused(rig, "db_read_only")
    finally:
        _make_writable(_db(rig))
    assert _db(rig).read_bytes() == before


def test_backup_after_sync_and_restore_brings_the_queue_back_sent_once(rig):
    ids = _queue_two_offline(rig)
    rig.close()  # closing takes the day's backup, queue included
    folder = _db(rig).parent / "backups"
    backups = list_backups(folder)
    assert backups, "a backup after the sync and one at close"
    _remove(_db(rig))
    _refused(rig, "db_missing")
    assert restore(backups[0], _db(rig)) is None  # nothing to move aside
    service = rig.open()
    assert service.state.pending_count == 2
    assert service.sync_now()[rig.account.account_id].ok
    on_platform = sorted(r["redemption_id"] for r in rig.server.store.list_redemptions())
    assert on_platform == sorted(ids)


def test_restore_moves_the_current_file_aside_and_refuses_a_bad_backup(rig, tmp_path):
    _queue_two_offline(rig)
    rig.close()
    good = list_backups(_db(rig).parent / "backups")[0]
    bad = tmp_path / "posapp-bad.sqlite3"
    bad.write_bytes(good.read_bytes()[:2048])
    with pytest.raises(LedgerError):
        restore(bad, _db(rig))
    assert _db(rig).exists()  # a bad backup changes nothing
    aside = restore(good, _db(rig))
    assert aside is not None and aside.exists() and ".replaced-" in aside.name
    assert rig.open().state.pending_count == 2


def test_backups_are_rate_limited_taken_on_a_new_day_and_pruned(rig):
    db, now = _db(rig), rig.truth.now()
    backups = Backups(db, folder=rig.folder / "rolling", min_interval_s=900, keep_days=2)
    assert backups.maybe(now) is not None
    assert backups.maybe(now + timedelta(minutes=5)) is None  # rate limited
    assert backups.maybe(now + timedelta(minutes=16)) is not None
    assert backups.due(now.replace(hour=23, minute=30) + timedelta(minutes=31))  # next Rome day
    for days in range(1, 6):
        take_backup(db, now + timedelta(days=days), rig.folder / "rolling")
    removed = prune(rig.folder / "rolling", now + timedelta(days=5), keep_days=2, keep_min=3)
    left = list_backups(rig.folder / "rolling")
    assert len(left) == 3 and removed and all(p not in left for p in removed)


def test_the_restore_command_lists_and_restores_the_newest(rig, capsys):
    from posapp.cli import main

    ids = _queue_two_offline(rig)
    rig.close()
    _remove(_db(rig))
    assert main(["restore", "--db", str(_db(rig)), "--list"]) == 0
    assert "posapp-" in capsys.readouterr().out
    assert main(["restore", "--db", str(_db(rig))]) == 0
    service = rig.open()
    assert service.state.pending_count == len(ids)


def test_the_demo_starts_over_in_a_folder_it_used_before(tmp_path):
    """The demo deletes its till files at each start: the marker must go with the ledger, or
    the second run would (rightly) refuse a missing database."""
    from posapp.demo import TILL_FILES, start_over

    data = tmp_path / "demo"
    open_ledger(data / "posapp.sqlite3", ["puglia-demo"]).close()
    start_over(data)
    assert "posapp.sqlite3.marker.json" in TILL_FILES
    open_ledger(data / "posapp.sqlite3", ["puglia-demo"]).close()  # a fresh first run


def test_backup_settings_reach_the_service(rig):
    from posapp.core.settings import Settings

    settings = Settings()
    settings.backup.keep_days, settings.backup.min_interval_minutes = 2, 60
    settings.save()
    loaded = Settings.load()
    assert loaded.backup.keep_days == 2 and loaded.backup.min_interval_minutes == 60
    rig.close()
    service = rig.open()
    assert service.backups.keep_days == 7  # the rig passes its own Settings()
    from posapp.core.service import PosService

    other = PosService(service.store, [], loaded)
    assert other.backups.keep_days == 2 and other.backups.min_interval_s == 3600
