"""The one door of the counter: `RedeemPolicy.submit(text, amount_cents, confirmed)` -> an Outcome.

Online first (look up, confirm, redeem with an id written to the ledger and outbox beforehand); a
timeout mid-redeem keeps that row and id and says "accepted offline"; offline only with proof and
within the owner's caps (see offline_rules.py and docs/OFFLINE.md). Never raises to the UI.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from posapp.core.api.client import ApiClient
from posapp.core.api.errors import (
    ApiError,
    RefusedError,
    UnauthorizedError,
)
from posapp.core.api.models import RedeemRequest, VoucherInfo
from posapp.core.clock import Clock, SystemClock
from posapp.core.codes import Rejection, RejectReason, VoucherRef, parse_code
from posapp.core.connectivity import ConnectivityMonitor
from posapp.core.settings import OfflineCaps
from posapp.core.store import Store, StoreError, cache, ledger, transaction
from posapp.core.store import transactions as tx
from posapp.core.store.offline_rules import (
    STATUS_REASONS,
    Refused,
    Summary,
    decide_offline,
)

log = logging.getLogger("posapp.policy")
USABLE = ("valid", "partly_used")


@dataclass(frozen=True)
class AcceptedOnline:
    redemption_id: str
    account_id: str
    voucher_code: str
    amount_cents: int
    balance_after_cents: int | None


@dataclass(frozen=True)
class AcceptedOffline:
    """Queued: sync sends it with this same id. `unconfirmed` = sent once, answer lost."""

    redemption_id: str
    account_id: str
    voucher_code: str
    amount_cents: int
    unconfirmed: bool = False


@dataclass(frozen=True)
class NeedsConfirmation:
    summary: Summary


@dataclass(frozen=True)
class Voided:
    redemption_id: str
    queued: bool


Outcome = AcceptedOnline | AcceptedOffline | Refused | NeedsConfirmation

PAIRING = Refused("refused.pairing_needed", needs_pairing=True)


@dataclass
class Till:
    """This till on one platform account: the account, its client and its connectivity monitor."""

    account: Any  # posapp.core.accounts.PlatformAccount (account_id, till_id, shop_id, serves_host)
    client: ApiClient
    monitor: ConnectivityMonitor

    @property
    def account_id(self) -> str:
        return self.account.account_id


class RedeemPolicy:
    def __init__(
        self,
        store: Store,
        tills: list[Till],
        caps: OfflineCaps | None = None,
        clock: Clock | None = None,
        void_window: timedelta = timedelta(minutes=10),
    ) -> None:
        self.store = store
        self.tills = {t.account_id: t for t in tills}
        self.caps = caps or OfflineCaps()
        self.clock = clock or SystemClock()
        self.void_window = void_window

    # -- the door ------------------------------------------------------------------------------
    def submit(
        self,
        text: str,
        amount_cents: int | None = None,
        confirmed: bool = False,
        operator: str | None = None,
    ) -> Outcome:
        """Never raises: every failure is a Refused with a message key. `operator` (who is at
        the counter) goes onto the ledger row."""
        try:
            return self._submit(text, amount_cents, confirmed, operator)
        except StoreError as exc:
            log.error("store failure during submit: %s", exc)
            return Refused(f"store.{exc.code}", {"detail": exc.message})
        except Exception:  # a bug must reach the counter as words, not as a stack trace; once a
            # row is recorded, _send turns any failure into "accepted offline" (sync settles it)
            log.exception("unexpected failure during submit: nothing was recorded")
            return Refused("store.db_error", {"detail": "unexpected error"})

    def _submit(
        self, text: str, amount: int | None, confirmed: bool, operator: str | None = None
    ) -> Outcome:
        if amount is not None and (
            not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0
        ):
            return Refused("refused.invalid_amount")
        now = self.clock.now()
        keys = self.store.call(cache.load_keys)
        ref = parse_code(text, lambda kid: keys[kid][1] if kid in keys else None, now)
        if isinstance(ref, Rejection) and ref.reason is RejectReason.UNKNOWN_KEY:
            if self._refresh_keys():
                keys = self.store.call(cache.load_keys)
                ref = parse_code(text, lambda kid: keys[kid][1] if kid in keys else None, now)
        if isinstance(ref, Rejection):
            return Refused(f"reject.{ref.reason.value}")
        candidates = self._route(ref, keys)
        if not candidates:
            return Refused("offline.no_account")
        till = candidates[0]
        for till in candidates:
            if not till.monitor.online:
                continue
            try:
                info = till.client.lookup(ref.code)
            except UnauthorizedError:
                return PAIRING
            except RefusedError as exc:
                if exc.code == "unknown_voucher" and till is not candidates[-1]:
                    continue  # several platforms: ask the next one
                return Refused(f"refused.{exc.code}")
            except ApiError as exc:  # outcome-unknown kinds: the line is bad, go offline
                log.info("lookup failed (%s): deciding offline", exc.code)
            else:
                return self._online(till, info, amount, confirmed, now, operator)
        if len(candidates) > 1:
            return Refused("offline.no_account")  # offline, and no cached list claims it
        return self.store.call(
            _offline_txn, till.account, ref, amount, confirmed, self.caps, _ms(now), operator
        )

    # -- online --------------------------------------------------------------------------------
    def _online(
        self,
        till: Till,
        info: VoucherInfo,
        amount: int | None,
        confirmed: bool,
        now: datetime,
        operator: str | None = None,
    ) -> Outcome:
        pending = self.store.call(tx.note_lookup, till.account_id, info)
        if info.status not in USABLE:
            return Refused(STATUS_REASONS.get(info.status, "refused.voucher_used"))
        available = info.balance_cents - pending
        if available <= 0:
            return Refused("offline.already_redeemed_here" if pending else "refused.voucher_used")
        if not info.partial_allowed and pending:
            return Refused("offline.already_redeemed_here")
        summary = Summary(
            account_id=till.account_id,
            code=info.code,
            face_value_cents=info.face_value_cents,
            balance_cents=available,
            currency=info.currency,
            expires_at=info.expires_at,
            partial_allowed=info.partial_allowed,
            default_amount_cents=available,
            max_amount_cents=available,
            source="online",
        )
        if not confirmed:
            return NeedsConfirmation(summary)
        amount = available if amount is None else amount
        req = RedeemRequest.new(
            info.code, amount, till.account.till_id, _ms(now), False, info.currency
        )
        refusal = self.store.call(
            tx.record_txn,
            till.account_id,
            info.voucher_id,
            req,
            info.balance_cents,
            info.partial_allowed,
            operator,
        )
        if refusal is not None:
            return refusal
        try:
            return self._send(till, req, available)
        except Exception:  # recorded and maybe applied: the row and its id stay for sync
            log.exception("redeem %s: unexpected failure, kept for sync", req.redemption_id)
            return AcceptedOffline(
                req.redemption_id, till.account_id, req.voucher_code, amount, True
            )

    def _send(self, till: Till, req: RedeemRequest, available: int) -> Outcome:
        """The first attempt of a recorded redemption; the platform's verdict is what the counter
        shows, even when the local bookkeeping after it fails (sync settles that row later)."""
        try:
            result = till.client.redeem(req)
        except UnauthorizedError:
            self._forget(req.redemption_id, "unauthorized", "401 before redeem")
            return PAIRING
        except RefusedError as exc:
            self._forget(req.redemption_id, exc.code, exc.message)
            return Refused(f"refused.{exc.code}", {"balance_cents": available})
        except ApiError as exc:  # timeout, reset, 5xx, garbage, in flight: outcome unknown
            log.warning("redeem %s unconfirmed (%s): kept for sync", req.redemption_id, exc.code)
            return AcceptedOffline(
                req.redemption_id, till.account_id, req.voucher_code, req.amount_cents, True
            )
        try:
            self.store.call(tx.settle_txn, till.account_id, result, self.clock.now())
        except StoreError as exc:  # the row stays pending with its outbox row: a replay settles it
            log.error("redeem %s answered but not settled locally: %s", req.redemption_id, exc)
        if result.status == "accepted":
            return AcceptedOnline(
                req.redemption_id,
                till.account_id,
                req.voucher_code,
                req.amount_cents,
                result.balance_after_cents,
            )
        reason = result.reason_code or "voucher_used"
        return Refused(f"refused.{reason}", {"balance_cents": available})

    def _forget(self, redemption_id: str, code: str, message: str) -> None:
        """Refused before anything was applied: mark it so; if that fails, sync replays the
        refusal later and the row becomes a conflict the owner sees (nothing is lost)."""
        try:
            self.store.call(tx.drop_txn, redemption_id, code, message)
        except StoreError as exc:
            log.error("refused redemption %s not marked: %s", redemption_id, exc)

    # -- void ----------------------------------------------------------------------------------
    def void(self, redemption_id: str, reason: str) -> Voided | Refused:
        """Undo a recent redemption: at once when online, else queued behind it in the outbox."""
        try:
            return self._void(redemption_id, reason)
        except StoreError as exc:
            return Refused(f"store.{exc.code}", {"detail": exc.message})
        except Exception:
            log.exception("unexpected failure during void")
            return Refused("store.db_error", {"detail": "unexpected error"})

    def _void(self, redemption_id: str, reason: str) -> Voided | Refused:
        now = self.clock.now()
        row = self.store.call(ledger.get, redemption_id)
        if row is None or row.state not in ("pending", "accepted") or row.voided_at:
            return Refused("refused.not_voidable")
        occurred = datetime.fromisoformat(row.occurred_at.replace("Z", "+00:00"))
        if now - occurred > self.void_window:
            return Refused("refused.void_window_expired")
        till = self.tills.get(row.account_id)
        if till is None:
            return Refused("offline.no_account")
        queued = row.state == "pending" or not till.monitor.online
        if not queued:
            try:
                result = till.client.void(redemption_id, reason, _ms(now))
            except UnauthorizedError:
                return PAIRING
            except RefusedError as exc:
                return Refused(f"refused.{exc.code}")
            except Exception:  # outcome unknown: queue it, a replay is harmless
                log.warning("void %s unconfirmed: queued", redemption_id, exc_info=True)
                queued = True
            else:
                try:
                    self.store.call(tx.settle_txn, row.account_id, result, now)
                except StoreError as exc:  # voided on the platform: say so; sync replays it
                    log.error("void %s not settled locally: %s", redemption_id, exc)
                    with contextlib.suppress(StoreError):
                        self.store.call(
                            tx.queue_void_txn, row.account_id, redemption_id, reason, _ms(now)
                        )
                return Voided(redemption_id, queued=False)
        if not self.store.call(tx.queue_void_txn, row.account_id, redemption_id, reason, _ms(now)):
            return Refused("refused.not_voidable")  # a sync settled it meanwhile
        return Voided(redemption_id, queued=True)

    # -- helpers -------------------------------------------------------------------------------
    def _route(self, ref: VoucherRef, keys: dict) -> list[Till]:
        """The account(s) a code may belong to: by URL host, by signing key, by cached list;
        a plain code that no cached list claims may belong to any platform (asked in turn)."""
        tills = list(self.tills.values())
        if ref.kind == "url":
            return [t for t in tills if t.account.serves_host(ref.host or "")][:1]
        if ref.kind == "signed":
            owner = self.tills.get(keys[ref.kid][0]) if ref.kid in keys else None
            return [owner] if owner is not None else []
        if len(tills) <= 1:
            return tills
        for till in tills:
            if self.store.call(cache.get_voucher, till.account_id, ref.voucher_id) is not None:
                return [till]
        return tills

    def _refresh_keys(self) -> bool:
        """An unknown key id: fetch the keys of the platforms we can reach (rotation)."""
        changed = False
        for till in self.tills.values():
            if not till.monitor.online:
                continue
            try:
                keyset = till.client.keys()
            except ApiError:
                continue
            self.store.call(tx.keys_txn, till.account_id, list(keyset.values()))
            changed = True
        return changed


def _ms(when: datetime) -> datetime:
    """Millisecond precision: what the wire carries, so the stored body round-trips exactly."""
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


def _offline_txn(conn, account, ref, amount, confirmed, caps, now, operator=None) -> Outcome:
    with transaction(conn):
        decision = decide_offline(conn, account, ref, amount, confirmed, caps, now, operator)
    if isinstance(decision, RedeemRequest):
        return AcceptedOffline(
            decision.redemption_id, account.account_id, decision.voucher_code, decision.amount_cents
        )
    if isinstance(decision, Summary):
        return NeedsConfirmation(decision)
    return decision
