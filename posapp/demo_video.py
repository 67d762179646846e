"""The demo's "camera": a short video of voucher cards, made with the real QR generator (segno).

`posapp demo` plays it through the real pipeline (cv2.VideoCapture, the decoders, the confirmer)
when no camera opens, so a newcomer sees scans without printing anything. Each card holds a QR and
a caption; an empty table sits between cards, so each code is a fresh scan. MJPG at a low frame
rate and size keeps the file small (a few MB); it is made per run because each demo run starts a
fresh sandbox whose voucher codes are new. Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import segno

SIZE = (480, 360)
FPS = 8.0
CAPTION_HEIGHT = 36
# draws a caption band (text, width, height) -> BGR array: the Qt layer passes one with a real font
# (OpenCV's own fonts have no "€" and no accented letters)
CaptionDrawer = Callable[[str, int, int], np.ndarray]


def qr_card(
    text: str, caption: str, side: int = 240, caption_image: CaptionDrawer | None = None
) -> np.ndarray:
    """A white card with the QR of `text` and a caption under it, BGR."""
    matrix = np.array(segno.make_qr(text, error="m").matrix, dtype=np.uint8)
    matrix = np.pad(matrix, 4)  # the quiet zone
    qr = np.where(matrix > 0, 0, 255).astype(np.uint8)
    qr = cv2.resize(qr, (side, side), interpolation=cv2.INTER_NEAREST)
    card = np.full((side + CAPTION_HEIGHT, side, 3), 255, np.uint8)
    card[:side] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    if caption_image is not None:
        card[side:] = caption_image(caption, side, CAPTION_HEIGHT)
    else:
        ascii_caption = caption.encode("ascii", "replace").decode()[:28]
        cv2.putText(
            card, ascii_caption, (8, side + 24), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (40, 40, 40), 1
        )
    return card


def table(size: tuple[int, int] = SIZE) -> np.ndarray:
    """A wooden counter top, so the empty frames look like a camera's."""
    width, height = size
    ramp = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    base = np.array([60, 100, 150], np.float32)[None, None, :]
    wood = base * (0.8 + 0.2 * ramp) + 6 * np.sin(np.arange(height)[:, None, None] / 7.0)
    return np.clip(np.broadcast_to(wood, (height, width, 3)), 0, 255).astype(np.uint8)


def make_demo_video(
    path: Path,
    cards: Sequence[tuple[str, str]],
    *,
    seconds_per_card: float = 3.0,
    seconds_between: float = 2.0,
    size: tuple[int, int] = SIZE,
    fps: float = FPS,
    caption_image: CaptionDrawer | None = None,
) -> Path:
    """Write `cards` ((code text, caption) each) as an MJPG .avi at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # OpenCV's own MJPEG writer, named: the bundle's OpenCV has no FFmpeg, and asking by file
    # name alone makes it try (and log the failure of) its image-sequence writer first
    mjpg = cv2.VideoWriter_fourcc(*"MJPG")
    writer = cv2.VideoWriter(str(path), cv2.CAP_OPENCV_MJPEG, mjpg, fps, size)
    if not writer.isOpened():
        raise RuntimeError(f"cannot write the demo video {path}")
    empty = table(size)
    width, height = size
    try:
        for _ in range(int(seconds_between * fps)):
            writer.write(empty)
        for number, (text, caption) in enumerate(cards):
            card = qr_card(text, caption, side=int(height * 0.62), caption_image=caption_image)
            ch, cw = card.shape[:2]
            for i in range(int(seconds_per_card * fps)):
                frame = empty.copy()
                x = (width - cw) // 2 + int(5 * np.sin(i / 3.0 + number))
                y = (height - ch) // 2 + int(3 * np.cos(i / 4.0))
                frame[y : y + ch, x : x + cw] = card
                writer.write(frame)
            for _ in range(int(seconds_between * fps)):
                writer.write(empty)
    finally:
        writer.release()
    return path
