"""`posapp decode FILE...`: the QR codes in image or video files, one JSON line per file.

Answers "why won't this voucher scan?" with the same strategy the counter uses.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import cv2

from posapp.scan.decoders import DecoderUnavailable
from posapp.scan.sources import IMAGE_SUFFIXES, CameraUnavailable, VideoFileSource
from posapp.scan.strategy import Strategy, make_strategy


def _decode_image(path: Path, strategy: Strategy) -> dict:
    frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if frame is None:
        return {"file": str(path), "codes": [], "error": "unreadable image / immagine illeggibile"}
    codes = [{"text": d.text, "decoder": d.decoder} for d in strategy.decode(frame)]
    return {"file": str(path), "codes": codes}


def _decode_video(path: Path, strategy: Strategy, every: int = 1) -> dict:
    source = VideoFileSource(path)
    try:
        source.open()
    except CameraUnavailable as exc:
        return {"file": str(path), "codes": [], "error": str(exc)}
    codes: dict[str, dict] = {}
    frames = 0
    try:
        while (frame := source.read()) is not None:
            frames += 1
            if (frames - 1) % every:
                continue
            for d in strategy.decode(frame):
                entry = codes.setdefault(
                    d.text, {"text": d.text, "decoder": d.decoder, "first_frame": frames - 1}
                )
                entry["frames"] = entry.get("frames", 0) + 1
    finally:
        source.close()
    return {"file": str(path), "codes": list(codes.values()), "frames": frames}


def decode_paths(paths: Iterable[str | Path], strategy: Strategy | str = "auto") -> Iterator[dict]:
    """One result dict per file: {"file", "codes": [{"text", "decoder", ...}], maybe "error"}."""
    if isinstance(strategy, str):
        strategy = make_strategy(strategy)
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            yield {"file": str(path), "codes": [], "error": "file not found / file non trovato"}
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            yield _decode_image(path, strategy)
        else:
            yield _decode_video(path, strategy)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="posapp decode", description="Decode QR codes in image or video files."
    )
    parser.add_argument("files", nargs="+", help="image or video files")
    parser.add_argument("--strategy", default=None, help="decoding strategy (default: settings)")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    spec = args.strategy
    if spec is None:
        from posapp.core.settings import Settings

        spec = Settings.load().scanner.strategy
    try:
        strategy = make_strategy(spec)
    except (DecoderUnavailable, ValueError) as exc:
        print(f"posapp decode: {exc}", file=sys.stderr)
        return 2
    status = 0
    for result in decode_paths(args.files, strategy):
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if "error" in result:
            status = 1
    return status
