"""Frame sources behind one interface: a camera, a video file, a folder of images.

The video file goes through cv2.VideoCapture like the camera (camera.py, re-exported here), so tests
and the demo exercise the same code path as the counter's webcam. Every source raises
CameraUnavailable, with a message fit to show, when it cannot be opened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from posapp.i18n import N_, _
from posapp.scan.camera import CameraInfo, CameraSource, list_cameras
from posapp.scan.source_base import CameraUnavailable, FrameSource

__all__ = [
    "IMAGE_SUFFIXES",
    "CameraInfo",
    "CameraSource",
    "CameraUnavailable",
    "FrameSource",
    "ImageFolderSource",
    "VideoFileSource",
    "list_cameras",
    "still_images",
]

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})


def _open_capture(path: str) -> cv2.VideoCapture:
    return cv2.VideoCapture(path)


def _reads_any_video() -> bool:
    """Whether this OpenCV has a general video reader (FFmpeg, GStreamer, Media Foundation,
    AVFoundation) besides its own MJPEG one, as the stock wheel has and the bundle's has not."""
    registry = cv2.videoio_registry
    names = {
        registry.getBackendName(b) for b in registry.getStreamBackends() if registry.hasBackend(b)
    }
    return bool(names & {"FFMPEG", "GSTREAMER", "MSMF", "AVFOUNDATION"})


class VideoFileSource(FrameSource):
    """A video file through cv2.VideoCapture; realtime=True paces reads like a camera."""

    def __init__(
        self,
        path: str | Path,
        loop: bool = False,
        realtime: bool = False,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.loop = loop
        self.realtime = realtime
        self._sleep, self._clock = sleep, clock
        self._cap: cv2.VideoCapture | None = None
        self._fps: float | None = None
        self._next_at = 0.0
        self._finished = False
        self.frames_read = 0

    @property
    def live(self) -> bool:
        return self.realtime

    @property
    def fps(self) -> float | None:
        return self._fps

    @property
    def finished(self) -> bool:
        return self._finished

    def describe(self) -> str:
        if self.loop:
            return _("video {name} (loop)").format(name=self.path.name)
        return _("video {name}").format(name=self.path.name)

    def open(self) -> None:
        if not self.path.is_file():
            raise CameraUnavailable(N_("Video file not found: {path}"), path=self.path)
        cap = _open_capture(str(self.path))
        if not cap.isOpened():
            cap.release()
            if not _reads_any_video():  # the bundle's OpenCV: its own MJPEG reader, no FFmpeg
                raise CameraUnavailable(
                    N_(
                        "Cannot read video {path}: this posapp reads MJPG videos in .avi files only"
                    ),
                    path=self.path,
                )
            raise CameraUnavailable(N_("Cannot read video {path}"), path=self.path)
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._fps = float(fps) if fps and fps > 0 else None
        self._cap = cap
        self._finished = False
        self._next_at = self._clock()

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        if self.realtime and self._fps:
            now = self._clock()
            if self._next_at > now:
                self._sleep(self._next_at - now)
            self._next_at = max(self._next_at, now) + 1.0 / self._fps
        ok, frame = self._cap.read()
        if not ok and self.loop and self.frames_read:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        if not ok or frame is None:
            self._finished = True  # end of file (or a rewind that failed): no more frames
            return None
        self.frames_read += 1
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class ImageFolderSource(FrameSource):
    """The sorted images of a folder (or one image file), one frame each.

    realtime=True (with an fps) shows them at that pace and makes the source live, like a camera:
    the demo's `--images` folder is then seen for as long as a voucher would be held up. `loop`
    starts the folder again at its end: each image is a still read with one frame, so a looped
    folder reads its codes again and again (what `posapp scan --images` did); see still_images().
    """

    def __init__(
        self,
        path: str | Path,
        fps: float | None = None,
        loop: bool = False,
        realtime: bool = False,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self._fps = fps
        self.loop = loop
        self.realtime = realtime
        self._sleep, self._clock = sleep, clock
        self._next_at = 0.0
        self._files: list[Path] = []
        self._pos = 0
        self._opened = False
        self._finished = False

    @property
    def live(self) -> bool:
        return self.realtime

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def stills(self) -> bool:
        return True

    @property
    def fps(self) -> float | None:
        return self._fps

    def describe(self) -> str:
        return _("images in {path} ({count})").format(path=self.path, count=len(self._files))

    def open(self) -> None:
        if self.path.is_file():
            self._files = [self.path]
        elif self.path.is_dir():
            self._files = sorted(
                p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
            )
        else:
            raise CameraUnavailable(N_("Image folder not found: {path}"), path=self.path)
        self._pos = 0
        self._opened = True
        self._finished = False
        self._next_at = self._clock()

    def read(self) -> np.ndarray | None:
        if self._opened and self.realtime and self._fps:
            now = self._clock()
            if self._next_at > now:
                self._sleep(self._next_at - now)
            self._next_at = max(self._next_at, now) + 1.0 / self._fps
        failures = 0  # in a row: a looped folder of unreadable files must end, not spin
        while self._opened and failures <= len(self._files):
            if self._pos >= len(self._files):
                if not (self.loop and self._files):
                    break
                self._pos = 0
            path = self._files[self._pos]
            self._pos += 1
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is not None:
                return frame
            failures += 1
            log.warning("skipping unreadable image %s", path)
        self._finished = self._opened
        return None

    def close(self) -> None:
        self._opened = False


def still_images(path: str | Path, fps: float = 2.0) -> ImageFolderSource:
    """`posapp scan --images DIR`: the folder as the camera, each image shown and read once at
    `fps` (one confirmed read per image), then the source is finished and the scan loop ends
    with a status instead of reading the same codes again."""
    return ImageFolderSource(path, fps=fps, loop=False, realtime=True)
