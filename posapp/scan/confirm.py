"""Multi-frame confirmation: a code counts once read in k of the last n frames, then cools down.

A single-frame misread or a code glimpsed while a phone is waved past should not trigger a
redemption, and a voucher held in front of the camera for ten seconds must count once, not three
hundred times. k of n rather than k in a row: a marginal voucher in a trembling hand is read every
other frame, and should not wait for two lucky frames in a row.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable


class ScanConfirmer:
    """Feed it the texts decoded in each frame; it returns the codes confirmed in that frame."""

    def __init__(
        self,
        frames_required: int = 2,
        cooldown_s: float = 4.0,
        clock: Callable[[], float] = time.monotonic,
        max_frame_gap_s: float = 1.0,
        window: int | None = None,
    ) -> None:
        """`frames_required` (k) reads within the last `window` (n, default k + 1) frames confirm;
        window == k is the strict "k frames in a row"."""
        window = frames_required + 1 if window is None else window
        if frames_required < 1:
            raise ValueError("frames_required must be >= 1")
        if window < frames_required:
            raise ValueError("window must be >= frames_required")
        self.frames_required = frames_required
        self.window = window
        self.cooldown_s = cooldown_s
        self._clock = clock
        self.max_frame_gap_s = max_frame_gap_s  # frames further apart start the count again
        self._last_frame: float | None = None
        self._recent: deque[frozenset[str]] = deque(maxlen=window)  # texts of the last n frames
        self._last_seen: dict[str, float] = {}  # emitted text -> last time it was seen or emitted
        self._lock = threading.Lock()  # the camera thread feeds, the GUI thread's USB scans ask

    def feed(
        self, texts: Iterable[str], now: float | None = None, *, single: bool = False
    ) -> list[str]:
        """Codes confirmed by this frame (usually [] or one code).

        `single`: the frame is a still image (a photo, a folder of scans), not one of a stream,
        so one read confirms, under the same cool-down.
        """
        with self._lock:
            return self._feed(texts, self._clock() if now is None else now, single)

    def _feed(self, texts: Iterable[str], now: float, single: bool = False) -> list[str]:
        current = list(dict.fromkeys(t for t in texts if t))
        if self._last_frame is not None and now - self._last_frame > self.max_frame_gap_s:
            self._recent.clear()
        self._last_frame = now
        self._recent.append(frozenset(current))
        required = 1 if single else self.frames_required
        confirmed = []
        for text in current:
            if self._cooling(text, now):
                self._last_seen[text] = now  # still in view: keep it quiet
                continue
            if sum(text in frame for frame in self._recent) >= required:
                confirmed.append(text)
                self._last_seen[text] = now
        self._forget_old(now)
        return confirmed

    def accept_single(self, text: str, now: float | None = None) -> bool:
        """A USB scanner read: one read counts, under the same cooldown. True if it counts."""
        now = self._clock() if now is None else now
        with self._lock:
            return self._accept_single(text, now)

    def _accept_single(self, text: str, now: float) -> bool:
        if not text or self._cooling(text, now):
            if text:
                self._last_seen[text] = now
            return False
        self._last_seen[text] = now
        return True

    def reset(self) -> None:
        with self._lock:
            self._recent.clear()
            self._last_seen.clear()
            self._last_frame = None

    def _cooling(self, text: str, now: float) -> bool:
        last = self._last_seen.get(text)
        return last is not None and now - last < self.cooldown_s

    def _forget_old(self, now: float) -> None:
        if len(self._last_seen) > 64:
            self._last_seen = {
                t: s for t, s in self._last_seen.items() if now - s < self.cooldown_s
            }
