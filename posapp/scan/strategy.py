"""Decoding strategy: which decoders run, on what preprocessing, in what order, on which frames.

Most frames a counter camera sees hold no code, so what matters most is the cost of a miss. A spec
has two parts separated by "|": cheap steps run on every frame; costly steps after the "|" run only
on evidence of a code (a QR symbol located by a zxing step, or a caller that knows more: see
posapp/scan/gating.py for the scene-change, recent-read and cadence triggers of a live camera).
Steps run in order and stop at the first that finds a code. The default was chosen by
bench/decode.py on one generated set and reported on another (docs/SCANNING.md); any spec can be
set in ScannerSettings.strategy.

Spec: steps joined by "+"; a step is `decoder[@preprocess]` (decoder: zxing, zxing-gh, zbar,
opencv, opencv-classic; preprocess: full, half, dim, shadow, up, sharp, clahe, blur) or `rescue`
(zxing-located symbols, cropped, enlarged and sharpened). Examples: "zxing", "zxing+zbar",
"zxing+rescue+zbar@half" (every step on every frame), "zxing+zxing@half|rescue+zbar@half".
"""

from __future__ import annotations

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
from posapp.scan.preprocess import PREPROCESS, scale, sharpen

DEFAULT_STRATEGY = "zxing+zxing@half+zxing@dim+zxing-gh@half+zxing-gh@shadow|rescue+zbar@half"
LEGACY_STRATEGY = "zxing+rescue+zbar@half"  # the default until issue 11: every step, every frame
RESCUE_MAX_SYMBOLS = 3
RESCUE_TARGET_PX = 480  # enlarge a located symbol's crop to about this many pixels a side
LARGE_SIDE_PX = 1920  # images larger than this are read at WORKING_SIDE_PX first
WORKING_SIDE_PX = 1280


class NoDecoderAvailable(DecoderUnavailable):
    """None of the decoders a strategy asks for can be built here."""


@dataclass
class FrameReport:
    """What one frame gave: codes, symbols located but not read (full-frame corners), cost."""

    found: list[Decoded] = field(default_factory=list)
    located: list[np.ndarray] = field(default_factory=list)
    costly_ran: bool = False  # the gated steps ran on this frame
    dim: bool = False
    trigger: str = ""  # why a stream's session forced the costly steps: change, recent, cadence


class _DecoderStep:
    def __init__(self, decoder: Decoder, preprocess: str) -> None:
        self.decoder = decoder
        self.preprocess = preprocess
        self._pre = PREPROCESS[preprocess]
        self.label = decoder.name if preprocess == "full" else f"{decoder.name}@{preprocess}"

    def run(self, gray: np.ndarray, report: FrameReport) -> list[Decoded]:
        prepared = self._pre(gray)
        if prepared is None:  # the preprocessing does not apply to this frame (dim on a lit one)
            return []
        image, factor = prepared
        if self.preprocess == "dim":
            report.dim = True
        if isinstance(self.decoder, ZXingDecoder):
            found, located = self.decoder.read(image)
            report.located += [corners / factor for corners in located]
        else:
            found = self.decoder.decode(image)
        return [Decoded(d.text, self.label) for d in found]


class _RescueStep:
    """A closer look where zxing saw a QR symbol but could not read it (blur, small, shadow)."""

    label = "zxing@rescue"
    decoder_name = "zxing"

    def __init__(self, decoder: ZXingDecoder) -> None:
        self.decoder = decoder

    def run(self, gray: np.ndarray, report: FrameReport) -> list[Decoded]:
        for corners in report.located[:RESCUE_MAX_SYMBOLS]:
            crop = crop_symbol(gray, corners)
            if crop is None:
                continue
            factor = max(1.0, RESCUE_TARGET_PX / max(crop.shape))
            big = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
            for sigma, amount in ((3.0, 1.5), (5.0, 2.5)):
                found = self.decoder.decode(sharpen(big, sigma, amount))
                if found:
                    return [Decoded(d.text, self.label) for d in found]
        return []


def crop_symbol(gray: np.ndarray, corners: np.ndarray, margin: float = 0.3) -> np.ndarray | None:
    """The region of a located symbol with a margin; None when it is too small to look at."""
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    w, h = x1 - x0, y1 - y0
    height, width = gray.shape[:2]
    left, top = int(max(0, x0 - margin * w)), int(max(0, y0 - margin * h))
    right, bottom = int(min(width, x1 + margin * w)), int(min(height, y1 + margin * h))
    if right - left < 12 or bottom - top < 12:
        return None
    return gray[top:bottom, left:right]


