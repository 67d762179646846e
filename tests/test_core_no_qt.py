"""The core, the scanner logic and the sandbox never import Qt (a fresh interpreter proves it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import importlib, json, pkgutil, sys
found, failed = [], {}
for package in ("posapp.core", "posapp.scan", "posapp.sandbox"):
    pkg = importlib.import_module(package)
    found.append(package)
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        try:
            importlib.import_module(info.name)
            found.append(info.name)
        except Exception as exc:
            failed[info.name] = f"{type(exc).__name__}: {exc}"
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"))
print(json.dumps({"found": found, "failed": failed, "qt": qt}))
"""


def test_core_scan_and_sandbox_import_no_qt():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["qt"] == [], f"Qt imported by the core: {result['qt']}"
    assert result["failed"] == {}, result["failed"]
    for module in ("posapp.core.policy", "posapp.core.sync", "posapp.core.store.db"):
        assert module in result["found"]
