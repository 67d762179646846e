"""The counter's look in one place: large type, high-contrast colours per tone, big buttons."""

from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QWidget

# (text, background) per tone; every pair has a contrast ratio of at least 4.5:1
TONES: dict[str, tuple[str, str]] = {
    "neutral": ("#ffffff", "#263238"),
    "busy": ("#ffffff", "#37474f"),
    "ok": ("#ffffff", "#1b5e20"),
    "attention": ("#000000", "#ffa000"),
    "refused": ("#ffffff", "#b71c1c"),
    "info": ("#ffffff", "#0d47a1"),
}
BUTTON_HEIGHT = 52  # a finger on a small touch screen


def font(widget: QWidget, points: int, bold: bool = False) -> QFont:
    f = QFont(widget.font())
    f.setPointSize(points)
    f.setBold(bold)
    return f


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """Open at `width` x `height`, never larger than the screen's free area (a 1024x600 till)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry()
        width, height = min(width, free.width()), min(height, free.height())
    widget.resize(width, height)


def tone_sheet(tone: str, radius: int = 10) -> str:
    fg, bg = TONES.get(tone, TONES["neutral"])
    return f"color: {fg}; background: {bg}; border-radius: {radius}px; padding: 10px;"
