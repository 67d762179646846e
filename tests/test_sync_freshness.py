"""The cached balance that offline acceptance trusts is never raised by stale news: a voucher-list
download that overlaps an online redemption, or an old result replayed by sync."""

from __future__ import annotations

import pytest

from posapp.core.clock import ManualClock
from posapp.core.policy import AcceptedOffline, AcceptedOnline
from posapp.core.store import cache
from tests.test_sync_support import make_till, start_sandbox


@pytest.fixture
def rig(tmp_path):
    clock = ManualClock()
    server = start_sandbox(tmp_path / "sandbox", clock)
    shop = server.store.create_shop("Cartoleria", "Martano")
    rig = make_till(server, shop, tmp_path / "till.sqlite3", clock)
    rig.clock = clock
    yield rig
    rig.close()
    server.stop()


def _cached_balance(rig, voucher_id):
    return rig.store.call(cache.get_voucher, rig.till.account_id, voucher_id).server_balance_cents


def test_a_download_overlapping_an_online_redemption_keeps_the_fresher_balance(rig, tmp_path):
    v = rig.voucher(1000, partial_allowed=True)
    assert rig.sync.run().ok  # cached: 1000
    other = make_till(rig.server, rig.shop_id, tmp_path / "other.sqlite3", rig.clock, None, "C2")
    assert isinstance(other.policy.submit(v["code"], 100, confirmed=True), AcceptedOnline)
    other.close()  # the platform now says 900, and the next download carries the voucher

    client = rig.till.client
    real_vouchers = client.vouchers
    during = []

    def vouchers_then_redeem(cursor=None, limit=500):
        page = real_vouchers(cursor, limit)  # the platform's answer: 900
        if not during:  # meanwhile the counter redeems 600 online and learns 300
            during.append(rig.policy.submit(v["code"], 600, confirmed=True))
        return page

    client.vouchers = vouchers_then_redeem
    assert rig.sync.run().ok
    assert isinstance(during[0], AcceptedOnline) and during[0].balance_after_cents == 300
    assert _cached_balance(rig, v["voucher_id"]) == 300  # not the page's stale 900

    rig.offline()
    over = rig.policy.submit(v["code"], 301, confirmed=True)
    assert over.reason == "offline.insufficient_cached_balance"
    assert over.params["balance_cents"] == 300
    assert isinstance(rig.policy.submit(v["code"], 300, confirmed=True), AcceptedOffline)


def test_a_replayed_old_result_never_raises_the_cached_balance(rig):
    v = rig.voucher(1000, partial_allowed=True)
    assert rig.sync.run().ok
    rig.server.faults.set([{"kind": "drop_after_commit", "path": "/v1/redemptions", "count": 1}])
    first = rig.policy.submit(v["code"], 300, confirmed=True)
    assert isinstance(first, AcceptedOffline) and first.unconfirmed  # committed: 700 left
    second = rig.policy.submit(v["code"], 200, confirmed=True)
    assert isinstance(second, AcceptedOnline) and second.balance_after_cents == 500
    assert _cached_balance(rig, v["voucher_id"]) == 500
    # the line drops again right after the upload: the replay of the first (700) is the last word
    rig.server.faults.set([{"kind": "reset", "path": "/v1/shop/vouchers", "count": None}])
    report = rig.sync.run()
    assert report.accepted == 1 and not report.ok
    assert _cached_balance(rig, v["voucher_id"]) == 500

    rig.offline()
    over = rig.policy.submit(v["code"], 501, confirmed=True)
    assert over.reason == "offline.insufficient_cached_balance"
    rig.server.faults.clear()
    rig.till.monitor.synced()
    assert rig.sync.run().ok
    assert rig.server.store.get_voucher(v["voucher_id"])["balance_cents"] == 500


def test_an_overlapping_download_of_a_voucher_not_yet_cached_is_capped_too(rig):
    assert rig.sync.run().ok
    v = rig.voucher(1000, partial_allowed=True)  # issued after the last sync: not cached
    client = rig.till.client
    real_vouchers = client.vouchers
    during = []

    def vouchers_then_redeem(cursor=None, limit=500):
        page = real_vouchers(cursor, limit)  # carries the new voucher at 1000
        if not during:
            during.append(rig.policy.submit(v["code"], 600, confirmed=True))
        return page

    client.vouchers = vouchers_then_redeem
    assert rig.sync.run().ok
    assert isinstance(during[0], AcceptedOnline)
    assert _cached_balance(rig, v["voucher_id"]) == 400
    client.vouchers = real_vouchers
    rig.server.store.desk.void(during[0].redemption_id, rig.shop_id, "test", rig.clock.now())
    assert rig.sync.run().ok  # a later, fresher page raises it again (the void restored 600)
    assert _cached_balance(rig, v["voucher_id"]) == 1000


def test_an_online_lookup_that_learns_worse_news_updates_the_cache_at_once(rig, tmp_path):
    spent, cancelled = rig.voucher(1000), rig.voucher(1000)
    assert rig.sync.run().ok  # both cached as valid, 10 euros
    other = make_till(rig.server, rig.shop_id, tmp_path / "other.sqlite3", rig.clock, None, "C2")
    assert isinstance(other.policy.submit(spent["code"], confirmed=True), AcceptedOnline)
    other.close()
    rig.server.store.cancel_voucher(cancelled["voucher_id"])
    assert rig.policy.submit(spent["code"]).reason == "refused.voucher_used"
    assert rig.policy.submit(cancelled["code"]).reason == "refused.voucher_cancelled"
    rig.offline()  # the line drops before any download: the customer tries again
    assert rig.policy.submit(spent["code"], confirmed=True).reason == "refused.voucher_used"
    assert rig.policy.submit(cancelled["code"], confirmed=True).reason == (
        "refused.voucher_cancelled"
    )
