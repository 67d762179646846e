"""Is there a screen to open a window on? Asked before Qt is, because Qt aborts the process
(rc 134) when it finds no display: the commands answer with one line instead.
"""

from __future__ import annotations

import os
import sys

from posapp.i18n import _

HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")


def display_problem() -> str | None:
    """None when a window can open; else one line saying why not and what to do."""
    if not sys.platform.startswith("linux"):
        return None  # Windows and macOS always have their own display
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in HEADLESS_PLATFORMS:
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return _(
        "posapp: no screen to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "run it from the desktop, or with xvfb-run for a virtual screen"
    )
