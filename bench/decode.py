"""Decode benchmark: each decoder and candidate strategies on labelled webcam-like frames.

Generates frames at 640x480, 1280x720 and 1920x1080 for every class of tests/support/qrframes.py
(clean, small, rotated, tilted, blurred, noisy+JPEG, dim, uneven, inverted, covered, phone, empty),
decodes each with every decoder and strategy on ONE core, and scores: decode rate per class and
overall, wrong decodes, false positives on empty frames, median and p95 ms per frame per resolution.
Times are the decoding thread's CPU time (time.thread_time), so other work on a shared machine does
not inflate them; with one thread, that is the latency on an idle core.
Also scores the real photographs in /work/shared/qr-photos (or POSAPP_QR_PHOTOS) when present; they
are read in place and never copied into the repository.

    .venv/bin/python bench/decode.py [--per-class 8] [--seed 1]

Writes bench/results/decode.json (flat keys with units) and prints a table.
"""

from __future__ import annotations

import os

for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENCV_FOR_THREADS_NUM",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402

cv2.setNumThreads(1)

from posapp.scan.decoders import as_gray, available_decoders, make_decoder  # noqa: E402
from posapp.scan.strategy import DEFAULT_STRATEGY, make_strategy  # noqa: E402
from tests.support import qrframes  # noqa: E402

RES_NAMES = {480: "480p", 720: "720p", 1080: "1080p"}
# candidate strategies measured beside the single decoders; "strategy" is the chosen default
CANDIDATES = {
    "zxing_zbar": "zxing+zbar",
    "zxing_zbarhalf": "zxing+zbar@half",
    "zxing_rescue": "zxing+rescue",
    "zxing_sharp": "zxing+zxing@sharp",
    "strategy": DEFAULT_STRATEGY,
}


def photos_dir() -> Path:
    override = os.environ.get("POSAPP_QR_PHOTOS")
    return (
        Path(override) if override else Path(__file__).resolve().parents[2] / "shared" / "qr-photos"
    )


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def load_photos() -> list[tuple[str, object, str]]:
    folder = photos_dir()
    if not folder.is_dir():
        return []
    items = []
    for image_path in sorted(folder.glob("*.webp")):
        label = image_path.with_suffix(".txt")
        image = cv2.imread(str(image_path), cv2.IMREAD_GRAYSCALE)
        if image is None or not label.is_file():
            continue
        items.append((image_path.name, image, normalise(label.read_text(encoding="utf-8"))))
    return items


def build_set(per_class: int, seed: int) -> list[qrframes.LabelledFrame]:
    """Code frames per class and size, plus three times as many empty frames (the usual view)."""
    frames = list(qrframes.labelled_frames(qrframes.SIZES, qrframes.CODE_CLASSES, per_class, seed))
    frames += qrframes.labelled_frames(qrframes.SIZES, ["empty"], per_class * 3, seed)
    return frames


def run(name: str, decode, frames, photos) -> dict[str, float]:
    """Score one decoder or strategy; returns flat result keys prefixed with `name`."""
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    times: dict[str, list[float]] = defaultdict(list)
    empty_times: dict[str, list[float]] = defaultdict(list)
    wrong = false_pos = 0
    for lf in frames:
        gray = as_gray(lf.image)
        res = RES_NAMES[lf.size[1]]
        start = time.thread_time()
        texts = {d.text for d in decode(gray)}
        elapsed = (time.thread_time() - start) * 1000
        times[res].append(elapsed)
        if not lf.texts:
            empty_times[res].append(elapsed)
            false_pos += bool(texts)
            continue
        hits[lf.kind][1] += 1
        hits[lf.kind][0] += set(lf.texts) <= texts
        wrong += bool(texts - set(lf.texts))
    out: dict[str, float] = {}
    total_ok = sum(h[0] for h in hits.values())
    total = sum(h[1] for h in hits.values())
    out[f"{name}_rate_all"] = round(total_ok / total, 4)
    for kind in qrframes.CODE_CLASSES:
        ok, n = hits[kind]
        out[f"{name}_rate_{kind}"] = round(ok / n, 4) if n else 0.0
    out[f"{name}_wrong"] = wrong
    out[f"{name}_false_positives"] = false_pos
    for res, values in times.items():
        values.sort()
        out[f"{name}_{res}_median_ms"] = round(statistics.median(values), 2)
        out[f"{name}_{res}_p95_ms"] = round(values[int(0.95 * (len(values) - 1))], 2)
        out[f"{name}_{res}_empty_median_ms"] = round(statistics.median(empty_times[res]), 2)
    if photos:
        ok = wrong_photos = 0
        start = time.thread_time()
        for _, image, expected in photos:
            texts = {normalise(d.text) for d in decode(image)}
            ok += expected in texts
            wrong_photos += bool(texts) and expected not in texts  # 2_16 holds two real codes
        out[f"photos_{name}_ok"] = ok
        out[f"photos_{name}_wrong"] = wrong_photos
        out[f"photos_{name}_mean_ms"] = round((time.thread_time() - start) * 1000 / len(photos), 2)
    return out


def table(results: dict[str, float], names: list[str], photos: bool) -> str:
    cols = ["rate_all", *(f"rate_{k}" for k in qrframes.CODE_CLASSES)]
    head = ["name", "all", *qrframes.CODE_CLASSES, "wrong", "FP"]
    head += [f"{r} med/p95 ms" for r in RES_NAMES.values()] + ["empty 720p ms"]
    head += ["photos"] if photos else []
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        row = [name] + [f"{results[f'{name}_{c}'] * 100:.0f}%" for c in cols]
        row += [str(results[f"{name}_wrong"]), str(results[f"{name}_false_positives"])]
        for res in RES_NAMES.values():
            row.append(f"{results[f'{name}_{res}_median_ms']}/{results[f'{name}_{res}_p95_ms']}")
        row.append(str(results[f"{name}_720p_empty_median_ms"]))
        if photos:
            row.append(f"{results[f'photos_{name}_ok']}/{results['photos_total']}")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "decode.json")
    parser.add_argument("--extra", action="append", default=[], help="another strategy spec to try")
    parser.add_argument("--no-single", action="store_true", help="skip the single decoders")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    frames = build_set(args.per_class, args.seed)
    photos = load_photos()
    results: dict[str, float] = {
        "frames": len(frames),
        "frames_with_code": sum(1 for f in frames if f.texts),
        "frames_empty": sum(1 for f in frames if not f.texts),
        "photos_total": len(photos),
        "seed": args.seed,
        "default_strategy": DEFAULT_STRATEGY,  # type: ignore[dict-item]
    }
    print(
        f"{len(frames)} frames generated in {time.perf_counter() - started:.0f} s; "
        f"{len(photos)} photos" + ("" if photos else f" (none at {photos_dir()}: skipped)")
    )
    names = []
    for decoder_name in [] if args.no_single else available_decoders():
        if decoder_name == "opencv-classic":
            continue
        decoder = make_decoder(decoder_name)
        results.update(run(decoder_name, decoder.decode, frames, photos))
        names.append(decoder_name)
    extra = {f"x{i}": spec for i, spec in enumerate(args.extra)}
    for name, spec in {**CANDIDATES, **extra}.items():
        strategy = make_strategy(spec)
        results.update(run(name, strategy.decode, frames, photos))
        names.append(name)
    results["run_s"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(table(results, names, bool(photos)))
    print(f"strategy = {DEFAULT_STRATEGY!r}; candidates: {CANDIDATES | extra}")
    print(f"wrote {args.out} in {results['run_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
