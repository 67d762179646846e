"""Pairing a revoked till again: the platform's throttle (429) and a locked code (422
pairing_code_locked) reach the shopkeeper as what to do, in both languages, and change nothing
(the till stays in needs-pairing with its queue). Real sandbox on loopback."""

from __future__ import annotations

import pytest

from posapp.core.repair import RepairError
from posapp.qt.pairing_words import error_text
from tests.support.trust import trust_rig


@pytest.fixture
def rig(tmp_path):
    with trust_rig(tmp_path) as rig:
        yield rig


def _repair_error(rig, code: str) -> RepairError:
    with pytest.raises(RepairError) as caught:
        rig.service.repair(rig.account.account_id, code)
    return caught.value


def test_throttled_then_locked_repair_in_words(rig):
    acct = rig.account.account_id
    rig.server.store.revoke_till(rig.account.till_id)
    assert rig.service.sync_now()[acct].needs_pairing
    good = rig.server.store.new_pairing_code(rig.shop_id)
    for attempt in range(10):
        assert _repair_error(rig, f"ZZZZ-ZZZ{attempt}").code == "pairing_code_invalid"
    busy = _repair_error(rig, "ZZZZ-ZZZY")
    assert busy.code == "too_many_requests"
    assert "aspetta un minuto" in busy.text("it") and "wait a minute" in busy.text("en")
    assert "Wait a minute" in error_text(busy) or "Aspetta un minuto" in error_text(busy)
    rig.advance(seconds=61)
    for attempt in range(10):
        _repair_error(rig, f"YYYY-YYY{attempt}")
    rig.advance(seconds=61)
    locked = _repair_error(rig, good)
    assert locked.code == "pairing_code_locked"
    assert "bloccato" in locked.text("it") and "blocked" in locked.text("en")
    for text in (busy.text("it"), locked.text("en"), error_text(locked)):
        assert "_" not in text and "422" not in text and "429" not in text
    assert rig.service.state.needs_pairing  # nothing changed: a new code brings it back
    rig.service.repair(acct, rig.server.store.new_pairing_code(rig.shop_id))
    assert not rig.service.state.needs_pairing
