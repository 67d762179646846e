"""The sandbox platform's state: shops, tills, pairing, tokens, and the helpers tests call directly.

Till tokens are stored only as SHA-256 hashes; rolling or revoking replaces or clears the hash, so
the old token is refused by the very next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from posapp.core.clock import Clock, SystemClock, parse_utc, utc_iso
from posapp.core.codes import CROCKFORD
from posapp.sandbox.db import DB_FILE, Database
from posapp.sandbox.errors import ApiFailure
from posapp.sandbox.limits import CODE_FAILURE_LIMIT, PAIRING_FAILURES, PairingThrottle
from posapp.sandbox.payouts import PayoutDesk
from posapp.sandbox.redeem import RedemptionDesk
from posapp.sandbox.signing import KeyRing
from posapp.sandbox.summary import daily_summary
from posapp.sandbox.timebounds import DEFAULT_MAX_OFFLINE_AGE, TimeRules
from posapp.sandbox.vouchers import VoucherBook

PAIRING_TTL = timedelta(hours=1)
CHALLENGE = {"WWW-Authenticate": "Bearer"}
_PAIRING_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_pairing_code(text: str) -> str:
    """`XXXX-XXXX` from any case, spacing or dashes, so a code read aloud and typed still works."""
    symbols = text.upper().replace("-", "").replace(" ", "").translate(_PAIRING_ALIASES)
    return f"{symbols[:4]}-{symbols[4:]}" if len(symbols) == 8 else symbols


class SandboxStore:
    """One platform's database and rules; the FastAPI routes and the tests both call this."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        clock: Clock | None = None,
        platform_id: str = "puglia-demo",
        platform_name: str = "Piattaforma di Comunità (sandbox)",
        void_window: timedelta = timedelta(minutes=15),
        max_offline_age: timedelta = DEFAULT_MAX_OFFLINE_AGE,
        pairing_failures_per_minute: int = PAIRING_FAILURES,
        fresh: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / DB_FILE
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.clock: Clock = clock or SystemClock()
        self.db = Database(path)
        with self.db.write() as conn:
            row = conn.execute("SELECT platform_id, name FROM platform").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO platform (id, platform_id, name) VALUES (1, ?, ?)",
                    (platform_id, platform_name),
                )
            elif row["platform_id"] != platform_id:
                raise ValueError(
                    f"{path} belongs to platform {row['platform_id']!r}, not {platform_id!r};"
                    " use another data dir or start fresh (--fresh, fresh=True)"
                )
        self.platform_id = platform_id
        self.platform_name = platform_name if row is None else row["name"]
        self.vouchers = VoucherBook(self.db, self.clock)
        self.keys = KeyRing(self.db, self.clock)
        self.rules = TimeRules(void_window=void_window, max_offline_age=max_offline_age)
        self.desk = RedemptionDesk(self.db, self.clock, self.rules)
        self.keys.ensure_key()
        self.payouts = PayoutDesk(self.db, self.clock)
        self.pairing_throttle = PairingThrottle(self.clock.now, pairing_failures_per_minute)

    # --- shops and tills ---------------------------------------------------------------------

    def create_shop(self, name: str, town: str = "") -> int:
        with self.db.write() as conn:
            cur = conn.execute("INSERT INTO shops (name, town) VALUES (?, ?)", (name, town))
            return int(cur.lastrowid)

    def shops(self) -> list[dict[str, Any]]:
        rows = self.db.connection().execute("SELECT * FROM shops ORDER BY shop_id").fetchall()
        return [dict(row) for row in rows]

    def new_pairing_code(self, shop_id: int, ttl: timedelta = PAIRING_TTL) -> str:
        """A single-use code that pairs one till with `shop_id` until it expires."""
        code = "".join(secrets.choice(CROCKFORD) for _ in range(8))
        code = f"{code[:4]}-{code[4:]}"
        with self.db.write() as conn:
            if conn.execute("SELECT 1 FROM shops WHERE shop_id = ?", (shop_id,)).fetchone() is None:
                raise KeyError(f"no shop {shop_id}")
            conn.execute(
                "INSERT INTO pairing_codes (code, shop_id, expires_at) VALUES (?, ?, ?)",
                (code, shop_id, utc_iso(self.clock.now() + ttl)),
            )
        return code

    def pair(self, pairing_code: str, till_name: str) -> dict[str, Any]:
        """Exchange a pairing code for a new till and its token (shown once, stored hashed).

        A wrong code counts against every live code (see limits.PairingThrottle); a code with
        CODE_FAILURE_LIMIT failures against it is locked even when given right."""
        code = normalize_pairing_code(pairing_code)
        now = self.clock.now()
        token = secrets.token_urlsafe(32)
        with self.db.write() as conn:
            row = conn.execute("SELECT * FROM pairing_codes WHERE code = ?", (code,)).fetchone()
            if row is None:
                conn.execute(
                    "UPDATE pairing_codes SET failures = failures + 1"
                    " WHERE used_at IS NULL AND expires_at > ?",
                    (utc_iso(now),),
                )
                failure = "pairing_code_invalid"
            elif row["used_at"] is not None:
                failure = "pairing_code_used"
            elif row["expires_at"] <= utc_iso(now):
                failure = "pairing_code_expired"
            elif row["failures"] >= CODE_FAILURE_LIMIT:
                failure = "pairing_code_locked"
            else:
                failure = None
                cur = conn.execute(
                    "INSERT INTO tills (shop_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                    (row["shop_id"], till_name, token_hash(token), utc_iso(now)),
                )
                till_id = int(cur.lastrowid)
                conn.execute(
                    "UPDATE pairing_codes SET used_at = ?, till_id = ? WHERE code = ?",
                    (utc_iso(now), till_id, code),
                )
        if failure is not None:  # raised after the commit: the failure count must stay
            raise ApiFailure(422, failure)
        return {"token": token, **self.till_info(till_id)}

    def till_info(self, till_id: int) -> dict[str, Any]:
        row = (
            self.db.connection()
            .execute(
                "SELECT t.till_id, t.name AS till_name, s.shop_id, s.name AS shop_name"
                " FROM tills t JOIN shops s ON s.shop_id = t.shop_id WHERE t.till_id = ?",
                (till_id,),
            )
            .fetchone()
        )
        if row is None:
            raise KeyError(f"no till {till_id}")
        return {
            "till_id": row["till_id"],
            "till_name": row["till_name"],
            "shop_id": row["shop_id"],
            "shop_name": row["shop_name"],
            "platform_id": self.platform_id,
            "platform_name": self.platform_name,
        }

    def authenticate(self, token: str | None) -> dict[str, Any]:
        """The till info of a live token; 401 unauthorized for anything else."""
        if not token:
            raise ApiFailure(401, "unauthorized", headers=CHALLENGE)
        row = (
            self.db.connection()
            .execute(
                "SELECT till_id FROM tills WHERE token_hash = ? AND revoked_at IS NULL",
                (token_hash(token),),
            )
            .fetchone()
        )
        if row is None:
            raise ApiFailure(401, "unauthorized", headers=CHALLENGE)
        return self.till_info(row["till_id"])

    def is_shop_till(self, till_id: int, shop_id: int) -> bool:
        """Whether `till_id` is (or was: revoked ones count) a till of `shop_id`.

        A till paired again after a revocation gets a new id, yet its outbox still holds
        redemptions made under the old one: they happened at this shop and must be recorded.
        """
        row = (
            self.db.connection()
            .execute("SELECT shop_id FROM tills WHERE till_id = ?", (till_id,))
            .fetchone()
        )
        return row is not None and row["shop_id"] == shop_id

    def roll_token(self, till_id: int) -> str:
        token = secrets.token_urlsafe(32)
        with self.db.write() as conn:
            conn.execute(
                "UPDATE tills SET token_hash = ? WHERE till_id = ? AND revoked_at IS NULL",
                (token_hash(token), till_id),
            )
        return token

    def checkpoint(self, till_id: int, drained_through: datetime) -> datetime:
        """Keep a till's drain checkpoint: `max(old, min(claimed, now))` (timebounds.py); a
        claim ahead of the platform's clock counts as now, an older one changes nothing."""
        now = self.clock.now()
        claimed = min(drained_through, now)
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT drained_through FROM tills WHERE till_id = ?", (till_id,)
            ).fetchone()
            old = parse_utc(row["drained_through"]) if row and row["drained_through"] else None
            if old is not None and old >= claimed:
                return old
            conn.execute(
                "UPDATE tills SET drained_through = ? WHERE till_id = ?",
                (utc_iso(claimed), till_id),
            )
        return claimed

    def drained_through(self, till_id: int) -> datetime | None:
        """The drain checkpoint kept for a till (None before its first)."""
        row = (
            self.db.connection()
            .execute("SELECT drained_through FROM tills WHERE till_id = ?", (till_id,))
            .fetchone()
        )
        return parse_utc(row[0]) if row is not None and row[0] else None

    def revoke_till(self, till_id: int) -> None:
        with self.db.write() as conn:
            conn.execute(
                "UPDATE tills SET token_hash = NULL, revoked_at = ? WHERE till_id = ?",
                (utc_iso(self.clock.now()), till_id),
            )

    # --- vouchers, keys, redemptions: the helpers tests and the demo use --------------------

    def create_voucher(self, shop_id: int, face_value_cents: int, **options: Any) -> dict[str, Any]:
        """Issue a voucher; options: balance_cents, expires_at, partial_allowed, currency,
        voucher_id, cancelled. Returns the row (voucher_id, code, ...)."""
        return self.vouchers.create(shop_id, face_value_cents, **options)

    def get_voucher(self, voucher_id: int) -> dict[str, Any]:
        return self.vouchers.get(voucher_id)

    def cancel_voucher(self, voucher_id: int) -> None:
        self.vouchers.cancel(voucher_id)

    def revoke_voucher(self, voucher_id: int, reason: str = "revoked") -> None:
        """Cancel and publish on the revocation list (so offline tills stop accepting it)."""
        self.vouchers.cancel(voucher_id, revoke=True, reason=reason)

    def rotate_key(self) -> str:
        return self.keys.rotate()

    def sign_voucher(self, voucher_id: int) -> str:
        """The voucher's signed `PV:` code, signed with the active key."""
        row = self.vouchers.get(voucher_id)
        expires = datetime.fromisoformat(row["expires_at"].replace("Z", "+00:00"))
        return self.keys.sign(voucher_id, row["shop_id"], row["face_value_cents"], expires)

    def list_redemptions(
        self, *, shop_id: int | None = None, voucher_id: int | None = None
    ) -> list[dict[str, Any]]:
        return self.desk.list(shop_id=shop_id, voucher_id=voucher_id)

    def summary(self, shop_id: int, day: date, currency: str = "EUR") -> dict[str, Any]:
        return daily_summary(self.db, shop_id, day, currency)

    def close(self) -> None:
        self.db.close()
