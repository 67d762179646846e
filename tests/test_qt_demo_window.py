"""The demo's outage switch (F12 and the script) really stops and restarts the platform, and the
demo video holds a card for each kind of verdict."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from posapp.qt.counter_app import build_counter
from posapp.qt.demo_window import DemoDirector, demo_cards
from posapp.sandbox.demo import demo_vouchers, seed_demo
from tests.support.counter_rig import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("qapp")


def test_f12_cuts_the_line_then_restores_it_and_the_sync_catches_up(rig, qtbot):  # noqa: F811
    voucher = rig.voucher(800)
    signed = rig.server.store.sign_voucher(voucher["voucher_id"])
    servers = [rig.server]
    box: list[DemoDirector] = []
    counter = build_counter(
        rig.service, rig.settings, None, extra_actions={"F12": lambda: box[0].toggle()}
    )
    box.append(DemoDirector(counter, rig.service, servers, rig.path))
    qtbot.addWidget(counter.window)
    bar = counter.window.status
    try:
        qtbot.keyClick(counter.window, Qt.Key.Key_F12)
        qtbot.waitUntil(lambda: box[0].cut and not box[0]._busy, timeout=15_000)
        counter.flow.on_code(signed, "usb")
        qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=15_000)
        counter.window.confirm()
        qtbot.waitUntil(lambda: bar.state.pending_count == 1, timeout=15_000)
        assert counter.flow.verdict.tone == "attention"
        qtbot.keyClick(counter.window, Qt.Key.Key_F12)
        qtbot.waitUntil(lambda: bar.state.pending_count == 0, timeout=20_000)
        rig.server = servers[0]  # the restarted one, for the rig's clean-up
        assert [r["voucher_id"] for r in rig.redemptions()] == [voucher["voucher_id"]]
    finally:
        rig.server = servers[0]
        counter.close()


def test_the_demo_video_shows_each_kind_of_verdict(tmp_path):
    from posapp.sandbox.store import SandboxStore

    store = SandboxStore(tmp_path / "sb", fresh=True)
    try:
        seed_demo(store)
        shop = store.shops()[0]["shop_id"]
        cards = demo_cards([v for v in demo_vouchers(store) if v["shop_id"] == shop])
    finally:
        store.close()
    assert len(cards) == 8
    captions = [caption for _, caption in cards]
    # as the counter writes amounts; the seed's 5 and 10 euro vouchers can share a creation
    # millisecond, and then either comes first
    assert captions[0] in ("Buono €\u00a05,00", "Buono €\u00a010,00"), captions
    assert "Buono usato" in captions and not any("used" in c for c in captions)
    assert sum(text.startswith("PV:") for text, _ in cards) == 2  # the offline part
    assert len({text for text, _ in cards}) == 8


def test_a_card_caption_in_a_real_font_and_its_qr_still_reads(qapp):
    import cv2
    import numpy as np

    from posapp.demo_video import CAPTION_HEIGHT, qr_card
    from posapp.qt.demo_window import qt_caption

    card = qr_card("DH3S-619J-5X4", "Buono €\u00a010,00", side=240, caption_image=qt_caption)
    band = card[240:]
    assert band.shape == (CAPTION_HEIGHT, 240, 3)
    ink = (band.min(axis=2) < 128).sum()
    assert 150 < ink < band.shape[0] * band.shape[1] // 3, ink  # text, not a blank or a smear
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(np.ascontiguousarray(card))
    assert text == "DH3S-619J-5X4"
