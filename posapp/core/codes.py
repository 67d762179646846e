"""Voucher codes: plain (typed), URL (a link holding a plain code) and signed (checkable offline).

`parse_code` is the one door every scanned or typed text goes through. It answers a `VoucherRef`
or a `Rejection` with a reason and never raises, so a bad scan at the counter is a message, not a
crash. It keeps nothing of the raw input and writes nothing anywhere.
"""

from __future__ import annotations

import struct
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from posapp.core import base45
from posapp.core.keys import KID_PATTERN, KeyLookup

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: value for value, symbol in enumerate(CROCKFORD)}
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
ID_SYMBOLS = 10
MAX_VOUCHER_ID = 2**50 - 1

SIGNED_PREFIX = "PV:"
SIGNED_VERSION = 1
SIGNED_CURRENCY = "EUR"
_RECORD = struct.Struct(">B4sQIII")  # version, kid, voucher id, shop id, value cents, expires_at
RECORD_SIZE = _RECORD.size  # 25
SIGNATURE_SIZE = 64
SIGNED_SIZE = RECORD_SIZE + SIGNATURE_SIZE  # 89

MAX_INPUT_CHARS = 512
_MAX_RAW = 8 * MAX_INPUT_CHARS  # bound the work done before stripping
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


class RejectReason(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    UNKNOWN_FORMAT = "unknown_format"
    BAD_CHECK = "bad_check"
    BAD_ENCODING = "bad_encoding"
    BAD_LENGTH = "bad_length"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_KEY = "unknown_key"
    KEY_NOT_VALID = "key_not_valid"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Rejection:
    """Why a text is no usable voucher code; `detail` is for logs, the UI maps `reason` to words."""

    reason: RejectReason
    detail: str = ""


@dataclass(frozen=True)
class VoucherRef:
    """What a code says about a voucher; `verified` only for a signed code that checked out."""

    kind: Literal["plain", "url", "signed"]
    code: str
    voucher_id: int
    host: str | None = None
    kid: str | None = None
    shop_id: int | None = None
    value_cents: int | None = None
    expires_at: datetime | None = None
    currency: str | None = None
    verified: bool = False


# --- plain codes ---------------------------------------------------------------------------------


def _luhn_sum(values: list[int], double_first: bool) -> int:
    """Luhn mod 32, right to left; doubling permutes 0..31, so any one substitution shows."""
    total = 0
    double = double_first
    for value in reversed(values):
        if double:
            value *= 2
            value = value // 32 + value % 32
        total += value
        double = not double
    return total % 32


def _check_symbol(values: list[int]) -> int:
    return (32 - _luhn_sum(values, double_first=True)) % 32


def encode_plain(voucher_id: int) -> str:
    """The printable code of a voucher id: `XXXX-XXXX-XXX` (10 Crockford symbols + 1 check)."""
    if isinstance(voucher_id, bool) or not isinstance(voucher_id, int):
        raise TypeError("voucher id must be an int")
    if not 0 <= voucher_id <= MAX_VOUCHER_ID:
        raise ValueError("voucher id out of range [0, 2**50)")
    values = [(voucher_id >> (5 * shift)) & 31 for shift in range(ID_SYMBOLS - 1, -1, -1)]
    values.append(_check_symbol(values))
    symbols = "".join(CROCKFORD[v] for v in values)
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


def _plain(text: str) -> tuple[str, int] | RejectReason:
    """(canonical code, voucher id), or UNKNOWN_FORMAT for a wrong shape, BAD_CHECK for a typo."""
    if not text.isascii():  # str.upper() would turn e.g. a dotless "ı" into "I"
        return RejectReason.UNKNOWN_FORMAT
    symbols = text.upper().replace(" ", "").replace("-", "").translate(_ALIASES)
    if len(symbols) != ID_SYMBOLS + 1 or any(s not in _VALUE for s in symbols):
        return RejectReason.UNKNOWN_FORMAT
    values = [_VALUE[s] for s in symbols]
    if _luhn_sum(values, double_first=False) != 0:
        return RejectReason.BAD_CHECK
    voucher_id = 0
    for value in values[:ID_SYMBOLS]:
        voucher_id = voucher_id * 32 + value
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}", voucher_id


