"""Tips for the customer holding a voucher the camera sees but cannot read.

Decided from what the decoder and the finder-pattern look saw: a QR symbol located but not
decoded. Washed-out pixels over it say "tilt the phone" (glare on a screen or a glossy print); its
size in the frame says "bring it closer"; otherwise it is blurred or moving: "hold still". At most
one tip every `min_interval_s`, only once a symbol has stayed unread for a few frames (a voucher
read on its second frame never shows one), and the finder look (posapp/scan/finders.py, about a
millisecond) at most every `look_every` frames, only on frames the caller says are worth it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from posapp.i18n import N_
from posapp.scan.finders import locate_symbols
from posapp.scan.strategy import FrameReport, crop_symbol

HINTS: dict[str, str] = {
    "hold_still": N_("Hold the voucher still"),
    "closer": N_("Bring the voucher closer"),
    "glare": N_("Tilt the phone to remove the glare"),
}

SMALL_SIDE = 0.25  # a located symbol narrower than this share of the frame height is far away
GLARE_LEVEL = 252  # grey level of a washed-out pixel (printed paper is ~245 at most)
GLARE_SHARE = 0.04  # share of washed-out pixels over a symbol that means glare


def advise(symbols: list[np.ndarray], gray: np.ndarray) -> str | None:
    """The tip for symbols located but not read in a frame, or None when there are none."""
    if not symbols:
        return None
    corners = max(symbols, key=lambda c: float(np.ptp(c[:, 0]) + np.ptp(c[:, 1])))
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
        look_every: int = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.min_interval_s = min_interval_s
        self.frames_unread = frames_unread
        self.look_every = look_every
        self._clock = clock
        self._unread = 0
        self._since_look = look_every
        self._last_at: float | None = None
        self.looks = 0
        self.following = False  # the last look found a symbol: keep looking while it stays

    def feed(
        self, report: FrameReport, gray: np.ndarray, now: float | None = None, look: bool = True
    ) -> str | None:
        """`look`: the frame is worth a finder look (something changed, or a code was just read);
        while the last look found a symbol, every frame is."""
        self._since_look += 1
        if report.found:
            self._unread = 0
            self.following = False
            return None
        symbols = report.located
        if not symbols and (look or self.following) and self._since_look >= self.look_every:
            self._since_look = 0
            self.looks += 1
            symbols = locate_symbols(gray)
            self.following = bool(symbols)
        elif not symbols:
            return None  # no look at this frame: the count of unread frames stays
        code = advise(symbols, gray)
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
