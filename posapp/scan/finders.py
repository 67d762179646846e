"""A coarse look for QR finder patterns: where a code is, even when no decoder can read it.

Used for the customer's hints (posapp/scan/hints.py), not for decoding: it runs on a small copy
of the frame, a few times a second at most, and gives the quad around three finder patterns of
similar size (the three nested squares at a QR code's corners).
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

WORK_WIDTH = 960  # look at a copy this wide at most


def locate_symbols(gray: np.ndarray) -> list[np.ndarray]:
    """Corners (4x2, full-frame pixels) of QR symbols whose finder patterns are visible."""
    factor = min(1.0, WORK_WIDTH / gray.shape[1])
    small = (
        gray
        if factor == 1.0
        else cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    )
    finders = _finders(small)
    symbols = []
    for trio in _trios(finders):
        points = np.concatenate([box for _, _, box in trio]) / factor
        x0, y0 = points.min(axis=0)
        x1, y1 = points.max(axis=0)
        symbols.append(np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
    return symbols


def _finders(small: np.ndarray) -> list[tuple[np.ndarray, float, np.ndarray]]:
    """(centre, side, box corners) of nested-square patterns: dark ring, light ring, dark core."""
    binary = cv2.adaptiveThreshold(
        small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 7
    )
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    tree = hierarchy[0]
    found = []
    for i, contour in enumerate(contours):
        child = tree[i][2]
        grandchild = tree[child][2] if child >= 0 else -1
        if grandchild < 0:
            continue
        outer = cv2.contourArea(contour)
        core = cv2.contourArea(contours[grandchild])
        if outer < 20 or core <= 0 or not 2.0 <= outer / core <= 30:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        if not 0.5 <= w / h <= 2.0 or outer < 0.5 * w * h:
            continue
        box = np.float32([[x, y], [x + w, y + h]])
        found.append((np.float32([x + w / 2, y + h / 2]), float(max(w, h)), box))
    return found


def _trios(finders: list) -> list[tuple]:
    """Groups of three finders of similar size, near each other, best first, not overlapping."""
    trios = []
    for trio in itertools.combinations(finders[:40], 3):
        sides = [s for _, s, _ in trio]
        if max(sides) > 1.6 * min(sides):
            continue
        distances = [float(np.linalg.norm(a[0] - b[0])) for a, b in itertools.combinations(trio, 2)]
        if min(distances) < 1.5 * max(sides) or max(distances) > 30 * max(sides):
            continue
        trios.append(trio)
    return trios[:3]
