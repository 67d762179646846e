"""A keyring backend held in process memory, for the sandbox demo, the crash child and the tests.

It is never a fallback for a real till: its `priority` raises, so the keyring library never picks
it by itself (a subclass with a plain priority is auto-detected as soon as its module is imported,
and a real till's token would then silently die with the process). It is used only when set
explicitly with `keyring.set_keyring(MemoryKeyring())`.
"""

from __future__ import annotations

from jaraco.classes.properties import classproperty
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    @classproperty
    def priority(cls) -> float:
        raise RuntimeError("MemoryKeyring is only used when set explicitly")

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Like the OS keyrings: deleting what is not there raises PasswordDeleteError."""
        try:
            del self.store[(service, username)]
        except KeyError:
            raise PasswordDeleteError(username) from None
