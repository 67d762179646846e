"""Shared fixtures: every test gets its own data folder and an in-memory keyring."""

from __future__ import annotations

import os

import keyring
import pytest

from posapp.core.memory_keyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The system language the tests see, whatever the machine's locale (a bare C.UTF-8 CI box, an
# Italian desktop): English, through LANGUAGE alone so no C library locale is asked for. Tests of
# the language choice set their own variables; the app's default with no choice is Italian.
for _var in ("LC_ALL", "LC_MESSAGES", "LANG"):
    if os.environ.get(_var, "").split(".")[0] not in ("", "C", "POSIX"):
        os.environ[_var] = "C.UTF-8"
os.environ["LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Keep every test away from the real app-data folder."""
    data = tmp_path / "appdata"
    data.mkdir()
    monkeypatch.setenv("POSAPP_DATA_DIR", str(data))
    return data


@pytest.fixture(autouse=True)
def memory_keyring():
    """A fresh in-memory keyring per test (never keyrings.alt, never a file)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _italian_by_default():
    """Every test starts in Italian (the app's default) whatever a previous test switched to."""
    from posapp.i18n import DEFAULT_LANG, set_language

    set_language(DEFAULT_LANG)
    yield
    set_language(DEFAULT_LANG)
