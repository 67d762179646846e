"""Operator PINs: a salted slow hash (scrypt), a constant-time check and a lockout after misses.

A PIN is a few digits, so its hash alone protects little against someone who copies the file:
scrypt with a per-PIN random salt makes each guess cost memory and time, and the lockout makes
guessing at the counter slow. A PIN is never logged, never stored in clear and never part of an
exception's text. Qt-free.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from posapp.i18n import N_

MIN_LENGTH = 4
MAX_LENGTH = 8
SCHEME = "scrypt"
# scrypt cost: N=2^14, r=8, p=1 takes 16 MiB and ~50 ms a try on a till PC (OWASP's minimum).
COST_N = 2**14
COST_R = 8
COST_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MAX_ATTEMPTS = 3
FIRST_LOCKOUT_S = 30.0
MAX_LOCKOUT_S = 15 * 60.0

INVALID_PIN = N_("The PIN must be {min} to {max} digits.")
WRONG_PIN = N_("Wrong PIN.")
LOCKED = N_("Too many wrong PINs: try again in {seconds} seconds.")


class PinFormatError(ValueError):
    """The PIN is not 4-8 digits; the text never holds the PIN."""

    message = INVALID_PIN


class PinLocked(Exception):
    """Too many misses: no PIN is checked until `retry_after_s` seconds have passed."""

    message = LOCKED

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"locked for {retry_after_s:.0f} s")


def check_format(pin: str) -> None:
    """Raise PinFormatError unless `pin` is MIN_LENGTH..MAX_LENGTH ASCII digits."""
    if not isinstance(pin, str) or not (MIN_LENGTH <= len(pin) <= MAX_LENGTH):
        raise PinFormatError("PIN of the wrong length")
    if not (pin.isascii() and pin.isdigit()):
        raise PinFormatError("PIN with characters other than digits")


def hash_pin(pin: str) -> str:
    """`scrypt$N$r$p$salt$hash` (base64) of a well-formed PIN with a fresh random salt."""
    check_format(pin)
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(pin, salt, COST_N, COST_R, COST_P)
    return "$".join((SCHEME, str(COST_N), str(COST_R), str(COST_P), _b64(salt), _b64(key)))


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches `stored`; constant-time compare, False on any malformed hash."""
    if not isinstance(pin, str) or not isinstance(stored, str):
        return False
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return False
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return False
    if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and expected):
        return False
    candidate = _derive(pin, salt, n, r, p, len(expected))
    return hmac.compare_digest(candidate, expected)


def _derive(pin: str, salt: bytes, n: int, r: int, p: int, length: int = KEY_BYTES) -> bytes:
    maxmem = 128 * n * r * p + 1024 * 1024
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=length)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@dataclass
class _Misses:
    count: int = 0
    lockouts: int = 0
    locked_until: float = 0.0


class PinLimiter:
    """MAX_ATTEMPTS misses per key, then a lockout that doubles each time (30 s up to 15 min).

    Kept in memory on the monotonic clock, so changing the PC's date neither shortens nor lengthens
    it; a restart of the app clears it (a restart takes longer than a try, so it still slows
    guessing). A right PIN clears the misses of its key.
    """

    def __init__(
        self,
        max_attempts: int = MAX_ATTEMPTS,
        first_lockout_s: float = FIRST_LOCKOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_attempts = max_attempts
        self.first_lockout_s = first_lockout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._misses: dict[str, _Misses] = {}

    def check(self, key: str) -> None:
        """Raise PinLocked while `key` is locked out."""
        with self._lock:
            state = self._misses.get(key)
            if state is not None:
                remaining = state.locked_until - self._clock()
                if remaining > 0:
                    raise PinLocked(remaining)

    def failed(self, key: str) -> float:
        """Count a miss; returns the lockout now in force in seconds (0 when none)."""
        with self._lock:
            state = self._misses.setdefault(key, _Misses())
            state.count += 1
            if state.count < self.max_attempts:
                return 0.0
            delay = min(self.first_lockout_s * 2**state.lockouts, MAX_LOCKOUT_S)
            state.lockouts += 1
            state.count = 0
            state.locked_until = self._clock() + delay
            return delay

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._misses.pop(key, None)


__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "PinFormatError",
    "PinLimiter",
    "PinLocked",
    "check_format",
    "hash_pin",
    "verify_pin",
]
