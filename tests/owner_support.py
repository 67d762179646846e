"""A shop with known redemptions for the owner's-view tests: a real sandbox on loopback, two tills
(this one with a PosService, another with its own policy), two operators, the day clocks go back
(Sunday 25 October 2026, 25 hours in Europe/Rome), a conflict, a void and an unsynced sale.

What happened (UTC -> Rome):
  24 Oct 22:30Z = 25 Oct 00:30 CEST  Cassa 1  Anna   10,00 online
  25 Oct 00:30Z = 02:30 CEST         Cassa 1  Bruno  20,00 online
  25 Oct 01:30Z = 02:30 CET (again)  Cassa 2  Anna    5,00 online
  25 Oct 08:00Z = 09:00 CET          Cassa 1  Bruno  30,00 offline, Cassa 2 took it first: conflict
  25 Oct 09:15Z = 10:15 CET          Cassa 2  Bruno   7,50 online (partial of 15,00)
  25 Oct 10:05Z = 11:05 CET          Cassa 1  Anna    3,00 online, voided at once
  25 Oct 10:30Z = 11:30 CET          Cassa 1  Bruno  12,00 offline, not synced (pending)
  25 Oct 23:30Z = 26 Oct 00:30 CET   Cassa 1  Anna    4,00 online
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from posapp.core.clock import ManualClock
from posapp.core.policy import AcceptedOffline, AcceptedOnline, Voided
from posapp.core.reports_owner import OwnerBook
from posapp.core.service import PosService
from tests.test_sync_support import TillRig, make_till, start_sandbox


@dataclass
class Shop:
    clock: ManualClock
    server: object
    here: TillRig
    other: TillRig
    service: PosService
    book: OwnerBook
    ids: dict[str, str]
    vouchers: dict[str, dict]

    def close(self) -> None:
        self.service.close()
        self.here.close()
        self.other.close()
        self.server.stop()


def _at(clock: ManualClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).replace(tzinfo=UTC))


def build_shop(folder: Path) -> Shop:
    clock = ManualClock(datetime(2026, 10, 20, 8, 0, tzinfo=UTC))
    server = start_sandbox(folder / "sandbox", clock)
    shop_id = server.store.create_shop("Bar Centrale", "Calimera")
    here = make_till(server, shop_id, folder / "here.sqlite3", clock, till_name="Cassa 1")
    other = make_till(server, shop_id, folder / "other.sqlite3", clock, till_name="Cassa 2")
    service = PosService(here.store, [here.till], clock=clock)
    soon = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    late = datetime(2027, 6, 30, 12, 0, tzinfo=UTC)
    v = {
        "a": here.voucher(1000, expires_at=late),
        "b": here.voucher(2000, expires_at=late),
        "c": here.voucher(500, expires_at=late),
        "x": here.voucher(3000, expires_at=late),
        "d": here.voucher(1500, expires_at=late, partial_allowed=True),
        "e": here.voucher(300, expires_at=late),
        "p": here.voucher(1200, expires_at=late),
        "n": here.voucher(400, expires_at=late),
        "u1": here.voucher(2500, expires_at=soon),  # never spent: outstanding, expiring soon
        "u2": here.voucher(2500, expires_at=soon),
        "u3": here.voucher(5000, expires_at=late),
    }
    ids: dict[str, str] = {}

    def take(rig_or_service, key, name, operator, amount=None, offline=False):
        if rig_or_service is service:
            out = service.submit(v[key]["code"], amount, confirmed=True, operator=operator)
        else:
            out = other.policy.submit(v[key]["code"], amount, confirmed=True, operator=operator)
        expected = AcceptedOffline if offline else AcceptedOnline
        assert isinstance(out, expected), (name, out)
        ids[name] = out.redemption_id

    _at(clock, "2026-10-24T22:30:00")
    take(service, "a", "a", "Anna")
    _at(clock, "2026-10-25T00:30:00")
    take(service, "b", "b", "Bruno")
    _at(clock, "2026-10-25T01:30:00")
    take(other, "c", "c", "Anna")
    _at(clock, "2026-10-25T08:00:00")
    here.sync.run()  # the voucher list: offline proof for x and p
    here.offline()
    take(service, "x", "x_here", "Bruno", offline=True)
    take(other, "x", "x_other", "Anna")
    here.sync.run()  # uploads x_here: the platform answers conflict
    here.till.monitor.synced()
    _at(clock, "2026-10-25T09:15:00")
    take(other, "d", "d", "Bruno", amount=750)
    _at(clock, "2026-10-25T10:05:00")
    take(service, "e", "e", "Anna")
    assert isinstance(service.void(ids["e"], "wrong voucher"), Voided)
    _at(clock, "2026-10-25T10:30:00")
    here.offline()
    take(service, "p", "p", "Bruno", offline=True)
    here.till.monitor.synced()
    _at(clock, "2026-10-25T23:30:00")
    take(service, "n", "n", "Anna")
    _at(clock, "2026-10-26T09:00:00")
    book = OwnerBook(service, clock)
    return Shop(clock, server, here, other, service, book, ids, v)
