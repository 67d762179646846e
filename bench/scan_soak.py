"""Soak test of the scan loop: ten minutes of video through the ScanWorker, memory and CPU sampled.

Plays a generated 30 fps clip (vouchers now and then, mostly an empty counter) in a loop through the
real ScanWorker in a Qt application, for --minutes of video time, twice: BEFORE with the old default
strategy (every step on every frame) and AFTER with the configured one ("auto"), and reports the
process's CPU seconds per second of video for both. Samples the RSS every half second; growth is
measured from the end of a warm-up (the first 10% of frames) to the end.

Default mode: the clip is a file source, every frame decoded in order as fast as the machine goes,
previews delivered to the GUI thread and turned into pixmaps.

--live: the real live path. The clip is a live source paced to 30 fps (x --speed), owned by the
scan worker's capture thread (posapp/scan/capture.py) exactly as a camera is: the decoder takes the
newest frame, older ones are dropped and counted, and every frame goes to a real PreviewWidget
(posapp/qt/preview.py, shown offscreen) that paints it at camera rate. --speed above 1 plays the
clip faster than real time (less wall time): CPU per video second then still counts every frame
delivered, but a decoder that cannot keep up drops frames, so dropped frames are reported and the
honest figure is the one at --speed 1 with no drops.

    .venv/bin/python bench/scan_soak.py [--minutes 10] [--size 1280x720] [--live [--speed 1]]

Writes bench/results/scan_soak.json (--live: scan_soak_live.json), the same keys in both.
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
from PySide6.QtGui import QImage, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from posapp.qt.scan_worker import ScanWorker  # noqa: E402
from posapp.scan.confirm import ScanConfirmer  # noqa: E402
from posapp.scan.sources import FrameSource, VideoFileSource  # noqa: E402
from posapp.scan.strategy import make_strategy  # noqa: E402
from tests.support.qrframes import make_video, payload_text  # noqa: E402

FPS = 30.0
RESULTS = ROOT / "bench" / "results"


class FrameLimit(FrameSource):
    """A looping video cut after `limit` frames, so the soak ends; `live` paces it like a camera
    at FPS x speed (the worker then runs its capture thread on it)."""

    def __init__(self, inner: VideoFileSource, limit: int, live: bool, speed: float = 1.0) -> None:
        self.inner, self.limit, self.count = inner, limit, 0
        self._live, self._interval = live, 1.0 / (FPS * speed)
        self._next_at = 0.0

    def open(self) -> None:
        self.inner.open()
        self._next_at = time.monotonic()

    def read(self) -> np.ndarray | None:
        if self.count >= self.limit:
            return None
        if self._live:
            delay = self._next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_at = max(self._next_at + self._interval, time.monotonic() - 0.5)
        frame = self.inner.read()
        self.count += frame is not None
        return frame

    def close(self) -> None:
        self.inner.close()

    @property
    def live(self) -> bool:
        return self._live

    @property
    def finished(self) -> bool:
        return self.count >= self.limit

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


def run(
    path: Path,
    clip_info: tuple[int, int],
    minutes: float,
    strategy_spec: str,
    live: bool,
    speed: float,
) -> dict:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    clip_frames, clip_codes = clip_info
    total = int(minutes * 60 * FPS)
    source = FrameLimit(VideoFileSource(path, loop=True), total, live, speed)
    strategy = make_strategy(strategy_spec)
    interval = 0.0 if live else 1 / 25  # live: a preview for every frame the camera delivers
    worker = ScanWorker(
        lambda: source, strategy, ScanConfirmer(2, 4.0), preview_interval_s=interval
    )
    proc = psutil.Process()
    samples: list[tuple[int, float]] = []  # (frames done, rss MB)
    codes: list[str] = []
    shown = [0]
    widget = None
    if live:
        from posapp.qt.preview import PreviewWidget

        widget = PreviewWidget(worker)
        widget.resize(640, 360)
        widget.show()
    else:

        def show(image: QImage) -> None:
            shown[0] += not QPixmap.fromImage(image).isNull()

        worker.preview.connect(show)

    def sample() -> None:
        samples.append((source.count, proc.memory_info().rss / 2**20))

    worker.codeScanned.connect(lambda text, _src: codes.append(text))
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
    app.processEvents()
    wall = time.perf_counter() - wall0
    cpu = sum(proc.cpu_times()[:2]) - cpu0
    timer.stop()
    sample()
    true_refs = sys.getrefcount(True) - true_refs
    if widget is not None:
        shown[0] = widget.frames_painted
        widget.close()
    warm = next((mb for done, mb in samples if done >= total // 10), samples[0][1])
    tail = [mb for done, mb in samples if done >= total * 0.9] or [samples[-1][1]]
    video_s = source.count / FPS
    return {
        "mode": "live" if live else "file",
        "speed": speed if live else None,
        "frames": source.count,
        "frames_decoded": worker.frames_processed,
        "frames_dropped": source.count - worker.frames_processed,
        "video_s": round(video_s, 1),
        "wall_s": round(wall, 1),
        "frames_per_wall_s": round(source.count / wall, 1),
        "strategy": strategy.name,
        "codes_emitted": len(codes),
        "codes_expected": round(source.count / clip_frames * clip_codes),
        "previews_shown": shown[0],
        "previews_per_wall_s": round(shown[0] / wall, 1),
        "rss_start_mb": round(samples[0][1], 1),
        "rss_after_warmup_mb": round(warm, 1),
        "peak_rss_mb": round(max(mb for _, mb in samples), 1),
        "rss_growth_mb": round(max(tail) - warm, 1),
        "cpu_s": round(cpu, 1),
        "cpu_s_per_video_s": round(cpu / video_s, 3),
        "decode_cpu_s_per_video_s": round(worker.decode_cpu_s / video_s, 3),
        "samples": len(samples),
        # PySide6 6.12.0 loses a reference to True per emit (see posapp/qt/emit_fix.py): stays ~0
        "true_refcount_delta": true_refs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="video minutes to play")
    parser.add_argument("--size", default="1280x720", help="frame size WxH")
    parser.add_argument("--strategy", default="auto", help="the AFTER strategy spec")
    parser.add_argument("--before", default="legacy", help="the BEFORE strategy spec ('' skips)")
    parser.add_argument(
        "--live", action="store_true", help="the live path: capture thread, preview"
    )
    parser.add_argument("--speed", type=float, default=1.0, help="--live: x real time")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or RESULTS / ("scan_soak_live.json" if args.live else "scan_soak.json")
    width, height = (int(v) for v in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        made = time.perf_counter()
        path, clip_frames, clip_codes = clip(Path(tmp) / "soak.avi", (width, height))
        print(f"clip: {clip_frames} frames {width}x{height} in {time.perf_counter() - made:.1f} s")
        runs = {}
        for label, spec in (("before", args.before), ("after", args.strategy)):
            if spec:
                print(f"{label}: {spec} ...", flush=True)
                runs[label] = run(
                    path, (clip_frames, clip_codes), args.minutes, spec, args.live, args.speed
                )
    result = dict(runs["after"])
    result["size"] = f"{width}x{height}"
    if "before" in runs:
        before = runs["before"]
        for key in ("strategy", "cpu_s_per_video_s", "decode_cpu_s_per_video_s", "codes_emitted"):
            result[f"before_{key}"] = before[key]
        result["before_frames_dropped"] = before["frames_dropped"]
        result["before_rss_growth_mb"] = before["rss_growth_mb"]
    result["machine_load_1min"] = round(os.getloadavg()[0], 2)
    print()
    for key, value in result.items():
        print(f"  {key:<28} {value}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
