"""Camera names for the settings: the OS's own where posapp.scan has them, else QtMultimedia's.

posapp.scan.camera.list_cameras() reads the names Linux gives (/sys/class/video4linux) without
opening any camera; on Windows and macOS it can only say "Camera N", so the names come from
QMediaDevices.videoInputs(), whose order is the backends' enumeration order (the index
cv2.VideoCapture takes). posapp.scan stays Qt-free; this is the Qt side of it.
"""

from __future__ import annotations

import sys

from posapp.scan.camera import CameraInfo, list_cameras


def qt_camera_names() -> list[str]:
    """The video inputs QtMultimedia knows, in order; [] without QtMultimedia."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:  # a PySide6 without QtMultimedia
        return []
    return [device.description() for device in QMediaDevices.videoInputs()]


def cameras() -> list[CameraInfo]:
    """The cameras with the best names available here."""
    found = list_cameras()
    if sys.platform.startswith("linux"):
        return found
    names = qt_camera_names()
    if not found:
        return [CameraInfo(index, name) for index, name in enumerate(names)]
    return [CameraInfo(c.index, names[c.index]) if c.index < len(names) else c for c in found]