def canonical_plain(text: str) -> str | None:
    """The canonical form of a typed plain code (any case, spaces, dashes, O/I/L), or None."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_CHARS:
        return None
    result = _plain(text.strip())
    return None if isinstance(result, RejectReason) else result[0]


# --- signed codes --------------------------------------------------------------------------------


def sign_code(
    private_key: bytes,
    kid: str,
    voucher_id: int,
    shop_id: int,
    value_cents: int,
    expires_at: datetime,
) -> str:
    """A signed code (`PV:` + base45(record || Ed25519 signature)); for the sandbox and tests."""
    if not KID_PATTERN.fullmatch(kid):
        raise ValueError("key id must be 8 lowercase hex characters")
    if not 0 <= voucher_id <= MAX_VOUCHER_ID:
        raise ValueError("voucher id out of range [0, 2**50)")
    if not (0 <= shop_id <= 0xFFFFFFFF and 0 <= value_cents <= 0xFFFFFFFF):
        raise ValueError("shop id and value must fit 32 unsigned bits")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    expires = int(expires_at.timestamp())
    if not 0 <= expires <= 0xFFFFFFFF:
        raise ValueError("expires_at must fit 32-bit unix seconds")
    record = _RECORD.pack(
        SIGNED_VERSION,
        bytes.fromhex(kid),
        voucher_id,
        shop_id,
        value_cents,
        expires,
    )
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(record)
    return SIGNED_PREFIX + base45.encode(record + signature)


def _signed(payload: str, keys: KeyLookup | None, now: datetime) -> VoucherRef | Rejection:
    try:
        blob = base45.decode(payload)
    except ValueError:
        return Rejection(RejectReason.BAD_ENCODING, "signed code is not valid base45")
    if not blob:
        return Rejection(RejectReason.BAD_LENGTH, "signed code is empty")
    if blob[0] != SIGNED_VERSION:
        return Rejection(RejectReason.UNSUPPORTED_VERSION, f"signed code version {blob[0]}")
    if len(blob) != SIGNED_SIZE:
        return Rejection(RejectReason.BAD_LENGTH, f"signed code is {len(blob)} bytes, not 89")
    record, signature = blob[:RECORD_SIZE], blob[RECORD_SIZE:]
    _version, kid_raw, voucher_id, shop_id, value_cents, expires = _RECORD.unpack(record)
    kid = kid_raw.hex()
    key = keys(kid) if keys is not None else None
    if key is None or key.kid != kid:
        return Rejection(RejectReason.UNKNOWN_KEY, f"no signing key {kid}")
    if not key.valid_at(now):
        return Rejection(RejectReason.KEY_NOT_VALID, f"signing key {kid} not valid now")
    if not key.verify(record, signature):
        return Rejection(RejectReason.BAD_SIGNATURE, f"signature does not verify with key {kid}")
    if voucher_id > MAX_VOUCHER_ID:
        return Rejection(RejectReason.UNKNOWN_FORMAT, "voucher id out of range")
    expires_at = datetime.fromtimestamp(expires, UTC)
    if expires_at < now:
        return Rejection(RejectReason.EXPIRED, f"voucher expired at {expires_at.isoformat()}")
    return VoucherRef(
        kind="signed",
        code=encode_plain(voucher_id),
        voucher_id=voucher_id,
        kid=kid,
        shop_id=shop_id,
        value_cents=value_cents,
        expires_at=expires_at,
        currency=SIGNED_CURRENCY,
        verified=True,
    )


# --- URLs ----------------------------------------------------------------------------------------


def _url(text: str) -> VoucherRef | Rejection:
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return Rejection(RejectReason.UNKNOWN_FORMAT, "malformed URL")
    if parts.scheme.lower() not in ("http", "https") or not host:
        return Rejection(RejectReason.UNKNOWN_FORMAT, "URL without http(s) host")
    query = parse_qs(parts.query)
    candidate = next((query[name][0] for name in ("code", "c") if query.get(name)), None)
    if candidate is None:
        segments = [s for s in parts.path.split("/") if s]
        if not segments:
            return Rejection(RejectReason.UNKNOWN_FORMAT, "URL holds no code")
        candidate = unquote(segments[-1])
    result = _plain(candidate)
    if isinstance(result, RejectReason):
        return Rejection(result, f"URL on {host[:40]} holds no valid plain code")
    code, voucher_id = result
    return VoucherRef(kind="url", code=code, voucher_id=voucher_id, host=host.lower())


# --- the door ------------------------------------------------------------------------------------


def _clean(text: str | bytes) -> str | Rejection:
    """Decode bytes, strip what scanners add, cap the length, refuse control characters."""
    if isinstance(text, bytes | bytearray | memoryview):
        raw = bytes(text)
        if len(raw) > _MAX_RAW:
            return Rejection(RejectReason.TOO_LONG, f"{len(raw)} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Rejection(RejectReason.BAD_ENCODING, "input bytes are not UTF-8")
    if not isinstance(text, str):
        return Rejection(RejectReason.UNKNOWN_FORMAT, f"input of type {type(text).__name__}")
    if len(text) > _MAX_RAW:
        return Rejection(RejectReason.TOO_LONG, f"{len(text)} characters")
    text = text.strip()
    if not text:
        return Rejection(RejectReason.EMPTY, "nothing but whitespace")
    if len(text) > MAX_INPUT_CHARS:
        return Rejection(RejectReason.TOO_LONG, f"{len(text)} characters")
    if any(unicodedata.category(ch) in _CONTROL_CATEGORIES for ch in text):
        return Rejection(RejectReason.CONTROL_CHARACTERS, "control characters inside the code")
    return text


def parse_code(
    text: str | bytes,
    keys: KeyLookup | None = None,
    now: datetime | None = None,
) -> VoucherRef | Rejection:
    """Scanned or typed text -> a `VoucherRef`, or a `Rejection` saying why not. Never raises.

    `keys` must not raise itself (a `KeySet.get` does not). A naive `now` is taken as UTC.
    """
    cleaned = _clean(text)
    if isinstance(cleaned, Rejection):
        return cleaned
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    # A keyboard-wedge scanner with Caps Lock on lower-cases everything; base45 has no lower case.
    if cleaned[: len(SIGNED_PREFIX)].upper() == SIGNED_PREFIX:
        return _signed(cleaned[len(SIGNED_PREFIX) :].upper(), keys, now)
    if cleaned[:8].lower().startswith(("http://", "https://")):
        return _url(cleaned)
    result = _plain(cleaned)
    if isinstance(result, RejectReason):
        detail = "not a voucher code" if result is RejectReason.UNKNOWN_FORMAT else "check symbol"
        return Rejection(result, detail)
    code, voucher_id = result
    return VoucherRef(kind="plain", code=code, voucher_id=voucher_id)
