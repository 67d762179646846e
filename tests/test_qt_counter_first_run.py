"""`posapp` on a till never paired: the pairing wizard, then the counter in the same session."""

from __future__ import annotations

import pytest

from posapp.core.settings import Settings
from posapp.qt.counter_app import first_run
from posapp.sandbox.server import SandboxServer

pytestmark = pytest.mark.usefixtures("qapp")


def test_first_run_pairs_creates_the_owner_then_opens_the_counter(tmp_path, qtbot):
    opened: list[bool] = []
    running: dict = {}
    with SandboxServer(tmp_path / "sb", fresh=True, seed_demo=False) as server:
        shop = server.store.create_shop("Panificio Rizzo", "Calimera")
        assert first_run(Settings(), lambda: opened.append(True) or True, running)
        wizard = running["wizard"]
        qtbot.addWidget(wizard)
        qtbot.waitUntil(wizard.pair_button.isEnabled, timeout=10_000)
        wizard.address.setText(server.url)
        wizard.code.setText(server.store.new_pairing_code(shop))
        wizard.submit()
        qtbot.waitUntil(lambda: wizard.pages.currentWidget() is wizard.owner_page, timeout=15_000)
        wizard.owner_name.setText("Maria")
        wizard.owner_pin.setText("4821")
        wizard.owner_pin_again.setText("4821")
        wizard.create_owner()
        qtbot.waitUntil(lambda: opened == [True], timeout=10_000)
        assert not wizard.isVisible()
