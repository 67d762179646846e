"""The scan loop QThread on real sources: a generated video through cv2.VideoCapture, a realtime
video, a source whose read blocks, and a camera that is not there."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QObject

from posapp.qt.scan_worker import ScanStats, ScanWorker, to_qimage
from posapp.scan.confirm import ScanConfirmer
from posapp.scan.sources import CameraSource, FrameSource, VideoFileSource
from posapp.scan.strategy import make_strategy
from tests.support.qrframes import make_video, payload_text

CODES = [payload_text(kind, 7) for kind in ("plain", "url", "signed")]


class TrackedVideo(VideoFileSource):
    """A real VideoFileSource that remembers whether it was released."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.closed = threading.Event()

    def close(self) -> None:
        super().close()
        self.closed.set()


class BlockingSource(FrameSource):
    """A live source whose read hangs (a stuck USB camera) until the test lets it go."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.reading = threading.Event()
        self.closed = threading.Event()

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray | None:
        self.reading.set()
        self.release.wait(10)
        return None

    def close(self) -> None:
        self.closed.set()

    @property
    def live(self) -> bool:
        return True

    def describe(self) -> str:
        return "blocking test source"


@pytest.fixture(scope="module")
def voucher_video(tmp_path_factory):
    """15 fps: each voucher held ~1 s, the plain one shown twice 1 s apart (inside the cool-down),
    and a long code-free stretch at the end."""
    segments = [
        (None, 8),
        (CODES[0], 12),
        (None, 15),
        (CODES[0], 10),
        (None, 8),
        (CODES[1], 12),
        (None, 8),
        (CODES[2], 14),
        (None, 45),
    ]
    return make_video(tmp_path_factory.mktemp("video") / "vouchers.avi", segments)


@pytest.fixture(scope="module")
def empty_video(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("video") / "empty.avi", [(None, 40)], seed=3)


@pytest.fixture(scope="module")
def strategy():
    return make_strategy()


def _worker(source, strategy, **kwargs) -> ScanWorker:
    return ScanWorker(lambda: source, strategy, ScanConfirmer(2, 4.0), **kwargs)


def test_video_emits_each_voucher_once_and_releases_the_source(qtbot, voucher_video, strategy):
    source = TrackedVideo(voucher_video)
    worker = _worker(source, strategy)
    scanned, stats, previews = [], [], []
    worker.codeScanned.connect(lambda text, src: scanned.append((text, src)))
    worker.stats.connect(stats.append)
    worker.preview.connect(previews.append)
    with qtbot.waitSignal(worker.finished, timeout=20_000):
        worker.start()
    assert scanned == [(code, "camera") for code in CODES]
    assert worker.frames_processed == 132  # every frame of a file, in order, none dropped
    assert source.closed.is_set()
    assert isinstance(stats[-1], ScanStats) and stats[-1].frames == 132
    assert previews and previews[0].width() == 640


def test_code_free_video_emits_nothing(qtbot, empty_video, strategy):
    worker = _worker(TrackedVideo(empty_video), strategy)
    scanned = []
    worker.codeScanned.connect(lambda text, src: scanned.append(text))
    with qtbot.waitSignal(worker.finished, timeout=20_000):
        worker.start()
    assert scanned == []
    assert worker.frames_processed == 40


def test_stop_is_prompt_on_a_realtime_source(qtbot, voucher_video, strategy):
    source = TrackedVideo(voucher_video, loop=True, realtime=True)
    worker = _worker(source, strategy)
    with qtbot.waitSignal(worker.codeScanned, timeout=10_000) as first:
        worker.start()
    assert first.args == [CODES[0], "camera"]
    started = time.monotonic()
    assert worker.stop()
    assert time.monotonic() - started < 1.0
    assert worker.isFinished()
    assert source.closed.wait(1.0)


def test_stop_is_prompt_when_the_camera_read_hangs(qtbot, strategy):
    source = BlockingSource()
    worker = _worker(source, strategy)
    errors = []
    worker.cameraError.connect(errors.append)
    worker.start()
    assert source.reading.wait(5)
    started = time.monotonic()
    assert worker.stop()
    assert time.monotonic() - started < 1.0
    assert not source.closed.is_set()  # still inside read(): the capture thread owns the source
    source.release.set()
    assert source.closed.wait(2)  # ...and releases it as soon as the read returns


def test_missing_camera_reports_once_and_keeps_retrying(qtbot, strategy):
    opened = []

    def factory():
        opened.append(1)
        return CameraSource(index=57)

    worker = ScanWorker(factory, strategy, ScanConfirmer(), backoff_s=(0.05,), lang="en")
    messages = []
    worker.cameraError.connect(messages.append)
    worker.start()
    qtbot.waitUntil(lambda: len(opened) >= 5, timeout=10_000)
    assert worker.isRunning()  # no crash: it retries with a fresh source
    assert len(messages) == 1  # one clear signal, not one per retry
    assert "57" in messages[0] and "not available" in messages[0]
    assert "disponibile" not in messages[0]  # English only, as asked
    assert "Traceback" not in messages[0]
    assert worker.stop()


def test_missing_video_file_reports_and_finishes(qtbot, tmp_path, strategy):
    worker = _worker(VideoFileSource(tmp_path / "nope.avi"), strategy)
    messages = []
    worker.cameraError.connect(messages.append)
    with qtbot.waitSignal(worker.finished, timeout=5_000):
        worker.start()
    assert len(messages) == 1 and "non trovato" in messages[0]
    assert "not found" not in messages[0]  # Italian by default


def test_preview_is_downscaled_and_owns_its_pixels():
    frame = np.zeros((720, 1280, 3), np.uint8)
    frame[:, :, 2] = 200  # red in BGR
    image = to_qimage(frame, 640)
    del frame
    assert (image.width(), image.height()) == (640, 360)
    assert image.pixelColor(10, 10).red() == 200 and image.pixelColor(10, 10).blue() == 0


class _Collector(QObject):
    """Lives in the GUI thread, like the scan window."""

    def __init__(self) -> None:
        super().__init__()
        self.images = []

    def take(self, image) -> None:
        self.images.append(image)


def test_previews_do_not_pile_up_behind_a_busy_gui_thread(qtbot, empty_video, strategy):
    worker = _worker(TrackedVideo(empty_video), strategy, preview_interval_s=0.0)
    collector = _Collector()
    worker.preview.connect(collector.take)
    worker.start()
    assert worker.wait(20_000)  # the GUI thread is "busy": no events processed meanwhile
    assert worker.frames_processed == 40
    qtbot.wait(50)
    assert 1 <= len(collector.images) <= 2  # not one per frame


class UnpluggableCamera(FrameSource):
    """A live source that can be 'unplugged': reads then fail (None) the way CameraSource's do."""

    def __init__(self) -> None:
        self.unplugged = threading.Event()
        self.frame = np.full((120, 160, 3), 128, np.uint8)

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray | None:
        time.sleep(0.02)
        return None if self.unplugged.is_set() else self.frame

    def close(self) -> None:
        pass

    @property
    def live(self) -> bool:
        return True

    def describe(self) -> str:
        return "test camera"


