"""Conflicts in plain words: what the platform's refusal of an offline sale means for the shop.

A conflict is a redemption the counter accepted offline (the customer left with the goods) that the
platform refused when it arrived. The money is not coming from the platform for it; the owner
decides what to do with the customer, then acknowledges it (it stays in the history either way).
"""

from __future__ import annotations

from dataclasses import dataclass

from posapp.core import messages
from posapp.core.store.outbox import Conflict


def meaning(reason_code: str, lang: str | None = None) -> str:
    """What a platform reason code means for the shop, in the current language (the words
    live with every other message, in posapp.core.messages: never the code itself)."""
    return messages.conflict_meaning(reason_code, lang)


@dataclass(frozen=True)
class ConflictView:
    conflict: Conflict
    meaning: str
    occurred_at: str | None  # of the redemption, from the ledger
    operator: str | None

    @property
    def acknowledged(self) -> bool:
        return self.conflict.acknowledged_at is not None
