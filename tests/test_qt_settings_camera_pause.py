"""The settings preview and the counter's scan worker never fight over the camera: while the
settings dialog previews, the worker is paused (its camera released, its thread alive) and resumes
when the dialog closes; neither pause() nor resume() waits on the GUI thread for the worker's loop.
The camera is a video file read through cv2.VideoCapture that, like a webcam on Windows, opens for
one reader at a time."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import Qt

from posapp.core.operators import OWNER, OperatorBook
from posapp.core.settings import Settings
from posapp.i18n import set_language
from posapp.qt.scan_worker import ScanWorker
from posapp.qt.settings_dialog import SettingsDialog
from posapp.scan.confirm import ScanConfirmer
from posapp.scan.source_base import CameraUnavailable
from posapp.scan.sources import VideoFileSource
from posapp.scan.strategy import make_strategy
from tests.support.counter_rig import rig  # noqa: F401 (fixture)
from tests.support.media import noise_video

pytestmark = pytest.mark.usefixtures("qapp")


class OneReaderCamera(VideoFileSource):
    """A video file as a camera that refuses a second reader while the first holds it."""

    holder: ClassVar[str | None] = None
    lock = threading.Lock()
    opened: ClassVar[list[str]] = []

    def __init__(self, path: Path, who: str) -> None:
        super().__init__(path, loop=True, realtime=True)
        self.who = who

    def open(self) -> None:
        with OneReaderCamera.lock:
            if OneReaderCamera.holder is not None:
                raise CameraUnavailable("in use by {who}", who=OneReaderCamera.holder)
            OneReaderCamera.holder = self.who
            OneReaderCamera.opened.append(self.who)
        try:
            super().open()
        except Exception:
            self._free()
            raise

    def close(self) -> None:
        was_open = self._cap is not None
        super().close()
        if was_open:
            self._free()

    def _free(self) -> None:
        with OneReaderCamera.lock:
            if OneReaderCamera.holder == self.who:
                OneReaderCamera.holder = None


@pytest.fixture(autouse=True)
def _english_and_a_free_camera():
    set_language("en")
    OneReaderCamera.holder, OneReaderCamera.opened = None, []
    yield
    set_language("it")


@pytest.fixture
def video(tmp_path: Path) -> Path:
    return noise_video(tmp_path / "camera.avi", seed=7)


def _camera_worker(camera: type, video: Path) -> ScanWorker:
    """The counter's scan worker on `camera` (a one-reader camera class) showing `video`."""
    return ScanWorker(
        lambda: camera(video, "counter"),
        make_strategy("auto"),
        ScanConfirmer(2, 4.0),
        backoff_s=(0.05,),
        lang="en",
    )


@pytest.fixture
def worker(video, qtbot):
    w = _camera_worker(OneReaderCamera, video)
    w.ended_times = []  # the thread finishing: a pause must never end it
    w.finished.connect(lambda: w.ended_times.append(1))
    w.start()
    qtbot.waitUntil(lambda: OneReaderCamera.holder == "counter", timeout=10_000)
    yield w
    w.stop(3000)


def _dialog(qtbot, video, worker=None) -> SettingsDialog:
    book = OperatorBook()
    owner = book.add("Maria", OWNER, "4821")
    d = SettingsDialog(
        Settings(),
        book,
        owner,
        cameras=lambda: [(0, "USB Camera HD")],
        source_factory=lambda index: OneReaderCamera(video, "settings"),
        scan_worker=worker,
    )
    qtbot.addWidget(d)
    d.show()
    return d


def test_preview_gets_the_camera_and_the_counter_gets_it_back(
    qtbot, video, worker, _isolated_data_dir
):
    frames_before = worker.frames_processed
    qtbot.waitUntil(lambda: worker.frames_processed > frames_before, timeout=10_000)
    d = _dialog(qtbot, video, worker)
    assert worker.isRunning() and worker.is_paused  # paused, not stopped
    qtbot.waitUntil(lambda: d.preview.frames_shown >= 1, timeout=10_000)
    held_at = worker.frames_processed
    qtbot.waitUntil(lambda: d.preview.frames_shown >= 3, timeout=10_000)
    assert OneReaderCamera.holder == "settings"
    assert worker.frames_processed == held_at  # nothing read while the preview had the camera
    d.reject()
    qtbot.waitUntil(lambda: OneReaderCamera.holder == "counter", timeout=10_000)
    assert worker.isRunning() and not worker.is_paused
    qtbot.waitUntil(lambda: worker.frames_processed > held_at, timeout=10_000)
    assert OneReaderCamera.opened == ["counter", "settings", "counter"]
    assert worker.ended_times == []  # the same thread all along


