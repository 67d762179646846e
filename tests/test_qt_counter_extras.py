"""F9 opens the owner's view beside the counter, on the counter's own bridge."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from posapp.qt.counter_extras import CounterExtras
from tests.support.counter_rig import open_counter, rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("qapp")


def test_f9_opens_the_owners_view_and_scanning_goes_on(rig, qtbot):  # noqa: F811
    extras = CounterExtras(rig.service, rig.settings)
    counter = open_counter(rig, qtbot, extras=extras, show=False)
    try:
        assert "F9" in counter.window.actions_bar.buttons
        qtbot.keyClick(counter.window, Qt.Key.Key_F9)
        owner = extras._owner
        assert owner is not None and owner.isVisible()
        voucher = rig.voucher(500)
        counter.flow.on_code(voucher["code"], "usb")
        qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=10_000)
        owner.close()
    finally:
        counter.close()
