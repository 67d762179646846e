"""The capture side of a live scan loop: a thread that owns the source and a one-slot mailbox.

The decoder takes whatever frame is newest, so decoding never falls behind the camera (old frames
are dropped and counted, never queued), and a read or open that blocks cannot keep the scan loop
from stopping: the capture thread closes the source itself when that call returns. Qt-free; the
Qt scan worker (posapp/qt/scan_worker.py) drives it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from posapp.scan.source_base import CameraUnavailable, FrameSource

log = logging.getLogger(__name__)


@dataclass
class MailItem:
    """What the capture thread has posted since the last take."""

    frame: np.ndarray | None = None
    opened: bool = False
    error: CameraUnavailable | str | None = None  # translated by the reader, in its language
    ended: bool = False


class Mailbox:
    """One slot between the capture thread and the decoder: a new frame replaces an unread one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item = MailItem()
        self._ended = False
        self.dropped = 0

    def put(self, frame: np.ndarray) -> None:
        with self._cond:
            if self._item.frame is not None:
                self.dropped += 1
            self._item.frame = frame
            self._cond.notify()

    def post(
        self,
        *,
        opened: bool = False,
        error: CameraUnavailable | str | None = None,
        ended: bool = False,
    ) -> None:
        with self._cond:
            self._item.opened |= opened
            self._item.error = error or self._item.error
            self._ended |= ended
            self._cond.notify()

    def take(self, timeout: float) -> MailItem:
        """What arrived since the last take (waits up to `timeout` for something)."""
        with self._cond:
            self._cond.wait_for(
                lambda: (
                    self._ended
                    or self._item.opened
                    or self._item.frame is not None
                    or self._item.error is not None
                ),
                timeout,
            )
            item, self._item = self._item, MailItem()
            item.ended = self._ended
            self._cond.notify_all()  # a capture of stills waits for its frame to be taken
            return item

    def wait_taken(self, stop: threading.Event, poll_s: float = 0.05) -> None:
        """Until the frame in the slot has been taken (or `stop`): stills are never dropped."""
        with self._cond:
            while self._item.frame is not None and not stop.is_set():
                self._cond.wait(poll_s)


class LiveCapture:
    """Owns a live source for its whole life: open, read as fast as it comes, close in finally.

    `on_frame` (the preview) is called on this thread with every frame as it arrives, so the
    picture moves at the camera's rate whatever the decoder is doing. A source of stills (a
    folder of images) waits for each image to be taken instead: every one is decoded.
    """

    def __init__(
        self, source: FrameSource, on_frame: Callable[[np.ndarray], None] | None = None
    ) -> None:
        self.source = source
        self.on_frame = on_frame
        self.mailbox = Mailbox()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="posapp-capture", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            try:
                self.source.open()
            except CameraUnavailable as exc:
                self.mailbox.post(error=exc)
                return
            self.mailbox.post(opened=True)
            while not self._stop.is_set():
                frame = self.source.read()
                if frame is None:
                    if self.source.finished:
                        break  # the end of a file: the worker sees `ended` and finishes
                    self._stop.wait(0.01)  # a hiccup: the source reconnects by itself
                    continue
                if self.source.stills:  # each image is a voucher of its own: none dropped
                    self.mailbox.wait_taken(self._stop)
                self.mailbox.put(frame)
                if self.on_frame is not None:
                    self.on_frame(frame)
        except Exception:  # the worker sees `ended` and retries
            log.exception("capture failed on %s", self.source.describe())
        finally:
            try:
                self.source.close()
            finally:
                self.mailbox.post(ended=True)

    def stop(self, join_timeout: float) -> None:
        """Ask the thread to end; a read that blocks longer than the timeout is left to finish."""
        self._stop.set()
        self._thread.join(join_timeout)
        if self._thread.is_alive():
            log.warning(
                "capture of %s still blocked; it closes when the read returns",
                self.source.describe(),
            )


__all__ = ["LiveCapture", "MailItem", "Mailbox"]
