"""`posapp decode FILE...`: the QR codes in image or video files, one JSON line per file.

Answers "why won't this voucher scan?" with the same strategy the counter uses.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import cv2

from posapp.core.codes import SIGNED_PREFIX, VoucherRef, parse_code
from posapp.i18n import _
from posapp.scan.decoders import DecoderUnavailable
from posapp.scan.gating import ScanSession
from posapp.scan.sources import IMAGE_SUFFIXES, CameraUnavailable, VideoFileSource
from posapp.scan.strategy import Strategy, make_strategy

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FILE_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130
_NOT_FOUND = "file not found / file non trovato"


def _as_voucher(text: str) -> dict:
    """What the voucher parser makes of a decoded text: the voucher, or why it refuses it.

    No signing keys are known here, so a signed code is at best "unknown_key": its shape is
    right and the till checks its signature.
    """
    result = parse_code(text)
    if isinstance(result, VoucherRef):
        return {"kind": result.kind, "voucher": result.code}
    refused: dict = {"rejected": result.reason.value}
    if text.strip()[: len(SIGNED_PREFIX)].upper() == SIGNED_PREFIX:
        refused = {"kind": "signed", **refused}
    return refused


def _decode_image(path: Path, strategy: Strategy) -> dict:
    try:
        frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
    except cv2.error:  # OpenCV refuses images over CV_IO_MAX_IMAGE_PIXELS (2**30) outright
        return {"file": str(path), "codes": [], "error": "image too large / immagine troppo grande"}
    if frame is None:
        return {"file": str(path), "codes": [], "error": "unreadable image / immagine illeggibile"}
    codes = [
        {"text": d.text, "decoder": d.decoder, **_as_voucher(d.text)}
        for d in strategy.inspect(frame, force=True).found  # a still: every step
    ]
    return {"file": str(path), "codes": codes}


def _decode_video(path: Path, strategy: Strategy, every: int = 1) -> dict:
    source = VideoFileSource(path)
    try:
        source.open()
    except CameraUnavailable as exc:
        return {"file": str(path), "codes": [], "error": str(exc)}
    codes: dict[str, dict] = {}
    frames = 0
    session = ScanSession(strategy)
    try:
        while (frame := source.read()) is not None:
            frames += 1
            if (frames - 1) % every:
                continue
            for d in session.decode(frame).found:  # a stream: as the camera loop decodes it
                entry = codes.get(d.text)
                if entry is None:
                    entry = codes[d.text] = {
                        "text": d.text,
                        "decoder": d.decoder,
                        **_as_voucher(d.text),
                        "first_frame": frames - 1,
                    }
                entry["frames"] = entry.get("frames", 0) + 1
    finally:
        source.close()
    return {"file": str(path), "codes": list(codes.values()), "frames": frames}


def decode_paths(paths: Iterable[str | Path], strategy: Strategy | str = "auto") -> Iterator[dict]:
    """One result dict per file: {"file", "codes": [{"text", "decoder", ...}], maybe "error"}."""
    if isinstance(strategy, str):
        strategy = make_strategy(strategy)
    for raw in paths:
        yield _decode_one(Path(raw), strategy)


def _decode_one(path: Path, strategy: Strategy) -> dict:
    """One file's result; whatever goes wrong is an "error" in it, never an exception."""
    if path.is_dir():
        return {"file": str(path), "codes": [], "error": "a directory, not a file / una cartella"}
    if not path.is_file():
        error = "not a regular file / non è un file" if path.exists() else _NOT_FOUND
        return {"file": str(path), "codes": [], "error": error}
    try:
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return _decode_image(path, strategy)
        return _decode_video(path, strategy)
    except MemoryError:
        return {"file": str(path), "codes": [], "error": "too large / troppo grande"}
    except Exception as exc:  # a decoder or codec failing on this file: report it, go on
        log.debug("decoding %s failed", path, exc_info=True)
        return {
            "file": str(path),
            "codes": [],
            "error": f"cannot decode ({type(exc).__name__}) / impossibile decodificare",
        }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="posapp decode",
        description=_("Decode QR codes in image or video files, one JSON line per file."),
        epilog=_(
            "Exit status: 0 every file read (with or without codes), 1 some file could not be "
            'read (its line has an "error"), 2 bad arguments or unknown strategy.'
        ),
    )
    parser.add_argument("files", nargs="+", help=_("image or video files"))
    parser.add_argument(
        "--strategy", default=None, help=_("decoding strategy (default: from the settings)")
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    spec = args.strategy
    if spec is None:
        from posapp.core.settings import Settings

        spec = Settings.load().scanner.strategy
    try:
        strategy = make_strategy(spec)
    except (DecoderUnavailable, ValueError) as exc:
        print(f"posapp decode: {exc}", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    try:
        for result in decode_paths(args.files, strategy):
            print(json.dumps(result, ensure_ascii=False), flush=True)
            if "error" in result:
                status = EXIT_FILE_ERROR
    except BrokenPipeError:  # `posapp decode ... | head`: the reader left, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FILE_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return status
