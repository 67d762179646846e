"""Till tokens go to the OS keyring only; with no keyring nothing is written anywhere."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer, fail, null

from posapp.core import credentials
from posapp.core.credentials import CredentialsUnavailable, TokenStore, check_available
from posapp.core.memory_keyring import MemoryKeyring
from posapp.core.settings import Settings

TOKEN = "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def _all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_round_trip_in_keyring(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore()
    assert store.get("galatina") is None
    store.set("galatina", TOKEN)
    assert memory_keyring.store == {("posapp", "galatina"): TOKEN}
    assert store.get("galatina") == TOKEN
    store.delete("galatina")
    store.delete("galatina")  # deleting twice is fine
    assert store.get("galatina") is None and memory_keyring.store == {}


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_keyring_raises_and_writes_nothing(backend, _isolated_data_dir: Path) -> None:
    keyring.set_keyring(backend)
    store = TokenStore()
    for call in (lambda: store.set("galatina", TOKEN), lambda: store.get("galatina")):
        with pytest.raises(CredentialsUnavailable) as info:
            call()
        italian, english = info.value.text("it"), info.value.text("en")
        assert TOKEN not in italian + english + str(info.value)
        assert "portachiavi" in italian and "keyring" not in italian  # one language at a time
        assert "keyring" in english and "portachiavi" not in english
    with pytest.raises(CredentialsUnavailable):
        check_available()
    assert not credentials.is_available()
    assert _all_files(_isolated_data_dir) == []


def test_empty_chainer_is_unavailable(monkeypatch, _isolated_data_dir: Path) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [], raising=False)
    keyring.set_keyring(chainer.ChainerBackend())
    with pytest.raises(CredentialsUnavailable):
        TokenStore().set("galatina", TOKEN)
    assert _all_files(_isolated_data_dir) == []


def test_chainer_with_a_real_backend_is_fine(monkeypatch, memory_keyring: MemoryKeyring) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [memory_keyring], raising=False)
    keyring.set_keyring(chainer.ChainerBackend())
    TokenStore().set("galatina", TOKEN)
    assert memory_keyring.store[("posapp", "galatina")] == TOKEN


class PlaintextFileKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's file backends: refused by module name."""


PlaintextFileKeyring.__module__ = "keyrings.alt.file"


def test_plaintext_file_backend_refused(_isolated_data_dir: Path) -> None:
    backend = PlaintextFileKeyring()
    keyring.set_keyring(backend)
    with pytest.raises(CredentialsUnavailable):
        TokenStore().set("galatina", TOKEN)
    assert backend.store == {}


class LockedKeyring(MemoryKeyring):
    """A real backend failing during use (locked collection, D-Bus gone)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("collection is locked")


def test_keyring_error_during_use(caplog) -> None:
    keyring.set_keyring(LockedKeyring())
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CredentialsUnavailable) as info:
        TokenStore().set("galatina", TOKEN)
    assert info.value.detail == "KeyringLocked"
    assert TOKEN not in str(info.value) and TOKEN not in caplog.text


class DbusGoneKeyring(MemoryKeyring):
    """A real backend whose platform library raises its own error type (jeepney's D-Bus errors,
    pywintypes.error on Windows), not a keyring.errors.KeyringError."""

    def _gone(self, *args: object) -> None:
        raise ConnectionError(f"org.freedesktop.DBus.Error.ServiceUnknown {args!r}")

    get_password = set_password = delete_password = _gone  # type: ignore[assignment]


def test_foreign_backend_errors_are_credentials_unavailable(caplog) -> None:
    keyring.set_keyring(DbusGoneKeyring())
    caplog.set_level(logging.DEBUG)
    store = TokenStore()
    for call in (lambda: store.set("galatina", TOKEN), lambda: store.get("galatina")):
        with pytest.raises(CredentialsUnavailable) as info:
            call()
        assert info.value.detail == "ConnectionError"
        assert TOKEN not in str(info.value) and TOKEN not in info.value.detail
    with pytest.raises(CredentialsUnavailable):
        store.delete("galatina")
    assert TOKEN not in caplog.text


def test_token_never_in_settings_logs_or_errors(caplog, _isolated_data_dir: Path) -> None:
    caplog.set_level(logging.DEBUG)
    store = TokenStore()
    store.set("galatina", TOKEN)
    assert store.get("galatina") == TOKEN
    Settings().save()
    store.delete("galatina")
    for path in _all_files(_isolated_data_dir):
        assert TOKEN not in path.read_text(encoding="utf-8")
    assert TOKEN not in caplog.text
    assert "galatina" in caplog.text  # the account is logged, the token is not


def test_bad_arguments_are_clear() -> None:
    store = TokenStore()
    with pytest.raises(ValueError):
        store.set("galatina", "")
    with pytest.raises(ValueError):
        store.get("  ")


def test_the_memory_keyring_is_never_picked_by_itself() -> None:
    """Importing the demo (and its in-memory keyring) must not make memory the till's keyring."""
    probe = (
        "import posapp.demo, posapp.core.memory_keyring, keyring;"
        "from posapp.core import credentials;"
        "print(type(keyring.get_keyring()).__name__, credentials.is_available())"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON_KEYRING")}
    env["XDG_CONFIG_HOME"] = "/nonexistent"  # no keyringrc of this machine
    env["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"  # no Secret Service either
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    backend, available = out.stdout.split()
    assert backend != "MemoryKeyring"
    assert available == "False"
