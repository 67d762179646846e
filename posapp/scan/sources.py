"""Frame sources behind one interface: a camera, a video file, a folder of images.

The camera and the video file both go through cv2.VideoCapture, so tests and the demo exercise the
same code path as the counter's webcam. A missing or busy camera is a typed error
(CameraUnavailable), and a camera that stops delivering frames is released and reopened
with backoff rather than given up on.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})


class CameraUnavailable(RuntimeError):
    """The camera (or file) cannot be opened; the message is fit to show."""


@dataclass(frozen=True)
class CameraInfo:
    index: int
    width: int
    height: int


class FrameSource(ABC):
    """Where frames come from: open(), then read() until None, then close()."""

    @abstractmethod
    def open(self) -> None:
        """Open the device/file; raises CameraUnavailable with a clear message."""

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None (end of file, or a failed grab on a live camera)."""

    @abstractmethod
    def close(self) -> None:
        """Release the device; safe to call twice."""

    @property
    @abstractmethod
    def live(self) -> bool:
        """True for a camera: frames keep coming and a None is a hiccup, not the end."""

    @property
    def fps(self) -> float | None:
        return None

    @abstractmethod
    def describe(self) -> str:
        """Short human description for logs and the status bar."""

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _backend_capture(target: int | str) -> cv2.VideoCapture:
    return cv2.VideoCapture(target)


class CameraSource(FrameSource):
    """A webcam by index; reopens itself after `reconnect_after` consecutive failed grabs."""

    def __init__(
        self,
        index: int = 0,
        width: int | None = 1280,
        height: int | None = 720,
        fps: float | None = 30,
        *,
        reconnect_after: int = 15,
        backoff_s: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0),
        on_state: Callable[[str], None] | None = None,
        capture_factory: Callable[[int], cv2.VideoCapture] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.index = index
        self.width, self.height, self._fps = width, height, fps
        self.reconnect_after = reconnect_after
        self.backoff_s = backoff_s
        self.on_state = on_state
        self._capture = capture_factory or _backend_capture
        self._sleep, self._clock = sleep, clock
        self._cap: cv2.VideoCapture | None = None
        self._failures = 0
        self._reopen_attempt = 0
        self._next_reopen_at = 0.0
        self.state = "closed"

    @property
    def live(self) -> bool:
        return True

    @property
    def fps(self) -> float | None:
        return self._fps

    def describe(self) -> str:
        return f"camera {self.index} ({self.width}x{self.height} @ {self._fps} fps, {self.state})"

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            log.info("camera %d: %s", self.index, state)
            if self.on_state:
                self.on_state(state)

    def _try_open(self) -> cv2.VideoCapture | None:
        cap = self._capture(self.index)
        if not cap.isOpened():
            cap.release()
            return None
        if self.width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        if self.height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        if self._fps:
            cap.set(cv2.CAP_PROP_FPS, self._fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a queue of stale ones
        ok, _ = cap.read()
        if not ok:
            cap.release()
            return None
        actual_w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        actual_h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if actual_w and actual_h:
            self.width, self.height = actual_w, actual_h
        return cap

    def open(self) -> None:
        cap = self._try_open()
        if cap is None:
            self._set_state("unavailable")
            raise CameraUnavailable(
                f"Fotocamera {self.index} non disponibile (scollegata o in uso da un'altra app). / "
                f"Camera {self.index} is not available (unplugged or in use by another app)."
            )
        self._cap = cap
        self._failures = 0
        self._reopen_attempt = 0
        self._set_state("open")

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            if self.state == "closed":
                return None
            return self._maybe_reconnect()
        ok, frame = self._cap.read()
        if ok and frame is not None:
            self._failures = 0
            return frame
        self._failures += 1
        if self._failures >= self.reconnect_after:
            self._cap.release()
            self._cap = None
            self._reopen_attempt = 0
            self._next_reopen_at = self._clock()
            self._set_state("reconnecting")
        return None

    def _maybe_reconnect(self) -> None:
        """One reopen attempt once its backoff has passed; never blocks for long."""
        now = self._clock()
        if now < self._next_reopen_at:
            self._sleep(min(0.05, self._next_reopen_at - now))
            return None
        cap = self._try_open()
        if cap is not None:
            self._cap = cap
            self._failures = 0
            self._reopen_attempt = 0
            self._set_state("open")
            return None
        delay = self.backoff_s[min(self._reopen_attempt, len(self.backoff_s) - 1)]
        self._reopen_attempt += 1
        self._next_reopen_at = self._clock() + delay
        return None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        self._set_state("closed")


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
        self.frames_read = 0

    @property
    def live(self) -> bool:
        return self.realtime

    @property
    def fps(self) -> float | None:
        return self._fps

    def describe(self) -> str:
        return f"video {self.path.name}" + (" (loop)" if self.loop else "")

    def open(self) -> None:
        if not self.path.is_file():
            raise CameraUnavailable(
                f"File video non trovato: {self.path} / Video file not found: {self.path}"
            )
        cap = _backend_capture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise CameraUnavailable(
                f"Impossibile leggere il video {self.path} / Cannot read video {self.path}"
            )
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._fps = float(fps) if fps and fps > 0 else None
        self._cap = cap
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
            return None
        self.frames_read += 1
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class ImageFolderSource(FrameSource):
    """The sorted images of a folder (or one image file), one frame each."""

    def __init__(self, path: str | Path, fps: float | None = None, loop: bool = False) -> None:
        self.path = Path(path)
        self._fps = fps
        self.loop = loop
        self._files: list[Path] = []
        self._pos = 0
        self._opened = False

    @property
    def live(self) -> bool:
        return False

    @property
    def fps(self) -> float | None:
        return self._fps

    def describe(self) -> str:
        return f"images in {self.path} ({len(self._files)})"

    def open(self) -> None:
        if self.path.is_file():
            self._files = [self.path]
        elif self.path.is_dir():
            self._files = sorted(
                p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
            )
        else:
            raise CameraUnavailable(
                f"Cartella immagini non trovata: {self.path} / Image folder not found: {self.path}"
            )
        self._pos = 0
        self._opened = True

    def read(self) -> np.ndarray | None:
        while self._opened:
            if self._pos >= len(self._files):
                if not (self.loop and self._files):
                    return None
                self._pos = 0
            path = self._files[self._pos]
            self._pos += 1
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is not None:
                return frame
            log.warning("skipping unreadable image %s", path)
        return None

    def close(self) -> None:
        self._opened = False


def list_cameras(max_index: int = 5) -> list[CameraInfo]:
    """The cameras that actually open and deliver a frame, probing indexes 0..max_index-1."""
    found: list[CameraInfo] = []
    for index in range(max_index):
        cap = _backend_capture(index)
        try:
            if not cap.isOpened():
                continue
            ok, frame = cap.read()
            if not ok or frame is None:
                continue
            found.append(CameraInfo(index, int(frame.shape[1]), int(frame.shape[0])))
        finally:
            cap.release()
    return found
