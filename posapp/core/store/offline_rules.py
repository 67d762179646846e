"""The offline rules, checked and applied inside one store transaction (no race with sync or a
second scan): proof of authenticity, the owner's caps, and never beyond the known balance.

The policy calls `decide_offline` on the store thread; it answers a Refused, a Summary to confirm,
or the RedeemRequest it has just written to the ledger and the outbox.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from posapp.core import messages
from posapp.core.api.models import RedeemRequest
from posapp.core.codes import VoucherRef
from posapp.core.money import format_cents
from posapp.core.settings import OfflineCaps
from posapp.core.store import cache, ledger

# How far the last good sync may lie in the future (clock drift, a DST-confused PC) before the
# clock is deemed to have gone back.
CLOCK_SLACK_S = 300.0

STATUS_REASONS = {
    "used": "refused.voucher_used",
    "expired": "refused.voucher_expired",
    "cancelled": "refused.voucher_cancelled",
    "other_shop": "refused.other_shop",
}


@dataclass(frozen=True)
class Refused:
    """`reason` is a posapp.core.messages key; `params` fill it (`*_cents` shown as money)."""

    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    needs_pairing: bool = False

    def text(self, lang: str = "it") -> str:
        shown: dict[str, Any] = {}
        for name, value in self.params.items():
            if name.endswith("_cents") and isinstance(value, int):
                shown[name.removesuffix("_cents")] = format_cents(value, lang=lang)
            shown.setdefault(name, value)
        return messages.text(self.reason, lang, **shown)


@dataclass(frozen=True)
class Summary:
    """What the counter shows before the operator confirms."""

    account_id: str
    code: str
    face_value_cents: int
    balance_cents: int
    currency: str
    expires_at: datetime | None
    partial_allowed: bool
    default_amount_cents: int
    max_amount_cents: int
    source: str  # "online" | "offline"


def decide_offline(
    conn: sqlite3.Connection,
    account: Any,
    ref: VoucherRef,
    amount: int | None,
    confirmed: bool,
    caps: OfflineCaps,
    now: datetime,
    operator: str | None = None,
) -> Refused | Summary | RedeemRequest:
    """Caller holds a write transaction, so the checks and the insert see the same ledger."""
    acct = account.account_id
    if cache.is_revoked(conn, acct, ref.voucher_id):
        return Refused("offline.revoked")
    cached = cache.get_voucher(conn, acct, ref.voucher_id)
    if cached is None and not ref.verified:
        return Refused("offline.not_proven")
    last = cache.last_good_sync(conn, acct)
    age_s = (now - last).total_seconds() if last is not None else None
    # Exactly at the cap is still accepted. A last good sync in the future means the PC's clock
    # went back: the real age is unknown, so it counts as too old until the next good sync.
    if age_s is not None and age_s < -CLOCK_SLACK_S:
        return Refused("offline.clock_went_back")
    if age_s is None or age_s > caps.max_hours_since_sync * 3600:
        return Refused("offline.stale_sync", {"hours": _hours(caps.max_hours_since_sync)})
    used_here = ledger.voucher_active_count(conn, acct, ref.voucher_id)
    if cached is not None:
        if cached.status not in ("valid", "partly_used"):
            return Refused(STATUS_REASONS.get(cached.status, "refused.voucher_used"))
        if cached.expires_at is not None and cached.expires_at <= now:
            return Refused("refused.voucher_expired")
        pending = ledger.voucher_pending_cents(conn, acct, ref.voucher_id)
        available = cached.server_balance_cents - pending
        partial, face, currency = cached.partial_allowed, cached.face_value_cents, cached.currency
        if not partial and pending:
            return Refused("offline.already_redeemed_here")
    else:  # a verified signed code we have no list entry for: whole value, once
        if ref.shop_id is not None and ref.shop_id != getattr(account, "shop_id", ref.shop_id):
            return Refused("refused.other_shop")  # genuine, but sold for another shop
        if used_here:
            return Refused("offline.already_redeemed_here")
        available = face = ref.value_cents or 0
        partial, currency = False, ref.currency or "EUR"
    if available <= 0:
        return Refused("offline.already_redeemed_here" if used_here else "refused.voucher_used")
    cap = caps.max_value_per_redemption_cents
    if not partial and available > cap:
        return Refused("offline.over_value_cap", {"cap_cents": cap})
    stats = ledger.pending_stats(conn, acct)
    if stats.count + 1 > caps.max_pending_count:
        return Refused("offline.over_pending_count", {"cap": caps.max_pending_count})
    default = min(available, cap)
    chosen = default if amount is None else amount
    refusal = _amount_refusal(chosen, available, partial, cap, stats.value_cents, caps)
    if refusal is not None:
        return refusal
    if not confirmed:
        return Summary(
            acct,
            ref.code,
            face,
            available,
            currency,
            ref.expires_at if cached is None else cached.expires_at,
            partial,
            default,
            default,
            "offline",
        )
    req = RedeemRequest.new(ref.code, chosen, account.till_id, now, True, currency)
    ledger.insert_pending(conn, acct, ref.voucher_id, req, operator)
    return req


def online_refusal(
    conn: sqlite3.Connection,
    account_id: str,
    voucher_id: int,
    balance: int,
    partial: bool,
    amount: int,
) -> Refused | None:
    """The platform's balance minus what this till took and has not had confirmed, checked in
    the same write transaction as the insert: two counters (or a counter and sync) racing on one
    voucher never take it beyond its balance."""
    pending = ledger.voucher_pending_cents(conn, account_id, voucher_id)
    available = balance - pending
    if available <= 0:
        return Refused("offline.already_redeemed_here" if pending else "refused.voucher_used")
    if not partial and pending:
        return Refused("offline.already_redeemed_here")
    if amount > available:
        return Refused("refused.insufficient_balance", {"balance_cents": available})
    if not partial and amount != available:
        return Refused("refused.partial_not_allowed")
    return None


def _amount_refusal(
    amount: int, available: int, partial: bool, cap: int, pending_value: int, caps: OfflineCaps
) -> Refused | None:
    if amount > available:
        return Refused("offline.insufficient_cached_balance", {"balance_cents": available})
    if amount > cap:
        return Refused("offline.over_value_cap", {"cap_cents": cap})
    if not partial and amount != available:
        return Refused("refused.partial_not_allowed")
    if pending_value + amount > caps.max_pending_value_cents:
        return Refused("offline.over_pending_value", {"cap_cents": caps.max_pending_value_cents})
    return None


def _hours(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
