"""A live camera's decoding session: the costly steps where a frame sequence says they may pay.

A strategy (posapp/scan/strategy.py) runs its costly steps on a single frame only when that frame
shows evidence of a code. A stream knows more: a code read a moment ago (the voucher is still in
hand), a change in the scene (something was brought to the counter) and, for codes that leave no
evidence at all, a slow cadence. The first cheap step runs on every frame; the other cheap steps
run with the costly ones (on a scene that has not changed, was read by none of them a moment ago
and shows no symbol, they would find what they found on the frames before: nothing).
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
        settle_every: int = 3,
        change_level: float = 4.0,
    ) -> None:
        """cadence: the costly steps run at least every this many frames; recent_frames: after a
        read, they run for this many frames; settle_frames: after a scene change, every
        `settle_every`-th frame likewise (a moving hand makes frames much alike and blurred: the
        cheap steps still see each one); change_level: mean absolute difference of the grey
        thumbnails (0-255) that is a change."""
        self.strategy = strategy
        self.cadence = max(1, cadence)
        self.recent_frames = recent_frames
        self.settle_frames = settle_frames
        self.settle_every = max(1, settle_every)
        self.change_level = change_level
        self._thumb: np.ndarray | None = None
        self._frame = 0
        self._settle_until = -1  # frame numbers until which the costly steps run
        self._settle_start = 0
        self._recent_until = -1
        self.costly_frames = 0
        self.frames = 0

    def decode(self, frame: np.ndarray) -> FrameReport:
        gray = as_gray(frame)
        self._frame += 1
        trigger = ""
        force = True
        thumb = cv2.resize(gray[::4, ::4], THUMB_SIZE, interpolation=cv2.INTER_AREA).astype(
            np.int16
        )
        if self._scene_changed(thumb):
            if self._frame > self._settle_until:
                self._settle_start = self._frame
            self._settle_until = self._frame + self.settle_frames
        if self._frame <= self._settle_until:
            trigger = "change"
            force = (self._frame - self._settle_start) % self.settle_every == 0
        elif self._frame <= self._recent_until:
            trigger = "recent"
        elif self._frame % self.cadence == 0:
            trigger = "cadence"
        # nothing new in view: the first cheap step only, the others with the costly ones on
        # the cadence (or at once if that step locates a symbol)
        report = self.strategy.inspect(gray, force=bool(trigger) and force, light=not trigger)
        report.trigger = trigger
        if trigger:  # examined whole: later frames are compared with this one
            self._thumb = thumb
        if report.found:
            self._recent_until = self._frame + self.recent_frames
        self.frames += 1
        self.costly_frames += report.costly_ran
        return report

    def _scene_changed(self, thumb: np.ndarray) -> bool:
        """Against the last frame examined whole (not just the previous frame): a voucher
        brought in too slowly to change one frame from the next still counts when it adds up."""
        if self._thumb is None:
            return True
        return float(np.mean(np.abs(thumb - self._thumb))) > self.change_level

    def reset(self) -> None:
        self._thumb = None
        self._settle_until = self._recent_until = -1
