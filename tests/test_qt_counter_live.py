"""The counter end to end on the real sandbox: a voucher from a video file through the real scan
pipeline, an outage and its catching up, and the GUI thread never held by a slow platform."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer

from posapp.demo_video import make_demo_video
from posapp.qt.app import make_scanning
from posapp.qt.counter_app import build_counter
from posapp.scan.sources import VideoFileSource
from tests.support.counter_rig import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("qapp")


def counter_on_video(rig, qtbot, video, realtime=False, **kwargs):  # noqa: F811
    scanning = make_scanning(
        rig.settings, lambda: VideoFileSource(video, loop=realtime, realtime=realtime)
    )
    counter = build_counter(rig.service, rig.settings, scanning, verdict_s=30, **kwargs)
    qtbot.addWidget(counter.window)
    counter.window.show()
    return counter


def test_a_voucher_played_from_a_video_is_shown_confirmed_and_redeemed(rig, qtbot, tmp_path):  # noqa: F811
    voucher = rig.voucher(1000)
    video = make_demo_video(tmp_path / "one.avi", [(voucher["code"], "10,00")])
    counter = counter_on_video(rig, qtbot, video)
    try:
        qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=15_000)
        assert counter.window.voucher.rows["code"][1].text() == voucher["code"]
        assert counter.window.preview.frames_painted > 0
        qtbot.keyClick(counter.window, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=10_000)
        assert counter.flow.verdict.tone == "ok"
        assert [r["voucher_id"] for r in rig.redemptions()] == [voucher["voucher_id"]]
    finally:
        counter.close()


def test_outage_orange_pending_rises_then_the_sync_catches_up_once(rig, qtbot):  # noqa: F811
    vouchers = [rig.voucher(500 + 100 * i) for i in range(2)]
    signed = [rig.server.store.sign_voucher(v["voucher_id"]) for v in vouchers]
    counter = build_counter(rig.service, rig.settings, None, verdict_s=30)
    qtbot.addWidget(counter.window)
    bar = counter.window.status
    try:
        rig.stop_platform()
        for number, code in enumerate(signed, start=1):
            counter.flow.on_code(code, "usb")
            qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=15_000)
            assert "PV:" not in counter.window.voucher.rows["code"][1].text()
            qtbot.keyClick(counter.window, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=15_000)
            assert counter.flow.verdict.tone == "attention", counter.flow.verdict
            qtbot.waitUntil(lambda n=number: bar.state.pending_count == n, timeout=5_000)
        assert not bar.state.online
        rig.start_platform()
        qtbot.keyClick(counter.window, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: bar.state.pending_count == 0, timeout=20_000)
        rows = rig.redemptions()
        assert sorted(r["voucher_id"] for r in rows) == sorted(v["voucher_id"] for v in vouchers)
    finally:
        counter.close()


def test_a_slow_platform_never_blocks_the_gui_thread(rig, qtbot, tmp_path):  # noqa: F811
    voucher = rig.voucher(1000)
    video = make_demo_video(tmp_path / "loop.avi", [(voucher["code"], "10,00")], seconds_per_card=1)
    rig.server.faults.set([{"kind": "latency", "seconds": 3.0, "count": None}])
    counter = counter_on_video(rig, qtbot, video, realtime=True)
    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()

    def beat() -> None:
        gaps.append(clock.restart())

    heart = QTimer(interval=10)
    heart.timeout.connect(beat)
    try:
        qtbot.waitUntil(lambda: counter.window.preview.frames_painted > 0, timeout=10_000)
        heart.start()
        clock.restart()
        painted = counter.window.preview.frames_painted
        counter.flow.on_code(voucher["code"], "usb")  # the lookup waits 3 s on the platform
        started = time.monotonic()
        qtbot.waitUntil(lambda: counter.flow.phase != "looking_up", timeout=15_000)
        assert time.monotonic() - started > 1.5  # the platform really was slow
        assert counter.window.preview.frames_painted > painted + 5  # the preview kept moving
        if counter.flow.phase == "confirm":
            qtbot.keyClick(counter.window, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=15_000)
        heart.stop()
        assert len(gaps) > 100
        assert max(gaps) < 100, f"the GUI thread was blocked for {max(gaps)} ms"
    finally:
        heart.stop()
        rig.server.faults.set([])
        counter.close()
