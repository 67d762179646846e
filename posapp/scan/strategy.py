"""Decoding strategy: which decoders run, on what preprocessing, in what order.

Most frames a counter camera sees hold no code, so the cost that matters most is the cost of a miss.
The default below was chosen from bench/decode.py (see docs/SCANNING.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from posapp.scan.decoders import Decoded, Decoder, DecoderUnavailable, as_gray, make_decoder

DEFAULT_STRATEGY = "zxing+zbar"


class NoDecoderAvailable(DecoderUnavailable):
    """None of the decoders a strategy asks for can be built here."""


class Strategy:
    """Runs steps in order and stops at the first that finds something."""

    def __init__(self, decoders: Sequence[Decoder], spec: str = "") -> None:
        if not decoders:
            raise NoDecoderAvailable(spec or "?", "no decoder given")
        self.decoders = list(decoders)
        self.spec = spec or "+".join(d.name for d in self.decoders)

    @property
    def name(self) -> str:
        return self.spec

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        gray = as_gray(frame)
        for decoder in self.decoders:
            found = decoder.decode(gray)
            if found:
                return found
        return []


def make_strategy(spec: str = "auto") -> Strategy:
    """Build a strategy from "auto" or names joined by "+" (e.g. "zxing+zbar")."""
    spec = (spec or "auto").strip().lower()
    if spec == "auto":
        spec = DEFAULT_STRATEGY
    decoders, missing = [], []
    for name in (n.strip() for n in spec.split("+") if n.strip()):
        try:
            decoders.append(make_decoder(name))
        except DecoderUnavailable as exc:
            missing.append(exc.hint)
    if not decoders:
        raise NoDecoderAvailable(spec, "; ".join(missing) or "empty strategy")
    return Strategy(decoders, spec)
