"""A webcam through cv2.VideoCapture that comes back after being unplugged or busy.

A missing or busy camera is a typed error (CameraUnavailable) at open(); a camera that stops
delivering frames later is released and reopened with backoff rather than given up on, and its
state ("open", "reconnecting", "unavailable", "closed") is reported so the UI can say so.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posapp.i18n import N_, _
from posapp.scan.source_base import CameraUnavailable, FrameSource

log = logging.getLogger(__name__)

CAMERA_STATES = {  # the words for `CameraSource.state` in describe()
    "open": N_("open"),
    "reconnecting": N_("reconnecting"),
    "unavailable": N_("unavailable"),
    "closed": N_("closed"),
}


@dataclass(frozen=True)
class CameraInfo:
    """A camera as the settings offer it: its index for cv2.VideoCapture and its own name."""

    index: int
    name: str


_quiet_lock = threading.RLock()


@contextlib.contextmanager
def quiet_opencv() -> Iterator[None]:
    """OpenCV's own log silenced while a camera is opened: a missing or busy camera retried every
    few seconds must not print "[ WARN ] can't open camera by index" lines on the terminal; the
    worker reports it once, in words."""
    with _quiet_lock:
        level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        try:
            yield
        finally:
            cv2.utils.logging.setLogLevel(level)


def _backend_capture(target: int | str) -> cv2.VideoCapture:
    with quiet_opencv():
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
        return _("camera {index} ({width}x{height} @ {fps} fps, {state})").format(
            index=self.index,
            width=self.width,
            height=self.height,
            fps=self._fps,
            state=_(CAMERA_STATES.get(self.state, self.state)),
        )

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            log.info("camera %d: %s", self.index, state)
            if self.on_state:
                self.on_state(state)

    def _try_open(self) -> cv2.VideoCapture | None:
        with quiet_opencv():
            return self._open_quietly()

    def _open_quietly(self) -> cv2.VideoCapture | None:
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
                N_("Camera {index} is not available (unplugged or in use by another app)."),
                index=self.index,
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


def list_cameras(
    max_index: int = 10, sysfs: Path = Path("/sys/class/video4linux")
) -> list[CameraInfo]:
    """The cameras with their names where the OS gives them, without opening any.

    Linux: the capture nodes of /sys/class/video4linux (a webcam also has a metadata node, index
    1, which is skipped) with the driver's name. Elsewhere: indexes 0..max_index-1 that open and
    deliver a frame, named "Camera N" (the Qt layer, posapp/qt/cameras.py, names them from
    QMediaDevices).
    """
    if sys.platform.startswith("linux"):
        return _linux_cameras(sysfs)
    found: list[CameraInfo] = []
    for index in range(max_index):
        cap = _backend_capture(index)
        try:
            with quiet_opencv():
                ok = cap.isOpened() and cap.read()[0]
            if ok:
                found.append(CameraInfo(index, f"Camera {index}"))
        finally:
            cap.release()
    return found


def _linux_cameras(sysfs: Path) -> list[CameraInfo]:
    cameras = []
    for node in sorted(sysfs.glob("video*"), key=lambda p: _number(p.name)):
        index = _number(node.name)
        if index < 0 or _read(node / "index", "0") != "0":
            continue
        cameras.append(CameraInfo(index, _read(node / "name", "") or f"Camera {index}"))
    return cameras


def _number(name: str) -> int:
    digits = name.removeprefix("video")
    return int(digits) if digits.isdigit() else -1


def _read(path: Path, default: str) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return default
