"""Who took a redemption and its fiscal receipt number reach the ledger row: PosService.submit(...,
operator=) online and offline, and PosService.set_receipt, against a real sandbox on loopback."""

from __future__ import annotations

import pytest

from posapp.core.clock import ManualClock
from posapp.core.policy import AcceptedOffline, AcceptedOnline
from posapp.core.service import PosService
from posapp.core.store import ledger
from tests.test_sync_support import make_till, start_sandbox


@pytest.fixture
def service(tmp_path):
    clock = ManualClock()
    server = start_sandbox(tmp_path / "sandbox", clock)
    shop = server.store.create_shop("Bar Centrale", "Calimera")
    rig = make_till(server, shop, tmp_path / "till.sqlite3", clock)
    service = PosService(rig.store, [rig.till], clock=clock)
    service.rig = rig
    yield service
    service.close()
    rig.close()
    server.stop()


def test_the_operator_goes_onto_the_ledger_row_online_and_offline(service):
    rig = service.rig
    online = service.submit(rig.voucher(1000)["code"], confirmed=True, operator="Anna")
    assert isinstance(online, AcceptedOnline)
    nobody = service.submit(rig.voucher(500)["code"], confirmed=True)
    later = rig.voucher(700)
    rig.sync.run()  # the cached list proves `later` offline
    rig.offline()
    offline = service.submit(later["code"], confirmed=True, operator="Bruno")
    assert isinstance(offline, AcceptedOffline), offline
    rows = {
        r: rig.store.call(ledger.get, r)
        for r in (online.redemption_id, nobody.redemption_id, offline.redemption_id)
    }
    assert rows[online.redemption_id].operator == "Anna"
    assert rows[nobody.redemption_id].operator is None
    assert rows[offline.redemption_id].operator == "Bruno"
    assert rows[offline.redemption_id].offline


def test_set_receipt_stores_trims_and_refuses_bad_input(service):
    rig = service.rig
    done = service.submit(rig.voucher(1000)["code"], confirmed=True, operator="Anna")
    rid = done.redemption_id
    assert service.set_receipt(rid, "  0042-0017 ")
    assert rig.store.call(ledger.get, rid).receipt_number == "0042-0017"
    for bad in ("", "   ", "x" * 41, "12\n34"):
        assert not service.set_receipt(rid, bad)
    assert rig.store.call(ledger.get, rid).receipt_number == "0042-0017"  # nothing changed
    assert not service.set_receipt("no-such-id", "1")
    assert service.set_receipt(rid, None)
    assert rig.store.call(ledger.get, rid).receipt_number is None
