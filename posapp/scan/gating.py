"""A live camera's decoding session: the costly steps where a frame sequence says they may pay.

A strategy (posapp/scan/strategy.py) runs its costly steps on a single frame only when that frame
shows evidence of a code. A stream knows more: a code read a moment ago (the voucher is still in
hand), a change in the scene (something was brought to the counter) and, for codes that leave no
evidence at all, a slow cadence. The cheap steps still run on every frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from posapp.scan.decoders import as_gray
from posapp.scan.strategy import FrameReport, Strategy

THUMB_SIZE = (32, 18)  # a 16:9 thumbnail: sensor noise averages out, a hand does not


class ScanSession:
    """Feed it the frames of one stream in order; `decode` returns what each frame gave."""

    def __init__(
        self,
        strategy: Strategy,
        *,
        cadence: int = 12,
        recent_frames: int = 15,
        settle_frames: int = 10,
        change_level: float = 4.0,
    ) -> None:
        """cadence: the costly steps run at least every this many frames; recent_frames: after a
        read, they run for this many frames; settle_frames: after a scene change, likewise;
        change_level: mean absolute difference of the grey thumbnails (0-255) that is a change."""
        self.strategy = strategy
        self.cadence = max(1, cadence)
        self.recent_frames = recent_frames
        self.settle_frames = settle_frames
        self.change_level = change_level
        self._thumb: np.ndarray | None = None
        self._frame = 0
        self._settle_until = -1  # frame numbers until which the costly steps run
        self._recent_until = -1
        self.costly_frames = 0
        self.frames = 0

    def decode(self, frame: np.ndarray) -> FrameReport:
        gray = as_gray(frame)
        self._frame += 1
        trigger = ""
        if self._scene_changed(gray):
            self._settle_until = self._frame + self.settle_frames
        if self._frame <= self._settle_until:
            trigger = "change"
        elif self._frame <= self._recent_until:
            trigger = "recent"
        elif self._frame % self.cadence == 0:
            trigger = "cadence"
        report = self.strategy.inspect(gray, force=bool(trigger))
        report.trigger = trigger
        if report.found:
            self._recent_until = self._frame + self.recent_frames
        self.frames += 1
        self.costly_frames += report.costly_ran
        return report

    def _scene_changed(self, gray: np.ndarray) -> bool:
        thumb = cv2.resize(gray[::4, ::4], THUMB_SIZE, interpolation=cv2.INTER_AREA).astype(
            np.int16
        )
        previous, self._thumb = self._thumb, thumb
        if previous is None:
            return True
        return float(np.mean(np.abs(thumb - previous))) > self.change_level

    def reset(self) -> None:
        self._thumb = None
        self._settle_until = self._recent_until = -1
