"""The main job: `posapp demo` walks scan -> redeem -> outage -> offline redeem -> sync for real."""

from __future__ import annotations

import io
import re

import keyring

from posapp.cli import main
from posapp.demo import Walk, run


def test_demo_walk_redeems_online_offline_and_syncs(tmp_path, memory_keyring):
    out = io.StringIO()
    before = keyring.get_keyring()
    run(Walk("en", out), tmp_path)
    text = out.getvalue()
    lines = text.splitlines()
    assert keyring.get_keyring() is before  # run() itself never swaps the keyring
    assert any(
        re.match(r"Scanning \w{4}-\w{4}-\w{3}\.png: read \w{4}-\w{4}-\w{3} \(", ln) for ln in lines
    )
    assert sum("[GREEN]" in ln for ln in lines) == 2
    assert any("[RED]" in ln and "already used" in ln.lower() for ln in lines), text
    assert sum("[ORANGE]" in ln for ln in lines) == 1
    assert "State: Offline, waiting: 1" in text
    assert "Uploaded 1 offline redemption, conflicts: 0" in text
    assert "State: Online, waiting: 0" in text.split("Line back")[1]
    assert "Today's total: 3 vouchers, €22.50" in text
    assert (tmp_path / "qr" / "index.html").is_file()
    # the till token lives in the keyring only: no file of the demo (databases included) holds it
    tokens = [t.encode() for t in memory_keyring.store.values()]
    assert tokens
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(tok in data for tok in tokens), path


def test_cli_dispatches_and_refuses_unknown_commands(capsys):
    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    for name in ("demo", "decode", "scan", "sandbox"):
        assert name in listed
    assert main(["no-such-command"]) == 2
    assert "unknown command" in capsys.readouterr().err
