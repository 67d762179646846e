"""Upgrades keep the data: version N (posapp as it was at OLD_COMMIT, schema v4) pairs with the
sandbox and records offline redemptions; version N+1 (this tree) is installed over it, migrates
the database forward, still finds the pairing in the keyring, and syncs the queue.

Each version is a real wheel installed with pip into its own folder, run as its own process
with the same app-data folder and the same keyring (a file keyring: the two processes must share
it, and a CI box has no Secret Service); the sandbox is the real server over loopback HTTP.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from posapp.sandbox.demo import demo_vouchers
from posapp.sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = ROOT / "tests" / "support"
OLD_COMMIT = "d40bc13"  # main before the sqlite-utils store (schema v4, PRAGMA user_version only)
OLD_VERSION, NEW_VERSION = "0.1.0", "0.2.0"

pytestmark = pytest.mark.slow


def source_tree(dest: Path, commit: str | None) -> Path:
    """The repository's files at `commit` (None: the working tree as it is)."""
    if commit is None:
        shutil.copytree(
            ROOT,
            dest,
            ignore=shutil.ignore_patterns(
                ".venv", "build", ".git", "__pycache__", "*.egg-info", ".ruff_cache"
            ),
        )
        return dest
    archive = dest.with_suffix(".tar")
    try:
        subprocess.run(
            ["git", "-C", str(ROOT), "archive", "-o", str(archive), commit],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"commit {commit} not in this clone (shallow?)")
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    return dest


def install(tree: Path, version: str, target: Path) -> Path:
    """Build a wheel of `tree` stamped `version` and pip-install it (no deps) into `target`."""
    pyproject = tree / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace('version = "0.1.0"', f'version = "{version}"', 1), encoding="utf-8"
    )
    wheels = tree.parent / f"wheels-{version}"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(wheels), str(tree)], check=True, capture_output=True
    )
    wheel = next(wheels.glob(f"posapp-{version}-*.whl"))
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def run_till(target: Path, env: dict, *args: str) -> dict:
    """One step in a fresh process of the version installed in `target`."""
    env = {**env, "PYTHONPATH": os.pathsep.join([str(target), str(SUPPORT)])}
    out = subprocess.run(
        [sys.executable, str(SUPPORT / "upgrade_till.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["module"].startswith(str(target)), "the installed version must be the one run"
    return seen


def test_an_upgrade_keeps_the_queue_and_the_pairing_and_syncs(tmp_path):
    old = install(source_tree(tmp_path / "old-src", OLD_COMMIT), OLD_VERSION, tmp_path / "v-old")
    new = install(source_tree(tmp_path / "new-src", None), NEW_VERSION, tmp_path / "v-new")
    data = tmp_path / "appdata"
    env = {
        **os.environ,
        "POSAPP_DATA_DIR": str(data),
        "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
        "POSAPP_TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
    }
    server = SandboxServer(tmp_path / "sandbox", fresh=True).start()
    port = server.port
    shop = server.store.shops()[0]
    vouchers = [
        v
        for v in demo_vouchers(server.store)
        if v["shop_id"] == shop["shop_id"] and v["state"] == "valid"
    ]
    signed = [v["signed_code"] for v in vouchers[:2]]
    try:
        paired = run_till(
            old, env, "pair", server.url, server.store.new_pairing_code(shop["shop_id"])
        )
        assert paired["version"] == OLD_VERSION and paired["synced_vouchers"] >= 2
        assert paired["user_version"] == 4
    finally:
        server.stop()
    offline = run_till(old, env, "offline", *signed)  # the line is down: the port refuses
    assert offline["accepted_offline"] == [True, True] and offline["pending"] == 2

    server = SandboxServer(tmp_path / "sandbox", port=port).start()  # the line is back
    try:
        synced = run_till(new, env, "sync")
        on_platform = {r["redemption_id"] for r in server.store.list_redemptions()}
    finally:
        server.stop()
    assert synced["version"] == NEW_VERSION
    assert synced["user_version"] > paired["user_version"]  # the database migrated forward
    assert synced["token_kept"] is True  # the pairing survived in the keyring
    assert synced["pending_before"] == 2
    assert (synced["accepted"], synced["conflicts"], synced["pending"]) == (2, 0, 0)
    assert len(set(offline["ids"])) == 2
    assert set(offline["ids"]) <= on_platform  # uploaded with the ids given at the counter
