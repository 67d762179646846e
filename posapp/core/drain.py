"""The drain checkpoint: how an honest till tells the platform "everything I recorded up to my
time X is uploaded", so the platform can refuse an offline item claimed earlier (docs/OFFLINE.md).

Why a checkpoint and not "the last request": a till back from a day offline uploads its queue
oldest first, in several batches, perhaps interrupted; between two batches it is in contact, yet
what it still has to send is older than that contact. Only the till knows when its queue is empty,
and only up to which time that is true:

- `RecordingTimes` holds the trusted times of the sales and voids being recorded right now (taken,
  not yet in the outbox: an online lookup that times out can sit between the two for seconds);
- before a sync takes the snapshot of its queue, it reads `horizon()`: the trusted time now, or
  the time of a sale still being recorded if earlier. Every item recorded later has a time at or
  after it (trusted time never runs backwards between two reads);
- when the sync then finds every item of the snapshot answered, `Checkpointer` sends that horizon
  (`POST /v1/till/checkpoint`), and while online, at most every `every_s`, with nothing to upload.

The platform keeps `min(X, arrival)`, so a till clock still ahead cannot push it forward.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from posapp.core.api.errors import ApiError, RefusedError, UnauthorizedError
from posapp.core.clock import Clock

log = logging.getLogger("posapp.drain")
# An idle online till confirms its drain this often (one small request): an offline item claimed
# more than this (plus the platform's skew) before it arrives is then refused.
CHECKPOINT_EVERY_S = 600.0


class RecordingTimes:
    """The times handed to sales and voids not yet written to the outbox."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._open: dict[int, datetime] = {}
        self._ids = itertools.count()

    @contextmanager
    def taking(self) -> Iterator[datetime]:
        """The time of one sale or void, held open until it is recorded (or given up)."""
        with self._lock:
            now = self.clock.now()
            key = next(self._ids)
            self._open[key] = now
        try:
            yield now
        finally:
            with self._lock:
                del self._open[key]

    def horizon(self) -> datetime:
        """A time no later than any item not yet in the outbox, now or later."""
        with self._lock:
            return min([self.clock.now(), *self._open.values()])


class Checkpointer:
    """Sends one account's drain checkpoints: after a sync that settled something, and at most
    every `every_s` otherwise. Best effort: a failure only leaves the platform's bound looser."""

    def __init__(self, client: object, clock: Clock, every_s: float = CHECKPOINT_EVERY_S) -> None:
        self.client = client
        self.clock = clock
        self.every_s = every_s
        self._sent_at: datetime | None = None

    def due(self, settled: bool) -> bool:
        if settled or self._sent_at is None:
            return True
        return (self.clock.now() - self._sent_at).total_seconds() >= self.every_s

    def send(self, drained_through: datetime) -> datetime | None:
        """The checkpoint the platform keeps, or None. A 401 is raised (needs pairing)."""
        try:
            kept = self.client.checkpoint(drained_through)  # type: ignore[attr-defined]
        except UnauthorizedError:
            raise
        except RefusedError as exc:  # an older platform without the endpoint: try again later
            log.info("drain checkpoint refused (%s)", exc.code)
            self._sent_at = self.clock.now()
            return None
        except ApiError as exc:  # offline, 5xx: the next sync tries again
            log.info("drain checkpoint not sent (%s)", exc.code)
            return None
        self._sent_at = self.clock.now()
        return kept
