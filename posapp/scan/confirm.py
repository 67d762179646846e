"""Multi-frame confirmation: a code counts only after consecutive frames agree, then cools down.

A single-frame misread or a code glimpsed while a phone is waved past should not trigger a
redemption, and a voucher held in front of the camera for ten seconds
must count once, not three hundred times.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable


class ScanConfirmer:
    """Feed it the texts decoded in each frame; it returns the codes confirmed in that frame."""

    def __init__(
        self,
        frames_required: int = 2,
        cooldown_s: float = 4.0,
        clock: Callable[[], float] = time.monotonic,
        max_frame_gap_s: float = 1.0,
    ) -> None:
        if frames_required < 1:
            raise ValueError("frames_required must be >= 1")
        self.frames_required = frames_required
        self.cooldown_s = cooldown_s
        self._clock = clock
        self.max_frame_gap_s = max_frame_gap_s  # frames further apart are not "consecutive"
        self._last_frame: float | None = None
        self._streak: dict[str, int] = {}  # text -> consecutive frames seen (ending with the last)
        self._last_seen: dict[str, float] = {}  # emitted text -> last time it was seen or emitted
        self._lock = threading.Lock()  # the camera thread feeds, the GUI thread's USB scans ask

    def feed(self, texts: Iterable[str], now: float | None = None) -> list[str]:
        """Codes confirmed by this frame (usually [] or one code)."""
        with self._lock:
            return self._feed(texts, self._clock() if now is None else now)

    def _feed(self, texts: Iterable[str], now: float) -> list[str]:
        current = list(dict.fromkeys(t for t in texts if t))
        if self._last_frame is not None and now - self._last_frame > self.max_frame_gap_s:
            self._streak = {}
        self._last_frame = now
        self._streak = {t: self._streak.get(t, 0) + 1 for t in current}
        confirmed = []
        for text in current:
            if self._cooling(text, now):
                self._last_seen[text] = now  # still in view: keep it quiet
                continue
            if self._streak[text] >= self.frames_required:
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
            self._streak.clear()
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
