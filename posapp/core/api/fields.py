"""Strict readers for the fields of one /v1 JSON object, shared by every answer the client parses.

Every failure is a BadResponseError naming the object and the field (never KeyError or TypeError),
so a platform that breaks the contract is one typed error, not a crash later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from posapp.core.api.errors import BadResponseError
from posapp.core.clock import parse_utc

T = TypeVar("T")


class FieldReader:
    """Typed access to one JSON object; every failure names the object and the field."""

    def __init__(self, raw: Any, what: str) -> None:
        if not isinstance(raw, Mapping):
            raise BadResponseError("bad_response", f"{what}: expected an object")
        self.raw = raw
        self.what = what

    def _fail(self, name: str, expected: str) -> BadResponseError:
        return BadResponseError("bad_response", f"{self.what}.{name}: expected {expected}")

    def _get(self, name: str) -> Any:
        """Every field of the contract is required; `nullable` ones may hold null."""
        if name not in self.raw:
            raise BadResponseError("bad_response", f"{self.what}.{name}: missing")
        return self.raw[name]

    def str(self, name: str, *, nullable: bool = False) -> Any:
        value = self._get(name)
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise self._fail(name, "a string")
        return value

    def int(self, name: str, *, nullable: bool = False) -> Any:
        value = self._get(name)
        if value is None and nullable:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(name, "an integer")
        return value

    def number(self, name: str, *, optional: bool = False) -> Any:
        """An int or float; `optional`: absent or null gives None (a field added later)."""
        if optional and self.raw.get(name) is None:
            return None
        value = self._get(name)
        if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
            raise self._fail(name, "a number")
        return float(value)

    def optional_str(self, name: str) -> Any:
        """A string or None, absent meaning None (a field added after the first contract)."""
        return None if self.raw.get(name) is None else self.str(name)

    def optional_int(self, name: str) -> Any:
        return None if self.raw.get(name) is None else self.int(name)

    def bool(self, name: str, *, nullable: bool = False) -> Any:
        value = self._get(name)
        if value is None and nullable:
            return None
        if not isinstance(value, bool):
            raise self._fail(name, "a boolean")
        return value

    def time(self, name: str, *, nullable: bool = False) -> Any:
        text = self.str(name, nullable=nullable)
        if text is None:
            return None
        try:
            return parse_utc(text)
        except (ValueError, OverflowError):  # "9999-12-31T23:59:59-23:59" overflows in UTC
            pass  # raised below, without the parser's error (it quotes the text) as context
        raise self._fail(name, "an ISO 8601 UTC timestamp")

    def day(self, name: str) -> date:
        text = self.str(name)
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        raise self._fail(name, "a date YYYY-MM-DD")

    def choice(self, name: str, allowed: frozenset[str]) -> str:
        value = self.str(name)
        if value not in allowed:
            raise self._fail(name, "one of " + ", ".join(sorted(allowed)))
        return value

    def list(self, name: str, parse: Callable[[Any], T]) -> tuple[T, ...]:
        value = self._get(name)
        if not isinstance(value, list):
            raise self._fail(name, "a list")
        return tuple(parse(item) for item in value)

    def cursor(self, name: str) -> str | None:
        """Cursors are opaque: a string or an integer on the wire, always a string here."""
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self._fail(name, "a cursor (string or integer)")
        return str(value)


__all__ = ["FieldReader"]
