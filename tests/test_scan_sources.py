"""Frame sources on real files through cv2.VideoCapture and cv2.imread; a missing camera."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posapp.scan.sources import (
    CameraInfo,
    CameraSource,
    CameraUnavailable,
    ImageFolderSource,
    VideoFileSource,
    list_cameras,
)
from tests.support import qrframes

CODE = qrframes.payload_text("plain", 21)


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "counter.avi"
    return qrframes.make_video(path, [(None, 3), (CODE, 5), (None, 2)], size=(320, 240), fps=10)


def read_all(source) -> list[np.ndarray]:
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    return frames


def test_video_file_reads_every_frame_then_none(video):
    source = VideoFileSource(video)
    assert not source.live
    with source:
        assert source.fps == pytest.approx(10.0)
        frames = read_all(source)
        assert source.read() is None  # stays at the end
    assert len(frames) == 10
    assert all(f.shape == (240, 320, 3) and f.dtype == np.uint8 for f in frames)
    assert source.read() is None  # closed
    assert "counter.avi" in source.describe()


def test_video_file_frames_hold_the_code_where_the_segments_say(video):
    from posapp.scan.strategy import make_strategy

    auto = make_strategy()
    with VideoFileSource(video) as source:
        seen = [bool(auto.decode(f)) for f in read_all(source)]
    assert seen == [False] * 3 + [True] * 5 + [False] * 2


def test_video_file_loops(video):
    with VideoFileSource(video, loop=True) as source:
        frames = [source.read() for _ in range(25)]
    assert all(f is not None for f in frames)


def test_realtime_video_is_paced_to_its_fps(video):
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with VideoFileSource(video, realtime=True, sleep=sleep, clock=lambda: now[0]) as source:
        assert source.live
        for _ in range(5):
            assert source.read() is not None
    assert now[0] - 100.0 == pytest.approx(0.4)  # 5 frames at 10 fps: 4 intervals
    assert slept and all(s <= 0.1 + 1e-9 for s in slept)


def test_missing_or_broken_video_is_camera_unavailable(tmp_path):
    with pytest.raises(CameraUnavailable, match="not found"):
        VideoFileSource(tmp_path / "nope.avi").open()
    broken = tmp_path / "broken.avi"
    broken.write_bytes(b"not a video at all" * 10)
    with pytest.raises(CameraUnavailable, match="Cannot read video"):
        VideoFileSource(broken).open()


def test_an_mp4_under_an_opencv_without_ffmpeg_names_what_it_can_read(tmp_path, monkeypatch):
    """The bundle's OpenCV (installer/opencv_min.py) reads MJPG AVI only: a video it cannot open
    says so, rather than only that it cannot be read. Here the stock wheel writes a real MPEG-4
    file and its FFmpeg backend is made to fail it, as the bundle's build does."""
    from posapp.scan import sources

    if not sources._reads_any_video():
        pytest.skip("this OpenCV has no FFmpeg to write an MPEG-4 file with")
    clip = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 48))
    for _ in range(3):
        writer.write(np.zeros((48, 64, 3), np.uint8))
    writer.release()
    VideoFileSource(clip).open()  # the stock wheel reads it
    monkeypatch.setattr(
        sources, "_open_capture", lambda p: cv2.VideoCapture(p, cv2.CAP_OPENCV_MJPEG)
    )
    monkeypatch.setattr(sources, "_reads_any_video", lambda: False)
    with pytest.raises(CameraUnavailable, match=r"MJPG videos in \.avi files only"):
        VideoFileSource(clip).open()