def test_a_camera_that_stops_delivering_is_reported_and_recovers(qtbot, strategy):
    camera = UnpluggableCamera()
    worker = _worker(camera, strategy, stall_s=0.3, lang="en")
    with qtbot.waitSignal(worker.cameraReady, timeout=5_000):
        worker.start()
    qtbot.waitUntil(lambda: worker.frames_processed > 3, timeout=5_000)
    with qtbot.waitSignal(worker.cameraError, timeout=5_000) as lost:
        camera.unplugged.set()
    assert "Camera unplugged" in lost.args[0]
    with qtbot.waitSignal(worker.cameraReady, timeout=5_000) as back:
        camera.unplugged.clear()
    assert back.args == ["test camera"]
    assert worker.stop()


def test_realtime_video_without_loop_finishes_instead_of_reporting_a_lost_camera(
    qtbot, strategy, tmp_path
):
    """A video paced like a camera but not looped ends: no 'camera unplugged', no replay."""
    code = payload_text("plain", 12)
    video = make_video(tmp_path / "short.avi", [(None, 3), (code, 6), (None, 3)], fps=30)
    opened = []

    def factory():
        opened.append(1)
        return TrackedVideo(video, realtime=True)

    worker = ScanWorker(factory, strategy, ScanConfirmer(2, 4.0), stall_s=0.2, lang="en")
    errors, scanned = [], []
    worker.cameraError.connect(errors.append)
    worker.codeScanned.connect(lambda text, src: scanned.append(text))
    try:
        with qtbot.waitSignal(worker.finished, timeout=5_000):
            worker.start()
    finally:
        worker.stop()
    assert scanned == [code]
    assert errors == []
    assert len(opened) == 1  # not reopened and played again as if the camera had failed


