"""`posapp diagnostics`: a zip with logs and the self-test, and never the till token."""

from __future__ import annotations

import zipfile

from posapp import cli, diagnostics, logs
from posapp.core.accounts import AccountDirectory
from posapp.core.credentials import TokenStore
from posapp.sandbox.server import SandboxServer
from tests.support.qrframes import payload_text


def test_the_zip_holds_logs_and_self_test_and_no_secret(tmp_path, _isolated_data_dir):
    server = SandboxServer(tmp_path / "sandbox", fresh=True).start()
    try:
        shop = server.store.shops()[0]
        code = server.store.new_pairing_code(shop["shop_id"])
        directory = AccountDirectory(_isolated_data_dir / "accounts.json")
        account = directory.pair(server.url, code, "Cassa 1", TokenStore())
        token = TokenStore().get(account.account_id)
        signed = payload_text("signed", 1)
        # a log written by an older version, before any redaction: the bundle must clean it
        folder = logs.log_dir(_isolated_data_dir)
        folder.mkdir()
        (folder / "posapp.log.1").write_text(
            f"INFO pairing ok, token {token}\nINFO scanned {signed}\nWARNING line down\n",
            encoding="utf-8",
        )
        out = diagnostics.collect(tmp_path / "diag.zip", camera=str(tmp_path / "none"))
    finally:
        server.stop()

    raw = out.read_bytes()
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        texts = {name: zf.read(name).decode("utf-8") for name in names}
    assert {"version.txt", "selftest.txt", "selftest.json", "accounts.json"} <= names
    assert "logs/posapp.log.1" in names
    assert "WARNING line down" in texts["logs/posapp.log.1"]
    assert '"area": "platform"' in texts["selftest.json"]
    for name, text in texts.items():
        assert token not in text, name
        assert signed[3:40] not in text, name
    assert token.encode() not in raw
    assert not any(name.endswith((".sqlite3", ".db")) for name in names)


def test_command_writes_the_zip_and_says_where(tmp_path, capsys):
    out = tmp_path / "support.zip"
    assert cli.main(["diagnostics", "--lang", "en", "--out", str(out)]) == 0
    assert f"Diagnostics file for support: {out}" in capsys.readouterr().out
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert "selftest.txt" in zf.namelist()


def test_startup_probe_writes_the_first_paint_time_and_quits(tmp_path):
    import os
    import subprocess
    import sys
    import time

    import cv2

    from tests.support.qrframes import qr_image

    images = tmp_path / "images"
    images.mkdir()
    cv2.imwrite(str(images / "code.png"), qr_image("C6A9-GJC6-TE9"))
    probe = tmp_path / "painted"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "POSAPP_STARTUP_PROBE": str(probe)}
    started = time.time()
    subprocess.run(
        [sys.executable, "-m", "posapp", "scan", "--images", str(images)],
        env=env,
        timeout=60,
        check=True,
        capture_output=True,
    )
    painted = float(probe.read_text())
    assert started < painted < time.time()
