"""The owner's history of redemptions: page queries in keyset order and full-text search."""

from __future__ import annotations

import sqlite3


def rebuild_search(conn: sqlite3.Connection) -> None:
    """Rebuild the full-text index from the ledger (after anything that renumbered rowids)."""
    conn.execute("INSERT INTO ledger_fts (ledger_fts) VALUES ('rebuild')")
