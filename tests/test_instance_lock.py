"""One posapp per sales database (issue 8 item 4): `posapp restore` refuses, with words and exit
code 3, while a posapp using that database runs in another process; a second posapp refuses to
start; a posapp that was killed leaves no lock behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from posapp.core.instance_lock import InstanceLock, LedgerInUse, lock_path
from posapp.core.restore_cli import IN_USE_EXIT
from posapp.core.service import PosService
from posapp.core.store.backup import take_backup

CHILD = """
import sys
from pathlib import Path
from posapp.core.service import PosService
service = PosService.open([], lambda account: None, db_path=Path(sys.argv[1]))
print("ready", flush=True)
sys.stdin.readline()
service.close()
"""


@pytest.fixture
def db(tmp_path) -> Path:
    """A ledger with a backup of it, as a till leaves them."""
    path = tmp_path / "data" / "posapp.sqlite3"
    service = PosService.open([], lambda account: None, db_path=path)
    service.close()
    take_backup(path, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    return path


def _running_posapp(db: Path) -> subprocess.Popen:
    """posapp as another process, holding `db` open, until its stdin gets a line."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline and not line:
        line = child.stdout.readline()
    if line.strip() != "ready":
        child.kill()
        raise AssertionError("the child posapp did not start: " + child.stderr.read())
    return child


def _restore(db: Path, capsys) -> tuple[int, str]:
    from posapp.cli import main

    code = main(["restore", "--db", str(db)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_restore_refuses_while_posapp_runs_on_that_database(db, capsys):
    before = db.read_bytes()
    child = _running_posapp(db)
    try:
        code, words = _restore(db, capsys)
        assert code == IN_USE_EXIT
        assert str(child.pid) in words and "Traceback" not in words
        assert "posapp restore" in words
        assert db.read_bytes() == before  # nothing moved aside, nothing replaced
        assert not list(db.parent.glob("posapp.sqlite3.replaced-*"))
        # and a second posapp does not start either: words, with the running one's process id
        with pytest.raises(LedgerInUse) as refused:
            PosService.open([], lambda account: None, db_path=db)
        assert str(child.pid) in refused.value.text("it")
        assert "già aperto" in refused.value.text("it")
        assert "already open" in refused.value.text("en")
    finally:
        child.communicate("\n", timeout=60)
    assert child.returncode == 0
    code, words = _restore(db, capsys)  # closed: the restore goes ahead
    assert code == 0, words
    assert list(db.parent.glob("posapp.sqlite3.replaced-*"))


def test_a_killed_posapp_leaves_no_lock_behind(db, capsys):
    child = _running_posapp(db)
    child.send_signal(signal.SIGKILL)
    child.wait(60)
    assert lock_path(db).exists()  # the file stays; the OS lock went with the process
    code, words = _restore(db, capsys)
    assert code == 0, words
    PosService.open([], lambda account: None, db_path=db).close()


def test_the_lock_is_given_back_at_close_and_held_by_a_restore(db):
    service = PosService.open([], lambda account: None, db_path=db)
    assert service.instance_lock is not None and service.instance_lock.held
    with pytest.raises(LedgerInUse):
        InstanceLock(db).acquire()
    service.close()
    with InstanceLock(db):  # what `posapp restore` holds while it works
        with pytest.raises(LedgerInUse):
            PosService.open([], lambda account: None, db_path=db)
    PosService.open([], lambda account: None, db_path=db).close()