def test_sources_say_when_they_have_no_more_frames(tmp_path):
    video = make_video(tmp_path / "two.avi", [(None, 2)], fps=10)
    for source in (VideoFileSource(video), VideoFileSource(video, realtime=True)):
        with source:
            assert not source.finished
            while source.read() is not None:
                pass
            assert source.finished  # the end of the file, not a failed grab
    with VideoFileSource(video, loop=True) as looped:
        for _ in range(5):
            assert looped.read() is not None
        assert not looped.finished
    assert not CameraSource(index=57).finished


def test_a_source_factory_that_raises_is_reported_and_retried(qtbot, strategy, empty_video):
    """A factory error (bad settings, a driver blowing up) must not end the thread silently."""
    calls = []

    def factory():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("driver exploded")
        return TrackedVideo(empty_video)

    worker = ScanWorker(factory, strategy, ScanConfirmer(), backoff_s=(0.05,), lang="en")
    errors = []
    worker.cameraError.connect(errors.append)
    try:
        with qtbot.waitSignal(worker.finished, timeout=10_000):
            worker.start()
    finally:
        worker.stop()
    assert len(errors) == 1 and "Camera error" in errors[0]
    assert "exploded" not in errors[0]  # the detail goes to the log, not to the shopkeeper
    assert len(calls) == 2 and worker.frames_processed == 40


def test_a_decoder_error_on_one_frame_is_reported_once_and_the_loop_goes_on(qtbot, voucher_video):
    """One bad frame (a decoder bug) must not end a file run nor reopen a camera."""

    class FlakyStrategy:
        def __init__(self, real) -> None:
            self.real, self.calls = real, 0

        def decode(self, frame):
            self.calls += 1
            if self.calls in (5, 6):
                raise ValueError("decoder bug")
            return self.real.decode(frame)

    worker = ScanWorker(
        lambda: TrackedVideo(voucher_video),
        FlakyStrategy(make_strategy()),
        ScanConfirmer(2, 4.0),
        lang="en",
    )
    errors, scanned = [], []
    worker.cameraError.connect(errors.append)
    worker.codeScanned.connect(lambda text, src: scanned.append(text))
    try:
        with qtbot.waitSignal(worker.finished, timeout=20_000):
            worker.start()
    finally:
        worker.stop()
    assert scanned == CODES
    assert worker.frames_processed == 132
    assert len(errors) == 1 and "decod" in errors[0].lower()


class FastNumberedCamera(FrameSource):
    """A live source delivering a numbered frame every 2 ms, much faster than decoding."""

    def __init__(self) -> None:
        self.delivered = 0

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray | None:
        time.sleep(0.002)
        self.delivered += 1
        frame = np.zeros((48, 64, 3), np.uint8)
        frame[0, 0, :3] = (self.delivered & 255, (self.delivered >> 8) & 255, self.delivered >> 16)
        return frame

    def close(self) -> None:
        pass

    @property
    def live(self) -> bool:
        return True

    def describe(self) -> str:
        return "fast camera"


class SlowStrategy:
    """30 ms per frame; records how many frames behind the camera each decoded frame was."""

    def __init__(self, camera: FastNumberedCamera) -> None:
        self.camera, self.lags = camera, []

    def decode(self, frame):
        b, g, r = (int(v) for v in frame[0, 0, :3])
        self.lags.append(self.camera.delivered - (b | g << 8 | r << 16))
        time.sleep(0.03)
        return []


def test_a_slow_decoder_never_falls_behind_a_live_camera(qtbot):
    camera = FastNumberedCamera()
    slow = SlowStrategy(camera)
    worker = ScanWorker(lambda: camera, slow, ScanConfirmer(), stats_interval_s=0.1)
    stats = []
    worker.stats.connect(stats.append)
    worker.start()
    try:
        qtbot.waitUntil(lambda: len(slow.lags) >= 15, timeout=10_000)
    finally:
        assert worker.stop()
    assert camera.delivered > 3 * len(slow.lags)  # most frames were never decoded...
    assert max(slow.lags[1:]) <= 20  # ...and each decoded one was the newest, not a queued one
    assert stats and stats[-1].dropped > 0


