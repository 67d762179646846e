"""Pairing a revoked till again in place: the new token reaches every client of the account, the
queue stays and is sent once (its redemption ids do not change).

A lost answer to pairing: the single-use code may have been spent on the platform while the till
never saw the token. Nothing local changes (the till stays in "needs pairing", the queue intact),
so the way forward is simply a new code; the orphan till the platform created has no token anyone
holds, and the owner can revoke it from the platform. The same holds for a token roll whose answer
is lost: the old token is kept; if the platform already replaced it, the next call gets a 401, the
till goes to "needs pairing" and a new code brings it back with its queue.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from posapp.core import messages
from posapp.core.accounts import PlatformAccount, account_id_for
from posapp.core.api.client import ApiClient
from posapp.core.api.errors import (
    ApiError,
    OfflineError,
    RefusedError,
    ServerError,
    UnauthorizedError,
)
from posapp.core.credentials import CredentialsUnavailable, TokenStore, check_available

log = logging.getLogger("posapp.repair")

CODE_REFUSALS = (
    "pairing_code_invalid",
    "pairing_code_used",
    "pairing_code_expired",
    "pairing_code_locked",
)


class RepairError(Exception):
    """Pairing again failed; `code` for the program, `text(lang)` for the shopkeeper."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message_key(self) -> str:
        return f"repair.{self.code}"

    def text(self, lang: str = "it") -> str:
        return messages.text(self.message_key, lang)


def pair_again(
    service: Any, till: Any, pairing_code: str, till_name: str | None = None
) -> PlatformAccount:
    """Exchange `pairing_code` for a new token of the same platform and shop; swap it in."""
    account: PlatformAccount = till.account
    tokens = service.token_store or TokenStore()
    check_available()
    with ApiClient(account.api_url, timeout=service.timeout) as client:
        client.time_observer = service.clock.observe
        try:
            platform = client.health().platform_id
            if account_id_for(platform) != account.account_id:
                raise RepairError("other_platform")
            result = client.pair(pairing_code, till_name or account.till_name)
        except RefusedError as exc:
            raise RepairError(exc.code if exc.code in CODE_REFUSALS else "refused") from None
        except OfflineError:
            raise RepairError("no_answer") from None
        except ServerError as exc:  # 429 after repeated wrong codes: wait, not a new code
            raise RepairError("too_many_requests" if exc.status == 429 else "no_answer") from None
        except ApiError:
            raise RepairError("no_answer") from None
        info = result.till
        same_platform = account_id_for(info.platform_id) == account.account_id
        if info.shop_id != account.shop_id or not same_platform:
            _revoke(client)  # the queue belongs to this shop: never carry it to another one
            raise RepairError("other_shop")
        try:
            tokens.set(account.account_id, result.token)  # type: ignore[attr-defined]
        except CredentialsUnavailable:
            _revoke(client)
            raise
    new = replace(account, till_id=info.till_id, till_name=info.till_name, shop_name=info.shop_name)
    old_token = till.client.token
    till.account = new
    till.client.token = result.token  # a ClientPool: every thread's client gets it
    if old_token and old_token != result.token:  # paired again while the old one still worked:
        with ApiClient(account.api_url, old_token, timeout=service.timeout) as old:
            _revoke(old)  # no orphan credential stays valid (a 401 here just means it is gone)
    if service.directory is not None:
        service.directory.add(new)
    log.info("%s paired again as till %s", new.account_id, new.till_id)
    return new


def roll(service: Any, till: Any) -> None:
    """A new token for this account: into the keyring first, then into every client. A lost
    answer keeps the old token (RepairError "no_answer"); if the platform did replace it, the
    next call's 401 puts the till in needs-pairing and `repair` brings it back, queue intact."""
    account: PlatformAccount = till.account
    tokens = service.token_store or TokenStore()
    check_available()
    with ApiClient(account.api_url, till.client.token, timeout=service.timeout) as client:
        client.time_observer = service.clock.observe
        try:
            new = client.roll_token()
        except UnauthorizedError:
            service.mark_needs_pairing(account.account_id)
            raise RepairError("refused") from None
        except ApiError:
            raise RepairError("no_answer") from None
    try:
        tokens.set(account.account_id, new)  # type: ignore[attr-defined]
    finally:  # the old token is dead either way: the clients need the new one for this run
        till.client.token = new
    log.info("token of %s rolled", account.account_id)


def _revoke(client: ApiClient) -> None:
    try:
        client.revoke()
    except UnauthorizedError:
        return  # already revoked
    except ApiError:
        log.warning("could not revoke an unused till token on %s", client.base_url)


__all__ = ["RepairError", "pair_again", "roll"]
