"""Identity: a 401 anywhere puts the till in a persisted needs-pairing state (nothing taken online
or offline, the queue kept); repair() pairs it again in place and the queue reaches the platform
exactly once. Real sandbox on loopback, the till built as the app builds it."""

from __future__ import annotations

import threading

import pytest

from posapp.core.client_pool import ClientPool
from posapp.core.policy import AcceptedOffline, AcceptedOnline, Refused
from posapp.core.repair import RepairError
from posapp.sandbox.faults import FaultRule
from tests.support.trust import trust_rig


@pytest.fixture
def rig(tmp_path):
    with trust_rig(tmp_path) as rig:
        yield rig


def _ids_on_platform(rig) -> list[str]:
    return sorted(r["redemption_id"] for r in rig.server.store.list_redemptions())


def test_revoked_till_refuses_everything_keeps_its_queue_and_repairs_in_place(rig):
    service, acct = rig.service, rig.account.account_id
    v1, v2, v3 = rig.voucher(1000), rig.voucher(1500), rig.voucher(800)
    assert service.sync_now()[acct].ok
    rig.offline()
    queued = [service.submit(v["code"], confirmed=True) for v in (v1, v2)]
    assert all(isinstance(q, AcceptedOffline) for q in queued)
    rig.server.store.revoke_till(rig.account.till_id)
    report = service.sync_now()[acct]
    assert report.needs_pairing and service.state.needs_pairing
    for online in (True, False):
        if online:
            service.tills[acct].monitor.synced()
        else:
            rig.offline()
        refused = service.submit(v3["code"], confirmed=True)
        assert isinstance(refused, Refused) and refused.reason == "needs_pairing"
        assert refused.needs_pairing
    assert "abbinamento" in refused.text("it") and "pair it again" in refused.text("en")
    assert service.state.pending_count == 2 and _ids_on_platform(rig) == []

    rig.close()  # a restart keeps the state: still refusing, queue intact
    service = rig.open()
    assert service.state.needs_pairing and service.state.pending_count == 2
    assert service.submit(v3["code"], confirmed=True).reason == "needs_pairing"
    assert service.sync_now()[acct].error == "needs_pairing"  # nothing sent with a dead token

    old_till = rig.account.till_id
    code = rig.server.store.new_pairing_code(rig.shop_id)
    account = service.repair(acct, code)
    assert account.till_id != old_till and not service.state.needs_pairing
    assert rig.directory.get(acct).till_id == account.till_id  # accounts.json follows
    assert rig.tokens.get(acct) == service.tills[acct].client.token  # keyring and clients agree
    assert service.sync_now()[acct].ok and service.sync_now()[acct].ok  # twice: still once
    assert _ids_on_platform(rig) == sorted(q.redemption_id for q in queued)
    assert service.state.pending_count == 0
    assert isinstance(service.submit(v3["code"], confirmed=True), AcceptedOnline)
    rig.close()
    assert not rig.open().state.needs_pairing  # cleared for good


def test_a_401_on_the_lookup_is_enough(rig):
    v = rig.voucher(1000)
    rig.server.store.revoke_till(rig.account.till_id)
    refused = rig.service.submit(v["code"], confirmed=True)
    assert refused.reason == "needs_pairing" and rig.service.state.needs_pairing
    seen = []
    rig.service.subscribe(seen.append)
    rig.service.repair(rig.account.account_id, rig.server.store.new_pairing_code(rig.shop_id))
    assert seen and not seen[-1].needs_pairing


def test_a_lost_answer_to_pairing_strands_nothing(rig):
    service, acct = rig.service, rig.account.account_id
    v = rig.voucher(1000)
    assert service.sync_now()[acct].ok
    rig.offline()
    queued = service.submit(v["code"], confirmed=True)
    rig.server.store.revoke_till(rig.account.till_id)
    assert service.sync_now()[acct].needs_pairing
    spent = rig.server.store.new_pairing_code(rig.shop_id)
    rig.server.faults.set([FaultRule("drop_after_commit", path="/v1/pairing", method="POST")])
    with pytest.raises(RepairError) as lost:
        service.repair(acct, spent)
    assert lost.value.code == "no_answer" and "nuovo codice" in lost.value.text("it")
    assert service.state.needs_pairing and service.state.pending_count == 1
    with pytest.raises(RepairError) as again:
        service.repair(acct, spent)  # the platform did use it
    assert again.value.code == "pairing_code_used"
    service.repair(acct, rig.server.store.new_pairing_code(rig.shop_id))
    assert service.sync_now()[acct].ok
    assert _ids_on_platform(rig) == [queued.redemption_id]


