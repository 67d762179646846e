"""The bundle's OpenCV against the stock wheel: what scanning reads, and what it costs, under each.

    python bench/opencv_build.py [--per-class 8] [--videos 6]

The bundle ships OpenCV built by installer/opencv_min.py (core, imgproc, imgcodecs, objdetect,
videoio; no IPP, no LAPACK, no FFmpeg) while the tests run against the stock
opencv-python-headless wheel of the same release. This runs one measure under both: this Python
(the stock wheel) and build/bundle-venv's (the trimmed build; made by bench/bundle.py's
bundle_python(), which builds and caches it when missing). The frames are generated once, here,
as lossless grey PNGs (tests/support/qrframes.py: the report set, seed 3, and the fresh set,
seed 17, out of sample), so both builds decode the very same pixels; each build reads the PNGs,
the real photographs (WebP, /work/shared/qr-photos or POSAPP_QR_PHOTOS, in-sample for the
default strategy) and the hand-held MJPG videos with its own codecs. Scored: the default
strategy, the zxing-cpp and OpenCV decoders alone, and the default on the videos as the camera
loop decodes them (reads, wrong reads, false positives, median per-frame thread CPU time on one
core, video CPU seconds per second). Writes bench/results/opencv_build.json (stock_* and
trimmed_* keys).
"""

from __future__ import annotations

import os

os.environ.update(dict.fromkeys(["OMP_NUM_THREADS", "OPENCV_FOR_THREADS_NUM"], "1"))

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cv2  # noqa: E402

cv2.setNumThreads(1)

SETS = (("report", 3), ("fresh", 17))
DECODERS = ("default", "zxing", "opencv")  # the default strategy, then two decoders alone
KEYS = ("rate_all", "wrong", "false_positives", "720p_median_ms", "720p_empty_median_ms",
        "1080p_median_ms")  # fmt: skip


def write_frames(folder: Path, per_class: int, videos: int) -> None:
    import decode as bench

    labels = {}
    for name, seed in SETS:
        for i, lf in enumerate(bench.build_set(per_class, seed)):
            file = f"{name}-{i:04d}.png"
            cv2.imwrite(str(folder / file), bench.as_gray(lf.image))
            labels[file] = {"set": name, "texts": list(lf.texts), "kind": lf.kind, "size": lf.size}
    hand = bench.hand_videos(folder, 3, videos)
    meta = {"labels": labels, "videos": [vars(v) | {"path": str(v.path)} for v in hand]}
    (folder / "frames.json").write_text(json.dumps(meta), encoding="utf-8")


def measure(folder: Path) -> dict[str, float]:
    """Run in each build's Python: every score of one build, as flat keys."""
    import decode as bench

    from posapp.scan.decoders import make_decoder
    from posapp.scan.strategy import DEFAULT_STRATEGY, make_strategy

    meta = json.loads((folder / "frames.json").read_text(encoding="utf-8"))
    photos = bench.load_photos()
    out: dict[str, float] = {"photos_total": len(photos)}
    deciders = {
        name: (make_strategy(DEFAULT_STRATEGY) if name == "default" else make_decoder(name)).decode
        for name in DECODERS
    }
    for set_name, _seed in SETS:
        frames = []
        for file, label in meta["labels"].items():
            if label["set"] != set_name:
                continue
            image = cv2.imread(str(folder / file), cv2.IMREAD_GRAYSCALE)
            if image is None:
                raise SystemExit(f"this OpenCV cannot read {file}")
            label = {**label, "size": tuple(label["size"]), "texts": tuple(label["texts"])}
            frames.append(SimpleNamespace(image=image, **label))
        for name, decode in deciders.items():
            scored = bench.run(name, decode, frames, photos if set_name == "report" else [])
            out.update({f"{set_name}_{key}": value for key, value in scored.items()})
    videos = [SimpleNamespace(**v | {"path": Path(v["path"])}) for v in meta["videos"]]
    out.update(bench.run_videos("default", DEFAULT_STRATEGY, videos))
    out["opencv_version"] = cv2.__version__  # type: ignore[assignment]
    return out


def row(results: dict, key: str) -> str:
    stock, trimmed = results.get(f"stock_{key}"), results.get(f"trimmed_{key}")
    return f"| {key} | {stock} | {trimmed} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=8, help="frames per class and size")
    parser.add_argument("--videos", type=int, default=6, help="hand-held voucher clips")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child's side
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    from bundle import bundle_python

    started = time.perf_counter()
    trimmed_python = bundle_python()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        write_frames(Path(tmp), args.per_class, args.videos)
        for label, python in (("stock", sys.executable), ("trimmed", trimmed_python)):
            done = subprocess.run(
                [python, __file__, "--measure", tmp],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            scored = json.loads(done.stdout.strip().splitlines()[-1])
            results.update({f"{label}_{key}": value for key, value in scored.items()})
    keys = [f"{s}_{d}_{k}" for s, _ in SETS for d in DECODERS for k in KEYS]
    keys += [f"report_photos_{d}_{k}" for d in DECODERS for k in ("ok", "wrong")]
    keys += [k.removeprefix("stock_") for k in results if k.startswith("stock_video_")]
    keys += ["photos_total", "opencv_version"]
    print("| measure | stock wheel | bundle's build |\n|---|---|---|")
    print("\n".join(row(results, k) for k in keys))
    results["run_s"] = round(time.perf_counter() - started, 1)
    out = ROOT / "bench" / "results" / "opencv_build.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out} in {results['run_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
