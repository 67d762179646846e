"""Conflicts in plain words: what the platform's refusal of an offline sale means for the shop.

A conflict is a redemption the counter accepted offline (the customer left with the goods) that the
platform refused when it arrived. The money is not coming from the platform for it; the owner
decides what to do with the customer, then acknowledges it (it stays in the history either way).
"""

from __future__ import annotations

from dataclasses import dataclass

from posapp.core.store.outbox import Conflict
from posapp.i18n import N_, tr

MEANINGS: dict[str, str] = {
    "voucher_used": N_(
        "The voucher had already been spent (at another till or shop) before this sale reached "
        "the platform. The platform will not pay this amount."
    ),
    "insufficient_balance": N_(
        "The voucher no longer had enough credit when this sale reached the platform (it was "
        "used elsewhere meanwhile). The platform will not pay this amount."
    ),
    "partial_not_allowed": N_(
        "This voucher can only be spent whole, and a part of it was taken. The platform will "
        "not pay this amount."
    ),
    "voucher_expired": N_(
        "The voucher had expired when it was taken. The platform will not pay this amount."
    ),
    "voucher_cancelled": N_(
        "The voucher had been cancelled by the issuer. The platform will not pay this amount."
    ),
    "other_shop": N_(
        "The voucher was sold for another shop, so this shop cannot take it. The platform will "
        "not pay this amount."
    ),
    "unknown_voucher": N_(
        "The platform does not know this voucher. The platform will not pay this amount."
    ),
    "offline_time_out_of_bounds": N_(
        "The time of the sale is not believable (the till's clock was wrong, or it stayed "
        "offline too long). Check the date and time of this PC; the platform will not pay it "
        "as it stands."
    ),
    "void_window_expired": N_(
        "The cancellation reached the platform too late: the redemption stays valid and will "
        "be paid; settle the difference with the customer."
    ),
    "idempotency_key_reused": N_(
        "The platform already holds this redemption with different details. Ask support; "
        "nothing was paid twice."
    ),
}
FALLBACK = N_(
    "The platform refused this sale ({reason}). The platform will not pay this amount unless "
    "support settles it."
)


def meaning(reason_code: str, lang: str | None = None) -> str:
    """What a platform reason code means for the shop, in the current language."""
    text = MEANINGS.get(reason_code)
    return tr(text, lang) if text else tr(FALLBACK, lang, reason=reason_code)


@dataclass(frozen=True)
class ConflictView:
    conflict: Conflict
    meaning: str
    occurred_at: str | None  # of the redemption, from the ledger
    operator: str | None

    @property
    def acknowledged(self) -> bool:
        return self.conflict.acknowledged_at is not None
