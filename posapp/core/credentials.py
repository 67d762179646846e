"""Till tokens in the OS keyring (Credential Locker, Keychain, Secret Service) and nowhere else.

With no usable keyring the app says so (CredentialsUnavailable) and stores nothing: there is no
file or plain-text fallback, on purpose, because a token in a file is a till anyone can impersonate.
Backends raise their platform library's own errors (D-Bus, pywintypes), not only KeyringError, so
any keyring failure becomes CredentialsUnavailable with the error's type name, never its text.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from posapp.i18n import N_, tr

log = logging.getLogger("posapp.credentials")

SERVICE = "posapp"
MESSAGE_KEY = "credentials.unavailable"
MESSAGE = N_(
    "No system keyring is available: the till's access token cannot be kept safely. "
    "Enable the operating system's keyring and try again."
)
# Backends that would keep a secret in a plain or home-made file: refused like a missing keyring.
_REFUSED_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


class CredentialsUnavailable(Exception):
    """No usable OS keyring; `detail` says why (for logs), the text is for the shopkeeper."""

    message_key = MESSAGE_KEY

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(MESSAGE)

    def text(self, lang: str | None = None) -> str:
        """The message in `lang` (default: the current language)."""
        return tr(MESSAGE, lang)


def _usable(backend: KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        inner = list(backend.backends)
        return bool(inner) and all(_usable(b) for b in inner)
    return not type(backend).__module__.startswith(_REFUSED_MODULES)


def _backend() -> KeyringBackend:
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - e.g. a broken keyringrc naming a missing module
        raise CredentialsUnavailable(type(exc).__name__) from None
    if not _usable(backend):
        raise CredentialsUnavailable(f"no usable backend ({type(backend).__name__})")
    return backend


def check_available() -> None:
    """Raise CredentialsUnavailable unless a real OS keyring backend is configured."""
    _backend()


def is_available() -> bool:
    try:
        check_available()
    except CredentialsUnavailable:
        return False
    return True


class TokenStore:
    """Till tokens by platform account id: service `posapp`, user `<account_id>`."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def get(self, account_id: str) -> str | None:
        user = _user(account_id)
        backend = _backend()
        try:
            return backend.get_password(self.service, user)
        except Exception as exc:  # noqa: BLE001 - backends raise their platform's own errors
            raise CredentialsUnavailable(type(exc).__name__) from None

    def set(self, account_id: str, token: str) -> None:
        if not isinstance(token, str) or not token:
            raise ValueError("an empty token cannot be stored")
        user = _user(account_id)
        backend = _backend()
        try:
            backend.set_password(self.service, user, token)
        except Exception as exc:  # noqa: BLE001 - backends raise their platform's own errors
            raise CredentialsUnavailable(type(exc).__name__) from None
        log.info("till token stored in the keyring for account %s", account_id)

    def delete(self, account_id: str) -> None:
        """Forget the token; deleting one that is not there is fine."""
        user = _user(account_id)
        backend = _backend()
        try:
            backend.delete_password(self.service, user)
        except keyring.errors.PasswordDeleteError:
            return
        except Exception as exc:  # noqa: BLE001 - backends raise their platform's own errors
            raise CredentialsUnavailable(type(exc).__name__) from None
        log.info("till token removed from the keyring for account %s", account_id)


def _user(account_id: str) -> str:
    if not isinstance(account_id, str) or not account_id.strip():
        raise ValueError("account id must be a non-empty string")
    return account_id


__all__ = ["SERVICE", "CredentialsUnavailable", "TokenStore", "check_available", "is_available"]
