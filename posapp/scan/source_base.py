"""The frame-source interface every source implements, and its one error type.

Kept apart from the implementations so the camera and the file sources can share it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from posapp.i18n import fill, tr


class CameraUnavailable(RuntimeError):
    """The camera (or file) cannot be opened; `text()` is fit to show, in the user's language.

    `message` is an English msgid marked with N_() and `params` fill its fields; str() gives the
    English text (logs, the decode tool's JSON).
    """

    def __init__(self, message: str, /, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(fill(message, params))

    def text(self, lang: str | None = None) -> str:
        """The message translated into `lang` (default: the current language)."""
        return tr(self.message, lang, **self.params)


class FrameSource(ABC):
    """Where frames come from: open(), then read() until None (or `finished`), then close()."""

    @abstractmethod
    def open(self) -> None:
        """Open the device/file; raises CameraUnavailable with a clear message."""

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None (end of file, or a failed grab on a live camera)."""

    @abstractmethod
    def close(self) -> None:
        """Release the device; safe to call twice."""

    @property
    @abstractmethod
    def live(self) -> bool:
        """True for a camera: frames keep coming and a None is a hiccup, not the end."""

    @property
    def fps(self) -> float | None:
        return None

    @property
    def stills(self) -> bool:
        """True when each frame is a picture of its own (a folder of scans), not one of a stream:
        one read confirms a code, and every decoding step runs on it."""
        return False

    @property
    def finished(self) -> bool:
        """True once the source has no more frames (a file played to its end, not looped).

        Tells the end of a file from a failed grab: a realtime video is `live` too, and a None
        from it at the end must end the scan loop, not look like an unplugged camera.
        """
        return False

    @abstractmethod
    def describe(self) -> str:
        """Short human description for logs and the status bar."""

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
