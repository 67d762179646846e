"""The live preview: paints the scan worker's newest frame, or says plainly why there is none.

It takes its ScanWorker (or None: no camera, the USB scanner and typing still work) in __init__ and
only paints; `frames_painted` counts real paints, so a test can prove the preview keeps moving
while the platform is slow.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from posapp.i18n import _, tr
from posapp.qt.style import font


class PreviewWidget(QWidget):
    def __init__(self, worker: object | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._message = _("Starting the camera…") if worker else self.no_camera_text()
        self._hint = ""
        self.frames_painted = 0
        self._hint_timer = QTimer(self, singleShot=True, interval=2500)
        self._hint_timer.timeout.connect(lambda: self.show_hint(""))
        self.setMinimumSize(240, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFont(font(self, 15, bold=True))
        if worker is not None:
            worker.preview.connect(self.show_frame)
            worker.cameraError.connect(self.show_problem)
            worker.cameraReady.connect(lambda _d: self.show_problem(""))
            paused = getattr(worker, "pausedChanged", None)
            if paused is not None:
                paused.connect(self._on_paused)
            hint = getattr(worker, "hint", None)
            if hint is not None:
                hint.connect(self.show_hint)

    @staticmethod
    def no_camera_text() -> str:
        return _("No camera: use the barcode scanner, or type the code with F2")

    def sizeHint(self) -> QSize:
        return QSize(480, 360)

    @Slot(QImage)
    def show_frame(self, image: QImage) -> None:
        self._image = image
        self._message = ""
        self.update()

    @Slot(str)
    def show_problem(self, message: str) -> None:
        """A camera problem in words (empty: the camera works again)."""
        if message:
            self._image = None
            message = message + "\n" + _("The barcode scanner and F2 (type the code) still work.")
        self._message = message
        self.update()

    @Slot(bool)
    def _on_paused(self, paused: bool) -> None:
        """The settings show the camera meanwhile; when scanning again, cameraReady clears it."""
        if paused:
            self._image = None
            self._message = _("The settings show the camera: scanning resumes when they close")
            self.update()

    @Slot(str)
    def show_hint(self, code: str) -> None:
        """A located but unread code: a short tip over the picture for a few seconds."""
        self._hint = ""
        if code:
            try:
                from posapp.scan.hints import HINTS

                self._hint = tr(HINTS[code]) if code in HINTS else ""
            except ImportError:  # the scanning pipeline without hints
                pass
            self._hint_timer.start()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#101418"))
        if self._image is not None and not self._image.isNull():
            size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - size.width()) // 2
            y = (self.height() - size.height()) // 2
            painter.drawImage(QRect(x, y, size.width(), size.height()), self._image)
            self.frames_painted += 1
        if self._message:
            painter.setPen(QColor("#eceff1"))
            painter.drawText(
                self.rect().adjusted(16, 16, -16, -16),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
        if self._hint:
            band = QRect(0, self.height() - 48, self.width(), 48)
            painter.fillRect(band, QColor(0, 0, 0, 170))
            painter.setPen(QColor("#ffd54f"))
            painter.drawText(band, Qt.AlignmentFlag.AlignCenter, self._hint)
        painter.end()
