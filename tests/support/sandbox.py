"""Helpers for tests that talk to a live sandbox over loopback HTTP with plain `requests`.

The real API client lives in posapp.core.api; these tests exercise the *server*, so they speak raw
HTTP and look at status codes, headers and bodies themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from posapp.core.clock import ManualClock, utc_iso
from posapp.sandbox.server import SandboxServer

TIMEOUT = 10.0
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@dataclass
class Till:
    """A paired till: its token and a requests.Session speaking to one sandbox."""

    url: str
    token: str
    till_id: int
    shop_id: int
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url + path, headers=self.headers(), timeout=TIMEOUT, **kwargs)

    def post(self, path: str, json: Any = None, headers: dict | None = None, **kw: Any):
        return self.session.post(
            self.url + path, json=json, headers=self.headers(headers), timeout=TIMEOUT, **kw
        )

    def body(
        self,
        code: str,
        amount: int,
        *,
        rid: str | None = None,
        occurred_at: datetime | None = None,
        offline: bool = False,
        currency: str = "EUR",
    ) -> dict[str, Any]:
        """A RedeemRequest document from this till."""
        return {
            "redemption_id": rid or str(uuid.uuid4()),
            "voucher_code": code,
            "amount_cents": amount,
            "currency": currency,
            "till_id": self.till_id,
            "occurred_at": utc_iso(occurred_at or START),
            "offline": offline,
        }

    def redeem(self, body: dict[str, Any], key: str | None = "same", **kw: Any):
        """POST /v1/redemptions with Idempotency-Key = the body's id (or `key`; None: no header)."""
        headers = {}
        if key == "same":
            headers["Idempotency-Key"] = body["redemption_id"]
        elif key is not None:
            headers["Idempotency-Key"] = key
        return self.post("/v1/redemptions", json=body, headers=headers, **kw)


def pair(server: SandboxServer, shop_id: int, name: str = "Cassa 1") -> Till:
    """Pair a new till with `shop_id` through the real pairing endpoint."""
    code = server.store.new_pairing_code(shop_id)
    reply = requests.post(
        server.url + "/v1/pairing",
        json={"pairing_code": code, "till_name": name},
        timeout=TIMEOUT,
    )
    assert reply.status_code == 201, reply.text
    data = reply.json()
    return Till(server.url, data["token"], data["till_id"], data["shop_id"])


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def sandbox(tmp_path, clock) -> Iterator[SandboxServer]:
    """A fresh sandbox with a manual clock and no demo data."""
    with SandboxServer(tmp_path / "sandbox", fresh=True, clock=clock, seed_demo=False) as server:
        yield server


@pytest.fixture
def shop(sandbox) -> int:
    return sandbox.store.create_shop("Panificio Rizzo", "Calimera")


@pytest.fixture
def till(sandbox, shop) -> Till:
    return pair(sandbox, shop)
