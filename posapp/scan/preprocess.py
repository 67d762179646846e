"""Image preparations a strategy step can ask for before decoding.

Each returns (image, factor) where factor is the prepared image's size over the frame's, so what a
decoder locates can be mapped back onto the frame; or None when the preparation does not apply to
this frame (so the step costs nothing there: `dim` on a well-lit frame).
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

DIM_LEVEL = 64  # a frame whose 99th percentile is below this is too dark for zxing's binarizer
SHADOW_RATIO = 0.35  # darker than this share of the local paper white is a module
SHADOW_WINDOW_DIV = 24  # the local white is the maximum over a square of (height / this) pixels

Prepared = tuple[np.ndarray, float] | None


def sharpen(gray: np.ndarray, sigma: float = 2.0, amount: float = 0.8) -> np.ndarray:
    return cv2.addWeighted(gray, 1 + amount, cv2.GaussianBlur(gray, (0, 0), sigma), -amount, 0)


def scale(gray: np.ndarray, factor: float) -> np.ndarray:
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interpolation)


def is_dim(gray: np.ndarray) -> bool:
    """Under 1% of a coarse sample of pixels is brighter than DIM_LEVEL (cheap: ~1/64 of them)."""
    sample = gray[::8, ::8]
    return int(np.count_nonzero(sample > DIM_LEVEL)) < 0.01 * sample.size


def _half(gray: np.ndarray) -> Prepared:
    return (scale(gray, 0.5), 0.5) if min(gray.shape) >= 400 else (gray, 1.0)


def _dim(gray: np.ndarray) -> Prepared:
    """A dark frame at half size, stretched to the full range; None on a lit frame."""
    if not is_dim(gray):
        return None
    image, factor = _half(gray)  # type: ignore[misc]
    return cv2.normalize(image, None, 0, 255, cv2.NORM_MINMAX), factor


def _shadow(gray: np.ndarray) -> Prepared:
    """The half-size frame with its lighting divided out, thresholded: black where a pixel is
    under SHADOW_RATIO of the brightest pixel around it (the paper), white elsewhere.

    A hard shadow edge across a code (the edge of a hand, a shelf, the till's screen) leaves two
    halves each lit evenly, one several times darker: zxing's local binarizer then misses the
    finder patterns and no step even locates the symbol. Divided by a local maximum taken over
    a few modules, both halves become white paper with black modules again.
    """
    image, factor = _half(gray)  # type: ignore[misc]
    side = max(3, int(image.shape[0] / SHADOW_WINDOW_DIV) | 1)
    paper = cv2.dilate(image, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    ratio = cv2.divide(image, paper, scale=255)
    _, binary = cv2.threshold(ratio, int(SHADOW_RATIO * 255), 255, cv2.THRESH_BINARY)
    return binary, factor


_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))

PREPROCESS: dict[str, Callable[[np.ndarray], Prepared]] = {
    "full": lambda g: (g, 1.0),
    "half": _half,
    "dim": _dim,
    "shadow": _shadow,
    "up": lambda g: (scale(g, 1.5), 1.5),
    "sharp": lambda g: (sharpen(g), 1.0),
    "clahe": lambda g: (_CLAHE.apply(g), 1.0),
    "blur": lambda g: (cv2.GaussianBlur(g, (0, 0), 1.0), 1.0),
}
