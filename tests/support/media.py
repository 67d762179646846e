"""Small media for the Qt tests: a video file of random frames standing in for a webcam that
sees no code (through cv2.VideoCapture, as a real camera's frames arrive)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def noise_video(
    path: Path, seed: int, frames: int = 30, size: tuple[int, int] = (320, 240)
) -> Path:
    """An MJPG AVI of `frames` random frames (15 per second), the same for the same seed."""
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (width, height))
    rng = np.random.default_rng(seed)
    for _ in range(frames):
        writer.write(rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
    writer.release()
    return path
