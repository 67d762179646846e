"""From an Outcome to what the counter shows and plays: colour, headline, detail, sound.

Green: the platform accepted the redemption. Orange: accepted without the platform (it will be
sent when the line is back), or something needs the shopkeeper's attention or another try (the
till must be paired again, the platform is busy or has a fault, the till's disk or database is in
trouble). Red only for a voucher truly refused (used, expired, cancelled, not genuine...). Every
reason in plain words from the one catalog (`Refused.text`), never an HTTP status or exception text.
Qt-free on purpose: the demo's text walk and the tests use the same table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from posapp.core.money import format_cents
from posapp.core.policy import AcceptedOffline, AcceptedOnline, Refused, Voided
from posapp.i18n import _, current_language

log = logging.getLogger("posapp.qt.verdicts")
OK, ATTENTION, REFUSED, INFO = "ok", "attention", "refused", "info"

# Red is for a voucher (or a code) truly refused: scanning it again gives the same answer. Every
# other refusal is orange: the platform or the line is in trouble (busy, a fault, too much at
# once), the till needs something (pairing, its clock, its disk, an update, a connection for the
# offline limits), or the shopkeeper should try again (an amount, a code that cannot be checked
# now). A reason this table does not know is orange too: "try again" never wrongly says "refused".
VOUCHER_REFUSALS = frozenset(
    {
        # the platform's verdict on the voucher or the redemption asked for
        "refused.unknown_voucher",
        "refused.voucher_used",
        "refused.insufficient_balance",
        "refused.partial_not_allowed",
        "refused.voucher_expired",
        "refused.voucher_cancelled",
        "refused.other_shop",
        "refused.currency_mismatch",
        # an undo the platform or the till refuses for good
        "refused.void_window_expired",
        "refused.not_voidable",
        # the code itself is no genuine, valid voucher
        "reject.too_long",
        "reject.control_characters",
        "reject.unknown_format",
        "reject.bad_check",
        "reject.bad_encoding",
        "reject.bad_length",
        "reject.key_not_valid",
        "reject.bad_signature",
        "reject.expired",
        # what the till knows of the voucher without the platform
        "offline.already_redeemed_here",
        "offline.insufficient_cached_balance",
        "offline.revoked",
    }
)


@dataclass(frozen=True)
class Verdict:
    tone: str  # OK | ATTENTION | REFUSED | INFO
    headline: str
    detail: str = ""
    sound: str | None = None  # "accepted" | "attention" | "refused" | None


def money(cents: int | None, currency: str = "EUR") -> str:
    if cents is None:
        return "–"
    # a no-break space: "€" and the figure never end up on two lines
    return format_cents(cents, currency, lang=current_language()).replace(" ", "\u00a0")


def short_date(when: datetime | None) -> str:
    if when is None:
        return _("no expiry")
    return when.astimezone().strftime("%d/%m/%Y")


def tone_of(refused: Refused) -> str:
    """REFUSED for a voucher truly refused, ATTENTION for anything to wait for, fix or retry."""
    if refused.needs_pairing or refused.reason not in VOUCHER_REFUSALS:
        return ATTENTION
    return REFUSED


def verdict_for(outcome: object) -> Verdict:
    """The verdict of a redemption (or a refusal at the lookup)."""
    if isinstance(outcome, AcceptedOnline):
        detail = _("Voucher {code}: {amount} taken").format(
            code=outcome.voucher_code, amount=money(outcome.amount_cents)
        )
        if outcome.balance_after_cents is not None:
            detail += "\n" + _("Balance left: {balance}").format(
                balance=money(outcome.balance_after_cents)
            )
        return Verdict(OK, _("Accepted"), detail, "accepted")
    if isinstance(outcome, AcceptedOffline):
        detail = _("Voucher {code}: {amount} taken").format(
            code=outcome.voucher_code, amount=money(outcome.amount_cents)
        )
        if outcome.unconfirmed:
            headline = _("Accepted, to be confirmed")
            detail += "\n" + _("The platform's answer was lost: the till checks it by itself.")
        else:
            headline = _("Accepted offline")
            detail += "\n" + _("It will be sent to the platform when the line is back.")
        return Verdict(ATTENTION, headline, detail, "attention")
    if type(outcome).__name__ == "NeedsChoice":  # several platforms know this plain code
        return Verdict(
            ATTENTION,
            _("Which platform?"),
            _("Several platforms know this code: scan the voucher's QR code, it says which."),
            "attention",
        )
    if isinstance(outcome, Refused):
        words = refusal_words(outcome)
        if outcome.needs_pairing:  # the headline says what; the detail says what to do
            detail = _("Pair it again (F10): the redemptions waiting to be sent are kept.")
            return Verdict(ATTENTION, _("Till not recognised"), detail, "attention")
        if tone_of(outcome) == ATTENTION:
            return Verdict(ATTENTION, _("Attention"), words, "attention")
        return Verdict(REFUSED, _("Refused"), words, "refused")
    return Verdict(ATTENTION, _("Attention"), _("Something went wrong: please try again"))


def void_verdict(result: object) -> Verdict:
    if isinstance(result, Voided):
        detail = (
            _("The cancellation will be sent when the line is back.")
            if result.queued
            else _("The platform has cancelled it: the voucher can be used again.")
        )
        return Verdict(INFO, _("Redemption cancelled"), detail, "attention")
    if isinstance(result, Refused):
        if tone_of(result) == ATTENTION:  # the platform busy, the line, the disk: try again
            return Verdict(ATTENTION, _("Not cancelled"), refusal_words(result), "attention")
        return Verdict(REFUSED, _("Not cancelled"), refusal_words(result), "refused")
    return Verdict(ATTENTION, _("Attention"), _("Something went wrong: please try again"))


def refusal_words(refused: Refused) -> str:
    """The refusal in the current language; a reason missing from the catalog still reads well."""
    try:
        words = refused.text(current_language())
    except Exception:  # a catalog gap must never put a traceback on the counter
        log.exception("no words for refusal %s", refused.reason)
        words = ""
    if not words or words == refused.reason:
        return _("Something went wrong: please try again")
    return words
