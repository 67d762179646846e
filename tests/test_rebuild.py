"""A history rebuilt from the platform after the ledger was lost and an older backup restored: every
redemption the platform has comes back, the local queue is kept, and what cannot be recovered is
said in words. Needs the platform's `GET /v1/redemptions?scope=till` (ApiClient.redemptions)."""

from __future__ import annotations

import shutil

import pytest

from posapp.core.api.client import ApiClient
from posapp.core.policy import AcceptedOffline, AcceptedOnline
from posapp.core.store import ledger
from posapp.core.store.backup import list_backups, restore
from tests.support.trust import trust_rig

pytestmark = pytest.mark.skipif(
    not hasattr(ApiClient, "redemptions"),
    reason="the platform's GET /v1/redemptions (ApiClient.redemptions) has not landed yet",
)


def test_rebuild_after_restoring_an_older_backup(tmp_path):
    with trust_rig(tmp_path) as rig:
        acct = rig.account.account_id
        first = rig.service.submit(rig.voucher(1000)["code"], confirmed=True)
        assert isinstance(first, AcceptedOnline)
        rig.close()
        old = tmp_path / "old-backup.sqlite3"
        shutil.copyfile(list_backups(tmp_path / "backups")[0], old)
        service = rig.open()
        v900, v800, v700 = rig.voucher(900), rig.voucher(800), rig.voucher(700)
        assert service.sync_now()[acct].ok
        later = service.submit(v900["code"], confirmed=True)
        rig.offline()
        sent = service.submit(v800["code"], confirmed=True)
        assert isinstance(sent, AcceptedOffline)
        assert service.sync_now()[acct].ok
        rig.offline()
        never_sent = service.submit(v700["code"], confirmed=True)
        assert isinstance(never_sent, AcceptedOffline)
        rig.close()
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"till.sqlite3{suffix}").unlink(missing_ok=True)
        restore(old, tmp_path / "till.sqlite3")
        service = rig.open()
        report = service.rebuild_history(acct)
        assert report.added == 2 and report.already_known == 1, (report, later, sent)
        for done in (first, later, sent):
            assert service.store.call(ledger.get, done.redemption_id).state == "accepted"
        assert service.store.call(ledger.get, never_sent.redemption_id) is None
        assert "non recuperabili" in report.text("it")
        assert "cannot be recovered" in report.text("en")
