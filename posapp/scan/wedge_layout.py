"""Undo one known keyboard-layout mix-up in USB scanner bursts: a US scanner on an Italian layout.

A keyboard-wedge scanner sends key positions, not characters; the operating system turns them into
text with the layout it is set to. A scanner left at its factory US layout on a till set to the
Italian layout types `-` as `'`, `/` as `-`, `:` as `ç`, `*` as `(`, `+` as `^`, `?` as `_`, `=` as
`ì`, `&` as `/` and `_` as `?` (letters, digits, space, `.`, `$` and `%` sit on the same keys). So
the plain code `ABCD-EFGH-123` arrives as `ABCD'EFGH'123` and `PV:...` as `PVç...`.

Undoing it is safe only where it is unambiguous, so `undo_us_on_italian` changes a text only when
all of these hold: the text as typed is no voucher code of any kind; every character is one that
this mix-up produces from a voucher payload character (so the mapping back is one-to-one); and the
mapped text is a well-formed voucher code (a plain or URL code with a valid check symbol, or a
signed code of the right length, whose signature is still checked later). Anything else is returned
unchanged and goes to the voucher parser as typed, which rejects it with a reason. Other layout
mix-ups (German Y/Z, French AZERTY digits) are not guessed at: docs/SCANNING.md tells shops to set
the scanner to the till's layout.
"""

from __future__ import annotations

import string

from posapp.core.codes import Rejection, RejectReason, parse_code

# What the US key for each payload character types under the Italian layout (changed ones only).
US_ON_ITALIAN = {
    "-": "'",
    "/": "-",
    ":": "ç",
    "*": "(",
    "+": "^",
    "?": "_",
    "=": "ì",
    "&": "/",
    "_": "?",
}
_SAME_KEYS = frozenset(string.ascii_letters + string.digits + " .$%")
_BACK = str.maketrans({typed: meant for meant, typed in US_ON_ITALIAN.items()})
_PRODUCED = _SAME_KEYS | frozenset(US_ON_ITALIAN.values())
_MARKERS = frozenset("'ç(^ì")  # in no voucher payload: only a mix-up types them
_MALFORMED = frozenset(
    {
        RejectReason.EMPTY,
        RejectReason.TOO_LONG,
        RejectReason.CONTROL_CHARACTERS,
        RejectReason.UNKNOWN_FORMAT,
        RejectReason.BAD_CHECK,
        RejectReason.BAD_ENCODING,
        RejectReason.BAD_LENGTH,
        RejectReason.UNSUPPORTED_VERSION,
    }
)


def _well_formed(text: str) -> bool:
    """A voucher code by its shape and check symbol (a signed one's key and signature aside)."""
    result = parse_code(text)
    return not (isinstance(result, Rejection) and result.reason in _MALFORMED)


def undo_us_on_italian(text: str) -> str:
    """`text` with a US-on-Italian layout mix-up undone when that is unambiguous; else unchanged."""
    if not text or not _MARKERS.intersection(text) or not _PRODUCED.issuperset(text):
        return text
    if _well_formed(text):
        return text
    meant = text.translate(_BACK)
    return meant if _well_formed(meant) else text
