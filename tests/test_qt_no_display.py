"""With no screen, the window commands say so in one line (no Qt abort), and the demo walks in the
terminal instead; a demo folder can be used again (a second run once ended in AccountConflict)."""

from __future__ import annotations

import os
import subprocess
import sys

from posapp.cli import main


def _headless(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "")


def test_scan_and_counter_without_a_screen_give_one_line(monkeypatch):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    for command in (["scan"], ["counter"]):
        done = subprocess.run(
            [sys.executable, "-m", "posapp.cli", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and "DISPLAY" in lines[0], done.stderr


def test_demo_without_a_screen_walks_in_the_terminal_twice_on_one_folder(
    monkeypatch, tmp_path, capsys
):
    _headless(monkeypatch)
    folder = tmp_path / "demo"
    for _run in range(2):
        assert main(["demo", "--lang", "en", "--data-dir", str(folder)]) == 0
        captured = capsys.readouterr()
        assert "No screen" in captured.err
        assert "Today's total: 3 vouchers" in captured.out
