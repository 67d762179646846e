"""A keyring kept in a JSON file, for the upgrade test only: two installed versions of posapp run
as separate processes and must find the same pairing, and a CI box has no Secret Service.

Selected only by PYTHON_KEYRING_BACKEND=file_keyring.FileKeyring with POSAPP_TEST_KEYRING_FILE set
(a temporary file of the test); never importable by the app, never picked by the keyring library.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes.properties import classproperty
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV = "POSAPP_TEST_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    @classproperty
    def priority(cls) -> float:
        if not os.environ.get(ENV):
            raise RuntimeError("FileKeyring is for the upgrade test only")
        return 0.1

    def _path(self) -> Path:
        return Path(os.environ[ENV])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self._path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._path().write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(username)
        self._path().write_text(json.dumps(data), encoding="utf-8")
