"""A webcam through cv2.VideoCapture that comes back after being unplugged or busy.

A missing or busy camera is a typed error (CameraUnavailable) at open(); a camera that stops
delivering frames later is released and reopened with backoff rather than given up on, and its
state ("open", "reconnecting", "unavailable", "closed") is reported so the UI can say so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

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
    index: int
    width: int
    height: int


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
