"""Two tills of one shop, both offline, both accept the same voucher; both sync: the first is
accepted, the second is a conflict with its reason in the same sync cycle, and nothing is lost."""

from __future__ import annotations

from posapp.core.clock import ManualClock
from posapp.core.policy import AcceptedOffline
from posapp.core.store import ledger, outbox
from tests.test_sync_support import make_till, start_sandbox


def test_two_tills_same_voucher_offline(tmp_path):
    clock = ManualClock()
    server = start_sandbox(tmp_path / "sandbox", clock)
    try:
        shop = server.store.create_shop("Salumeria", "Galatina")
        a = make_till(server, shop, tmp_path / "a.sqlite3", clock, till_name="Cassa 1")
        b = make_till(server, shop, tmp_path / "b.sqlite3", clock, till_name="Cassa 2")
        v = server.store.create_voucher(shop, 3000)
        other = server.store.create_voucher(shop, 1200)
        assert a.sync.run().ok and b.sync.run().ok
        server.faults.set([{"kind": "reset", "path": "/v1/", "count": None}])  # the line drops
        a.offline()
        b.offline()
        clock.advance(60)
        got_a = a.policy.submit(v["code"], confirmed=True)
        clock.advance(60)
        got_b = b.policy.submit(v["code"], confirmed=True)
        also_b = b.policy.submit(other["code"], confirmed=True)
        assert all(isinstance(o, AcceptedOffline) for o in (got_a, got_b, also_b))
        server.faults.clear()  # the line is back

        report_a = a.sync.run()
        report_b = b.sync.run()
        assert report_a.ok and report_a.accepted == 1 and report_a.conflicts == 0
        assert report_b.ok and report_b.accepted == 1 and report_b.conflicts == 1
        assert report_b.conflict_reasons in (["voucher_used"], ["insufficient_balance"])

        (conflict,) = b.store.call(outbox.conflicts)
        assert conflict.redemption_id == got_b.redemption_id and conflict.amount_cents == 3000
        assert conflict.reason_code == report_b.conflict_reasons[0] and conflict.reason_message
        assert b.store.call(ledger.get, got_b.redemption_id).state == "conflict"
        assert b.till.monitor.state.open_conflicts == 1
        assert a.store.call(outbox.conflicts) == []

        remote = {r["redemption_id"]: r for r in server.store.list_redemptions()}
        assert remote[got_a.redemption_id]["status"] == "accepted"
        assert remote[got_b.redemption_id]["status"] == "conflict"  # kept on the platform too
        assert remote[also_b.redemption_id]["status"] == "accepted"
        assert len(remote) == 3
        assert server.store.get_voucher(v["voucher_id"])["balance_cents"] == 0
        # till B's cache learned the truth: it no longer accepts the voucher offline
        b.offline()
        assert b.policy.submit(v["code"], confirmed=True).reason == "refused.voucher_used"
        a.close()
        b.close()
    finally:
        server.stop()
