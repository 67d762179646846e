"""The off-GUI-thread parts of the settings dialog and the pairing wizard.

`BackgroundCall` runs one blocking call (network, keyring, file) on a daemon thread and hands its
result or exception back through queued signals. `CameraPreview` is a small live picture of the
camera chosen in the settings, read on its own QThread (stopped with requestInterruption + wait,
the camera released in finally), so the owner sees which camera a name stands for. `ScanPause`
keeps the counter's scan worker off the camera while that preview runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from posapp.i18n import _
from posapp.scan.source_base import CameraUnavailable, FrameSource

log = logging.getLogger("posapp.qt.settings")
SourceFactory = Callable[[int], FrameSource]
PREVIEW_FPS = 10


class BackgroundCall(QObject):
    """One call on a daemon thread; `done(result)` or `failed(exception)` on the GUI thread."""

    done = Signal(object)
    failed = Signal(object)

    def start(self, fn: Callable[[], Any]) -> None:
        def work() -> None:
            try:
                result = fn()
            except Exception as exc:  # noqa: BLE001 - every failure is turned into plain words
                self.failed.emit(exc)
            else:
                self.done.emit(result)

        threading.Thread(target=work, name="posapp-background", daemon=True).start()


class _PreviewThread(QThread):
    frame = Signal(QImage)
    unavailable = Signal()

    def __init__(self, factory: SourceFactory, index: int) -> None:
        super().__init__()
        self.factory, self.index = factory, index

    def run(self) -> None:
        from posapp.qt.scan_worker import to_qimage  # OpenCV: loaded when a preview starts

        source: FrameSource | None = None
        try:
            source = self.factory(self.index)
            source.open()
            period = 1.0 / PREVIEW_FPS
            next_at = time.monotonic()
            while not self.isInterruptionRequested():
                image = source.read()
                if image is None:
                    if source.finished or not source.live:
                        break
                    continue
                now = time.monotonic()
                if now >= next_at:
                    self.frame.emit(to_qimage(image, 320))
                    next_at = now + period
                else:
                    self.msleep(max(1, int((next_at - now) * 1000)))
        except CameraUnavailable:
            self.unavailable.emit()
        except Exception:
            log.exception("camera preview stopped")
            self.unavailable.emit()
        finally:
            if source is not None:
                source.close()


class CameraPreview(QLabel):
    """A 320x180 picture of camera `index`; `show_camera(index)` switches, `stop()` releases it."""

    def __init__(self, factory: SourceFactory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.factory = factory
        self.setFixedSize(320, 180)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)  # "cannot open this camera" is longer than 320 px in Italian
        self.setStyleSheet("background: #222; color: #eee;")
        self.frames_shown = 0
        self._thread: _PreviewThread | None = None

    def show_camera(self, index: int) -> None:
        self.stop()
        self.frames_shown = 0
        self.setText(_("Opening the camera..."))
        thread = _PreviewThread(self.factory, index)
        thread.frame.connect(self._on_frame, Qt.ConnectionType.QueuedConnection)
        thread.unavailable.connect(self._on_unavailable, Qt.ConnectionType.QueuedConnection)
        self._thread = thread
        thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.requestInterruption()
            thread.wait(5000)

    def _on_frame(self, image: QImage) -> None:
        if self.sender() is not self._thread:
            return  # a late frame of the camera just switched away from
        keep = Qt.AspectRatioMode.KeepAspectRatio
        self.setPixmap(QPixmap.fromImage(image).scaled(self.size(), keep))
        self.frames_shown += 1

    def _on_unavailable(self) -> None:
        if self.sender() is self._thread:
            self.setText(_("This camera cannot be opened (missing or in use)."))


class ScanPause:
    """The counter's ScanWorker holds the camera (a webcam opens for one reader on most systems):
    `pause()` stops its capture while the settings preview runs, `resume()` starts it again.

    ScanWorker has no pause of its own: its public stop() (the loop ends, the capture thread
    stops and the camera is released within about a second) and QThread.start() (a fresh source
    from its factory) are the API used. A worker that was not running is left alone."""

    def __init__(self, worker: QThread | None) -> None:
        self.worker = worker
        self.paused = False

    def pause(self) -> None:
        if self.worker is not None and not self.paused and self.worker.isRunning():
            self.paused = True
            if not self.worker.stop(3000):  # type: ignore[attr-defined]
                log.warning("the scan worker did not stop in time: the preview may find it busy")

    def resume(self) -> None:
        if self.worker is not None and self.paused:
            self.paused = False
            self.worker.start()


__all__ = ["BackgroundCall", "CameraPreview", "ScanPause"]
