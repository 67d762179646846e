"""A till whose token the platform refuses (401): orange words, the status line asks to pair again,
nothing more is taken, and what waited in the queue stays there."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from posapp.i18n import _
from posapp.qt.app import make_scanning
from posapp.qt.counter_extras import CounterExtras
from posapp.sandbox.demo import pairing_payload
from posapp.scan.sources import VideoFileSource
from tests.support.counter_rig import open_counter, rig  # noqa: F401 (fixture)
from tests.test_qt_pairing_usb import scanner_types

pytestmark = pytest.mark.usefixtures("qapp")


def test_a_401_asks_to_pair_again_and_keeps_the_queue(rig, qtbot):  # noqa: F811
    first, second = rig.voucher(500), rig.voucher(700)
    extras = CounterExtras(rig.service, rig.settings)
    counter = open_counter(rig, qtbot, extras=extras, show=False, verdict_s=30)
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
        assert counter.flow.verdict.headline == _("Till not recognised")
        assert counter.flow.verdict.headline not in counter.flow.verdict.detail  # said once
        assert "F10" in counter.flow.verdict.detail  # and what to do
        assert bar.alert.isVisible() or bar.alert.text()
        assert bar.line.text() == "● " + _("Not paired")  # never a green "online"
        f10 = counter.window.actions_bar.buttons["F10"].text()
        assert f10 == "F10\n" + _("Pair again"), f10  # the key says what it does now
        assert bar.state.pending_count == 1  # the queue is kept
        assert rig.redemptions() == []
        qtbot.keyClick(counter.window, Qt.Key.Key_Escape)  # back: no invitation to scan
        qtbot.waitUntil(lambda: counter.flow.phase == "scanning", timeout=5_000)
        panel = counter.window.verdict
        assert panel.tone == "attention" and panel.headline.text() == _("Pair this till again")

        qtbot.keyClick(counter.window, Qt.Key.Key_F10)  # pair again, in place
        wizard = extras._repair_window
        assert wizard.isVisible()
        qtbot.waitUntil(wizard.pair_button.isEnabled, timeout=10_000)  # its keyring check
        wizard.code.setText(rig.server.store.new_pairing_code(rig.shop_id))
        wizard.submit()
        qtbot.waitUntil(lambda: not bar.state.needs_pairing, timeout=15_000)
        qtbot.keyClick(counter.window, Qt.Key.Key_Escape)  # past "paired again": scan again
        qtbot.waitUntil(lambda: panel.headline.text() == _("Show the voucher's QR code"))
        assert bar.line.text() != "● " + _("Not paired")
        assert counter.window.actions_bar.buttons["F10"].text() == "F10\n" + _("Settings")
        qtbot.keyClick(counter.window, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: bar.state.pending_count == 0, timeout=20_000)
        assert [r["voucher_id"] for r in rig.redemptions()] == [first["voucher_id"]]
    finally:
        counter.close()


def test_the_usb_scanner_fills_the_repair_wizard_not_the_counter(rig, qtbot, tmp_path):  # noqa: F811
    """The counter's USB filter keeps reading while the re-pair wizard is open: the pairing QR
    it reads goes to the wizard (never to the scan flow behind it); after, to the counter."""
    rig.settings.scanner.keyburst_max_gap_ms = 400  # a loaded test machine: Enter ends a burst
    scanning = make_scanning(rig.settings, lambda: VideoFileSource(tmp_path / "none.avi"), "en")
    extras = CounterExtras(rig.service, rig.settings)
    counter = open_counter(rig, qtbot, scanning, extras=extras, verdict_s=30, start_worker=False)
    phases: list[str] = []
    counter.flow.phaseChanged.connect(phases.append)
    try:
        rig.server.store.revoke_till(rig.account.till_id)
        qtbot.keyClick(counter.window, Qt.Key.Key_F5)  # the sync meets the 401
        qtbot.waitUntil(lambda: counter.window.status.state.needs_pairing, timeout=15_000)
        qtbot.keyClick(counter.window, Qt.Key.Key_F10)
        wizard = extras._repair_window
        qtbot.waitUntil(wizard.pair_button.isEnabled, timeout=10_000)
        code = rig.server.store.new_pairing_code(rig.shop_id)
        wizard.code.setFocus()
        scanner_types(wizard.code, pairing_payload(rig.server.url, code))
        qtbot.waitUntil(lambda: wizard.code.text() == code, timeout=5_000)
        assert "posapp" not in wizard.till_name.text()
        assert phases == []  # the scan flow never saw the pairing QR
        wizard.submit()
        qtbot.waitUntil(lambda: not counter.window.status.state.needs_pairing, timeout=15_000)
        qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=5_000)
        voucher = rig.voucher(500)
        scanner_types(counter.window, voucher["code"])
        qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=15_000)  # the counter's
    finally:
        counter.close()