class OpenTroubleSource(BlockingSource):
    """A live source whose open() hangs (a driver busy) or raises something unexpected."""

    def __init__(self, fail: bool) -> None:
        super().__init__()
        self.fail = fail

    def open(self) -> None:
        self.reading.set()
        if self.fail:
            raise OSError("driver error")
        self.release.wait(10)


def test_stop_is_prompt_while_open_hangs_and_the_camera_is_released_after(qtbot, strategy):
    source = OpenTroubleSource(fail=False)
    worker = _worker(source, strategy)
    worker.start()
    assert source.reading.wait(5)
    started = time.monotonic()
    assert worker.stop()
    assert time.monotonic() - started < 1.0
    source.release.set()  # open() returns at last...
    assert source.closed.wait(2)  # ...and the capture thread releases the camera at once


def test_an_unexpected_error_in_open_is_reported_and_the_source_closed(qtbot, strategy):
    source = OpenTroubleSource(fail=True)
    worker = ScanWorker(lambda: source, strategy, ScanConfirmer(), backoff_s=(5.0,), lang="en")
    with qtbot.waitSignal(worker.cameraError, timeout=5_000) as error:
        worker.start()
    assert source.closed.wait(2)
    assert "Camera error" in error.args[0]
    assert worker.stop()


# -- still images, generated hand-held videos, hints ---------------------------------------------


def _voucher_images(folder, count: int = 3) -> list[str]:
    import cv2

    from tests.support.qrframes import make_frame

    texts = []
    for i in range(count):
        text = payload_text(("plain", "url", "signed")[i % 3], 30 + i)
        cv2.imwrite(str(folder / f"{i:02d}.png"), make_frame("clean", text, (640, 480), seed=i))
        texts.append(text)
    return texts


def test_a_folder_of_vouchers_confirms_each_on_one_read(qtbot, tmp_path, strategy):
    from posapp.scan.sources import ImageFolderSource

    texts = _voucher_images(tmp_path)
    worker = _worker(ImageFolderSource(tmp_path), strategy)  # 2 frames needed for a stream
    codes = []
    worker.codeScanned.connect(lambda text, _src: codes.append(text))
    with qtbot.waitSignal(worker.finished, timeout=20_000):
        worker.start()
    assert codes == texts


def test_a_realtime_folder_confirms_on_one_read_through_the_live_path(qtbot, tmp_path, strategy):
    from posapp.scan.sources import ImageFolderSource

    texts = _voucher_images(tmp_path)
    source = ImageFolderSource(tmp_path, fps=10, realtime=True)
    worker = _worker(source, strategy)
    codes = []
    worker.codeScanned.connect(lambda text, _src: codes.append(text))
    with qtbot.waitSignal(worker.finished, timeout=20_000):
        worker.start()
    assert codes == texts


class CountingStills:
    """`still_images()` as `posapp scan --images` makes it, counting the images it hands out."""

    def __init__(self, folder, fps: float) -> None:
        from posapp.scan.sources import still_images

        self.source = still_images(folder, fps=fps)
        self.images = 0
        inner = self.source.read

        def read():
            frame = inner()
            self.images += frame is not None
            return frame

        self.source.read = read


def test_scan_images_reads_each_image_once_then_ends_with_a_status(qtbot, tmp_path, strategy):
    """`posapp scan --images DIR` looped the folder and emitted its codes again at every pass."""
    from posapp.qt.scan_window import ScanWindow

    texts = _voucher_images(tmp_path, 4)
    cv2 = pytest.importorskip("cv2")
    cv2.imwrite(str(tmp_path / "99-empty.png"), np.full((480, 640, 3), 200, np.uint8))
    stills = CountingStills(tmp_path, fps=20)
    worker = ScanWorker(lambda: stills.source, strategy, ScanConfirmer(2, 4.0), lang="en")
    window = ScanWindow(worker, lang="en")
    qtbot.addWidget(window)
    codes, ended = [], []
    worker.codeScanned.connect(lambda text, _src: codes.append(text))
    worker.ended.connect(ended.append)
    with qtbot.waitSignal(worker.finished, timeout=20_000):
        worker.start()
    qtbot.waitUntil(lambda: "end of the folder" in window.status_label.text(), timeout=5_000)
    assert codes == texts  # one confirmed read per voucher image, in order, none repeated
    assert stills.images == 5 and stills.source.finished  # each image read once, none again
    assert ended == ["5 images read: end of the folder."]
    assert "5 images read: end of the folder." in window.status_label.text()
    assert worker.isFinished() and worker.frames_processed == 5  # idle: nothing reads any more


