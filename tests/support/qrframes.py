"""Labelled, webcam-like frames and videos of voucher QR codes, deterministic by seed.

Shared by the scanning tests, the Qt scan-loop tests and bench/decode.py. Each frame carries the
texts it holds, so a decoder's output can be scored: right, wrong, missed, or a false positive.

Classes mimic what a counter webcam sees: printouts (clean, small, rotated, tilted, blurred, noisy
and JPEG-compressed, dim, unevenly lit, partly covered by a thumb), phone screens (pixel grid,
moiré, glare, dark mode = inverted) and, most of the time, no code at all.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import segno
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from posapp.core.codes import encode_plain, sign_code
from posapp.core.keys import SigningKey

SIZES: tuple[tuple[int, int], ...] = ((640, 480), (1280, 720), (1920, 1080))
CODE_CLASSES: tuple[str, ...] = (
    "clean",
    "small",
    "rotated",
    "tilted",
    "blurred",
    "noisy",
    "dim",
    "uneven",
    "inverted",
    "covered",
    "phone",
)
CLASSES: tuple[str, ...] = (*CODE_CLASSES, "empty")
PAYLOAD_KINDS: tuple[str, ...] = ("plain", "url", "signed")
URL_PREFIX = "https://buoni.example.it/v/"


@dataclass(frozen=True)
class LabelledFrame:
    image: np.ndarray  # BGR uint8
    texts: tuple[str, ...]  # what a perfect reader returns ([] for "empty")
    kind: str  # one of CLASSES
    payload: str  # "plain", "url", "signed" or "none"
    size: tuple[int, int]  # (width, height)


def rng_for(*parts: object) -> np.random.Generator:
    """A generator seeded from the parts (stable across runs, unlike hash())."""
    return np.random.default_rng(zlib.crc32(repr(parts).encode()))


# --- payloads ------------------------------------------------------------------------------------


def signing_key(seed: int = 0) -> tuple[bytes, SigningKey]:
    """A deterministic Ed25519 key pair for signed test codes: (private raw bytes, SigningKey)."""
    private_raw = bytes(rng_for("key", seed).integers(0, 256, 32, dtype=np.uint8))
    public = Ed25519PrivateKey.from_private_bytes(private_raw).public_key()
    public_raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kid = f"{zlib.crc32(public_raw):08x}"
    return private_raw, SigningKey(kid, public_raw, datetime(2020, 1, 1, tzinfo=UTC))


def payload_text(kind: str, seed: int) -> str:
    """A voucher code text of one kind: plain `XXXX-XXXX-XXX`, a URL, or a signed `PV:...`."""
    rng = rng_for("payload", kind, seed)
    voucher_id = int(rng.integers(1, 2**50))
    if kind == "plain":
        return encode_plain(voucher_id)
    if kind == "url":
        return URL_PREFIX + encode_plain(voucher_id)
    if kind == "signed":
        private_raw, key = signing_key(0)
        value = int(rng.integers(1, 200)) * 500
        expires = datetime(2030, 1, 1, tzinfo=UTC)
        return sign_code(
            private_raw, key.kid, voucher_id, int(rng.integers(1, 999)), value, expires
        )
    raise ValueError(f"unknown payload kind {kind!r}")


def qr_modules(text: str, border: int = 4) -> np.ndarray:
    """The QR symbol as a bool matrix (True = dark), with `border` quiet-zone modules."""
    qr = segno.make_qr(text, error="m", boost_error=False)
    matrix = np.array([list(row) for row in qr.matrix], dtype=bool)
    return np.pad(matrix, border, constant_values=False)


def qr_image(text: str, module_px: int = 8, border: int = 4) -> np.ndarray:
    """A clean grayscale QR image, black on white, `module_px` pixels per module."""
    modules = qr_modules(text, border)
    img = np.where(modules, 0, 255).astype(np.uint8)
    return np.kron(img, np.ones((module_px, module_px), dtype=np.uint8))


# --- backgrounds ---------------------------------------------------------------------------------


def background(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A counter-like BGR scene: shaded surface, wood-ish grain, boxes, text-like marks, stripes."""
    base = rng.uniform(90, 170, 3)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    shade = 1.0 + 0.25 * (xs / width - 0.5) * rng.uniform(-1, 1) + 0.2 * (ys / height - 0.5)
    img = np.empty((height, width, 3), np.float32)
    for c in range(3):
        img[:, :, c] = base[c] * shade
    grain = np.sin(ys / rng.uniform(3, 9) + 2 * np.sin(xs / rng.uniform(40, 90))) * rng.uniform(
        4, 12
    )
    img += grain[:, :, None]
    img = np.clip(img, 0, 255).astype(np.uint8)
    scale = width / 640
    for _ in range(int(rng.integers(3, 8))):  # boxes, leaflets, a till
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(40, 200) * scale), int(rng.integers(30, 160) * scale)
        color = tuple(int(v) for v in rng.integers(20, 240, 3))
        cv2.rectangle(img, (x, y), (x + w, y + h), color, -1)
    for _ in range(int(rng.integers(4, 10))):  # printed text lines
        x, y = int(rng.integers(0, width - 50)), int(rng.integers(10, height))
        words = "".join(rng.choice(list("ABCDEFGHJKLMNPRSTUVZ0123456789 .,-"), 18))
        cv2.putText(img, words, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * scale, (25, 25, 25), 1)
    if rng.random() < 0.5:  # a striped price tag: camera noise must not read as a barcode
        x, y = int(rng.integers(0, width - 120 * scale)), int(rng.integers(0, height - 60 * scale))
        for i in range(int(rng.integers(20, 40))):
            if rng.random() < 0.5:
                xx = x + int(i * 3 * scale)
                cv2.rectangle(
                    img, (xx, y), (xx + int(2 * scale), y + int(50 * scale)), (10, 10, 10), -1
                )
    return img


