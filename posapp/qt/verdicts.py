"""From an Outcome to what the counter shows and plays: colour, headline, detail, sound.

Green: the platform accepted the redemption. Orange: accepted without the platform (it will be
sent when the line is back), or something needs the shopkeeper's attention (the till must be paired
again, the platform is busy, the till's disk or database is in trouble). Red: refused, with the
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

# refusals that are not about the voucher: orange, the shopkeeper has something to do or wait for
ATTENTION_REASONS = frozenset(
    {
        "refused.pairing_needed",
        "needs_pairing",
        "refused.unauthorized",
        "refused.request_in_flight",
        "refused.service_unavailable",
        "refused.idempotency_key_missing",
        "refused.idempotency_key_mismatch",
        "offline.clock_went_back",
        "offline.stale_sync",
        "offline.no_account",
        "error.generic",
    }
)
ATTENTION_PREFIXES = ("store.", "api.", "clock.", "needs_pairing")


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
    reason = refused.reason
    if (
        refused.needs_pairing
        or reason in ATTENTION_REASONS
        or reason.startswith(ATTENTION_PREFIXES)
    ):
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
