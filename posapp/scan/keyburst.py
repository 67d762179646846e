"""Keyboard-wedge scanner detection: a burst of fast keystrokes is a scan, slow ones are typing.

USB barcode scanners type the code as keystrokes a few milliseconds apart, with or without a
trailing Enter; a person types 80+ ms apart, and even a fast typist rarely keeps every gap under
35 ms for six keys. This module holds only the timing logic. The Qt event filter feeds it every
printable key and holds the key back; when a burst ends it either gets the scanned text (the keys
never reach a field) or, for typing, gets the held characters back from `take_typed()`
to replay into the focused field.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def _monotonic_ms() -> float:
    return time.monotonic() * 1000.0


class KeyBurstDetector:
    """Collects keystrokes; `key()`, `enter()`, `flush()` return the scan when a burst ends."""

    def __init__(
        self,
        max_gap_ms: float = 35,
        min_length: int = 6,
        clock: Callable[[], float] = _monotonic_ms,
        suffix_window_ms: float = 150,
    ) -> None:
        if min_length < 1 or max_gap_ms <= 0:
            raise ValueError("min_length must be >= 1 and max_gap_ms > 0")
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self.suffix_window_ms = suffix_window_ms
        self._clock = clock
        self._chars: list[str] = []
        self._last_ms = 0.0
        self._typed: list[str] = []
        self._scan_end_ms: float | None = None  # last key of a scan ended without its Enter

    @property
    def pending(self) -> str:
        """Characters of the burst in progress (maybe a scan, maybe typing)."""
        return "".join(self._chars)

    def key(self, char: str, ts_ms: float | None = None) -> str | None:
        """Feed one printable character; returns a scan if the gap before this key ended one."""
        now = self._clock() if ts_ms is None else ts_ms
        scan = None
        if self._chars and now - self._last_ms > self.max_gap_ms:
            scan = self._finish()
        self._scan_end_ms = None  # a key came after the scan: a later Enter is the user's
        self._chars.append(char)
        self._last_ms = now
        return scan

    def enter(self, ts_ms: float | None = None) -> str | None:
        """Feed Enter: returns the scan it ends, or None (then Enter belongs to the field).

        A burst still pending when Enter comes late (a scanner with a slow Enter suffix, or a timer
        that has not fired yet) is still a scan: it is returned, never lost.
        """
        if not self._chars:
            return None
        scan = self._finish()
        self._scan_end_ms = None  # this Enter was the scan's
        return scan

    def enter_is_suffix(self, ts_ms: float | None = None) -> bool:
        """An Enter with nothing pending: True if it is the late suffix of the scan just ended.

        A scanner whose Enter comes after the gap (a suffix delay, a busy event loop) has had its
        scan ended by `flush()`; that Enter must not reach the field (it would submit whatever the
        operator had typed there). Only one Enter, within `suffix_window_ms` of the scan's last key
        and with no key between, is taken; a person cannot react that fast.
        """
        now = self._clock() if ts_ms is None else ts_ms
        end, self._scan_end_ms = self._scan_end_ms, None
        return not self._chars and end is not None and now - end <= self.suffix_window_ms

    def flush(self, now_ms: float | None = None) -> str | None:
        """Call from a timer: once the gap has passed, a burst without Enter is over."""
        now = self._clock() if now_ms is None else now_ms
        if not self._chars or now - self._last_ms <= self.max_gap_ms:
            return None
        return self._finish()

    def take_typed(self) -> str:
        """Characters that turned out to be typing, in order, to replay into the focused field."""
        text = "".join(self._typed)
        self._typed.clear()
        return text

    def reset(self) -> None:
        self._chars.clear()
        self._typed.clear()
        self._scan_end_ms = None

    def _finish(self) -> str | None:
        chars, self._chars = self._chars, []
        text = "".join(chars).strip()
        if len(chars) >= self.min_length and text:
            self._scan_end_ms = self._last_ms
            return text
        self._typed.extend(chars)
        return None
