"""Who is at the till: operators with a role and a PIN, kept in operators.json in the data dir.

Two roles: the owner (everything) and the cashier (redeem only: no settings, no void of another
operator's redemption). The book always keeps at least one owner, so the settings can always be
opened by someone. Only scrypt hashes of PINs are stored (posapp.core.pin); the file is written
atomically. A damaged file is refused, never replaced by an empty book: an empty book would let
anyone create a new owner. Qt-free.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import unicodedata
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from posapp.core.pin import PinLimiter, hash_pin, verify_pin
from posapp.core.settings import data_dir
from posapp.i18n import N_

log = logging.getLogger("posapp.operators")

FILE_NAME = "operators.json"
OWNER = "owner"
CASHIER = "cashier"
ROLES = (OWNER, CASHIER)
MAX_NAME = 40
Role = Literal["owner", "cashier"]


class OperatorError(ValueError):
    """A change the book refuses; `message` is an N_() text for the shopkeeper."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(message.format(**params) if params else message)


BAD_NAME = N_("A name must be 1 to {max} characters, without control characters.")
NAME_TAKEN = N_("There is already an operator called {name}.")
LAST_OWNER = N_("The till must keep at least one owner.")
UNKNOWN = N_("This operator no longer exists.")
DAMAGED = N_("The operators file is damaged: restore it from a backup.")


class OperatorBookDamaged(Exception):
    """operators.json exists but cannot be read; the app must not start a fresh book over it."""

    message = DAMAGED


@dataclass(frozen=True)
class Operator:
    operator_id: str
    name: str
    role: Role
    pin_hash: str

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER

    def __repr__(self) -> str:  # never print the hash, even in a traceback
        return f"Operator({self.operator_id!r}, {self.name!r}, {self.role!r})"


def clean_name(name: str) -> str:
    """The name trimmed, or OperatorError when empty, too long or holding control characters."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME:
        raise OperatorError(BAD_NAME, max=MAX_NAME)
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise OperatorError(BAD_NAME, max=MAX_NAME)
    return name


def may_open_settings(operator: Operator | None) -> bool:
    return operator is not None and operator.role == OWNER


def may_void(operator: Operator | None, row_operator: str | None) -> bool:
    """Owners void anything; a cashier only the redemptions made under their own name."""
    if operator is None:
        return row_operator is None
    return operator.role == OWNER or row_operator == operator.name


class OperatorBook:
    """The operators of this till; thread-safe, saved on every change."""

    def __init__(self, path: Path | None = None, limiter: PinLimiter | None = None) -> None:
        self.path = path or data_dir() / FILE_NAME
        self.limiter = limiter or PinLimiter()
        self._lock = threading.Lock()
        self._ops: dict[str, Operator] = self._load()

    # -- reading -------------------------------------------------------------------------------
    def operators(self) -> tuple[Operator, ...]:
        """Owners first, then by name."""
        with self._lock:
            ops = list(self._ops.values())
        return tuple(sorted(ops, key=lambda o: (o.role != OWNER, o.name.casefold())))

    def get(self, operator_id: str) -> Operator | None:
        with self._lock:
            return self._ops.get(operator_id)

    def by_name(self, name: str) -> Operator | None:
        key = name.strip().casefold()
        return next((o for o in self.operators() if o.name.casefold() == key), None)

    def is_empty(self) -> bool:
        with self._lock:
            return not self._ops

    def check_pin(self, operator_id: str, pin: str) -> Operator | None:
        """The operator when `pin` is theirs, else None; PinLocked after too many misses."""
        self.limiter.check(operator_id)
        op = self.get(operator_id)
        if op is not None and verify_pin(pin, op.pin_hash):
            self.limiter.succeeded(operator_id)
            return op
        delay = self.limiter.failed(operator_id)
        log.info("wrong PIN for operator %s%s", operator_id, " (locked)" if delay else "")
        return None

    # -- changing ------------------------------------------------------------------------------
    def add(self, name: str, role: Role, pin: str) -> Operator:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        name = clean_name(name)
        op = Operator(uuid.uuid4().hex[:12], name, role, hash_pin(pin))
        with self._lock:
            self._check_free(name, None)
            self._ops[op.operator_id] = op
            self._save()
        log.info("operator %s added (%s)", op.operator_id, role)
        return op

    def rename(self, operator_id: str, name: str) -> Operator:
        name = clean_name(name)
        with self._lock:
            self._check_free(name, operator_id)
            return self._replace(operator_id, name=name)

    def set_role(self, operator_id: str, role: Role) -> Operator:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        with self._lock:
            if role != OWNER:
                self._check_not_last_owner(operator_id)
            return self._replace(operator_id, role=role)

    def set_pin(self, operator_id: str, pin: str) -> Operator:
        pin_hash = hash_pin(pin)
        with self._lock:
            return self._replace(operator_id, pin_hash=pin_hash)

    def remove(self, operator_id: str) -> None:
        with self._lock:
            if operator_id not in self._ops:
                raise OperatorError(UNKNOWN)
            self._check_not_last_owner(operator_id)
            del self._ops[operator_id]
            self._save()
        log.info("operator %s removed", operator_id)

    # -- internals (caller holds the lock) -----------------------------------------------------
    def _replace(self, operator_id: str, **changes: Any) -> Operator:
        if operator_id not in self._ops:
            raise OperatorError(UNKNOWN)
        op = replace(self._ops[operator_id], **changes)
        self._ops[operator_id] = op
        self._save()
        return op

    def _check_free(self, name: str, own_id: str | None) -> None:
        key = name.casefold()
        if any(o.name.casefold() == key and o.operator_id != own_id for o in self._ops.values()):
            raise OperatorError(NAME_TAKEN, name=name)

    def _check_not_last_owner(self, operator_id: str) -> None:
        op = self._ops.get(operator_id)
        owners = [o for o in self._ops.values() if o.role == OWNER]
        if op is not None and op.role == OWNER and len(owners) <= 1:
            raise OperatorError(LAST_OWNER)

    def _load(self) -> dict[str, Operator]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise OperatorBookDamaged(type(exc).__name__) from None
        try:
            items = raw["operators"]
            ops = [_from_json(item) for item in items]
        except (KeyError, TypeError, ValueError) as exc:
            raise OperatorBookDamaged(type(exc).__name__) from None
        return {o.operator_id: o for o in ops}

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": 1, "operators": [_to_json(o) for o in self._ops.values()]}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".operators-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, indent=2, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _to_json(op: Operator) -> dict[str, str]:
    return {
        "operator_id": op.operator_id,
        "name": op.name,
        "role": op.role,
        "pin_hash": op.pin_hash,
    }


def _from_json(raw: Any) -> Operator:
    if not isinstance(raw, dict):
        raise ValueError("operator must be an object")
    values = [raw.get(k) for k in ("operator_id", "name", "role", "pin_hash")]
    if not all(isinstance(v, str) and v for v in values) or values[2] not in ROLES:
        raise ValueError("operator: missing or mistyped field")
    return Operator(values[0], clean_name(values[1]), values[2], values[3])


__all__ = [
    "CASHIER",
    "OWNER",
    "Operator",
    "OperatorBook",
    "OperatorBookDamaged",
    "OperatorError",
    "may_open_settings",
    "may_void",
]