def test_repair_refuses_a_code_of_another_shop(rig):
    rig.server.store.revoke_till(rig.account.till_id)
    assert rig.service.sync_now()[rig.account.account_id].needs_pairing
    other = rig.server.store.create_shop("Macelleria", "Lecce")
    with pytest.raises(RepairError) as wrong:
        rig.service.repair(rig.account.account_id, rig.server.store.new_pairing_code(other))
    assert wrong.value.code == "other_shop" and rig.service.state.needs_pairing
    tills = rig.server.store.db.connection().execute(
        "SELECT revoked_at FROM tills WHERE shop_id = ?", (other,)
    )
    assert [t[0] is not None for t in tills] == [True]  # its fresh token was given back


def test_each_thread_has_its_own_client_and_a_new_token_reaches_all(rig):
    pool = rig.service.tills[rig.account.account_id].client
    assert isinstance(pool, ClientPool)
    made = {}
    ready = threading.Barrier(3)
    done = threading.Event()

    def use(name):
        pool.health()
        made[name] = pool.client()
        ready.wait(10)
        done.wait(10)  # alive until the token changed: a retired thread's client is dropped

    threads = [threading.Thread(target=use, args=(n,)) for n in ("counter", "sync")]
    for t in threads:
        t.start()
    ready.wait(10)
    assert made["counter"] is not made["sync"]
    assert made["counter"].session is not made["sync"].session
    pool.token = "new-token-123"
    later = []
    t = threading.Thread(target=lambda: later.append(pool.client()))
    t.start()
    t.join()
    done.set()
    for t in threads:
        t.join()
    assert {c.token for c in (made["counter"], made["sync"], later[0])} == {"new-token-123"}
    assert made["counter"].observer is made["sync"].observer is not None


def test_token_roll_reaches_the_keyring_and_every_client(rig):
    service, acct = rig.service, rig.account.account_id
    old = rig.tokens.get(acct)
    service.roll_token(acct)
    new = rig.tokens.get(acct)
    assert new != old and service.tills[acct].client.token == new
    assert service.sync_now()[acct].ok
    assert not service.state.needs_pairing


def test_a_lost_answer_to_a_token_roll_strands_nothing(rig):
    service, acct = rig.service, rig.account.account_id
    v = rig.voucher(1000)
    assert service.sync_now()[acct].ok
    rig.offline()
    queued = service.submit(v["code"], confirmed=True)
    old = rig.tokens.get(acct)
    rig.server.faults.set([FaultRule("drop_after_commit", path="/v1/till/token/roll")])
    with pytest.raises(RepairError) as lost:
        service.roll_token(acct)
    assert lost.value.code == "no_answer" and rig.tokens.get(acct) == old  # old one kept
    service.tills[acct].monitor.synced()
    assert service.sync_now()[acct].needs_pairing  # the platform did roll: 401, not a crash
    assert service.state.needs_pairing and service.state.pending_count == 1
    service.repair(acct, rig.server.store.new_pairing_code(rig.shop_id))
    assert service.sync_now()[acct].ok
    assert _ids_on_platform(rig) == [queued.redemption_id]


def test_clients_of_retired_threads_are_closed_and_dropped(rig):
    pool = rig.service.tills[rig.account.account_id].client
    for _ in range(5):  # a worker pool retiring and starting threads all day
        t = threading.Thread(target=pool.health)
        t.start()
        t.join()
    pool.client()  # a new client prunes the dead threads' ones
    assert len(pool.clients) == 1  # this thread's only


def test_pairing_again_while_the_old_token_works_revokes_the_old_till(rig):
    service, acct = rig.service, rig.account.account_id
    old_till = rig.account.till_id
    service.repair(acct, rig.server.store.new_pairing_code(rig.shop_id))
    revoked = (
        rig.server.store.db.connection()
        .execute("SELECT revoked_at FROM tills WHERE till_id = ?", (old_till,))
        .fetchone()[0]
    )
    assert revoked is not None  # no orphan credential
    assert service.sync_now()[acct].ok
