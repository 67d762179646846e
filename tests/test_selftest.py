"""`posapp --self-test`: real decoders on the built-in QR, a video file as the camera, the real
sandbox over loopback HTTP for the platform checks, real SQLite files for the database check."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import keyring
import pytest
from keyring.backends import fail

from posapp import cli, selftest
from posapp.core.accounts import AccountDirectory
from posapp.core.clock import ManualClock
from posapp.core.credentials import TokenStore
from posapp.core.store import Store
from posapp.core.store.backup import take_backup
from posapp.core.store.db import DB_NAME
from posapp.i18n import set_language
from posapp.sandbox.server import SandboxServer
from posapp.version import version
from tests.support.qrframes import make_video


@pytest.fixture
def camera_video(tmp_path):
    return str(make_video(tmp_path / "cam.avi", [(None, 5)], size=(320, 240)))


@pytest.fixture
def sandbox(tmp_path):
    server = SandboxServer(tmp_path / "sandbox", fresh=True).start()
    yield server
    server.stop()


def pair(server, base):
    shop = server.store.shops()[0]
    code = server.store.new_pairing_code(shop["shop_id"])
    return AccountDirectory(base / "accounts.json").pair(server.url, code, "Cassa 1", TokenStore())


@pytest.fixture(autouse=True)
def _english():
    """These tests read the checks' English words (the app's default language is Italian)."""
    set_language("en")


def make_ledger_with_backup(base):
    """A real ledger (the app's Store) and a real backup of it (the app's backup module)."""
    Store(base / DB_NAME).close()
    return take_backup(base / DB_NAME, datetime.now(UTC))


def areas(results, status):
    return {c.area for c in results if c.status == status}


def test_a_paired_till_in_order_passes_every_check(sandbox, camera_video, _isolated_data_dir):
    pair(sandbox, _isolated_data_dir)
    make_ledger_with_backup(_isolated_data_dir)

    results = selftest.run_checks(_isolated_data_dir, camera=camera_video)

    assert areas(results, "fail") == set(), results
    assert areas(results, "ok") == {
        "decoders",
        "camera",
        "keyring",
        "database",
        "platform",
        "clock",
    }
    assert {c.text for c in results if c.area == "decoders"} == {
        "Decoder zxing: reads QR codes",
        "Decoder zbar: reads QR codes",
    }
    assert selftest.exit_code(results) == 0


def test_each_failure_class_has_its_own_exit_bit(tmp_path, _isolated_data_dir):
    clock = ManualClock(datetime.now(UTC) - timedelta(minutes=30))  # this PC is 30 minutes ahead
    server = SandboxServer(tmp_path / "skewed", fresh=True, clock=clock).start()
    try:
        pair(server, _isolated_data_dir)
        (_isolated_data_dir / DB_NAME).write_bytes(b"this is not a database" * 100)
        keyring_results = selftest.run_checks(_isolated_data_dir, camera=str(tmp_path / "none"))
    finally:
        server.stop()
    failed = areas(keyring_results, "fail")
    assert failed == {"camera", "database", "clock"}
    assert selftest.exit_code(keyring_results) == 4 | 16 | 64
    clock_line = next(c for c in keyring_results if c.area == "clock")
    assert "30 minutes off" in clock_line.text and "offset +" not in clock_line.detail


def test_a_revoked_token_and_a_stopped_platform_are_platform_failures(
    sandbox, camera_video, _isolated_data_dir
):
    account = pair(sandbox, _isolated_data_dir)
    with AccountDirectory(_isolated_data_dir / "accounts.json").client_for(
        account, TokenStore()
    ) as client:
        client.revoke()
    refused = selftest.run_checks(_isolated_data_dir, camera=camera_video)
    assert areas(refused, "fail") == {"platform"}
    assert any("refused" in c.text for c in refused)
    sandbox.stop()
    gone = selftest.run_checks(_isolated_data_dir, camera=camera_video)
    assert areas(gone, "fail") == {"platform"}
    assert any("not reachable" in c.text for c in gone)
    assert selftest.exit_code(gone) == 32


def test_no_keyring_fails_the_keyring_and_the_token_check(
    sandbox, camera_video, _isolated_data_dir
):
    pair(sandbox, _isolated_data_dir)
    keyring.set_keyring(fail.Keyring())
    results = selftest.run_checks(_isolated_data_dir, camera=camera_video)
    assert areas(results, "fail") == {"keyring", "platform"}
    assert selftest.exit_code(results) == 8 | 32
    assert any("access code is missing" in c.text for c in results)


def test_a_damaged_newest_backup_is_a_database_failure(camera_video, _isolated_data_dir):
    backup = make_ledger_with_backup(_isolated_data_dir)
    backup.write_bytes(b"half a backup")
    results = selftest.run_checks(_isolated_data_dir, camera=camera_video)
    assert areas(results, "fail") == {"database"}
    assert any("newest one" in c.text and "damaged" in c.text for c in results)
    assert selftest.exit_code(results) == 16


def test_fresh_install_gives_notes_not_failures(camera_video, _isolated_data_dir):
    results = selftest.run_checks(_isolated_data_dir, camera=camera_video)
    assert selftest.exit_code(results) == 0
    assert areas(results, "note") == {"database", "platform"}


def test_cli_prints_json_and_returns_the_exit_code(tmp_path, capsys):
    code = cli.main(["--self-test", "--lang", "en", "--json", "--camera", str(tmp_path / "none")])
    report = json.loads(capsys.readouterr().out)
    assert code == report["exit_code"] == 4
    assert {c["area"] for c in report["checks"]} >= {"decoders", "camera", "keyring"}


def test_cli_text_report_names_problems_in_words(tmp_path, capsys):
    code = cli.main(["--self-test", "--lang", "en", "--camera", str(tmp_path / "none")])
    out = capsys.readouterr().out
    assert code == 4
    assert "PROBLEM  Camera: not found or busy" in out
    assert out.strip().endswith("1 problem found.")
    assert "Traceback" not in out


def test_version_comes_from_the_package_metadata(capsys):
    assert cli.main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"posapp {version()} (")
    assert version() != "0+unknown"
