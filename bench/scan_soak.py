"""Soak test of the scan loop: ten minutes of video through the ScanWorker, memory sampled.

Plays a generated 30 fps clip (vouchers now and then, mostly an empty counter) in a loop through the
real ScanWorker in a Qt application (preview images delivered to the GUI thread and turned into
pixmaps, as the scan window does), as fast as the machine allows, for --minutes of video time.
Samples the process's RSS every half second; growth is measured from the end of a warm-up (the
first 10% of frames) to the end, so allocator and codec start-up costs do not count as a leak.

    .venv/bin/python bench/scan_soak.py [--minutes 10] [--size 1280x720] [--strategy auto]

Writes bench/results/scan_soak.json. The frame size defaults to the counter camera's 1280x720.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPixmap  # noqa: E402

from posapp.qt.scan_worker import ScanWorker  # noqa: E402
from posapp.scan.confirm import ScanConfirmer  # noqa: E402
from posapp.scan.sources import FrameSource, VideoFileSource  # noqa: E402
from posapp.scan.strategy import make_strategy  # noqa: E402
from tests.support.qrframes import make_video, payload_text  # noqa: E402

FPS = 30.0
RESULT = ROOT / "bench" / "results" / "scan_soak.json"


class FrameLimit(FrameSource):
    """A looping video cut after `limit` frames, so the soak ends."""

    def __init__(self, inner: VideoFileSource, limit: int) -> None:
        self.inner, self.limit, self.count = inner, limit, 0

    def open(self) -> None:
        self.inner.open()

    def read(self) -> np.ndarray | None:
        if self.count >= self.limit:
            return None
        frame = self.inner.read()
        self.count += frame is not None
        return frame

    def close(self) -> None:
        self.inner.close()

    @property
    def live(self) -> bool:
        return False

    @property
    def fps(self) -> float | None:
        return self.inner.fps

    def describe(self) -> str:
        return f"{self.inner.describe()} x{self.limit} frames"


def clip(path: Path, size: tuple[int, int]) -> tuple[Path, int, int]:
    """A 20 s clip: three vouchers held 1.5 s each, the rest an empty counter."""
    codes = [payload_text(kind, 42) for kind in ("plain", "url", "signed")]
    segments: list[tuple[str | None, int]] = [(None, 150)]
    for code in codes:
        segments += [(code, 45), (None, 105)]
    make_video(path, segments, size=size, fps=FPS, seed=42)
    return path, sum(n for _, n in segments), len(codes)


def run(minutes: float, size: tuple[int, int], strategy_spec: str) -> dict:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        made = time.perf_counter()
        path, clip_frames, clip_codes = clip(Path(tmp) / "soak.avi", size)
        print(
            f"clip: {clip_frames} frames {size[0]}x{size[1]} in {time.perf_counter() - made:.1f} s"
        )
        total = int(minutes * 60 * FPS)
        source = FrameLimit(VideoFileSource(path, loop=True), total)
        strategy = make_strategy(strategy_spec)
        worker = ScanWorker(lambda: source, strategy, ScanConfirmer(2, 4.0))
        proc = psutil.Process()
        samples: list[tuple[int, float]] = []  # (frames done, rss MB)
        codes: list[str] = []
        shown = [0]

        def show(image: QImage) -> None:
            shown[0] += not QPixmap.fromImage(image).isNull()

        def sample() -> None:
            samples.append((source.count, proc.memory_info().rss / 2**20))

        worker.codeScanned.connect(lambda text, _src: codes.append(text))
        worker.preview.connect(show)
        worker.finished.connect(app.quit)
        timer = QTimer()
        timer.timeout.connect(sample)
        timer.start(500)
        sample()
        true_refs = sys.getrefcount(True)
        cpu0, wall0 = sum(proc.cpu_times()[:2]), time.perf_counter()
        worker.start()
        app.exec()
        worker.wait()
        wall = time.perf_counter() - wall0
        cpu = sum(proc.cpu_times()[:2]) - cpu0
        timer.stop()
        sample()
        true_refs = sys.getrefcount(True) - true_refs
    warm = next((mb for done, mb in samples if done >= total // 10), samples[0][1])
    tail = [mb for done, mb in samples if done >= total * 0.9] or [samples[-1][1]]
    video_s = source.count / FPS
    loops = source.count / clip_frames
    return {
        "frames": source.count,
        "video_s": round(video_s, 1),
        "wall_s": round(wall, 1),
        "frames_per_wall_s": round(source.count / wall, 1),
        "size": f"{size[0]}x{size[1]}",
        "strategy": strategy.name,
        "codes_emitted": len(codes),
        "codes_expected": round(loops * clip_codes),
        "previews_shown": shown[0],
        "rss_start_mb": round(samples[0][1], 1),
        "rss_after_warmup_mb": round(warm, 1),
        "peak_rss_mb": round(max(mb for _, mb in samples), 1),
        "rss_growth_mb": round(max(tail) - warm, 1),
        "cpu_s": round(cpu, 1),
        "cpu_s_per_video_s": round(cpu / video_s, 3),
        "samples": len(samples),
        # PySide6 6.12.0 loses a reference to True per emit (see posapp/qt/emit_fix.py): stays ~0
        "true_refcount_delta": true_refs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="video minutes to play")
    parser.add_argument("--size", default="1280x720", help="frame size WxH")
    parser.add_argument("--strategy", default="auto", help="decoding strategy spec")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    result = run(args.minutes, (width, height), args.strategy)
    print()
    for key, value in result.items():
        print(f"  {key:<22} {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
