"""The owner's history of redemptions: pages in keyset order, filters and full-text search.

A page never counts or skips rows (OFFSET over a million rows is slow, and rows arrive while the
owner scrolls): it continues strictly after the last row shown, by (occurred_at, rowid), newest
first, on an index that matches each filter (ledger_time, ledger_day_time, ledger_state_time,
ledger_operator, ledger_voided). Search is FTS5 over voucher codes and receipt numbers; its
results come in the order they were recorded (rowid, newest first), which FTS5 walks natively, so
a search matching half the ledger still answers a page at once.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date

# what the owner filters by; "voided" covers voids still queued for the platform too
STATES = ("pending", "accepted", "conflict", "refused", "voided")
_STATE_SQL = {
    "pending": "l.state = 'pending' AND l.voided_at IS NULL",
    "accepted": "l.state = 'accepted' AND l.voided_at IS NULL",
    "conflict": "l.state = 'conflict'",
    "refused": "l.state = 'refused'",
    "voided": "(l.voided_at IS NOT NULL OR l.state = 'voided')",
}
_TOKEN = re.compile(r"\w+", re.UNICODE)
SEARCH_MAX = 60


@dataclass(frozen=True)
class HistoryFilter:
    day: date | None = None
    state: str | None = None
    operator: str | None = None
    search: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class PageKey:
    """Where the next page starts: strictly older than this row."""

    occurred_at: str
    rowid: int


@dataclass(frozen=True)
class HistoryRow:
    rowid: int
    redemption_id: str
    account_id: str
    occurred_at: str
    voucher_code: str
    amount_cents: int
    currency: str
    till_id: int
    operator: str | None
    receipt_number: str | None
    offline: bool
    state: str  # one of STATES: the ledger's state with a void applied
    queued: bool  # still in the outbox (not yet told to the platform)
    reason_code: str | None
    voided_at: str | None

    @property
    def key(self) -> PageKey:
        return PageKey(self.occurred_at, self.rowid)


SELECT = (
    "SELECT l.rowid, l.redemption_id, l.account_id, l.occurred_at, l.voucher_code, "
    "l.amount_cents, l.currency, l.till_id, l.operator, l.receipt_number, l.offline, l.state, "
    "EXISTS (SELECT 1 FROM outbox o WHERE o.redemption_id = l.redemption_id), l.reason_code, "
    "l.voided_at FROM ledger l"
)


def fts_query(text: str) -> str | None:
    """The owner's typed text as one FTS5 phrase, its last token a prefix: "pug-7k3" finds
    PUG-7K3M-X9QA; None when there is nothing searchable."""
    tokens = _TOKEN.findall(text[:SEARCH_MAX])
    if not tokens:
        return None
    return '"' + " ".join(tokens) + '"*'


def _where(flt: HistoryFilter, after: PageKey | None) -> tuple[list[str], list[object]]:
    clauses: list[str] = []
    args: list[object] = []
    if flt.search:
        query = fts_query(flt.search)
        if query is None:
            clauses.append("0")
        else:
            clauses.append("ledger_fts MATCH ?")
            args.append(query)
    if flt.day is not None:
        clauses.append("l.local_day = ?")
        args.append(flt.day.isoformat())
    if flt.state is not None:
        if flt.state not in _STATE_SQL:
            raise ValueError(f"unknown state filter {flt.state!r}")
        clauses.append(_STATE_SQL[flt.state])
    if flt.operator is not None:
        clauses.append("l.operator = ?")
        args.append(flt.operator)
    if flt.account_id is not None:
        clauses.append("l.account_id = ?")
        args.append(flt.account_id)
    if after is not None and flt.search:
        clauses.append("ledger_fts.rowid < ?")
        args.append(after.rowid)
    elif after is not None:
        clauses.append("(l.occurred_at < ? OR (l.occurred_at = ? AND l.rowid < ?))")
        args.extend((after.occurred_at, after.occurred_at, after.rowid))
    return clauses, args


def from_raw(raw: tuple) -> HistoryRow:
    (rowid, rid, acct, when, code, cents, cur, till, op, receipt, offline, state, queued) = raw[:13]
    reason, voided_at = raw[13], raw[14]
    shown = "voided" if (voided_at is not None or state == "voided") else state
    return HistoryRow(
        rowid, rid, acct, when, code, cents, cur, till, op, receipt, bool(offline), shown,
        bool(queued), reason, voided_at,
    )  # fmt: skip


def page(
    conn: sqlite3.Connection,
    flt: HistoryFilter,
    after: PageKey | None = None,
    limit: int = 200,
) -> list[HistoryRow]:
    """Up to `limit` rows newest first, strictly after `after` (the last row already shown)."""
    clauses, args = _where(flt, after)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    if flt.search:  # FTS5 walks its index newest-recorded first and stops at the page's end
        source = " JOIN ledger_fts ON ledger_fts.rowid = l.rowid"
        sql = f"{SELECT}{source}{where} ORDER BY ledger_fts.rowid DESC LIMIT ?"
    else:
        sql = f"{SELECT}{where} ORDER BY l.occurred_at DESC, l.rowid DESC LIMIT ?"
    return [from_raw(r) for r in conn.execute(sql, (*args, limit))]


def operators(conn: sqlite3.Connection) -> list[str]:
    """Every operator name in the ledger, for the filter (a skip-scan of ledger_operator)."""
    names: list[str] = []
    row = conn.execute("SELECT MIN(operator) FROM ledger WHERE operator IS NOT NULL").fetchone()
    while row is not None and row[0] is not None:
        names.append(row[0])
        row = conn.execute(
            "SELECT MIN(operator) FROM ledger WHERE operator > ?", (row[0],)
        ).fetchone()
    return names


def rebuild_search(conn: sqlite3.Connection) -> None:
    """Rebuild the full-text index from the ledger (after anything that renumbered rowids)."""
    conn.execute("INSERT INTO ledger_fts (ledger_fts) VALUES ('rebuild')")
