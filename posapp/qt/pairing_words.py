"""Plain words for what can go wrong while pairing, and what to install when there is no keyring.

Never an HTTP status or an exception's text: each error type and platform code has its sentence.
"""

from __future__ import annotations

from posapp.core.accounts import AccountConflict
from posapp.core.api.errors import (
    BadResponseError,
    InvalidApiUrl,
    OfflineError,
    RefusedError,
    ServerError,
    UnauthorizedError,
)
from posapp.core.repair import RepairError
from posapp.i18n import N_, current_language, tr

CODE_WORDS = {
    "pairing_code_invalid": N_(
        "The platform does not know this pairing code. Check it (letters and digits) or ask "
        "for a new one."
    ),
    "pairing_code_used": N_(
        "This pairing code was already used. Ask the platform for a new one: each code pairs "
        "one till only."
    ),
    "pairing_code_expired": N_("This pairing code has expired. Ask the platform for a new one."),
    "pairing_code_locked": N_(
        "This pairing code was blocked after too many wrong attempts. Ask the platform for a "
        "new one."
    ),
    "invalid_request": N_(
        "The platform did not accept this till's name or code. Use letters, digits and spaces "
        "for the name, check the code, and try again."
    ),
    "too_many_requests": N_(
        "Too many pairing attempts in a short time. Wait a minute, then try again with the "
        "right code."
    ),
}
UNREACHABLE = N_(
    "The platform cannot be reached. Check the address and the internet connection, then try again."
)
INVALID_ADDRESS = N_(
    "This address cannot be used. It must look like https://buoni.comune.example (plain http "
    "only for a platform on this computer)."
)
NOT_A_PLATFORM = N_("This address does not answer like a voucher platform. Check it.")
PLATFORM_TROUBLE = N_("The platform has a problem right now. Try again in a few minutes.")
CONFLICT = N_(
    "This till is already paired with another platform of the same name at another address. "
    "Ask for help before pairing it again."
)
REFUSED = N_("The platform refused the pairing. Ask it for a new pairing code.")
UNKNOWN = N_("Pairing did not work. Try again; if it keeps failing, ask for help.")

KEYRING_INTRO = N_(
    "The till's key proves to the platform that this is your till. It is kept only in the "
    "operating system's keyring, never in a file, and this computer has none available."
)
KEYRING_LINUX = N_(
    "On Linux: install a keyring service (for example the packages gnome-keyring and "
    "libsecret-1-0, or KWallet on KDE), log in to the desktop session so that it is unlocked, "
    "then press Try again."
)
KEYRING_WINDOWS = N_(
    "On Windows: the Credential Manager is part of the system. Log in with your own user "
    "account (not a temporary profile), then press Try again."
)
KEYRING_MAC = N_(
    "On macOS: the Keychain is part of the system. Open Keychain Access, unlock the login "
    "keychain, then press Try again."
)


def error_text(exc: object) -> str:
    """The sentence for a pairing failure (a platform code, a network failure, a bad address)."""
    if isinstance(exc, RepairError):  # PosService.repair's own refusals
        if exc.code in CODE_WORDS:
            return tr(CODE_WORDS[exc.code])
        return tr(UNREACHABLE) if exc.code == "no_answer" else exc.text(current_language())
    if isinstance(exc, InvalidApiUrl):
        return tr(INVALID_ADDRESS)
    if isinstance(exc, AccountConflict):
        return tr(CONFLICT)
    if isinstance(exc, OfflineError):
        return tr(UNREACHABLE)
    if isinstance(exc, BadResponseError):
        return tr(NOT_A_PLATFORM)
    if isinstance(exc, ServerError):
        busy = exc.status == 429 or exc.code == "too_many_requests"
        return tr(CODE_WORDS["too_many_requests"] if busy else PLATFORM_TROUBLE)
    if isinstance(exc, RefusedError | UnauthorizedError):
        return tr(CODE_WORDS.get(exc.code, REFUSED))
    return tr(UNKNOWN)


def keyring_help(platform: str) -> str:
    """Why a keyring is needed, and what to do on this operating system (`sys.platform`)."""
    if platform.startswith("win"):
        how = KEYRING_WINDOWS
    elif platform == "darwin":
        how = KEYRING_MAC
    else:
        how = KEYRING_LINUX
    return f"{tr(KEYRING_INTRO)}\n\n{tr(how)}"


__all__ = ["error_text", "keyring_help"]
