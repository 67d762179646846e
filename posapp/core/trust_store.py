"""What the till must remember about trust across restarts, in the database's sync_state table:
the trusted-time high-water mark and PC clock offset, and which accounts need pairing again.

Kept in the ledger's own file (not in settings.json) so it travels with the queue it protects: a
restored backup brings its own "needs pairing" flags and its own last time used.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from posapp.core.clock import parse_utc, utc_iso
from posapp.core.store import cache, transaction

TILL = "_till"  # sync_state rows that belong to the till, not to one platform account
HIGH_WATER = "time_high_water"
OFFSET = "pc_clock_offset_s"
NEEDS_PAIRING = "needs_pairing"


def load_time(conn: sqlite3.Connection) -> tuple[datetime | None, float | None]:
    mark = cache.get_state(conn, TILL, HIGH_WATER)
    offset = cache.get_state(conn, TILL, OFFSET)
    try:
        return (parse_utc(mark) if mark else None, float(offset) if offset else None)
    except ValueError:
        return None, None


def save_time_txn(conn: sqlite3.Connection, mark: datetime, offset_s: float | None) -> None:
    with transaction(conn):
        cache.set_state(conn, TILL, HIGH_WATER, utc_iso(mark))
        if offset_s is not None:
            cache.set_state(conn, TILL, OFFSET, f"{offset_s:.3f}")


def paired_out(conn: sqlite3.Connection) -> set[str]:
    """The accounts whose token the platform refused (401), until they are paired again."""
    rows = conn.execute(
        "SELECT account_id FROM sync_state WHERE key = ? AND value = '1'", (NEEDS_PAIRING,)
    )
    return {r[0] for r in rows}


def set_needs_pairing_txn(conn: sqlite3.Connection, account_id: str, needed: bool) -> None:
    with transaction(conn):
        if needed:
            cache.set_state(conn, account_id, NEEDS_PAIRING, "1")
        else:
            conn.execute(
                "DELETE FROM sync_state WHERE account_id = ? AND key = ?",
                (account_id, NEEDS_PAIRING),
            )


__all__ = ["load_time", "paired_out", "save_time_txn", "set_needs_pairing_txn"]
