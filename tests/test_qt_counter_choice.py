"""Which platform? Two platforms of this till (Bari, Lecce) know the same plain code: the counter
shows one big button per platform, the shopkeeper picks with the arrows and Enter (or a tap), Esc
goes back to scanning, and the redemption reaches the chosen platform only, once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from posapp.core.accounts import AccountDirectory
from posapp.core.credentials import TokenStore
from posapp.core.service import PosService
from posapp.core.settings import Settings
from posapp.qt.counter_app import build_counter
from posapp.sandbox.server import SandboxServer

pytestmark = pytest.mark.usefixtures("qapp")
SAME_ID = 4_242_424
TOWNS = {"bari": ("Buoni Bari", "Bottega Bari"), "lecce": ("Buoni Lecce", "Bottega Lecce")}


@pytest.fixture
def two(tmp_path, qtbot):
    servers, shops = {}, {}
    directory, tokens = AccountDirectory(tmp_path / "accounts.json"), TokenStore()
    for pid, (platform, shop) in TOWNS.items():
        server = SandboxServer(
            tmp_path / pid, fresh=True, seed_demo=False, platform_id=pid, platform_name=platform
        ).start()
        servers[pid], shops[pid] = server, server.store.create_shop(shop, pid.title())
        code = server.store.new_pairing_code(shops[pid])
        directory.pair(server.url, code, "Cassa 1", tokens)
    bari = servers["bari"].store.create_voucher(shops["bari"], 5000, voucher_id=SAME_ID)
    lecce = servers["lecce"].store.create_voucher(shops["lecce"], 1000, voucher_id=SAME_ID)
    assert bari["code"] == lecce["code"]
    settings = Settings()
    settings.sound = False
    service = PosService.open(
        list(directory.accounts()),
        tokens.get,
        settings,
        db_path=tmp_path / "till.sqlite3",
        timeout=(1.0, 2.0),
    )
    assert all(report.ok for report in service.sync_now().values())
    counter = build_counter(service, settings, None, verdict_s=30)
    qtbot.addWidget(counter.window)
    counter.window.show()
    yield counter, service, servers, bari["code"]
    counter.bridge.close()
    service.close()
    for server in servers.values():
        server.stop()


def scanned_to_choice(counter, qtbot, code):
    counter.flow.on_code(code, "usb")
    qtbot.waitUntil(lambda: counter.flow.phase == "choose", timeout=10_000)
    chooser = counter.window.chooser
    assert counter.window.pages.currentWidget() is chooser
    return chooser


def button_words(button) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in button.findChildren(QLabel))


def test_offline_the_shopkeeper_picks_with_the_arrows_and_enter(two, qtbot):
    counter, service, servers, code = two
    for till in service.tills.values():
        till.monitor.force_offline()
    chooser = scanned_to_choice(counter, qtbot, code)
    assert chooser.title.text() == "Quale piattaforma?"
    words = [button_words(b) for b in chooser.buttons]
    by_id = dict(zip(chooser.account_ids, words, strict=True))
    assert "Buoni Bari · Bottega Bari" in by_id["bari"] and "€\u00a050,00" in by_id["bari"]
    assert "Buoni Lecce · Bottega Lecce" in by_id["lecce"] and "€\u00a010,00" in by_id["lecce"]
    qtbot.waitUntil(lambda: all(b.isVisible() and b.height() >= 52 for b in chooser.buttons))
    for hint in (counter.window.sizeHint(), counter.window.minimumSizeHint()):
        assert hint.width() <= 1024 and hint.height() <= 600, hint  # never wider than the till
    lecce = chooser.account_ids.index("lecce")
    while chooser.current != lecce:  # the arrows move the highlight; printable keys are unused
        qtbot.keyClick(counter.window, Qt.Key.Key_Down)
    qtbot.keyClick(counter.window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=10_000)
    assert counter.flow.summary.account_id == "lecce"
    assert counter.window.voucher.rows["value"][1].text() == "€\u00a010,00"
    qtbot.keyClick(counter.window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=10_000)
    assert counter.flow.verdict.tone == "attention", counter.flow.verdict  # accepted offline
    assert [(r.account_id, r.amount_cents) for r in service.recent()] == [("lecce", 1000)]
    service.sync_now()
    assert [r["amount_cents"] for r in servers["lecce"].store.list_redemptions()] == [1000]
    assert servers["bari"].store.list_redemptions() == []


def test_esc_goes_back_to_scanning_and_a_tap_chooses_online(two, qtbot):
    counter, service, servers, code = two
    scanned_to_choice(counter, qtbot, code)
    qtbot.keyClick(counter.window, Qt.Key.Key_Escape)
    assert counter.flow.phase == "scanning" and counter.flow.choice is None
    assert counter.window.pages.currentWidget() is counter.window.verdict
    chooser = scanned_to_choice(counter, qtbot, code)
    bari = chooser.buttons[chooser.account_ids.index("bari")]
    qtbot.mouseClick(bari, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=10_000)
    assert counter.flow.summary.account_id == "bari"
    qtbot.keyClick(counter.window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=10_000)
    assert counter.flow.verdict.tone == "ok", counter.flow.verdict
    assert [r["amount_cents"] for r in servers["bari"].store.list_redemptions()] == [5000]
    assert servers["lecce"].store.list_redemptions() == []
    assert service.state.pending_count == 0
