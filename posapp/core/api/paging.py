"""Cursor paging of the /v1 lists (vouchers, revocations): one page, and how to follow them.

A cursor is opaque and is persisted after each page, so a sync that stops half way resumes there;
a server that says "more" without moving the cursor is a broken contract, not an endless loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from posapp.core.api.errors import BadResponseError
from posapp.core.api.fields import FieldReader

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a cursor-paged list; pass `next_cursor` back to get what changed after it."""

    items: tuple[T, ...]
    next_cursor: str | None
    has_more: bool

    @classmethod
    def from_json(cls, raw: Any, parse: Callable[[Any], T]) -> Page[T]:
        r = FieldReader(raw, "page")
        return cls(r.list("items", parse), r.cursor("next_cursor"), r.bool("has_more"))


def page_params(cursor: str | None, limit: int) -> dict[str, Any]:
    if not 1 <= limit <= 500:
        raise ValueError("limit must be between 1 and 500")
    return {"limit": limit} if cursor is None else {"cursor": cursor, "limit": limit}


def follow_pages(
    fetch: Callable[[str | None, int], Page[Any]], cursor: str | None, limit: int
) -> Iterator:
    """Fetch pages until `has_more` is false, each from the cursor the previous one gave."""
    while True:
        page = fetch(cursor, limit)
        yield page
        if not page.has_more:
            return
        if page.next_cursor is None or page.next_cursor == cursor:
            raise BadResponseError("bad_response", "paging: has_more without a new cursor")
        cursor = page.next_cursor


__all__ = ["Page", "follow_pages", "page_params"]
