"""The scan loop in its own QThread: grab, decode, confirm, and report through signals only.

Two ways to feed the loop, chosen by the source's `live` flag:

- a live source (a camera, or a video paced in real time) is owned by a small capture thread that
  opens it, reads it as fast as it delivers and keeps only the newest frame in a one-slot mailbox.
  The decoder takes whatever is newest, so decoding never falls behind the camera (old frames are
  dropped, never queued), and a read that blocks cannot keep the worker from stopping: the capture
  thread closes the source itself when its read returns (posapp/scan/capture.py, Qt-free);
- a file source is read in order on the worker thread, every frame decoded, with time taken from
  the frame index (index / fps): tests and benchmarks are deterministic, cool-down is video time.

`pause()` lets the camera go without ending the thread: the loop closes its source (the capture
thread ended, so another reader such as the settings preview can open the same camera), says so
with `pausedChanged(True)` and waits; `resume()` opens a fresh source from the factory, keeping the
decode session. `switch_source()` closes the source and opens the one the factory now gives (a
camera chosen in the settings); `set_strategy()` does the same with another decoder. None of
these waits: the GUI thread never waits on this loop.

A camera that cannot be opened is reported once with `cameraError` (again only if the words
change, or after it worked) and retried with backoff until the worker is stopped; a camera that
stops delivering is reported too (the source reconnects itself). A live source that is `finished`
(a realtime video played to its end) ends the loop cleanly. The thread never touches a widget.

The frames of a stream go through a ScanSession (posapp/scan/gating.py): the cheap decoder on
every frame, the costly steps on evidence, a scene change, a recent read or a slow cadence. A live
source's preview is sent by the capture thread as frames arrive, so a slow decode never holds the
picture back. Still images (a folder of scans) are decoded with every step and one read confirms.
A symbol located but not read gives a `hint` code (posapp/scan/hints.py), at most every 2 s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage

from posapp.i18n import LANGUAGES, N_, ntr, tr
from posapp.qt.emit_fix import fix_signal_emit_refcount
from posapp.scan.capture import LiveCapture
from posapp.scan.confirm import ScanConfirmer
from posapp.scan.decoders import as_gray
from posapp.scan.gating import ScanSession
from posapp.scan.hints import HintAdvisor
from posapp.scan.sources import CameraUnavailable, FrameSource
from posapp.scan.strategy import FrameReport, Strategy

fix_signal_emit_refcount()  # before the first emit: see posapp/qt/emit_fix.py

log = logging.getLogger(__name__)

MAX_PREVIEWS_IN_FLIGHT = 2

_MESSAGES = {
    "lost": N_("Camera unplugged or stuck: trying again…"),
    "failed": N_("Camera error: trying again…"),
    "file_failed": N_("Cannot read the video source."),
    "decode_failed": N_("Decoding error: frame skipped."),
}


@dataclass(frozen=True)
class ScanStats:
    """What the status line shows: decoded frames per second, decode time, frames dropped."""

    fps: float
    decode_ms: float
    dropped: int
    frames: int


class ScanWorker(QThread):
    """Runs the scan loop; `stop()` ends it within about a second whatever the source is doing."""

    codeScanned = Signal(str, str)
    preview = Signal(QImage)
    cameraError = Signal(str)
    cameraReady = Signal(str)  # describe() of the opened source
    stats = Signal(object)  # ScanStats
    hint = Signal(str)  # a key of posapp.scan.hints.HINTS: a symbol located but not read
    ended = Signal(str)  # a folder of images read to its end: a status for the window
    pausedChanged = Signal(bool)  # True: paused, the camera released; False: scanning again

    def __init__(
        self,
        source_factory: Callable[[], FrameSource],
        strategy: Strategy,
        confirmer: ScanConfirmer,
        *,
        preview_max_width: int = 640,
        preview_interval_s: float = 1 / 25,
        stats_interval_s: float = 1.0,
        backoff_s: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0),
        stall_s: float = 2.0,
        lang: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source_factory = source_factory
        self._strategy = strategy
        self._confirmer = confirmer
        self._preview_max_width = preview_max_width
        self._preview_interval_s = preview_interval_s
        self._stats_interval_s = stats_interval_s
        self._backoff_s = backoff_s
        self._stall_s = stall_s
        self._lang = lang if lang in LANGUAGES else None  # None: the language in force
        self._frames = 0
        self._dropped = 0
        self._decode_errors = 0
        self._last_preview = float("-inf")
        self._previews_in_flight = 0  # emitted, not yet delivered to the GUI thread
        self._preview_lock = threading.Lock()
        self.preview.connect(self._preview_delivered)  # queued: runs in this object's (GUI) thread
        self._window_start = time.monotonic()
        self._window_frames = 0
        self._window_decode_s = 0.0
        self._session: ScanSession | None = None
        self._advisor = HintAdvisor()
        self._last_error = ""  # the problem last reported: the same words are not repeated
        self._hold = threading.Event()  # pause(): let the source go and wait for resume()
        self._switch = threading.Event()  # switch_source(): a new source from the factory
        self._left = False  # the loop let its source go for a pause or a switch
        self._next_strategy: Strategy | None = None  # set_strategy(): from the next source on
        self.decode_cpu_s = 0.0  # CPU time of this thread spent decoding (benchmarks, tests)

    # -- control (GUI thread) ------------------------------------------------------------------
    def stop(self, timeout_ms: int = 1000) -> bool:
        """Ask the loop to end and wait for it; True if the thread has finished."""
        self.requestInterruption()
        return self.wait(timeout_ms)

    def pause(self) -> None:
        """Release the camera and hold the loop until resume(); returns at once.

        `pausedChanged(True)` comes once the source is closed (a read in progress ends first)."""
        self._hold.set()

    def resume(self) -> None:
        """Scan again, from a fresh source made by the factory (it may name another camera)."""
        self._hold.clear()

    def switch_source(self) -> None:
        """Close the current source and open the one the factory gives now; returns at once."""
        self._switch.set()

    def set_strategy(self, strategy: Strategy) -> None:
        """Decode with `strategy` (the decoder chosen in the settings) from a fresh source on;
        returns at once."""
        self._next_strategy = strategy
        self._switch.set()

    @property
    def strategy(self) -> Strategy:
        """The strategy the loop decodes with now."""
        return self._strategy  # type: ignore[return-value]

    @property
    def is_paused(self) -> bool:
        return self._hold.is_set()

    @property
    def frames_processed(self) -> int:
        return self._frames

    # -- the thread --------------------------------------------------------------------------
    def run(self) -> None:
        attempt = 0
        fresh = True  # a new decode session: the first source, another camera, a failure
        while not self.isInterruptionRequested():
            if self._hold.is_set():
                self._paused()
                attempt = 0
                continue
            fresh = fresh or self._switch.is_set()
            self._switch.clear()
            if self._next_strategy is not None:  # another decoder chosen: a new session too
                self._strategy, self._next_strategy, fresh = self._next_strategy, None, True
            try:
                source = self._source_factory()
            except Exception:  # bad settings or a driver failing: report, back off, try again
                log.exception("cannot make the frame source")
                self._report(self._text("failed"))
                self._sleep(self._backoff_s[min(attempt, len(self._backoff_s) - 1)])
                attempt += 1
                continue
            if fresh or self._session is None:
                self._session = (
                    ScanSession(self._strategy) if isinstance(self._strategy, Strategy) else None
                )
            fresh, self._left = True, False
            try:
                if source.live:
                    self._run_live(source)
                else:
                    self._run_file(source)
            except Exception:  # a worker thread must report, not die silently
                log.exception("scan loop failed on %s", source.describe())
                self._report(self._text("failed" if source.live else "file_failed"))
            if self.isInterruptionRequested():
                return
            if self._left:  # paused or switched: no failure, no backoff
                fresh, attempt = self._switch.is_set(), 0
                continue
            if not source.live or source.finished:
                return
            self._sleep(self._backoff_s[min(attempt, len(self._backoff_s) - 1)])
            attempt += 1

    def _leaving(self) -> bool:
        """A pause or a switch asks the loop to let its source go."""
        if self._hold.is_set() or self._switch.is_set():
            self._left = True
        return self._left

    def _paused(self) -> None:
        """The source is closed: say so, then wait for resume() or stop()."""
        self.pausedChanged.emit(True)
        while self._hold.is_set() and not self.isInterruptionRequested():
            self.msleep(20)
        if not self.isInterruptionRequested():
            self.pausedChanged.emit(False)

    def _run_file(self, source: FrameSource) -> None:
        """Every frame in order; time is the frame's position in the video."""
        try:
            try:
                source.open()
            except CameraUnavailable as exc:
                self._report(exc.text(self._lang))
                return
            self._ready(source)
            fps = source.fps or 30.0
            index = 0
            while not self.isInterruptionRequested() and not self._leaving():
                frame = source.read()
                if frame is None:
                    break
                self._process(frame, now=index / fps, still=source.stills)
                index += 1
        finally:
            source.close()
        self._emit_stats(force=True)
        if source.finished:
            self._ended(source, index)

    def _run_live(self, source: FrameSource) -> None:
        """Decode the newest frame the capture thread holds, until stopped or the source fails."""
        capture = LiveCapture(source, on_frame=self._maybe_preview)
        last_frame = time.monotonic()
        stalled = False
        decoded = 0
        try:
            while not self.isInterruptionRequested() and not self._leaving():
                item = capture.mailbox.take(timeout=0.1)
                if item.error is not None:
                    self._report(self._error_text(item.error))
                    return
                if item.opened:
                    self._ready(source)
                    last_frame = time.monotonic()
                if item.frame is not None:
                    if stalled:
                        stalled = False
                        self._ready(source)
                    last_frame = time.monotonic()
                    self._dropped = capture.mailbox.dropped
                    self._process(item.frame, now=None, still=source.stills, preview=False)
                    decoded += 1
                elif item.ended:
                    if source.finished:  # a realtime video played to its end: done, not lost
                        self._emit_stats(force=True)
                        self._ended(source, decoded)
                    else:
                        self._report(self._text("failed"))
                    return
                elif not stalled and time.monotonic() - last_frame > self._stall_s:
                    stalled = True  # the source reconnects by itself; say so meanwhile
                    self._report(self._text("lost"))
        finally:
            capture.stop(join_timeout=0.3)
            # a pause promises a released camera: a read or open in progress has to return first
            while self._left and capture.alive and not self.isInterruptionRequested():
                capture.join(0.05)

    # -- per frame ---------------------------------------------------------------------------
    def _process(
        self, frame: np.ndarray, now: float | None, still: bool = False, preview: bool = True
    ) -> None:
        if preview:  # a file source: the preview follows the decoding (a live one: capture.py)
            self._maybe_preview(frame)
        started, cpu_started = time.perf_counter(), time.thread_time()
        try:
            report = self._decode(frame, still)
        except Exception:  # one bad frame must not end the loop nor reopen the camera
            self._decode_errors += 1
            if self._decode_errors == 1:
                log.exception("decoding failed; frame skipped (later failures only counted)")
                self.cameraError.emit(self._text("decode_failed"))
            report = FrameReport()
        self.decode_cpu_s += time.thread_time() - cpu_started
        elapsed = time.perf_counter() - started
        self._frames += 1
        self._window_frames += 1
        self._window_decode_s += elapsed
        for text in self._confirmer.feed([d.text for d in report.found], now, single=still):
            self.codeScanned.emit(text, "camera")
        look = report.trigger in ("change", "recent")  # something moved: a finder look may pay
        if not report.found and (report.located or look or self._advisor.following):
            code = self._advisor.feed(report, as_gray(frame), now, look=look)
            if code:
                self.hint.emit(code)
        self._emit_stats()

    def _decode(self, frame: np.ndarray, still: bool) -> FrameReport:
        """A still image gets every step; a stream's frame what its session decides."""
        if not isinstance(self._strategy, Strategy):  # any object with decode() (tests)
            return FrameReport(found=self._strategy.decode(frame))
        if still or self._session is None:
            return self._strategy.inspect(frame, force=still)
        return self._session.decode(frame)

    def _ended(self, source: FrameSource, frames: int) -> None:
        """A folder of stills read to its end: say so, and how many images were read."""
        if source.stills:
            self.ended.emit(
                ntr(
                    "{n} image read: end of the folder.",
                    "{n} images read: end of the folder.",
                    frames,
                    self._lang,
                )
            )

    def _ready(self, source: FrameSource) -> None:
        self._last_error = ""
        self.cameraReady.emit(source.describe())

    def _report(self, message: str) -> None:
        """A problem in words, once: a camera retried every few seconds is not a new problem."""
        if message != self._last_error:
            self._last_error = message
            self.cameraError.emit(message)

    def _maybe_preview(self, frame: np.ndarray) -> None:
        """At most 25 previews a second, and never a queue of them behind a busy GUI thread.

        Called by the capture thread for a live source, by this thread for a file."""
        now = time.monotonic()
        with self._preview_lock:
            if now - self._last_preview < self._preview_interval_s:
                return
            if self._previews_in_flight >= MAX_PREVIEWS_IN_FLIGHT:
                return
            self._previews_in_flight += 1
            self._last_preview = now
        self.preview.emit(to_qimage(frame, self._preview_max_width))

    def _preview_delivered(self, _image: QImage) -> None:
        with self._preview_lock:
            self._previews_in_flight = max(0, self._previews_in_flight - 1)

    def _emit_stats(self, force: bool = False) -> None:
        now = time.monotonic()
        span = now - self._window_start
        if not force and span < self._stats_interval_s:
            return
        frames = self._window_frames
        self.stats.emit(
            ScanStats(
                fps=frames / span if span > 0 else 0.0,
                decode_ms=1000 * self._window_decode_s / frames if frames else 0.0,
                dropped=self._dropped,
                frames=self._frames,
            )
        )
        self._window_start, self._window_frames, self._window_decode_s = now, 0, 0.0

    def _text(self, key: str) -> str:
        return tr(_MESSAGES[key], self._lang)

    def _error_text(self, error: CameraUnavailable | str) -> str:
        """The capture thread's error in this worker's language (a typed error is translated)."""
        return error.text(self._lang) if isinstance(error, CameraUnavailable) else error

    def _sleep(self, seconds: float) -> None:
        """A backoff pause that ends early when the worker is asked to stop."""
        deadline = time.monotonic() + seconds
        while not self.isInterruptionRequested() and time.monotonic() < deadline:
            if self._hold.is_set() or self._switch.is_set():
                return  # a pause or another camera: no need to wait for this one
            self.msleep(20)


def to_qimage(frame: np.ndarray, max_width: int) -> QImage:
    """A downscaled preview that owns its pixels (the frame buffer is reused by the next read)."""
    height, width = frame.shape[:2]
    if width > max_width:
        scale = max_width / width
        frame = cv2.resize(
            frame, (max_width, max(1, round(height * scale))), interpolation=cv2.INTER_AREA
        )
        height, width = frame.shape[:2]
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    frame = np.ascontiguousarray(frame)
    image = QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_BGR888)
    return image.copy()


__all__ = ["ScanStats", "ScanWorker", "to_qimage"]
