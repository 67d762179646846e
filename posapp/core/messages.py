"""What the shopkeeper reads: every refusal, rejection and status, keyed by machine code.

Qt-free so the core, the CLI and the tests share one table; the Qt layer shows these strings and
never an HTTP status or exception text. Keys are `<group>.<machine code>`, so a reason code from the
parser or the API maps to words with no table in between. Each key maps to an English msgid marked
with `N_()`: the translations live in the gettext catalogs (posapp/locale, see posapp/i18n.py), so
this module holds no Italian. Money and times arrive already formatted (see `money.format_cents`)
as `{placeholder}` parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from posapp.i18n import DEFAULT_LANG, LANGUAGES, MISSING_PARAM, N_, fill, placeholders, tr

__all__ = [
    "CATALOG",
    "CONFLICT_MEANINGS",
    "DEFAULT_LANG",
    "GENERIC_KEY",
    "LANGUAGES",
    "MESSAGES",
    "MISSING_PARAM",
    "conflict_meaning",
    "msgid",
    "placeholders",
    "text",
]

GENERIC_KEY = "error.generic"

MESSAGES: dict[str, str] = {
    GENERIC_KEY: N_("Something went wrong: please try again"),
    # the code parser (codes.RejectReason)
    "reject.empty": N_("No code was read"),
    "reject.too_long": N_("Code too long: this is not a voucher"),
    "reject.control_characters": N_("Unreadable code: it contains invalid characters"),
    "reject.unknown_format": N_("This code is not a voucher"),
    "reject.bad_check": N_("Wrong code: check that it was typed correctly"),
    "reject.bad_encoding": N_("Unreadable code: please scan it again"),
    "reject.bad_length": N_("Incomplete or damaged code: please scan it again"),
    "reject.unsupported_version": N_("Voucher type not supported yet: please update the app"),
    "reject.unknown_key": N_("The voucher cannot be checked: unknown signature"),
    "reject.key_not_valid": N_("The voucher's signature has expired or is not valid yet"),
    "reject.bad_signature": N_("Voucher not genuine: the signature does not match"),
    "reject.expired": N_("Voucher expired"),
    # the platform's business refusals (API error codes)
    "refused.unknown_voucher": N_("Unknown voucher"),
    "refused.voucher_used": N_("Voucher already used"),
    "refused.insufficient_balance": N_("Not enough credit: {balance} left"),
    "refused.partial_not_allowed": N_("This voucher must be used in full at once"),
    "refused.voucher_expired": N_("Voucher expired"),
    "refused.voucher_cancelled": N_("Voucher cancelled"),
    "refused.other_shop": N_("This voucher belongs to another shop"),
    "refused.currency_mismatch": N_("The currency does not match the voucher"),
    "refused.invalid_amount": N_("Invalid amount"),
    "refused.void_window_expired": N_("Too late to cancel this redemption"),
    "refused.idempotency_key_reused": N_(
        "Already recorded with different details: please scan again"
    ),
    "refused.request_in_flight": N_("Still being processed: wait a few seconds"),
    "refused.not_voidable": N_("This redemption cannot be cancelled"),
    "refused.unknown_redemption": N_("Redemption not found on the platform"),
    "refused.pairing_needed": N_(
        "This till is no longer connected: pair it with the platform again"
    ),
    "repair.pairing_code_invalid": N_("Wrong pairing code: check it and try again"),
    "repair.pairing_code_used": N_("This pairing code was already used: ask for a new one"),
    "repair.pairing_code_expired": N_("The pairing code has expired: ask for a new one"),
    "repair.refused": N_("The platform refused the pairing: ask for a new code"),
    "repair.no_answer": N_(
        "No answer: try again with a new code (the waiting redemptions are kept)"
    ),
    "repair.other_platform": N_("This address belongs to another platform"),
    "repair.other_shop": N_("The code is for another shop: ask for a code for this shop"),
    "repair.unknown_account": N_("This platform is not set up on this till"),
    "repair.pairing_code_locked": N_(
        "This pairing code is blocked after too many wrong attempts: ask for a new one"
    ),
    "repair.too_many_requests": N_("Too many attempts in a short time: wait a minute, then retry"),
    "ledger.db_missing": N_(
        "The sales database is missing: restore a backup with 'posapp restore'"
    ),
    "ledger.db_empty": N_("The sales database is empty: restore a backup with 'posapp restore'"),
    "ledger.db_damaged": N_(
        "The sales database is damaged: restore a backup with 'posapp restore'"
    ),
    "ledger.db_foreign": N_(
        "Another till's sales database: restore this one's with 'posapp restore'"
    ),
    "ledger.db_read_only": N_("The sales database cannot be written: check the file's permissions"),
    "ledger.rebuild_gap": N_("Offline sales after {when} that were never sent cannot be recovered"),
    "choice.which_platform": N_(
        "This code exists on more than one platform: choose the voucher's one"
    ),
    "needs_pairing": N_("Till not recognised: pair it again (the waiting redemptions are kept)"),
    "clock.pc_clock_ahead": N_("The PC's clock is {minutes} min ahead: correct the date and time"),
    "clock.pc_clock_behind": N_(
        "The PC's clock is {minutes} min behind: correct the date and time"
    ),
    "refused.idempotency_key_missing": N_(
        "Incomplete request: try again, and call support if it happens again"
    ),
    "refused.idempotency_key_mismatch": N_(
        "Inconsistent request: try again, and call support if it happens again"
    ),
    "refused.pairing_code_invalid": N_("Pairing code not valid: check it"),
    "refused.pairing_code_used": N_("Pairing code already used: ask for a new one"),
    "refused.pairing_code_expired": N_("Pairing code expired: ask for a new one"),
    "refused.invalid_cursor": N_("The voucher update has to start again"),
    "refused.unauthorized": N_("This till is no longer authorised: pair it again"),
    "refused.invalid_request": N_("The platform refused the data: check the amount and try again"),
    "refused.service_unavailable": N_("The platform is briefly unavailable: try again shortly"),
    "refused.offline_time_out_of_bounds": N_(
        "The platform does not believe the sale's time: check the PC's date and time"
    ),
    "refused.pairing_code_locked": N_(
        "Pairing code blocked after too many wrong attempts: ask for a new one"
    ),
    "refused.too_many_requests": N_("Too many attempts in a short time: wait a minute, then retry"),
    "refused.payload_too_large": N_(
        "Too much data sent at once: try again, and call support if it happens again"
    ),
    "refused.not_found": N_("The platform does not know this request: the app may need an update"),
    "refused.method_not_allowed": N_(
        "The platform does not accept this request: the app may need an update"
    ),
    "refused.http_error": N_(
        "The platform could not serve the request: try again, and call support if it persists"
    ),
    "refused.internal_error": N_("The platform has a problem: try again later"),
    # the API client's own codes (posapp.core.api.errors), when no server reason applies
    "api.not_paired": N_("This till is not paired: pair it with the platform"),
    "api.timeout": N_("The platform did not answer in time"),
    "api.unreachable": N_("The platform cannot be reached: check the connection"),
    "api.tls_error": N_("The secure connection failed: the network may require a sign-in"),
    "api.invalid_url": N_("The platform address is not valid or not secure (https is needed)"),
    "api.bad_response": N_("The platform gave an answer that makes no sense: try again later"),
    "api.server_error": N_("The platform has a problem: try again later"),
    "accounts.platform_conflict": N_(
        "This till is already paired with a platform of the same name: remove it first"
    ),
    "credentials.unavailable": N_("No system keyring: the till's access cannot be stored safely"),
    # the local database (posapp.core.store StoreError codes)
    "store.disk_full": N_("The disk is full: nothing was saved, free some space"),
    "store.db_busy": N_("The records are in use by another program: try again"),
    "store.db_corrupt": N_("The records are damaged: call support"),
    "store.db_unwritable": N_("The records cannot be written: check the permissions"),
    "store.db_unsafe": N_("The records cannot be kept safely on this disk: call support"),
    "store.db_too_new": N_("The records come from a newer version: update the app"),
    "store.db_closed": N_("The records are closed: restart the app"),
    "store.db_error": N_("Problem with the records: nothing was saved, try again"),
    # the offline policy
    "offline.not_proven": N_("This voucher cannot be checked without a connection"),
    "offline.clock_went_back": N_(
        "The computer's clock went back: check date and time; a connection is needed"
    ),
    "offline.stale_sync": N_("No update for more than {hours} hours: a connection is needed"),
    "offline.over_value_cap": N_("Without a connection the limit per voucher is {cap}"),
    "offline.over_pending_count": N_(
        "Too many redemptions waiting to be sent (limit {cap}): a connection is needed"
    ),
    "offline.over_pending_value": N_(
        "Total waiting to be sent is over {cap}: a connection is needed"
    ),
    "offline.already_redeemed_here": N_("Voucher already used at this till"),
    "offline.insufficient_cached_balance": N_("Not enough credit: {balance} left (last known)"),
    "offline.revoked": N_("Voucher withdrawn by the platform"),
    "offline.no_account": N_("No platform is set up for this voucher"),
    # status bar and verdicts
    "status.online": N_("Online"),
    "status.offline": N_("Offline"),
    "status.pending": N_("{count} waiting to be sent"),
    "status.oldest": N_("oldest waiting {age}"),
    "status.last_sync": N_("Last update: {when}"),
    "verdict.accepted": N_("Accepted"),
    "verdict.accepted_offline": N_("Accepted offline: it will be sent as soon as possible"),
    "verdict.refused": N_("Refused"),
    "verdict.confirm": N_("Press Enter to confirm"),
}

# What a platform code on a conflict (an offline sale or cancellation the platform refused when it
# arrived) means for the shop: the owner's conflict list shows these, never the code.
_TECHNICAL = N_(
    "The platform could not accept this sale because of a technical fault. It will not pay "
    "this amount unless support settles it: call support and keep the receipt."
)
_TRANSIENT = N_(
    "The platform was busy or had a fault when this arrived: the till sends it again by "
    "itself. Nothing to do for now."
)
_NOT_A_SALE = N_(
    "A problem while pairing the till, not with a sale: what the platform pays is unchanged."
)
CONFLICT_FALLBACK = N_(
    "The platform refused this sale for a reason this version of posapp does not know. It "
    "will not pay this amount unless support settles it: update the app or call support."
)
CONFLICT_MEANINGS: dict[str, str] = {
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
    "currency_mismatch": N_(
        "The sale was recorded in a currency other than the voucher's. The platform will not "
        "pay this amount."
    ),
    "invalid_amount": N_(
        "The platform did not accept the amount recorded for this sale. The platform will not "
        "pay this amount."
    ),
    "not_voidable": N_(
        "The cancellation was not applied: the platform holds this redemption as already "
        "cancelled or no longer cancellable. It is paid as the history shows."
    ),
    "unknown_redemption": N_(
        "The cancellation is for a sale the platform never received: there is nothing to "
        "cancel, and nothing is paid for that sale."
    ),
    "unauthorized": N_(
        "The platform no longer recognised this till when this arrived. Pair the till again: "
        "until then the platform will not pay this amount."
    ),
    **dict.fromkeys(
        ("request_in_flight", "service_unavailable", "too_many_requests", "internal_error"),
        _TRANSIENT,
    ),
    **dict.fromkeys(
        (
            "pairing_code_invalid",
            "pairing_code_used",
            "pairing_code_expired",
            "pairing_code_locked",
        ),
        _NOT_A_SALE,
    ),
    **dict.fromkeys(
        (
            "http_error",
            "method_not_allowed",
            "not_found",
            "invalid_request",
            "invalid_cursor",
            "idempotency_key_missing",
            "idempotency_key_mismatch",
            "payload_too_large",
        ),
        _TECHNICAL,
    ),
}


def conflict_meaning(code: str, lang: str | None = None) -> str:
    """What a platform code on a conflict means for the shop (never the code itself)."""
    return tr(CONFLICT_MEANINGS.get(code, CONFLICT_FALLBACK), lang)


def msgid(key: str) -> str:
    """The English msgid behind `key` (the generic message for an unknown key)."""
    return MESSAGES.get(key) or MESSAGES[GENERIC_KEY]


def text(key: str, lang: str | None = None, **params: object) -> str:
    """The message for `key` in `lang` (default: the current language; Italian if unknown).

    An unknown key gives the generic message; a missing parameter shows as an ellipsis.
    """
    return fill(tr(msgid(key), lang), params)


class _Catalog(Mapping[str, dict[str, str]]):
    """Read-only `CATALOG[key][lang]` over the gettext catalogs, for callers of the old table."""

    def __getitem__(self, key: str) -> dict[str, str]:
        message = MESSAGES[key]
        return {lang: tr(message, lang) for lang in LANGUAGES}

    def __iter__(self) -> Iterator[str]:
        return iter(MESSAGES)

    def __len__(self) -> int:
        return len(MESSAGES)


CATALOG: Mapping[str, dict[str, str]] = _Catalog()
