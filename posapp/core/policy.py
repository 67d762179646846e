"""The one door of the counter: `RedeemPolicy.submit(text, amount_cents, confirmed)` -> an Outcome.

Online first (look up, confirm, redeem with an id written to the ledger and outbox beforehand); a
timeout mid-redeem keeps that row and id and says "accepted offline"; offline only with proof and
within the owner's caps (see offline_rules.py and docs/OFFLINE.md). Never raises to the UI.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
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
from posapp.core.drain import RecordingTimes
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


@dataclass(frozen=True)
class AccountChoice:
    """One platform that knows a plain code: what it says (a summary to confirm, or a refusal)."""

    account_id: str
    name: str
    summary: Summary | None
    refusal: Refused | None = None


@dataclass(frozen=True)
class NeedsChoice:
    """A plain code that several platforms know: the shopkeeper picks one (submit again with
    `account_id=`); the till never guesses, online or offline."""

    code: str
    choices: tuple[AccountChoice, ...]


Outcome = AcceptedOnline | AcceptedOffline | Refused | NeedsConfirmation | NeedsChoice

PAIRING = Refused("needs_pairing", needs_pairing=True)


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
        *,
        on_unauthorized: Callable[[str], None] | None = None,
        blocked: Callable[[], bool] | None = None,
    ) -> None:
        self.store = store
        self.tills = {t.account_id: t for t in tills}
        self.caps = caps or OfflineCaps()
        self.clock = clock or SystemClock()
        self.void_window = void_window
        # a 401 anywhere: the service persists "needs pairing"; while it holds, nothing is taken
        self.on_unauthorized = on_unauthorized
        self.blocked = blocked
        # the times of sales and voids not yet in the outbox: sync's drain checkpoint stays
        # before them (drain.py)
        self.recording = RecordingTimes(self.clock)

    # -- the door ------------------------------------------------------------------------------
    def submit(
        self,
        text: str,
        amount_cents: int | None = None,
        confirmed: bool = False,
        operator: str | None = None,
        account_id: str | None = None,
    ) -> Outcome:
        """Never raises: every failure is a Refused with a message key. `operator` (who is at
        the counter) goes onto the ledger row; `account_id` is the shopkeeper's answer to a
        NeedsChoice."""
        try:
            if self.blocked is not None and self.blocked():
                return PAIRING  # revoked: no voucher online or offline; the queue is kept
            with self.recording.taking() as now:
                return self._submit(text, amount_cents, confirmed, operator, account_id, now)
        except StoreError as exc:
            log.error("store failure during submit: %s", exc)
            return Refused(f"store.{exc.code}", {"detail": exc.message})
        except Exception:  # a bug must reach the counter as words, not as a stack trace; once a
            # row is recorded, _send turns any failure into "accepted offline" (sync settles it)
            log.exception("unexpected failure during submit: nothing was recorded")
            return Refused("store.db_error", {"detail": "unexpected error"})

    def _submit(
        self,
        text: str,
        amount: int | None,
        confirmed: bool,
        operator: str | None = None,
        account_id: str | None = None,
        now: datetime | None = None,
    ) -> Outcome:
        if amount is not None and (
            not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0
        ):
            return Refused("refused.invalid_amount")
        now = now or self.clock.now()
        keys = self.store.call(cache.load_keys)
        ref = parse_code(text, lambda kid: keys[kid][1] if kid in keys else None, now)
        if isinstance(ref, Rejection) and ref.reason is RejectReason.UNKNOWN_KEY:
            if self._refresh_keys():
                keys = self.store.call(cache.load_keys)
                ref = parse_code(text, lambda kid: keys[kid][1] if kid in keys else None, now)
        if isinstance(ref, Rejection):
            return Refused(f"reject.{ref.reason.value}")
        candidates = self._route(ref, keys)
        if account_id is not None:  # the shopkeeper chose among the platforms that know it
            candidates = [t for t in candidates if t.account_id == account_id]
        if not candidates:
            return Refused("offline.no_account")
        if len(candidates) > 1:
            return self._several(candidates, ref, amount, confirmed, now, operator)
        till = candidates[0]
        if till.monitor.online:
            try:
                info = till.client.lookup(ref.code)
            except UnauthorizedError:
                return self._unauthorized(till)
            except RefusedError as exc:
                return Refused(f"refused.{exc.code}")
            except ApiError as exc:  # outcome-unknown kinds: the line is bad, go offline
                log.info("lookup failed (%s): deciding offline", exc.code)
            else:
                return self._online(till, info, amount, confirmed, now, operator)
        return self._offline(till, ref, amount, confirmed, now, operator)

    def _offline(
        self,
        till: Till,
        ref: VoucherRef,
        amount: int | None,
        confirmed: bool,
        now: datetime,
        operator: str | None = None,
    ) -> Outcome:
        if getattr(self.clock, "uncertain", False):
            # the PC's clock went back while posapp was closed: caps and expiry cannot be judged
            return Refused("offline.clock_went_back")
        return self.store.call(
            _offline_txn, till.account, ref, amount, confirmed, self.caps, _ms(now), operator
        )

    def _several(
        self,
        candidates: list[Till],
        ref: VoucherRef,
        amount: int | None,
        confirmed: bool,
        now: datetime,
        operator: str | None = None,
    ) -> Outcome:
        """A plain code more than one platform may serve: ask each one that is online, use the
        cached list of each one that is not; one that knows it is used, several are a choice."""
        known: list[tuple[Till, VoucherInfo | Refused | None]] = []
        unreachable = False
        for till in candidates:
            if till.monitor.online:
                try:
                    known.append((till, till.client.lookup(ref.code)))
                    continue
                except UnauthorizedError:
                    return self._unauthorized(till)
                except RefusedError as exc:
                    if exc.code != "unknown_voucher":
                        known.append((till, Refused(f"refused.{exc.code}")))
                    continue
                except ApiError as exc:
                    log.info("lookup on %s failed (%s): its cache decides", till.account_id, exc)
            if self.store.call(cache.get_voucher, till.account_id, ref.voucher_id) is not None:
                known.append((till, None))
            else:
                unreachable = unreachable or not till.monitor.online
        if not known:
            return Refused("offline.no_account" if unreachable else "refused.unknown_voucher")
        if len(known) == 1:
            till, info = known[0]
            if isinstance(info, Refused):
                return info
            if info is None:
                return self._offline(till, ref, amount, confirmed, now, operator)
            return self._online(till, info, amount, confirmed, now, operator)
        choices = []
        for till, info in known:
            if isinstance(info, Refused):
                outcome: Outcome = info
            elif info is None:
                outcome = self._offline(till, ref, None, False, now)
            else:
                outcome = self._online(till, info, None, False, now)
            summary = outcome.summary if isinstance(outcome, NeedsConfirmation) else None
            refusal = outcome if isinstance(outcome, Refused) else None
            choices.append(
                AccountChoice(till.account_id, getattr(till.account, "name", ""), summary, refusal)
            )
        return NeedsChoice(ref.code, tuple(choices))

    def _unauthorized(self, till: Till) -> Refused:
        if self.on_unauthorized is not None:
            try:
                self.on_unauthorized(till.account_id)
            except Exception:
                log.exception("needs-pairing state not recorded")
        return PAIRING

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
            info.code, amount, till.account.till_id, _ms(now), False, info.currency, operator
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
            return self._unauthorized(till)
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
            with self.recording.taking() as now:
                return self._void(redemption_id, reason, now)
        except StoreError as exc:
            return Refused(f"store.{exc.code}", {"detail": exc.message})
        except Exception:
            log.exception("unexpected failure during void")
            return Refused("store.db_error", {"detail": "unexpected error"})

    def _void(self, redemption_id: str, reason: str, now: datetime) -> Voided | Refused:
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
                return self._unauthorized(till)
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
        """The account(s) a code may belong to: by URL host, by signing key; a plain code may
        belong to any platform (each is asked, or its cached list read: never a guess)."""
        tills = list(self.tills.values())
        if ref.kind == "url":
            return [t for t in tills if t.account.serves_host(ref.host or "")][:1]
        if ref.kind == "signed":
            owner = self.tills.get(keys[ref.kid][0]) if ref.kid in keys else None
            return [owner] if owner is not None else []
        return tills  # a plain code: every platform may know it (see _several)

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
