"""Rebuild this till's history from the platform (`GET /v1/redemptions?scope=till`), after a lost
ledger was replaced by an older backup or by a fresh file.

Why: the platform holds every redemption it received; the till holds, besides, the offline ones
it has not sent yet. So a rebuild adds every redemption the platform has and the ledger lacks (as
settled rows, no outbox row: nothing to send), keeps every local row as it is (queued ones stay
queued), and says plainly what it cannot know: offline sales made after the last one the platform
received from this till, and never sent, exist nowhere else; the paper receipts are the only
trace.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from posapp.core import messages
from posapp.core.clock import utc_iso
from posapp.core.store import ledger, transaction
from posapp.core.store.ledger import LOCAL_TZ

STATES = {"accepted": "accepted", "voided": "voided", "refused": "refused"}


@dataclass(frozen=True)
class RebuildReport:
    account_id: str
    added: int
    already_known: int
    still_queued: int  # local redemptions the platform does not have yet: kept, will be sent
    last_received: datetime | None  # the newest redemption the platform has from this till

    def text(self, lang: str = "it") -> str:
        """What could not be recovered, in words (always said: it is the honest limit)."""
        when = "—" if self.last_received is None else _local(self.last_received)
        return messages.text("ledger.rebuild_gap", lang, when=when)


def rebuild_history(service, account_id: str, scope: str = "till") -> RebuildReport:
    """Page through the platform's list of this till's redemptions and fill the ledger's gaps.
    Network on the caller's thread; each page is one short store transaction."""
    till = service.tills[account_id]
    added = known = 0
    newest: datetime | None = None
    cursor: str | None = None
    while True:
        page = till.client.redemptions(cursor=cursor, limit=500, scope=scope)
        got, had = service.store.call(_fill_txn, account_id, list(page.items))
        added, known = added + got, known + had
        for item in page.items:
            if newest is None or item.recorded_at > newest:
                newest = item.recorded_at
        if not page.has_more or not page.next_cursor:
            break
        cursor = page.next_cursor
    queued = service.store.call(ledger.pending_stats, account_id).count
    return RebuildReport(account_id, added, known, queued, newest)


def _fill_txn(conn: sqlite3.Connection, account_id: str, items: list) -> tuple[int, int]:
    added = 0
    with transaction(conn):
        for item in items:
            when = item.occurred_at if item.offline else item.recorded_at
            local = when.astimezone(LOCAL_TZ)
            cur = conn.execute(
                "INSERT OR IGNORE INTO ledger (redemption_id, account_id, voucher_code, "
                "voucher_id, amount_cents, currency, till_id, occurred_at, offline, state, "
                "balance_after_cents, reason_code, reason_message, voided_at, void_reason, "
                "local_day, local_hour, settled_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item.redemption_id,
                    account_id,
                    item.voucher_code,
                    item.voucher_id or 0,
                    item.amount_cents,
                    item.currency,
                    item.till_id,
                    utc_iso(when),
                    int(item.offline),
                    STATES.get(item.status, "conflict"),
                    item.balance_after_cents,
                    item.reason_code,
                    item.reason_message,
                    utc_iso(item.voided_at) if item.voided_at else None,
                    item.void_reason,
                    local.date().isoformat(),
                    local.hour,
                    utc_iso(item.recorded_at),
                ),
            )
            added += cur.rowcount
    return added, len(items) - added


def _local(when: datetime) -> str:
    return when.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


__all__ = ["RebuildReport", "rebuild_history"]
