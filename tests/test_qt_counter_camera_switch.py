"""A camera (and a decoder) chosen in the settings (F10) is the one the counter reads with as
soon as they are saved: no restart, the same scan thread. Two video files played through
cv2.VideoCapture stand in for two cameras, each showing a QR code of its own."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from posapp.core.settings import Settings
from posapp.demo_video import make_demo_video
from posapp.qt.app import make_scanning
from posapp.qt.counter_app import build_counter
from posapp.qt.counter_extras import CounterExtras
from posapp.qt.settings_dialog import SettingsDialog
from posapp.scan.sources import VideoFileSource
from posapp.scan.strategy import make_strategy
from tests.support.counter_rig import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("qapp")
CODES = ("FRONT-CAMERA-QR", "SIDE-CAMERA-QR")


def test_a_camera_chosen_in_the_settings_is_read_once_they_are_saved(rig, qtbot, tmp_path):  # noqa: F811
    videos = [
        make_demo_video(tmp_path / f"camera{i}.avi", [(code, "")], seconds_between=0.5)
        for i, code in enumerate(CODES)
    ]

    def camera(index: int) -> VideoFileSource:
        return VideoFileSource(videos[index], loop=True, realtime=True)

    scanning = make_scanning(rig.settings, lang="en", camera_source=camera)
    extras = CounterExtras(
        rig.service,
        rig.settings,
        cameras=lambda: [(0, "Front camera"), (1, "Side camera")],
        camera_source=camera,
    )
    counter = build_counter(
        rig.service, rig.settings, scanning, extra_actions=extras.actions(), verdict_s=30
    )
    extras.attach(counter)
    qtbot.addWidget(counter.window)
    worker = scanning.worker
    read: list[str] = []
    finished: list[int] = []
    worker.codeScanned.connect(lambda text, _source: read.append(text))
    worker.finished.connect(lambda: finished.append(1))
    chose: list[int] = []
    deadline = time.monotonic() + 15

    def choose_the_side_camera() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog) or dialog.camera.findData(1) < 0:
            if time.monotonic() > deadline:  # never leave a modal dialog waiting forever
                if dialog is not None:
                    dialog.reject()
                return
            QTimer.singleShot(20, choose_the_side_camera)  # the camera list comes from a thread
            return
        dialog.camera.setCurrentIndex(dialog.camera.findData(1))
        dialog.strategy.setCurrentIndex(dialog.strategy.findData("zxing"))
        chose.append(dialog.camera.currentData())
        dialog.save()

    try:
        qtbot.waitUntil(lambda: CODES[0] in read, timeout=15_000)
        QTimer.singleShot(0, choose_the_side_camera)
        qtbot.keyClick(counter.window, Qt.Key.Key_F10)  # returns once the dialog is closed
        assert chose == [1]
        assert scanning.camera_index == 1
        assert Settings.load().scanner.camera_index == 1
        before = len(read)
        qtbot.waitUntil(lambda: CODES[1] in read[before:], timeout=15_000)
        assert CODES[0] not in read[before:]  # the front camera is no longer read
        assert worker.isRunning() and not worker.is_paused and finished == []
        assert worker.strategy.spec == make_strategy("zxing").spec  # the decoder chosen, too
        assert Settings.load().scanner.strategy == "zxing"
    finally:
        counter.close()


def test_a_fixed_source_is_not_switched(rig, qtbot, tmp_path):  # noqa: F811
    """`--video`, `--images` and the demo's video: the settings' camera does not replace them."""
    video = make_demo_video(tmp_path / "fixed.avi", [(CODES[0], "")], seconds_between=0.5)
    scanning = make_scanning(
        rig.settings, lambda: VideoFileSource(video, loop=True, realtime=True), "en"
    )
    try:
        assert scanning.camera_index is None
        assert not scanning.use_camera(1)
    finally:
        scanning.scanner.uninstall()  # the USB filter sits on the application: take it off
