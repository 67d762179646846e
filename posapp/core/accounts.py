"""Platform accounts: one per town platform this till is paired with, and routing of codes to them.

A shop can sell vouchers of several platforms at once (its town's and a wider area's), so the API
URL, the till token and the signing keys belong to an account, not to the app. Accounts live in
accounts.json in the app-data folder; their tokens live only in the OS keyring (credentials.py).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from posapp.core.api.client import ApiClient
from posapp.core.api.errors import ApiError
from posapp.core.codes import VoucherRef
from posapp.core.credentials import CredentialsUnavailable, TokenStore, check_available
from posapp.core.settings import data_dir

log = logging.getLogger("posapp.accounts")

FILE_NAME = "accounts.json"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
KeyOwner = Callable[[str], str | None]


class AccountConflict(ValueError):
    """Pairing would replace another platform's account (same platform id, another API URL)."""

    message_key = "accounts.platform_conflict"


@dataclass(frozen=True)
class PlatformAccount:
    """This till on one platform; no token here (it is in the keyring under `account_id`)."""

    account_id: str
    name: str
    api_url: str
    shop_id: int
    shop_name: str
    till_id: int
    till_name: str
    voucher_hosts: tuple[str, ...] = ()

    @property
    def api_host(self) -> str:
        return (urlsplit(self.api_url).hostname or "").lower()

    def serves_host(self, host: str) -> bool:
        host = host.lower()
        return host == self.api_host or host in self.voucher_hosts

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "name": self.name,
            "api_url": self.api_url,
            "shop_id": self.shop_id,
            "shop_name": self.shop_name,
            "till_id": self.till_id,
            "till_name": self.till_name,
            "voucher_hosts": list(self.voucher_hosts),
        }

    @classmethod
    def from_json(cls, raw: Any) -> PlatformAccount:
        """Raise ValueError on anything but a well-formed account."""
        if not isinstance(raw, dict):
            raise ValueError("account must be an object")
        strings = ("account_id", "name", "api_url", "shop_name", "till_name")
        if not all(isinstance(raw.get(k), str) for k in strings):
            raise ValueError("account: missing or mistyped text field")
        numbers = ("shop_id", "till_id")
        if not all(type(raw.get(k)) is int for k in numbers):
            raise ValueError("account: shop_id and till_id must be integers")
        hosts = raw.get("voucher_hosts", [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
            raise ValueError("account: voucher_hosts must be a list of host names")
        return cls(
            **{k: raw[k] for k in strings + numbers},
            voucher_hosts=tuple(h.lower() for h in hosts),
        )


class AccountDirectory:
    """The paired platform accounts, persisted atomically; safe to share between threads."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / FILE_NAME
        self._lock = threading.Lock()
        self._accounts: dict[str, PlatformAccount] = self._load()

    # -- reading -------------------------------------------------------------------------------
    def accounts(self) -> tuple[PlatformAccount, ...]:
        with self._lock:
            return tuple(self._accounts.values())

    def get(self, account_id: str) -> PlatformAccount | None:
        with self._lock:
            return self._accounts.get(account_id)

    def route(self, ref: VoucherRef, key_owner: KeyOwner | None = None) -> PlatformAccount | None:
        """The account a scanned code belongs to, or None when no account (or several) may own it.

        A URL goes by its host, a signed code by the owner of its key id, a plain code to the only
        account; a URL of a foreign host is never sent to a platform that does not serve it, and a
        host that several accounts serve decides nothing.
        """
        accounts = self.accounts()
        if ref.kind == "url":
            matches = [a for a in accounts if a.serves_host(ref.host or "")]
            return matches[0] if len(matches) == 1 else None
        if ref.kind == "signed" and key_owner is not None and ref.kid is not None:
            owner = key_owner(ref.kid)
            return self.get(owner) if owner is not None else None
        return accounts[0] if len(accounts) == 1 else None

    # -- changing ------------------------------------------------------------------------------
    def add(self, account: PlatformAccount) -> None:
        """Add or replace (same account id) an account and save."""
        with self._lock:
            self._accounts[account.account_id] = account
            self._save()

    def remove(self, account_id: str, token_store: TokenStore | None = None) -> None:
        """Forget an account, and its token when a store is given."""
        if token_store is not None:
            token_store.delete(account_id)
        with self._lock:
            if self._accounts.pop(account_id, None) is not None:
                self._save()

    def pair(
        self,
        api_url: str,
        pairing_code: str,
        till_name: str,
        token_store: TokenStore,
        *,
        voucher_hosts: tuple[str, ...] = (),
        timeout: tuple[float, float] = (3.05, 10.0),
    ) -> PlatformAccount:
        """Pair this till with a platform: token to the keyring, account (without token) to disk.

        The keyring is checked before the single-use pairing code is spent; if storing the token
        still fails, the fresh token is revoked so no orphan credential stays valid. Two platforms
        may well give the same platform id (one vendor's default): pairing never replaces the
        account, the token and the outbox of a platform at another URL (AccountConflict).
        """
        check_available()
        with ApiClient(api_url, timeout=timeout) as client:
            self._check_free(account_id_for(client.health().platform_id), client.base_url)
            result = client.pair(pairing_code, till_name)
            till = result.till
            try:
                self._check_free(account_id_for(till.platform_id), client.base_url)
            except AccountConflict:
                _revoke_unused(client)
                raise
            account = PlatformAccount(
                account_id=account_id_for(till.platform_id),
                name=till.platform_name,
                api_url=client.base_url,
                shop_id=till.shop_id,
                shop_name=till.shop_name,
                till_id=till.till_id,
                till_name=till.till_name,
                voucher_hosts=tuple(h.lower() for h in voucher_hosts),
            )
            try:
                token_store.set(account.account_id, result.token)
            except CredentialsUnavailable:
                _revoke_unused(client)
                raise
        self.add(account)
        log.info("paired with %s as till %s", account.account_id, account.till_id)
        return account

    def _check_free(self, account_id: str, api_url: str) -> None:
        """Raise AccountConflict if `account_id` belongs to a platform at another URL."""
        existing = self.get(account_id)
        if existing is not None and _url_key(existing.api_url) != _url_key(api_url):
            raise AccountConflict(
                f"account {account_id} already belongs to the platform at {existing.api_url}"
            )

    def set_voucher_hosts(self, account_id: str, voucher_hosts: tuple[str, ...]) -> PlatformAccount:
        """Set the extra hosts whose voucher URLs belong to this account."""
        with self._lock:
            account = replace(
                self._accounts[account_id], voucher_hosts=tuple(h.lower() for h in voucher_hosts)
            )
            self._accounts[account_id] = account
            self._save()
        return account

    def client_for(self, account: PlatformAccount, token_store: TokenStore) -> ApiClient:
        return client_for(account, token_store)

    # -- persistence ---------------------------------------------------------------------------
    def _load(self) -> dict[str, PlatformAccount]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            self._set_aside("unreadable")
            return {}
        items = raw.get("accounts") if isinstance(raw, dict) else None
        if not isinstance(items, list):
            self._set_aside("malformed")
            return {}
        accounts: dict[str, PlatformAccount] = {}
        for item in items:
            try:
                account = PlatformAccount.from_json(item)
            except ValueError as exc:
                log.warning("skipping a malformed account in %s: %s", self.path.name, exc)
                continue
            accounts[account.account_id] = account
        return accounts

    def _set_aside(self, why: str) -> None:
        """Keep a damaged file for inspection instead of overwriting it with an empty list."""
        aside = self.path.with_name(f"{self.path.name}.{why}-{int(time.time())}")
        log.warning("accounts file %s is %s; moved to %s", self.path.name, why, aside.name)
        os.replace(self.path, aside)

    def _save(self) -> None:
        """Atomic write (temp file + fsync + rename); caller holds the lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": 1, "accounts": [a.to_json() for a in self._accounts.values()]}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".accounts-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, indent=2, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _revoke_unused(client: ApiClient) -> None:
    """End a fresh till token that will not be kept, so no orphan credential stays valid."""
    try:
        client.revoke()
    except ApiError:
        log.warning("could not revoke an unused till token on %s", client.base_url)


def _url_key(url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return (parts.scheme.lower(), host, parts.port, parts.path.rstrip("/"))


def account_id_for(platform_id: str) -> str:
    """One account per platform on this till: the id is the platform id, made file- and key-safe."""
    cleaned = _ID_UNSAFE.sub("-", platform_id).strip("-")[:64]
    if not cleaned:
        raise ValueError("platform id gives no usable account id")
    return cleaned


def client_for(account: PlatformAccount, token_store: TokenStore, **kwargs: Any) -> ApiClient:
    """A client for this account with its token from the keyring (None when unpaired: 401 path)."""
    return ApiClient(account.api_url, token_store.get(account.account_id), **kwargs)


__all__ = [
    "AccountConflict",
    "AccountDirectory",
    "PlatformAccount",
    "account_id_for",
    "client_for",
]
