"""A till whose token the platform refuses (401): orange words, the status line asks to pair again,
nothing more is taken, and what waited in the queue stays there."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from posapp.qt.counter_app import build_counter
from posapp.qt.counter_extras import CounterExtras
from tests.support.counter_rig import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("qapp")


def test_a_401_asks_to_pair_again_and_keeps_the_queue(rig, qtbot):  # noqa: F811
    first, second = rig.voucher(500), rig.voucher(700)
    extras = CounterExtras(rig.service, rig.settings)
    counter = build_counter(
        rig.service, rig.settings, None, verdict_s=30, extra_actions=extras.actions()
    )
    extras.attach(counter)
    qtbot.addWidget(counter.window)
    bar = counter.window.status
    try:
        rig.stop_platform()  # one redemption waits in the queue
        counter.flow.on_code(rig.server.store.sign_voucher(first["voucher_id"]), "usb")
        qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=15_000)
        qtbot.keyClick(counter.window, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: bar.state.pending_count == 1, timeout=15_000)
        rig.start_platform()
        rig.server.store.revoke_till(rig.account.till_id)
        qtbot.keyClick(counter.window, Qt.Key.Key_F5)  # the sync meets the 401
        qtbot.waitUntil(lambda: bar.state.needs_pairing, timeout=15_000)
        counter.flow.on_code(second["code"], "usb")
        qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=15_000)
        assert counter.flow.verdict.tone == "attention", counter.flow.verdict
        assert bar.alert.isVisible() or bar.alert.text()
        assert bar.state.pending_count == 1  # the queue is kept
        assert rig.redemptions() == []

        qtbot.keyClick(counter.window, Qt.Key.Key_F10)  # pair again, in place
        wizard = extras._repair_window
        assert wizard.isVisible()
        qtbot.waitUntil(wizard.pair_button.isEnabled, timeout=10_000)  # its keyring check
        wizard.code.setText(rig.server.store.new_pairing_code(rig.shop_id))
        wizard.submit()
        qtbot.waitUntil(lambda: not bar.state.needs_pairing, timeout=15_000)
        qtbot.keyClick(counter.window, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: bar.state.pending_count == 0, timeout=20_000)
        assert [r["voucher_id"] for r in rig.redemptions()] == [first["voucher_id"]]
    finally:
        counter.close()
