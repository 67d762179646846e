"""`python -m posapp.qt.app` starts without a runpy warning (the package must not import it)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_running_the_app_module_gives_no_runtime_warning(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", POSAPP_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "posapp.qt.app", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0
    assert "--video" in done.stdout
    assert "RuntimeWarning" not in done.stderr
