"""The shop's staff in the operator tests: Maria the owner (PIN 4821), Luca a cashier (1357)."""

from __future__ import annotations

from posapp.core.operators import CASHIER, OWNER, OperatorBook

OWNER_PIN, CASHIER_PIN = "4821", "1357"


def maria_and_luca() -> OperatorBook:
    """A fresh book (in the data folder the test isolates) holding the owner and a cashier."""
    book = OperatorBook()
    book.add("Maria", OWNER, OWNER_PIN)
    book.add("Luca", CASHIER, CASHIER_PIN)
    return book