def test_image_folder_in_name_order_skipping_unreadable(tmp_path):
    for name, value in (("b.png", 200), ("a.jpg", 100), ("c.webp", 50)):
        cv2.imwrite(str(tmp_path / name), np.full((30, 40, 3), value, np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "d.png").write_bytes(b"garbage")
    source = ImageFolderSource(tmp_path, fps=5)
    assert source.fps == 5 and not source.live
    with source:
        frames = read_all(source)
    assert [int(f[0, 0, 0]) for f in frames] == [100, 200, 50]
    assert source.describe().endswith("(4)")  # four image files listed, one unreadable


def test_image_folder_single_file_and_missing_folder(tmp_path):
    image = tmp_path / "one.png"
    cv2.imwrite(str(image), qrframes.make_frame("clean", CODE, (320, 240)))
    with ImageFolderSource(image) as source:
        assert len(read_all(source)) == 1
    with pytest.raises(CameraUnavailable):
        ImageFolderSource(tmp_path / "missing").open()


def test_missing_camera_is_a_typed_error_not_a_crash():
    states: list[str] = []
    camera = CameraSource(index=97, on_state=states.append)
    assert camera.live
    with pytest.raises(CameraUnavailable, match="Camera 97"):
        camera.open()
    assert states == ["unavailable"]
    camera.close()
    assert camera.read() is None


def test_list_cameras_names_the_capture_nodes_linux_gives(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.platform", "linux")
    for node, name, index in [
        ("video0", "HD Pro Webcam C920", "0"),
        ("video1", "HD Pro Webcam C920", "1"),  # the same webcam's metadata node
        ("video2", "Integrated Camera: Integrated C", "0"),
        ("video10", "", "0"),
    ]:
        (tmp_path / node).mkdir()
        (tmp_path / node / "name").write_text(name + "\n")
        (tmp_path / node / "index").write_text(index + "\n")
    assert list_cameras(sysfs=tmp_path) == [
        CameraInfo(0, "HD Pro Webcam C920"),
        CameraInfo(2, "Integrated Camera: Integrated C"),
        CameraInfo(10, "Camera 10"),
    ]
    assert list_cameras(sysfs=tmp_path / "none") == []  # no video4linux at all: no cameras


def test_a_missing_camera_retried_prints_nothing_on_the_terminal(tmp_path):
    """OpenCV warns on stderr at every failed open ("can't open camera by index"); retried every
    few seconds that flooded the terminal. Opening is silenced, and the level restored after."""
    import subprocess
    import sys

    script = (
        "import cv2\n"
        "from posapp.scan.camera import CameraSource, CameraUnavailable\n"
        "level = cv2.utils.logging.getLogLevel()\n"
        "for attempt in range(3):\n"
        "    try:\n"
        "        CameraSource(index=63).open()\n"
        "    except CameraUnavailable:\n"
        "        pass\n"
        "assert cv2.utils.logging.getLogLevel() == level\n"
        "print('done')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
    assert done.stderr == ""


def test_camera_reconnects_after_failed_grabs(video):
    """A camera that stops delivering (unplugged) is released and reopened with backoff.

    The capture factory opens the generated video through cv2.VideoCapture: its end plays the
    unplugged camera, the first reopen attempt fails (camera busy), the second brings it back.
    """
    opened: list[str] = []
    attempts = iter([str(video), "/nonexistent/busy.avi", str(video)])

    def factory(index: int) -> cv2.VideoCapture:
        target = next(attempts)
        opened.append(target)
        return cv2.VideoCapture(target)

    now = [0.0]
    states: list[str] = []
    camera = CameraSource(
        0,
        None,
        None,
        None,
        reconnect_after=3,
        backoff_s=(1.0,),
        on_state=states.append,
        capture_factory=factory,
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        clock=lambda: now[0],
    )
    camera.open()
    frames = read_all(camera)  # open() consumed one frame as a check; 9 remain
    assert len(frames) == 9
    assert [camera.read() for _ in range(2)] == [None, None]
    assert states == ["open", "reconnecting"]
    # reconnecting: the first attempt fails (busy), then backoff, then the camera is back
    back = next((i for i in range(40) if camera.read() is not None), None)
    assert back is not None
    assert states == ["open", "reconnecting", "open"]
    assert opened == [str(video), "/nonexistent/busy.avi", str(video)]
    assert now[0] >= 1.0  # waited out the backoff
    camera.close()
    assert states[-1] == "closed"


def test_looping_image_folder_with_no_readable_image_ends_instead_of_spinning(tmp_path):
    (tmp_path / "a.png").write_bytes(b"garbage")
    (tmp_path / "b.jpg").write_bytes(b"")
    with ImageFolderSource(tmp_path, loop=True) as source:
        assert source.read() is None  # before: read() looped over the bad files forever
        assert source.finished


def test_image_folder_is_finished_only_at_the_end(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((20, 20, 3), np.uint8))
    with ImageFolderSource(tmp_path) as source:
        assert source.read() is not None and not source.finished
        assert source.read() is None and source.finished


def test_realtime_image_folder_is_paced_like_a_camera(tmp_path):
    for name in ("a.png", "b.png", "c.png"):
        cv2.imwrite(str(tmp_path / name), np.zeros((20, 20, 3), np.uint8))
    now = [50.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    source = ImageFolderSource(tmp_path, fps=5, realtime=True, sleep=sleep, clock=lambda: now[0])
    assert source.live
    with source:
        assert [source.read() is not None for _ in range(3)] == [True] * 3
        assert now[0] - 50.0 == pytest.approx(0.4)  # 3 images at 5 fps: 2 intervals
        assert source.read() is None and source.finished


def test_reads_any_video_tells_the_stock_wheel_from_the_bundles_build():
    """True with the stock wheel (FFmpeg inside), False with installer/opencv_min.py's build."""
    import importlib.metadata

    from posapp.scan import sources

    trimmed = "+posapp.min" in importlib.metadata.version("opencv-python-headless")
    assert sources._reads_any_video() is (not trimmed)