def test_stills_are_never_dropped_behind_a_slow_decoder(qtbot, tmp_path):
    """A live camera drops old frames for the newest; a folder of vouchers must not lose one."""
    texts = _voucher_images(tmp_path, 4)
    real = make_strategy()

    class Slow:
        def decode(self, frame):
            time.sleep(0.15)  # a slow PC: decoding takes longer than the images' pace
            return real.decode(frame)

    stills = CountingStills(tmp_path, fps=50)
    worker = _worker(stills.source, Slow())
    codes = []
    worker.codeScanned.connect(lambda text, _src: codes.append(text))
    with qtbot.waitSignal(worker.finished, timeout=20_000):
        worker.start()
    assert codes == texts and worker.frames_processed == 4
    assert stills.images == 4


@pytest.fixture(scope="module")
def hand_videos(tmp_path_factory):
    from tests.support.qrframes import make_hand_video

    folder = tmp_path_factory.mktemp("hand")
    return [
        make_hand_video(folder / f"{kind}.avi", payload_text(kind, 70 + i), (960, 540), 15, i)
        for i, kind in enumerate(("plain", "url", "signed"))
    ]


def _play(qtbot, video, strategy) -> tuple[list[str], float, ScanWorker]:
    worker = _worker(VideoFileSource(video.path), strategy)
    codes: list[str] = []
    worker.codeScanned.connect(lambda text, _src: codes.append(text))
    with qtbot.waitSignal(worker.finished, timeout=60_000):
        worker.start()
    return codes, worker.decode_cpu_s, worker


def test_hand_held_vouchers_are_each_confirmed_once_for_less_cpu_than_the_old_default(
    qtbot, hand_videos
):
    """Brought to the camera with motion blur, autofocus hunting, a tremor: every voucher is
    confirmed once, nothing else is, and the decoding thread spends less CPU than with the old
    every-step-on-every-frame default on the same frames."""
    default, legacy = make_strategy("auto"), make_strategy("legacy")
    cpu = {"auto": 0.0, "legacy": 0.0}
    for video in hand_videos:
        codes, spent, worker = _play(qtbot, video, default)
        assert codes == [video.text]
        assert worker.frames_processed == video.frames
        cpu["auto"] += spent
        codes, spent, _ = _play(qtbot, video, legacy)
        assert codes == [video.text]
        cpu["legacy"] += spent
    assert cpu["auto"] < 0.9 * cpu["legacy"], cpu


def test_a_voucher_held_out_of_focus_brings_a_hint(qtbot, tmp_path, strategy):
    import cv2

    from tests.support import qrframes

    text = payload_text("url", 9)
    scene = qrframes.background(1280, 720, qrframes.rng_for("hint", 9))
    path = tmp_path / "blurred.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (1280, 720))
    for i in range(60):  # an empty counter, then a voucher held far too close to focus
        frame = scene.copy()
        if i >= 15:
            qrframes._place(frame, qrframes._card(text, 12), qrframes._square(640, 360, 420, 3))
            frame = cv2.GaussianBlur(frame, (0, 0), 8.0)
        writer.write(frame)
    writer.release()
    worker = _worker(VideoFileSource(path), strategy)
    hints, codes = [], []
    worker.hint.connect(hints.append)
    worker.codeScanned.connect(lambda t, _s: codes.append(t))
    with qtbot.waitSignal(worker.finished, timeout=30_000):
        worker.start()
    assert codes == []
    # 45 frames of an unreadable voucher (3 s): a tip, at most one every two seconds
    assert hints and set(hints) == {"hold_still"} and len(hints) <= 2
