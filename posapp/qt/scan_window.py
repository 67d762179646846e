"""The scan window: live preview, the last code read, manual entry, a status line.

A view only: it receives its ScanWorker and UsbScannerFilter in __init__, subscribes to their
signals and sends every code, whatever its source, out through one signal, `codeEntered(text,
source)` with source "camera", "usb" or "manual". Deciding what a code means (parse, look up,
redeem) belongs to whoever listens; it answers through `show_verdict`. The counter window of a
later issue can replace this shell page by page.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from posapp.i18n import LANGUAGES, N_, tr
from posapp.qt.emit_fix import fix_signal_emit_refcount
from posapp.qt.scan_worker import ScanStats, ScanWorker
from posapp.qt.usb_scanner import UsbScannerFilter

fix_signal_emit_refcount()  # before the first emit: see posapp/qt/emit_fix.py

STRINGS: dict[str, str] = {  # English msgids, translated when shown (posapp.i18n)
    "title": N_("posapp · Voucher scanning"),
    "waiting": N_("Show the voucher's QR code"),
    "no_camera": N_("No camera"),
    "starting": N_("Starting the camera…"),
    "ready": N_("Ready: {source}"),
    "stats": N_("{fps:.0f} frames/s · decoding {ms:.1f} ms"),
    "placeholder": N_("Voucher code (e.g. ABCD-EFGH-123)"),
    "enter": N_("Enter code"),
    "empty": N_("Type a code before entering it"),
    "hint": N_("Show the voucher's QR code, use the barcode scanner or type the code below."),
    "read": N_("Code read"),
    "camera": N_("from the camera"),
    "usb": N_("from the barcode scanner"),
    "manual": N_("typed in"),
    "bad_settings": N_("Invalid settings, using the defaults: {names}"),
}

TONES = {
    "neutral": ("#263238", "#eceff1"),
    "ok": ("#ffffff", "#2e7d32"),
    "warn": ("#212121", "#f9a825"),
    "error": ("#ffffff", "#c62828"),
}


class ScanWindow(QWidget):
    """Shows what the scanners see and read; emits `codeEntered(text, source)`."""

    codeEntered = Signal(str, str)

    def __init__(
        self,
        worker: ScanWorker | None = None,
        scanner: UsbScannerFilter | None = None,
        *,
        lang: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker, self.scanner = worker, scanner  # kept so the owner can stop / uninstall them
        self._lang = lang if lang in LANGUAGES else None  # None: the language in force
        self._status_text = self.text("starting") if worker else self.text("no_camera")
        self._stats_text = ""
        self._notice = ""
        self.setWindowTitle(self.text("title"))
        self._build()
        self.show_verdict(self.text("waiting"), "", "neutral")
        self._refresh_status()
        if worker is not None:
            worker.preview.connect(self._show_preview)
            worker.codeScanned.connect(self._on_code)
            worker.cameraError.connect(self._on_camera_error)
            worker.cameraReady.connect(self._on_camera_ready)
            worker.stats.connect(self._on_stats)
            worker.ended.connect(self._on_camera_error)  # a folder of images read: its status
        if scanner is not None:
            scanner.scanned.connect(self._on_usb_scan)

    def _build(self) -> None:
        self.preview_label = QLabel(self.text("no_camera"))
        self.preview_label.setObjectName("preview")
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_label.setMinimumSize(480, 360)
        self.preview_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.preview_label.setStyleSheet("background: #101418; color: #b0bec5; border-radius: 6px;")

        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setMinimumHeight(140)
        font = QFont(self.font())
        font.setPointSize(22)
        font.setBold(True)
        self.verdict_label.setFont(font)

        self.code_label = QLabel()
        self.code_label.setObjectName("code")
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setWordWrap(True)
        self.code_label.setTextFormat(Qt.TextFormat.RichText)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setPointSize(13)
        self.code_label.setFont(mono)

        self.hint_label = QLabel(self.text("hint"))
        self.hint_label.setWordWrap(True)
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_label.setStyleSheet("color: #607d8b; padding: 16px;")

        self.entry = QLineEdit()
        self.entry.setPlaceholderText(self.text("placeholder"))
        self.entry.setMaxLength(300)
        self.entry.returnPressed.connect(self._submit_manual)
        self.enter_button = QPushButton(self.text("enter"))
        self.enter_button.clicked.connect(self._submit_manual)
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.enter_button)

        self.status_label = QLabel()
        self.status_label.setObjectName("status")
        self.status_label.setStyleSheet("color: #546e7a;")

        side = QVBoxLayout()
        side.addWidget(self.verdict_label)
        side.addWidget(self.code_label)
        side.addStretch(1)
        side.addWidget(self.hint_label)
        side.addLayout(entry_row)
        body = QHBoxLayout()
        body.addWidget(self.preview_label, 3)
        body.addLayout(side, 2)
        root = QVBoxLayout(self)
        root.addLayout(body, 1)
        root.addWidget(self.status_label)

    # -- what listeners call -------------------------------------------------------------------
    def show_verdict(self, headline: str, detail: str = "", tone: str = "neutral") -> None:
        """The big answer: headline in the tone's colours, detail (e.g. the code) below it."""
        fg, bg = TONES.get(tone, TONES["neutral"])
        self.verdict_label.setStyleSheet(
            f"color: {fg}; background: {bg}; border-radius: 8px; padding: 12px;"
        )
        self.verdict_label.setText(headline)
        self.code_label.setText(detail)

    def _show_code(self, text: str, source: str) -> None:
        """The code as read (escaped: it comes from outside) and, smaller, where it came from."""
        self.show_verdict(self.text("read"))
        self.code_label.setText(
            f"<div style='font-size: 15pt'>{html.escape(text)}</div>"
            f"<div style='color: #607d8b; font-size: 10pt; font-family: sans-serif'>"
            f"{html.escape(self.text(source) if source in STRINGS else source)}</div>"
        )

    def text(self, key: str) -> str:
        """One of the window's strings in its language (for whoever builds it)."""
        return tr(STRINGS[key], self._lang)

    def show_notice(self, message: str) -> None:
        """A lasting note at the start of the status line (a setting refused), not overwritten."""
        self._notice = message
        self._refresh_status()

    def show_status(self, message: str) -> None:
        """A line of status (camera state, a missing decoder library) under the window."""
        self._status_text = message
        self._refresh_status()

    # -- signal handlers -----------------------------------------------------------------------
    @Slot(str, str)
    def _on_code(self, text: str, source: str) -> None:
        self._show_code(text, source)
        self.codeEntered.emit(text, source)

    @Slot(str)
    def _on_usb_scan(self, text: str) -> None:
        self._on_code(text, "usb")

    @Slot()
    def _submit_manual(self) -> None:
        text = self.entry.text().strip()
        if not text:
            self._status_text = self.text("empty")
            self._refresh_status()
            return
        self.entry.clear()
        self._on_code(text, "manual")

    @Slot(QImage)
    def _show_preview(self, image: QImage) -> None:
        pixmap = QPixmap.fromImage(image).scaled(
            self.preview_label.size(),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.preview_label.setPixmap(pixmap)

    @Slot(str)
    def _on_camera_error(self, message: str) -> None:
        self._status_text = message
        self._stats_text = ""
        self._refresh_status()

    @Slot(str)
    def _on_camera_ready(self, description: str) -> None:
        self._status_text = self.text("ready").format(source=description)
        self._refresh_status()

    @Slot(object)
    def _on_stats(self, stats: ScanStats) -> None:
        self._stats_text = self.text("stats").format(fps=stats.fps, ms=stats.decode_ms)
        self._refresh_status()

    def _refresh_status(self) -> None:
        parts = [p for p in (self._notice, self._status_text, self._stats_text) if p]
        self.status_label.setText("  ·  ".join(parts))
