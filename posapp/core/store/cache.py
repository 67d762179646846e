"""What the till knows of the platform for offline checks: vouchers, keys, revocations, cursors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from posapp.core.api.models import Revocation, VoucherInfo
from posapp.core.clock import parse_utc, utc_iso
from posapp.core.keys import SigningKey


@dataclass(frozen=True)
class CachedVoucher:
    account_id: str
    voucher_id: int
    code: str
    shop_id: int
    status: str
    face_value_cents: int
    server_balance_cents: int
    currency: str
    expires_at: datetime | None
    partial_allowed: bool
    updated_at: str


LEARNED = "learned_seq"  # sync_state key: this account's counter of balances learned from results


def upsert_vouchers(
    conn: sqlite3.Connection,
    account_id: str,
    items: Iterable[VoucherInfo],
    now: datetime,
    fence: int | None = None,
) -> int:
    """Store a page of the voucher list (caller holds the transaction). `fence` is
    `learned_counter` read before the page was requested: a balance the till learned after it
    may be fresher than the page, so the page can lower it but never raise it; a balance learned
    before it is superseded by the page. None: no result can overlap (a bench, a fresh file)."""
    rows = [
        (
            account_id,
            v.voucher_id,
            v.code,
            v.shop_id,
            v.status,
            v.face_value_cents,
            v.balance_cents,
            v.currency,
            utc_iso(v.expires_at) if v.expires_at else None,
            int(v.partial_allowed),
            utc_iso(now),
        )
        for v in items
    ]
    conn.executemany(
        "INSERT OR REPLACE INTO vouchers (account_id, voucher_id, code, shop_id, status, "
        "face_value_cents, server_balance_cents, currency, expires_at, partial_allowed, "
        "updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    if fence is not None:
        keys = [(account_id, row[1]) for row in rows]
        conn.executemany(
            "UPDATE vouchers SET "
            "status = CASE WHEN status IN ('valid', 'partly_used', 'used') AND lb.balance_cents < "
            "server_balance_cents THEN CASE WHEN lb.balance_cents <= 0 THEN 'used' "
            "ELSE 'partly_used' END ELSE status END, "
            "server_balance_cents = MIN(server_balance_cents, lb.balance_cents) "
            "FROM learned_balances AS lb WHERE lb.account_id = vouchers.account_id "
            "AND lb.voucher_id = vouchers.voucher_id AND lb.seq > ? "
            "AND vouchers.account_id = ? AND vouchers.voucher_id = ?",
            [(fence, *key) for key in keys],
        )
        conn.executemany(
            "DELETE FROM learned_balances WHERE seq <= ? AND account_id = ? AND voucher_id = ?",
            [(fence, *key) for key in keys],
        )
    return len(rows)


def learned_counter(conn: sqlite3.Connection, account_id: str) -> int:
    """How many balances this till has learned from its own results (the download fence)."""
    value = get_state(conn, account_id, LEARNED)
    return int(value) if value else 0


def get_voucher(conn: sqlite3.Connection, account_id: str, voucher_id: int) -> CachedVoucher | None:
    row = conn.execute(
        "SELECT account_id, voucher_id, code, shop_id, status, face_value_cents, "
        "server_balance_cents, currency, expires_at, partial_allowed, updated_at FROM vouchers "
        "WHERE account_id = ? AND voucher_id = ?",
        (account_id, voucher_id),
    ).fetchone()
    if row is None:
        return None
    values = list(row)
    values[8] = parse_utc(values[8]) if values[8] else None
    values[9] = bool(values[9])
    return CachedVoucher(*values)


def set_server_balance(
    conn: sqlite3.Connection, account_id: str, voucher_id: int | None, balance: int | None
) -> None:
    """One of our redemptions was confirmed with `balance` after it (caller holds the
    transaction). Results arrive late and out of order (a replay returns the first answer; an
    online redeem and a sync batch overlap), so a result only ever lowers the cached balance;
    only the voucher-list download raises it (a void, a top-up). The balance is also noted in
    `learned_balances`, so that a page already on its way cannot raise it either."""
    if voucher_id is None or balance is None:
        return
    seq = learned_counter(conn, account_id) + 1
    set_state(conn, account_id, LEARNED, str(seq))
    conn.execute(
        "INSERT INTO learned_balances (account_id, voucher_id, balance_cents, seq) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account_id, voucher_id) DO UPDATE SET "
        "balance_cents = MIN(balance_cents, excluded.balance_cents), seq = excluded.seq",
        (account_id, voucher_id, balance, seq),
    )
    conn.execute(
        "UPDATE vouchers SET status = CASE WHEN status IN ('valid', 'partly_used', 'used') "
        "AND ?1 < server_balance_cents THEN CASE WHEN ?1 <= 0 THEN 'used' ELSE 'partly_used' END "
        "ELSE status END, server_balance_cents = MIN(server_balance_cents, ?1) "
        "WHERE account_id = ?2 AND voucher_id = ?3",
        (balance, account_id, voucher_id),
    )


def replace_keys(conn: sqlite3.Connection, account_id: str, keys: Iterable[SigningKey]) -> None:
    """The platform's key list is small and authoritative: replace it whole on rotation."""
    conn.execute("DELETE FROM signing_keys WHERE account_id = ?", (account_id,))
    conn.executemany(
        "INSERT INTO signing_keys (account_id, kid, public_key, not_before, not_after) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (
                account_id,
                k.kid,
                k.public_key,
                utc_iso(k.not_before),
                utc_iso(k.not_after) if k.not_after else None,
            )
            for k in keys
        ],
    )


def load_keys(conn: sqlite3.Connection) -> dict[str, tuple[str, SigningKey]]:
    """kid -> (account_id, key) over every account; a malformed stored key is skipped."""
    result: dict[str, tuple[str, SigningKey]] = {}
    for account_id, kid, public, nb, na in conn.execute(
        "SELECT account_id, kid, public_key, not_before, not_after FROM signing_keys"
    ):
        try:
            key = SigningKey(kid, bytes(public), parse_utc(nb), parse_utc(na) if na else None)
        except ValueError:
            continue
        result[kid] = (account_id, key)
    return result


def add_revocations(conn: sqlite3.Connection, account_id: str, items: Iterable[Revocation]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO revocations (account_id, voucher_id, code, revoked_at, reason) "
        "VALUES (?, ?, ?, ?, ?)",
        [(account_id, r.voucher_id, r.code, utc_iso(r.revoked_at), r.reason) for r in items],
    )


def is_revoked(conn: sqlite3.Connection, account_id: str, voucher_id: int) -> bool:
    row = conn.execute(
        "SELECT 1 FROM revocations WHERE account_id = ? AND voucher_id = ?",
        (account_id, voucher_id),
    ).fetchone()
    return row is not None


def get_state(conn: sqlite3.Connection, account_id: str, key: str) -> str | None:
    row = conn.execute(
        "SELECT value FROM sync_state WHERE account_id = ? AND key = ?", (account_id, key)
    ).fetchone()
    return row[0] if row else None


def set_state(conn: sqlite3.Connection, account_id: str, key: str, value: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO sync_state (account_id, key, value) VALUES (?, ?, ?)",
        (account_id, key, value),
    )


def last_good_sync(conn: sqlite3.Connection, account_id: str) -> datetime | None:
    value = get_state(conn, account_id, "last_good_sync")
    return parse_utc(value) if value else None
