"""Trusted time: the platform's clock carried forward by a monotonic clock, never the PC's alone.

Why: the PC's clock is whatever someone set it to. Set back, it re-opens the offline caps and lets
an expired voucher through; two hours fast, it moves a 22:30 sale to the next day. So the till
keeps its own idea of "now":

- each answer of a platform (`ApiClient.time_observer`) gives the platform's time; the till
  anchors on it (plus half the round trip) and carries it forward with a monotonic clock that
  nobody can set (CLOCK_BOOTTIME where there is one: it keeps counting while the PC sleeps);
- before any answer in this run, the PC's clock corrected by the last difference measured with a
  platform stands in, anchored at once on the monotonic clock, so changing the PC's clock while
  posapp runs changes nothing;
- a high-water mark is persisted (rate limited): a PC clock that starts behind it went back while
  posapp was closed; the real time is then unknown, so `uncertain` is set until a platform answers
  (the policy refuses offline acceptance meanwhile, see docs/OFFLINE.md).

`TrustedClock` is a `posapp.core.clock.Clock`: the policy, sync and the monitors take it as is.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from posapp.core.clock import Clock

log = logging.getLogger("posapp.time")

# How far before the high-water mark the PC's clock may start (drift, DST-confused PCs) before it
# counts as set back; the same slack the offline rules allow for a last sync "in the future".
SLACK_S = 300.0
# A PC clock this far from the platform's is shown to the shopkeeper (PosService.state).
WARN_OFFSET_S = 120.0
# A platform answer this much earlier than what the till already said is taken as is (the
# platform is the authority); smaller steps back (network jitter) are held so time never
# runs backwards between two sales.
JITTER_S = 2.0
SAVE_EVERY_S = 60.0

Saver = Callable[[datetime, float | None], None]


def boot_monotonic() -> float:
    """Seconds on a clock no user can set: CLOCK_BOOTTIME (counts suspend) or time.monotonic."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        return time.clock_gettime(boottime)
    return time.monotonic()


class TrustedClock:
    """`now()` in trusted time; `observe(server_time, round_trip_s)` is the client's
    time_observer; `offset_s`/`warning` tell how far the PC's clock is from the platform's."""

    def __init__(
        self,
        wall: Clock,
        monotonic: Callable[[], float] = boot_monotonic,
        *,
        high_water: datetime | None = None,
        offset_s: float | None = None,
        save: Saver | None = None,
        warn_offset_s: float = WARN_OFFSET_S,
        save_every_s: float = SAVE_EVERY_S,
    ) -> None:
        self.wall = wall
        self.monotonic = monotonic
        self.warn_offset_s = warn_offset_s
        self.save_every_s = save_every_s
        self._save = save
        self._lock = threading.Lock()
        self._offset = offset_s
        self._anchored = False  # a platform answered in this run
        self._observed_at: float | None = None  # monotonic time of the last answer
        start = wall.now() + timedelta(seconds=offset_s or 0.0)
        self._uncertain = high_water is not None and (
            (high_water - start).total_seconds() > SLACK_S
        )
        if high_water is not None and start < high_water:
            start = high_water  # never earlier than a time already used
        self._anchor = (start, monotonic())
        self._last = start
        self._saved_at: datetime | None = None
        if self._uncertain:
            log.warning(
                "the PC clock starts %.0f s before the last time used: offline acceptance waits "
                "for the platform",
                (high_water - wall.now()).total_seconds() if high_water else 0.0,
            )

    # -- the time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        mono = self.monotonic()
        with self._lock:
            base, at = self._anchor
            current = base + timedelta(seconds=max(0.0, mono - at))
            if current < self._last:
                current = self._last  # held through jitter: never backwards between two reads
            self._last = current
            due = self._saved_at is None or (
                (current - self._saved_at).total_seconds() >= self.save_every_s
            )
            if due:
                self._saved_at = current
        if due:
            self._persist(current)
        return current

    def observe(self, server_time: datetime, round_trip_s: float) -> None:
        """A platform answered: anchor on its time (the client calls this after each answer)."""
        try:
            estimate = server_time + timedelta(seconds=max(0.0, round_trip_s) / 2)
            mono = self.monotonic()
            wall = self.wall.now()
        except Exception:  # never raise into the client
            log.exception("platform time not usable")
            return
        with self._lock:
            base, at = self._anchor
            current = base + timedelta(seconds=max(0.0, mono - at))
            behind = (current - estimate).total_seconds()
            news = not self._anchored or abs(behind) > JITTER_S
            if news or behind < 0:
                self._anchor = (estimate, mono)
                if behind > JITTER_S:
                    self._last = estimate  # the platform says earlier: it is the authority
            self._anchored = True
            self._observed_at = mono
            self._uncertain = False
            self._offset = (estimate - wall).total_seconds()
            if news:  # a first answer or a real correction: saved now, else at the usual pace
                self._saved_at = None
        self.now()

    def checkpoint(self) -> None:
        """Persist the high-water mark now (at close, so a restart knows the last time used)."""
        with self._lock:
            self._saved_at = None
        self.now()

    # -- what the screen and the rules read -----------------------------------------------------
    @property
    def anchored(self) -> bool:
        with self._lock:
            return self._anchored

    def observed_within(self, seconds: float) -> bool:
        """Whether a platform's time arrived in the last `seconds` (else the service asks)."""
        with self._lock:
            seen = self._observed_at
        return seen is not None and self.monotonic() - seen <= seconds

    @property
    def uncertain(self) -> bool:
        """The PC's clock went back while posapp was closed and no platform has answered since."""
        with self._lock:
            return self._uncertain

    @property
    def offset_s(self) -> float | None:
        """Platform time minus PC time, last measured (positive: the PC is behind)."""
        with self._lock:
            return self._offset

    @property
    def warning(self) -> str | None:
        """ "pc_clock_ahead" / "pc_clock_behind" when the PC's clock is far from the platform's."""
        offset = self.offset_s
        if offset is None or abs(offset) <= self.warn_offset_s:
            return None
        return "pc_clock_behind" if offset > 0 else "pc_clock_ahead"

    def _persist(self, mark: datetime) -> None:
        if self._save is None:
            return
        try:
            self._save(mark, self.offset_s)
        except Exception:  # a full disk must not stop the counter; the next save catches up
            log.exception("trusted time high-water mark not saved")


__all__ = ["JITTER_S", "SLACK_S", "WARN_OFFSET_S", "TrustedClock", "boot_monotonic"]