# --- composing a code into a scene ---------------------------------------------------------------


def _paste(scene: np.ndarray, patch: np.ndarray, corners: np.ndarray) -> None:
    """Warp a BGR patch onto the scene so its corners land on `corners` (TL, TR, BR, BL).

    Only the corners' bounding box is warped and blended (the result is the same as warping the
    whole frame, at a fraction of the cost)."""
    h, w = patch.shape[:2]
    height, width = scene.shape[:2]
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 2
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 2
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    if x1 <= x0 or y1 <= y0:
        return
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    matrix = cv2.getPerspectiveTransform(src, np.float32(corners - np.float32([x0, y0])))
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpPerspective(patch, matrix, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size, flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    roi = scene[y0:y1, x0:x1]
    roi[:] = (roi * (1 - alpha) + warped * alpha).astype(np.uint8)


def _square(cx: float, cy: float, side: float, angle_deg: float = 0.0) -> np.ndarray:
    half = side / 2
    pts = np.float32([[-half, -half], [half, -half], [half, half], [-half, half]])
    a = np.deg2rad(angle_deg)
    rot = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return pts @ rot.T + np.float32([cx, cy])


def _card(text: str, module_px: int, dark: int = 20, light: int = 245) -> np.ndarray:
    """A printed voucher: the QR (with quiet zone) on a slightly larger paper card, BGR."""
    modules = qr_modules(text)
    img = np.where(modules, dark, light).astype(np.uint8)
    img = np.kron(img, np.ones((module_px, module_px), dtype=np.uint8))
    img = np.pad(img, module_px * 2, constant_values=light)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def _phone(text: str, module_px: int, rng: np.random.Generator, inverted: bool) -> np.ndarray:
    """A phone screen showing the code: emissive, sub-pixel grid, dark bezel, maybe dark mode."""
    dark, light = (235, 25) if inverted else (15, 250)
    card = _card(text, module_px, dark, light)[:, :, 0]
    h, w = card.shape
    grid = np.ones((h, w, 3), np.float32)
    for c in range(3):  # vertical sub-pixel stripes every `module_px` / 3 pixels, dimmed between
        grid[:, (np.arange(w) % 3) != c, c] *= rng.uniform(0.55, 0.8)
    grid[(np.arange(h) % 3) == 0] *= 0.75
    screen = card[:, :, None].astype(np.float32) * grid
    bezel = int(module_px * 3)
    phone = np.full((h + 4 * bezel, w + 2 * bezel, 3), 18, np.float32)
    phone[2 * bezel : 2 * bezel + h, bezel : bezel + w] = screen
    return np.clip(phone, 0, 255).astype(np.uint8)


def _glare(frame: np.ndarray, center: tuple[float, float], radius: float, strength: float) -> None:
    h, w = frame.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    d2 = ((xs - center[0]) ** 2 + (ys - center[1]) ** 2) / (radius**2)
    glow = strength * np.exp(-d2)[:, :, None]
    frame[:] = np.clip(frame.astype(np.float32) + glow, 0, 255).astype(np.uint8)


def _module_px_for(text: str, frame_h: int, fraction: float) -> int:
    modules = qr_modules(text).shape[0]
    return max(1, round(frame_h * fraction / modules))


def _place(scene: np.ndarray, patch: np.ndarray, corners: np.ndarray) -> None:
    """Downscale the patch to about its final size first (INTER_AREA), then warp it into place."""
    side = float(np.linalg.norm(corners[1] - corners[0]))
    scale = side / patch.shape[1]
    if scale < 1:
        patch = cv2.resize(patch, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _paste(scene, patch, corners)


def _camera(frame: np.ndarray, rng: np.random.Generator, noise: float, blur: float) -> np.ndarray:
    """Webcam softness and sensor noise."""
    if blur > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    if noise > 0:
        grain = rng.normal(0, noise, frame.shape).astype(np.float32)
        frame = np.clip(frame.astype(np.float32) + grain, 0, 255).astype(np.uint8)
    return frame


def _jpeg(frame: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def make_frame(kind: str, text: str | None, size: tuple[int, int], seed: int = 0) -> np.ndarray:
    """One BGR frame of class `kind` showing `text` (ignored for "empty")."""
    if kind not in CLASSES:
        raise ValueError(f"unknown frame class {kind!r}")
    width, height = size
    rng = rng_for("frame", kind, text, size, seed)
    scene = background(width, height, rng)
    if kind == "empty" or text is None:
        return _camera(scene, rng, rng.uniform(2, 5), 0.6)
    modules = qr_modules(text).shape[0] + 4  # the card adds two modules of paper each side
    if kind == "small":
        side = modules * rng.uniform(1.7, 2.8)
    else:
        side = height * rng.uniform(0.35, 0.6)
    module = side / modules
    margin = side * 0.75
    cx = rng.uniform(margin, width - margin)
    cy = rng.uniform(min(margin, height / 2), max(height - margin, height / 2))
    angle = rng.uniform(-6, 6)
    if kind == "rotated":
        angle = rng.uniform(20, 340)
    corners = _square(cx, cy, side, angle)
    if kind == "tilted":
        corners = corners + rng.uniform(-0.24, 0.24, (4, 2)).astype(np.float32) * side
    if kind in ("phone", "inverted"):
        patch = _phone(text, 12, rng, inverted=kind == "inverted")
        # the bezel makes the phone larger than the code: keep the code at `side`
        scale = patch.shape[1] / (patch.shape[1] - 6 * 12)
        corners = _square(cx, cy, side * scale, angle)
        h_ratio = patch.shape[0] / patch.shape[1]
        corners[:, 1] = cy + (corners[:, 1] - cy) * h_ratio
    else:
        patch = _card(text, 12)
    _place(scene, patch, corners)
    frame = scene
    noise, blur = rng.uniform(2, 4), 0.6
    if kind == "blurred":
        blur = module * rng.uniform(0.35, 0.75)
    elif kind == "noisy":
        noise = rng.uniform(15, 30)
    elif kind == "dim":
        frame = (frame.astype(np.float32) * rng.uniform(0.08, 0.2)).astype(np.uint8)
        noise = rng.uniform(2, 4)
    elif kind == "uneven":
        frame = _uneven(frame, corners, rng)
    elif kind == "covered":
        _thumb(frame, corners, rng)
    elif kind == "phone":
        point = corners[int(rng.integers(0, 4))] * 0.6 + np.float32([cx, cy]) * 0.4
        _glare(
            frame,
            (float(point[0]), float(point[1])),
            side * rng.uniform(0.2, 0.35),
            rng.uniform(120, 230),
        )
    frame = _camera(frame, rng, noise, blur)
    if kind == "noisy":
        frame = _jpeg(frame, int(rng.integers(15, 35)))
    return frame


def _uneven(frame: np.ndarray, corners: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A strong light gradient plus a hard shadow edge across the code."""
    h, w = frame.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(a) * xs + np.sin(a) * ys) / max(h, w)
    ramp = (ramp - ramp.min()) / (np.ptp(ramp) + 1e-6)
    light = 0.3 + 1.0 * ramp
    center = corners.mean(axis=0)
    b = rng.uniform(0, 2 * np.pi)
    side = (np.cos(b) * (xs - center[0]) + np.sin(b) * (ys - center[1])) > 0
    light = np.where(side, light * rng.uniform(0.4, 0.55), light)
    out = frame.astype(np.float32) * light[:, :, None]
    return np.clip(out, 0, 255).astype(np.uint8)


def _thumb(frame: np.ndarray, corners: np.ndarray, rng: np.random.Generator) -> None:
    """A thumb over the bottom edge of the code, away from its three finder patterns."""
    bl, br = corners[3], corners[2]
    side = float(np.linalg.norm(br - bl))
    up = corners[0] - corners[3]
    at = bl + (br - bl) * rng.uniform(0.5, 0.7) + up * 0.12
    color = tuple(
        int(v) for v in (rng.uniform(90, 130), rng.uniform(120, 160), rng.uniform(170, 210))
    )
    axes = (int(side * rng.uniform(0.1, 0.16)), int(side * rng.uniform(0.18, 0.26)))
    angle = float(np.degrees(np.arctan2(*(br - bl)[::-1]))) + 90
    cv2.ellipse(frame, (int(at[0]), int(at[1])), axes, angle, 0, 360, color, -1, cv2.LINE_AA)


def labelled_frames(
    sizes: Sequence[tuple[int, int]] = SIZES,
    classes: Sequence[str] = CLASSES,
    per_class: int = 3,
    seed: int = 0,
) -> Iterable[LabelledFrame]:
    """`per_class` frames for each class and size; payload kinds cycle plain, url, signed."""
    for size in sizes:
        for kind in classes:
            for i in range(per_class):
                if kind == "empty":
                    image = make_frame(kind, None, size, seed * 1000 + i)
                    yield LabelledFrame(image, (), kind, "none", size)
                    continue
                payload = PAYLOAD_KINDS[i % len(PAYLOAD_KINDS)]
                text = payload_text(payload, seed * 1000 + i + 100 * CLASSES.index(kind))
                image = make_frame(kind, text, size, seed * 1000 + i)
                yield LabelledFrame(image, (text,), kind, payload, size)


def linear_barcode(kind: str = "EAN13", scale: int = 3) -> np.ndarray:
    """A 1-D barcode image (EAN-13 or Code128) on white, BGR; for "QR only" tests."""
    import zxingcpp

    content = {"EAN13": "4006381333931", "Code128": "ABCD-1234-XYZ"}[kind]
    barcode = zxingcpp.create_barcode(content, getattr(zxingcpp.BarcodeFormat, kind))
    gray = np.array(barcode.to_image(scale=scale))
    gray = np.pad(gray, 40, constant_values=255)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


# --- videos --------------------------------------------------------------------------------------


def _noise_bank(rng: np.random.Generator, height: int, width: int) -> list[np.ndarray]:
    """Sensor-noise fields a video's frames draw from (drawing millions of normals per frame is
    what made generating videos slow)."""
    return [rng.normal(0, 3, (height, width, 3)).astype(np.int16) for _ in range(7)]


def _with_noise(frame: np.ndarray, bank: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    noisy = frame.astype(np.int16) + bank[int(rng.integers(0, len(bank)))]
    return np.clip(noisy, 0, 255).astype(np.uint8)


def make_video(
    path: str | Path,
    segments: Sequence[tuple[str | None, int]],
    size: tuple[int, int] = (640, 480),
    fps: float = 15.0,
    seed: int = 0,
) -> Path:
    """Write an MJPG .avi: each segment is (text or None, frames); a code sways slightly in hand."""
    path = Path(path)
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write video {path}")
    rng = rng_for("video", seed, size)
    scene = background(width, height, rng)
    bank = _noise_bank(rng, height, width)
    try:
        for number, (text, count) in enumerate(segments):
            cards = _card(text, 12) if text else None
            side = height * 0.5
            for i in range(count):
                frame = scene.copy()
                if cards is not None:
                    dx, dy = 6 * np.sin(i / 3.0 + number), 4 * np.cos(i / 4.0)
                    corners = _square(width / 2 + dx, height / 2 + dy, side, 3 * np.sin(i / 5.0))
                    _place(frame, cards, corners)
                writer.write(_with_noise(cv2.GaussianBlur(frame, (0, 0), 0.6), bank, rng))
    finally:
        writer.release()
    return path


@dataclass(frozen=True)
class HandVideo:
    """A generated clip of one voucher brought to the camera; `steady_frame` is the first frame
    of the voucher held still by the hand (the autofocus then hunts before it settles)."""

    path: Path
    text: str
    frames: int
    fps: float
    steady_frame: int
    leave_frame: int
    entry_frame: int  # the first frame of the voucher in view


def make_hand_video(
    path: str | Path,
    text: str,
    size: tuple[int, int] = (1280, 720),
    fps: float = 30.0,
    seed: int = 0,
    *,
    empty_s: float = 1.5,
    approach_s: float = 0.8,
    hunt_s: float = 0.8,
    hold_s: float = 1.5,
    leave_s: float = 0.4,
    after_s: float = 1.5,
) -> HandVideo:
    """An MJPG clip: an empty counter; a voucher brought in from below by a hand (motion blur,
    growing as it comes closer); the autofocus hunting (the whole picture blurring in and out,
    less each time); the voucher held with a slight tremor; taken away; the empty counter again."""
    path = Path(path)
    width, height = size
    rng = rng_for("hand", seed, size, text)
    scene = background(width, height, rng)
    card = _card(text, 12)
    modules = qr_modules(text).shape[0] + 4
    final_side = height * rng.uniform(0.38, 0.55)
    center = np.float32([width * rng.uniform(0.35, 0.65), height * rng.uniform(0.4, 0.6)])
    start = np.float32([center[0] + width * rng.uniform(-0.2, 0.2), height + final_side])
    counts = [round(s * fps) for s in (empty_s, approach_s, hunt_s, hold_s, leave_s, after_s)]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write video {path}")
    phase_starts = np.cumsum([0, *counts])
    bank = _noise_bank(rng, height, width)
    try:
        for i in range(int(phase_starts[-1])):
            phase = int(np.searchsorted(phase_starts, i, side="right") - 1)
            t = (i - phase_starts[phase]) / max(1, counts[phase])  # 0..1 within the phase
            frame = scene.copy()
            blur, pos, side = 0.6, center, final_side
            tremor = np.float32([np.sin(i * 0.9 + seed), np.cos(i * 0.7)]) * 2.0
            if phase == 1:  # approach: fast, then slowing down, growing
                ease = 1 - (1 - t) ** 2
                pos = start + (center - start) * ease
                side = final_side * (0.6 + 0.4 * ease)
                speed = float(np.linalg.norm(center - start)) * 2 * (1 - t) / counts[1]
                blur = max(0.6, 0.35 * speed)
            elif phase == 2:  # autofocus hunting: in and out of focus, settling
                module = final_side / modules
                blur = 0.6 + module * 1.1 * abs(np.cos(np.pi * 2.5 * t)) * (1 - t)
                pos = center + tremor
            elif phase == 3:
                pos = center + tremor
            elif phase == 4:  # taken away, upwards and fast
                pos = center + np.float32([0, -(height + final_side) * t * t])
                blur = 0.6 + 6 * t
            if phase in (1, 2, 3, 4):
                angle = 4 * np.sin(i / 7.0 + seed)
                _place(frame, card, _square(float(pos[0]), float(pos[1]), side, angle))
            writer.write(_with_noise(cv2.GaussianBlur(frame, (0, 0), blur), bank, rng))
    finally:
        writer.release()
    steady = int(phase_starts[2])
    return HandVideo(
        path, text, int(phase_starts[-1]), fps, steady, int(phase_starts[4]), int(phase_starts[1])
    )