Step = _DecoderStep | _RescueStep


class Strategy:
    """Runs the cheap steps on a frame, then the costly ones on evidence, first find wins."""

    def __init__(self, steps: list[Step], spec: str, gated: list[Step] | None = None) -> None:
        if not steps and not gated:
            raise NoDecoderAvailable(spec or "?", "no decoder given")
        self.steps = steps
        self.gated = gated or []
        self.spec = spec

    @property
    def name(self) -> str:
        return self.spec

    @property
    def labels(self) -> list[str]:
        return [step.label for step in self.steps + self.gated]

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        """The QR codes in a BGR or grayscale frame; [] when none (the usual case)."""
        return self.inspect(frame).found

    def inspect(self, frame: np.ndarray, force: bool = False, light: bool = False) -> FrameReport:
        """Decode one frame; `force` runs the costly steps even without evidence in it.

        `light` (a stream's frame that shows nothing new: posapp/scan/gating.py) runs only the
        first cheap step of a gated spec, and the rest only if that step located a symbol; a
        spec without "|" (e.g. "legacy") still runs every step on every frame.
        An image larger than LARGE_SIDE_PX (a phone photo) is read at WORKING_SIDE_PX first,
        and whole only when that finds nothing.
        """
        gray = as_gray(frame)
        side = max(gray.shape)
        if side > LARGE_SIDE_PX:
            factor = WORKING_SIDE_PX / side
            report = self._inspect(scale(gray, factor), force, light)
            if report.found:
                report.located = [c / factor for c in report.located]
                return report
        return self._inspect(gray, force, light)

    def _inspect(self, gray: np.ndarray, force: bool, light: bool) -> FrameReport:
        report = FrameReport()
        for index, step in enumerate(self.steps):
            if light and index and self.gated and not report.located:
                return report  # a known, unchanged scene: the other steps wait for the cadence
            report.found = step.run(gray, report)
            if report.found:
                return report
        if self.gated and (force or report.located or report.dim):
            report.costly_ran = True
            for step in self.gated:
                report.found = step.run(gray, report)
                if report.found:
                    return report
        return report


def _parse_steps(
    part: str, spec: str, decoders: dict[str, Decoder], earlier: list[Step], missing: list[str]
) -> list[Step]:
    steps: list[Step] = []
    for item in (p.strip() for p in part.split("+")):
        name, _, preprocess = item.partition("@")
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
            if not any(
                isinstance(s, _DecoderStep) and isinstance(s.decoder, ZXingDecoder)
                for s in earlier + steps
            ):
                raise ValueError(f"'rescue' needs a 'zxing' step before it, in strategy {spec!r}")
            assert isinstance(decoder, ZXingDecoder)
            steps.append(_RescueStep(decoder))
        else:
            steps.append(_DecoderStep(decoder, preprocess))
    return steps


def make_strategy(spec: str = "auto") -> Strategy:
    """A strategy from "auto" (DEFAULT_STRATEGY), "legacy" or a spec; steps whose library is
    missing drop out.

    Raises NoDecoderAvailable (naming what to install in `hint`) when no step is left, ValueError
    for a malformed spec.
    """
    spec = (spec or "auto").strip().lower().replace(" ", "")
    spec = {"auto": DEFAULT_STRATEGY, "legacy": LEGACY_STRATEGY}.get(spec, spec)
    cheap, bar, costly = spec.partition("|")
    if bar and not (cheap and costly):
        raise ValueError(f"both sides of '|' need steps, in strategy {spec!r}")
    missing: list[str] = []
    decoders: dict[str, Decoder] = {}
    steps = _parse_steps(cheap, spec, decoders, [], missing)
    gated = _parse_steps(costly, spec, decoders, steps, missing) if bar else []
    if not steps and not gated:
        raise NoDecoderAvailable(spec, "; ".join(dict.fromkeys(missing)) or "empty strategy")
    if not steps:  # the cheap steps' library is missing: what is left runs on every frame
        steps, gated = gated, []
    return Strategy(steps, spec, gated)
