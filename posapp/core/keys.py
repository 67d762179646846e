"""The platform's Ed25519 signing keys, so a till can check a signed voucher code with no network.

A `KeyLookup` is all the code parser needs (`kid -> SigningKey | None`); a `KeySet` is the
in-memory one, filled from `GET /v1/keys` or by the sandbox, and its `get` is a `KeyLookup`.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from posapp.core.clock import parse_utc, utc_iso

ALGORITHM = "Ed25519"
KID_PATTERN = re.compile(r"[0-9a-f]{8}")
# Default start of validity for generated keys: fixed in the past, so a key made now is also valid
# under a ManualClock set earlier than the real time.
DEFAULT_NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SigningKey:
    """Public key valid from `not_before` (inclusive) to `not_after` (exclusive; None: open)."""

    kid: str
    public_key: bytes = field(repr=False)
    not_before: datetime
    not_after: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kid, str) or not KID_PATTERN.fullmatch(self.kid):
            raise ValueError("key id must be 8 lowercase hex characters")
        if not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
            raise ValueError("an Ed25519 public key is 32 raw bytes")
        for when in (self.not_before, self.not_after):
            if when is not None and when.tzinfo is None:
                raise ValueError("key validity needs timezone-aware datetimes")
        if self.not_after is not None and self.not_after <= self.not_before:
            raise ValueError("key validity window is empty")
        self._public  # noqa: B018 - reject a malformed point now, not at the first verify

    @cached_property
    def _public(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    def valid_at(self, when: datetime) -> bool:
        """True when `when` (aware) lies in [not_before, not_after)."""
        if when < self.not_before:
            return False
        return self.not_after is None or when < self.not_after

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True only for a good signature; never raises (a wrong type or size is simply False)."""
        binary = (bytes, bytearray)
        if not isinstance(message, binary) or not isinstance(signature, binary):
            return False
        if len(signature) != 64:
            return False
        try:
            self._public.verify(bytes(signature), bytes(message))
        except InvalidSignature:
            return False
        return True


KeyLookup = Callable[[str], SigningKey | None]


def _b64url_decode(text: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError("public_key must be a string")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("public_key is not base64url") from exc


def b64url_encode(raw: bytes) -> str:
    """base64url without padding: the wire form of a public key in `GET /v1/keys`."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class KeySet(Mapping[str, SigningKey]):
    """Known keys by key id; changed only through `add`."""

    def __init__(self, keys: Iterable[SigningKey] = ()) -> None:
        self._keys: dict[str, SigningKey] = {}
        for key in keys:
            self.add(key)

    def add(self, key: SigningKey) -> None:
        """Add or replace the key with this kid."""
        self._keys[key.kid] = key

    def get(self, kid: str, default: SigningKey | None = None) -> SigningKey | None:  # type: ignore[override]
        """The key with this kid, or None: usable as a `KeyLookup`."""
        return self._keys.get(kid, default)

    def __call__(self, kid: str) -> SigningKey | None:
        """A KeySet is itself a `KeyLookup`, so passing the set instead of `.get` works too."""
        return self._keys.get(kid)

    def __getitem__(self, kid: str) -> SigningKey:
        return self._keys[kid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeySet({sorted(self._keys)})"

    def to_api(self) -> list[dict[str, Any]]:
        """The `keys` list of `GET /v1/keys` (what the sandbox serves)."""
        return [key_to_api(key) for key in self._keys.values()]

    @classmethod
    def from_api(cls, items: list[dict[str, Any]]) -> KeySet:
        """Build from the `keys` list of `GET /v1/keys`.

        Keys of another algorithm are skipped (a newer platform may add some); a malformed Ed25519
        entry raises ValueError, so the caller reports a bad response rather than trust half of it.
        """
        if not isinstance(items, list):
            raise ValueError("keys must be a list")
        result = cls()
        for item in items:
            if not isinstance(item, dict):
                raise ValueError("each key must be an object")
            if item.get("algorithm") != ALGORITHM:
                continue
            try:
                not_after = item.get("not_after")
                key = SigningKey(
                    kid=item["kid"],
                    public_key=_b64url_decode(item["public_key"]),
                    not_before=parse_utc(item["not_before"]),
                    not_after=parse_utc(not_after) if not_after is not None else None,
                )
            except (KeyError, TypeError, AttributeError, OverflowError) as exc:
                raise ValueError(f"malformed key entry: {exc.__class__.__name__}") from exc
            result.add(key)
        return result


def key_to_api(key: SigningKey) -> dict[str, Any]:
    """One entry of `GET /v1/keys`."""
    return {
        "kid": key.kid,
        "algorithm": ALGORITHM,
        "public_key": b64url_encode(key.public_key),
        "not_before": utc_iso(key.not_before),
        "not_after": utc_iso(key.not_after) if key.not_after is not None else None,
    }


def generate_signing_key(
    kid: str | None = None,
    not_before: datetime = DEFAULT_NOT_BEFORE,
    not_after: datetime | None = None,
) -> tuple[bytes, SigningKey]:
    """A fresh key pair for the sandbox and tests: (32 raw private bytes, public SigningKey)."""
    private = Ed25519PrivateKey.generate()
    private_raw = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    public_raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    key = SigningKey(
        kid=kid if kid is not None else secrets.token_hex(4),
        public_key=public_raw,
        not_before=not_before,
        not_after=not_after,
    )
    return private_raw, key
