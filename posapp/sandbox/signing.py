"""The platform's Ed25519 signing keys, private halves included (the sandbox *is* the platform).

One key is active (it signs new codes); a rotated-out key stays published until its `not_after`, so
codes it signed still verify at the counter while they circulate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from posapp.core.clock import Clock, parse_utc, utc_iso
from posapp.core.codes import sign_code
from posapp.core.keys import KeySet, SigningKey, generate_signing_key, key_to_api
from posapp.sandbox.db import Database

KEY_LIFETIME = timedelta(days=2 * 365)
ROTATION_OVERLAP = timedelta(days=30)


def _key(row: Any) -> SigningKey:
    return SigningKey(
        kid=row["kid"],
        public_key=bytes(row["public_key"]),
        not_before=parse_utc(row["not_before"]),
        not_after=parse_utc(row["not_after"]) if row["not_after"] else None,
    )


class KeyRing:
    """Signing keys in the sandbox database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def ensure_key(self) -> str:
        """Make the first key if there is none; returns the active kid."""
        row = (
            self.db.connection().execute("SELECT kid FROM signing_keys WHERE active = 1").fetchone()
        )
        return row["kid"] if row else self.rotate()

    def rotate(self, *, overlap: timedelta = ROTATION_OVERLAP) -> str:
        """A new active key from now; the previous one verifies until now + `overlap` at most."""
        now = self.clock.now()
        # Start a little in the past so a till whose clock lags a few minutes accepts it.
        not_before = now - timedelta(minutes=10)
        private, key = generate_signing_key(not_before=not_before, not_after=now + KEY_LIFETIME)
        with self.db.write() as conn:
            for row in conn.execute("SELECT kid, not_after FROM signing_keys WHERE active = 1"):
                end = now + overlap
                if row["not_after"] and parse_utc(row["not_after"]) < end:
                    end = parse_utc(row["not_after"])
                conn.execute(
                    "UPDATE signing_keys SET active = 0, not_after = ? WHERE kid = ?",
                    (utc_iso(end), row["kid"]),
                )
            conn.execute(
                "INSERT INTO signing_keys (kid, private_key, public_key, not_before, not_after,"
                " active, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
                (
                    key.kid,
                    private,
                    key.public_key,
                    utc_iso(key.not_before),
                    utc_iso(key.not_after) if key.not_after else None,
                    utc_iso(now),
                ),
            )
        return key.kid

    def published(self) -> list[dict[str, Any]]:
        """The `keys` list of GET /v1/keys: every key not yet past its not_after."""
        now_text = utc_iso(self.clock.now())
        rows = (
            self.db.connection()
            .execute(
                "SELECT * FROM signing_keys WHERE not_after IS NULL OR not_after > ?"
                " ORDER BY created_at, kid",
                (now_text,),
            )
            .fetchall()
        )
        return [key_to_api(_key(row)) for row in rows]

    def key_set(self) -> KeySet:
        """All keys ever made (for verifying in tests and for signed-code lookups)."""
        rows = self.db.connection().execute("SELECT * FROM signing_keys").fetchall()
        return KeySet([_key(row) for row in rows])

    def active_kid(self) -> str:
        return self.ensure_key()

    def sign(self, voucher_id: int, shop_id: int, value_cents: int, expires_at: datetime) -> str:
        """A signed `PV:` code with the active key."""
        kid = self.ensure_key()
        row = (
            self.db.connection()
            .execute("SELECT private_key FROM signing_keys WHERE kid = ?", (kid,))
            .fetchone()
        )
        return sign_code(
            bytes(row["private_key"]), kid, voucher_id, shop_id, value_cents, expires_at
        )
