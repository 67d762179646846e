"""Tips for the customer holding a voucher the camera sees but cannot read.

Decided from what the decoder saw: a QR symbol located but not decoded. Its size in the frame
says "bring it closer"; saturated pixels over it say "tilt the phone" (glare on a screen or a
glossy print); otherwise it is blurred or moving: "hold still". At most one tip every
`min_interval_s`, and only once the symbol has stayed unread for a few frames, so a voucher
read on its second frame never shows one.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from posapp.i18n import N_
from posapp.scan.strategy import FrameReport, crop_symbol

HINTS: dict[str, str] = {
    "hold_still": N_("Hold the voucher still"),
    "closer": N_("Bring the voucher closer"),
    "glare": N_("Tilt the phone to remove the glare"),
}

SMALL_SIDE = 0.22  # a located symbol narrower than this share of the frame height is far away
GLARE_LEVEL = 245  # grey level of a washed-out pixel
GLARE_SHARE = 0.04  # share of washed-out pixels over a symbol that means glare


def advise(report: FrameReport, gray: np.ndarray) -> str | None:
    """The tip for one frame, or None when nothing was located, or the code was read."""
    if report.found or not report.located:
        return None
    corners = max(report.located, key=lambda c: float(np.ptp(c[:, 0]) + np.ptp(c[:, 1])))
    side = float(max(np.ptp(corners[:, 0]), np.ptp(corners[:, 1])))
    crop = crop_symbol(gray, corners, margin=0.05)
    if crop is not None and np.count_nonzero(crop >= GLARE_LEVEL) > GLARE_SHARE * crop.size:
        return "glare"
    if side < SMALL_SIDE * gray.shape[0]:
        return "closer"
    return "hold_still"


class HintAdvisor:
    """Feeds on frame reports; `feed` returns a hint code when one is due, else None."""

    def __init__(
        self,
        min_interval_s: float = 2.0,
        frames_unread: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.min_interval_s = min_interval_s
        self.frames_unread = frames_unread
        self._clock = clock
        self._unread = 0
        self._last_at: float | None = None

    def feed(self, report: FrameReport, gray: np.ndarray, now: float | None = None) -> str | None:
        if report.found:
            self._unread = 0
            return None
        code = advise(report, gray)
        if code is None:
            self._unread = 0
            return None
        self._unread += 1
        now = self._clock() if now is None else now
        if self._unread < self.frames_unread:
            return None
        if self._last_at is not None and now - self._last_at < self.min_interval_s:
            return None
        self._last_at = now
        return code
