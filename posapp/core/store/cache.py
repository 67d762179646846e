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


def upsert_vouchers(
    conn: sqlite3.Connection, account_id: str, items: Iterable[VoucherInfo], now: datetime
) -> int:
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
    return len(rows)


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
    """After the platform confirmed one of ours, its balance_after is the freshest we know."""
    if voucher_id is None or balance is None:
        return
    status = "used" if balance == 0 else "partly_used"
    conn.execute(
        "UPDATE vouchers SET server_balance_cents = ?, status = CASE WHEN status IN "
        "('valid', 'partly_used', 'used') THEN ? ELSE status END "
        "WHERE account_id = ? AND voucher_id = ?",
        (balance, status, account_id, voucher_id),
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