def test_saving_also_gives_the_camera_back(qtbot, video, worker, tmp_path, _isolated_data_dir):
    d = _dialog(qtbot, video, worker)
    d.path = tmp_path / "settings.json"
    qtbot.waitUntil(lambda: d.preview.frames_shown >= 1, timeout=10_000)
    with qtbot.waitSignal(d.saved, timeout=10_000):
        d.save()
    qtbot.waitUntil(lambda: OneReaderCamera.holder == "counter", timeout=10_000)
    assert worker.isRunning() and worker.ended_times == []


class SlowToLetGo(OneReaderCamera):
    """A camera whose close() takes its time: it records whether the GUI thread had already got
    its pause() call back by then (it waits for that, up to 5 s: never a deadlock)."""

    returned = threading.Event()
    saw_return: ClassVar[list[bool]] = []

    def close(self) -> None:
        if self._cap is not None:
            SlowToLetGo.saw_return.append(SlowToLetGo.returned.wait(5.0))
        super().close()


def test_pause_and_resume_return_without_waiting_for_the_loop(qtbot, video):
    SlowToLetGo.returned.clear()
    SlowToLetGo.saw_return = []
    w = _camera_worker(SlowToLetGo, video)
    states: list[bool] = []
    w.pausedChanged.connect(states.append)
    w.start()
    try:
        qtbot.waitUntil(lambda: w.frames_processed > 3, timeout=10_000)
        w.pause()
        SlowToLetGo.returned.set()  # pause() is back while the camera is still closing
        qtbot.waitUntil(lambda: states == [True], timeout=10_000)
        assert SlowToLetGo.saw_return == [True]
        assert OneReaderCamera.holder is None  # released: the preview can open it
        held_at = w.frames_processed
        w.resume()
        qtbot.waitUntil(lambda: states == [True, False], timeout=10_000)
        qtbot.waitUntil(lambda: w.frames_processed > held_at, timeout=10_000)
        assert OneReaderCamera.opened == ["counter", "counter"]
        w.pause()  # stop() still ends a paused worker at once
        qtbot.waitUntil(lambda: states[-1] is True, timeout=10_000)
    finally:
        assert w.stop(3000)


def test_without_the_worker_the_preview_finds_the_camera_busy(
    qtbot, video, worker, _isolated_data_dir
):
    """What happened before: the preview competed with the running worker and lost."""
    d = _dialog(qtbot, video, None)
    qtbot.waitUntil(lambda: "cannot be opened" in d.preview.text(), timeout=10_000)
    assert worker.isRunning() and OneReaderCamera.holder == "counter"
    d.reject()


def test_a_stopped_worker_stays_stopped(qtbot, video, worker, _isolated_data_dir):
    worker.stop(3000)  # e.g. the counter is closing: the dialog must not bring it back
    d = _dialog(qtbot, video, worker)
    qtbot.waitUntil(lambda: d.preview.frames_shown >= 1, timeout=10_000)
    d.reject()
    qtbot.waitUntil(lambda: OneReaderCamera.holder is None, timeout=10_000)
    assert not worker.isRunning() and not worker.is_paused


def test_f10_on_the_counter_pauses_its_own_worker(qtbot, video, rig, _isolated_data_dir):  # noqa: F811
    """The wiring: F10 on the real counter hands the counter's worker to the settings dialog."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from posapp.qt.app import make_scanning
    from posapp.qt.counter_app import build_counter
    from posapp.qt.counter_extras import CounterExtras

    scanning = make_scanning(rig.settings, lambda: OneReaderCamera(video, "counter"), "en")
    extras = CounterExtras(rig.service, rig.settings)
    made = build_counter(rig.service, rig.settings, scanning, extra_actions=extras.actions())
    extras.attach(made)
    qtbot.addWidget(made.window)
    seen: list[bool] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog):
            QTimer.singleShot(20, answer)
            return
        try:
            seen.append((scanning.worker.isRunning(), getattr(scanning.worker, "is_paused", None)))
        finally:
            dialog.reject()  # never leave a modal dialog waiting

    try:
        qtbot.waitUntil(lambda: OneReaderCamera.holder == "counter", timeout=10_000)
        QTimer.singleShot(0, answer)
        qtbot.keyClick(made.window, Qt.Key.Key_F10)  # no operators yet: the settings open
        assert seen == [(True, True)]  # while the dialog was up, the counter's worker paused
        qtbot.waitUntil(lambda: OneReaderCamera.holder == "counter", timeout=10_000)
        assert scanning.worker.isRunning() and not scanning.worker.is_paused
    finally:
        made.close()
