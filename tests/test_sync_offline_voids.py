"""A void queued at the till is uploaded as an offline void (issue 8 item 1): the platform keeps
its claimed time within bounds and judges the void window there, so an honest one uploaded hours
later still counts, and a late one comes back as a `void_window_expired` conflict the owner sees.
Real sandbox on loopback, one manual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from posapp.core.clock import ManualClock, utc_iso
from posapp.core.policy import AcceptedOffline, Voided
from posapp.core.settings import OfflineCaps
from posapp.core.store import ledger, outbox
from posapp.sandbox.server import SandboxServer
from tests.test_sync_support import make_till

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def rig(tmp_path):
    """The platform's void window (5 minutes) is shorter than the till's own (10)."""
    clock = ManualClock(START)
    server = SandboxServer(
        tmp_path / "sandbox", fresh=True, clock=clock, seed_demo=False, void_window_minutes=5
    ).start()
    shop = server.store.create_shop("Ferramenta Leo", "Soleto")
    rig = make_till(server, shop, tmp_path / "till.sqlite3", clock, OfflineCaps())
    rig.clock = clock
    assert rig.sync.run().ok
    rig.offline()
    yield rig
    rig.close()
    server.stop()


def _sold_and_voided_offline(rig, after: timedelta) -> tuple[str, datetime]:
    voucher = rig.voucher(1000)
    rig.sync.run()  # the voucher reaches the cache (the counter stays offline)
    rig.offline()
    sale = rig.policy.submit(voucher["code"], confirmed=True)
    assert isinstance(sale, AcceptedOffline), sale
    rig.clock.advance(after)
    decided = rig.clock.now()
    assert rig.policy.void(sale.redemption_id, "errore") == Voided(sale.redemption_id, True)
    return sale.redemption_id, decided


def test_a_queued_void_uploaded_hours_later_keeps_its_time(rig):
    rid, decided = _sold_and_voided_offline(rig, timedelta(minutes=3))
    rig.clock.advance(timedelta(hours=3))
    report = rig.sync.run()
    assert report.ok and report.voided == 1 and report.conflicts == 0, report
    remote = rig.server.store.desk.get(rid, rig.shop_id)
    assert (remote["status"], remote["voided_at"]) == ("voided", utc_iso(decided))
    row = (
        rig.server.store.db.connection()
        .execute("SELECT void_offline FROM redemptions WHERE redemption_id = ?", (rid,))
        .fetchone()
    )
    assert row["void_offline"] == 1  # sent as offline: an online void would be 3 hours late


def test_a_late_queued_void_is_a_visible_void_window_expired_conflict(rig):
    rid, _ = _sold_and_voided_offline(rig, timedelta(minutes=7))  # the till allows 10 minutes
    rig.clock.advance(timedelta(minutes=30))
    report = rig.sync.run()
    assert report.conflict_reasons == ["void_window_expired"], report
    (conflict,) = rig.store.call(outbox.conflicts, None)
    assert (conflict.op, conflict.redemption_id, conflict.reason_code) == (
        "void",
        rid,
        "void_window_expired",
    )
    row = rig.store.call(ledger.get, rid)
    assert row.state == "accepted" and row.voided_at is None  # the sale stands, and counts
    assert rig.server.store.desk.get(rid, rig.shop_id)["status"] == "accepted"
