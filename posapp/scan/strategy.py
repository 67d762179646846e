"""Decoding strategy: which decoders run, on what preprocessing, in what order.

Most frames a counter camera sees hold no code, so what matters most is the cost of a miss: steps
run in order and stop at the first that finds a code, and the expensive ones run only on a small
crop where the first decoder located a QR symbol it could not read. The default was chosen from
bench/decode.py (see docs/SCANNING.md), and any spec can be set in ScannerSettings.strategy.

Spec: steps joined by "+"; a step is `decoder[@preprocess]` (decoder: zxing, zbar, opencv,
opencv-classic; preprocess: full, half, up, sharp, clahe, blur) or `rescue` (zxing-located symbols,
cropped, enlarged and sharpened). Examples: "zxing", "zxing+zbar", "zxing+rescue+zbar@half".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from posapp.scan.decoders import (
    FACTORIES,
    Decoded,
    Decoder,
    DecoderUnavailable,
    ZXingDecoder,
    as_gray,
)
from posapp.scan.decoders import make_decoder as _make_decoder

DEFAULT_STRATEGY = "zxing+rescue+zbar@half"
RESCUE_MAX_SYMBOLS = 3
RESCUE_TARGET_PX = 480  # enlarge a located symbol's crop to about this many pixels a side


class NoDecoderAvailable(DecoderUnavailable):
    """None of the decoders a strategy asks for can be built here."""


def _sharpen(gray: np.ndarray, sigma: float = 2.0, amount: float = 0.8) -> np.ndarray:
    return cv2.addWeighted(gray, 1 + amount, cv2.GaussianBlur(gray, (0, 0), sigma), -amount, 0)


def _scale(gray: np.ndarray, factor: float) -> np.ndarray:
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interpolation)


_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))

PREPROCESS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "full": lambda g: g,
    "half": lambda g: _scale(g, 0.5) if min(g.shape) >= 400 else g,
    "up": lambda g: _scale(g, 1.5),
    "sharp": _sharpen,
    "clahe": lambda g: _CLAHE.apply(g),
    "blur": lambda g: cv2.GaussianBlur(g, (0, 0), 1.0),
}


@dataclass
class _FrameState:
    """What earlier steps learnt about this frame: symbols located but not decoded."""

    located: list[np.ndarray] = field(default_factory=list)


class _DecoderStep:
    def __init__(self, decoder: Decoder, preprocess: str) -> None:
        self.decoder = decoder
        self.preprocess = preprocess
        self._pre = PREPROCESS[preprocess]
        self.label = decoder.name if preprocess == "full" else f"{decoder.name}@{preprocess}"

    def run(self, gray: np.ndarray, state: _FrameState) -> list[Decoded]:
        image = self._pre(gray)
        if isinstance(self.decoder, ZXingDecoder) and self.preprocess == "full":
            found, state.located = self.decoder.read(image)
        else:
            found = self.decoder.decode(image)
        return [Decoded(d.text, self.label) for d in found]


class _RescueStep:
    """A closer look where zxing saw a QR symbol but could not read it (blur, small, shadow)."""

    label = "zxing@rescue"

    def __init__(self, decoder: ZXingDecoder) -> None:
        self.decoder = decoder

    def run(self, gray: np.ndarray, state: _FrameState) -> list[Decoded]:
        for corners in state.located[:RESCUE_MAX_SYMBOLS]:
            crop = _crop(gray, corners)
            if crop is None:
                continue
            factor = max(1.0, RESCUE_TARGET_PX / max(crop.shape))
            big = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
            for sigma, amount in ((3.0, 1.5), (5.0, 2.5)):
                found = self.decoder.decode(_sharpen(big, sigma, amount))
                if found:
                    return [Decoded(d.text, self.label) for d in found]
        return []


def _crop(gray: np.ndarray, corners: np.ndarray, margin: float = 0.3) -> np.ndarray | None:
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    w, h = x1 - x0, y1 - y0
    height, width = gray.shape
    left, top = int(max(0, x0 - margin * w)), int(max(0, y0 - margin * h))
    right, bottom = int(min(width, x1 + margin * w)), int(min(height, y1 + margin * h))
    if right - left < 12 or bottom - top < 12:
        return None
    return gray[top:bottom, left:right]


class Strategy:
    """Runs its steps in order on a grayscale frame and stops at the first that finds a code."""

    def __init__(self, steps: list[_DecoderStep | _RescueStep], spec: str) -> None:
        if not steps:
            raise NoDecoderAvailable(spec or "?", "no decoder given")
        self.steps = steps
        self.spec = spec

    @property
    def name(self) -> str:
        return self.spec

    @property
    def labels(self) -> list[str]:
        return [step.label for step in self.steps]

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        """The QR codes in a BGR or grayscale frame; [] when none (the usual case)."""
        gray = as_gray(frame)
        state = _FrameState()
        for step in self.steps:
            found = step.run(gray, state)
            if found:
                return found
        return []


def make_strategy(spec: str = "auto") -> Strategy:
    """A strategy from "auto" (DEFAULT_STRATEGY) or a spec; steps whose library is missing drop out.

    Raises NoDecoderAvailable (naming what to install) when no step is left, ValueError for a
    malformed spec.
    """
    spec = (spec or "auto").strip().lower()
    if spec == "auto":
        spec = DEFAULT_STRATEGY
    steps: list[_DecoderStep | _RescueStep] = []
    missing: list[str] = []
    decoders: dict[str, Decoder] = {}
    for part in (p.strip() for p in spec.split("+")):
        name, _, preprocess = part.partition("@")
        if name == "rescue":
            name, preprocess = "zxing", "rescue"
        preprocess = preprocess or "full"
        if preprocess not in PREPROCESS and preprocess != "rescue":
            raise ValueError(f"unknown preprocessing {preprocess!r} in strategy {spec!r}")
        if name not in FACTORIES:
            raise ValueError(f"unknown decoder {name!r} in strategy {spec!r}")
        try:
            decoder = decoders.get(name) or _make_decoder(name)
        except DecoderUnavailable as exc:
            missing.append(exc.hint)
            continue
        decoders[name] = decoder
        if preprocess == "rescue":
            if not any(isinstance(s, _DecoderStep) and s.label == "zxing" for s in steps):
                raise ValueError(f"'rescue' needs a 'zxing' step before it, in strategy {spec!r}")
            assert isinstance(decoder, ZXingDecoder)
            steps.append(_RescueStep(decoder))
        else:
            steps.append(_DecoderStep(decoder, preprocess))
    if not steps:
        raise NoDecoderAvailable(spec, "; ".join(dict.fromkeys(missing)) or "empty strategy")
    return Strategy(steps, spec)
