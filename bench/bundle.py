"""Bundle size and start time: `python bench/bundle.py [--build] [--runs N] [--dist DIR]`.

Builds the one-folder PyInstaller bundle (installer/posapp.spec) when asked or missing, then
measures size_mb (every file of the installed folder, symlinks not followed) with the weight of
each part, and start_s: from process start to the first window painted, offscreen, median of
--runs runs (the app's startup probe writes the time of the first paint event and quits).
Writes bench/results/bundle.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "build" / "dist"
PARTS = {  # label -> path prefixes inside _internal/
    "opencv": ("cv2", "opencv_python_headless.libs"),
    "qt_libs_without_icu": ("PySide6/Qt/lib",),
    "qt_icu": ("PySide6/Qt/lib/libicu", "PySide6/Qt/lib/icu"),
    "qt_plugins_and_translations": ("PySide6/Qt/plugins", "PySide6/Qt/translations"),
    "pyside_bindings": ("PySide6", "shiboken6"),
    "numpy": ("numpy", "numpy.libs"),
    "cryptography": ("cryptography",),
    "resources_and_locale": ("resources", "posapp"),
}


def build(dist: Path) -> None:
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--distpath",
        str(dist),
        "--workpath",
        str(dist.parent / "work"),
        str(ROOT / "installer" / "posapp.spec"),
    ]
    subprocess.run(cmd, check=True, cwd=ROOT)


def weigh(folder: Path) -> tuple[float, dict[str, float]]:
    internal = folder / "_internal"
    parts = dict.fromkeys([*PARTS, "other"], 0)
    total = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        rel = path.relative_to(internal).as_posix() if path.is_relative_to(internal) else ""
        label = "other"
        for name, prefixes in PARTS.items():  # the most specific prefix wins
            if any(rel.startswith(p) for p in prefixes):
                label = name if label == "other" or name == "qt_icu" else label
        parts[label] += size
    return total / 1e6, {f"{k}_mb": round(v / 1e6, 1) for k, v in parts.items()}


def window_command(exe: Path, images: Path) -> list[str]:
    """The counter window when this build has it (the default GUI), else the scan window."""
    helptext = subprocess.run([str(exe), "--help"], capture_output=True, text=True).stdout
    return ["counter"] if " counter " in helptext else ["scan", "--images", str(images)]


def start_once(exe: Path, images: Path) -> float:
    with tempfile.TemporaryDirectory(prefix="posapp-start-") as tmp:
        probe = Path(tmp) / "painted"
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "POSAPP_DATA_DIR": tmp,
            "POSAPP_STARTUP_PROBE": str(probe),
        }
        started = time.time()
        subprocess.run(
            [str(exe), "scan", "--images", str(images)],
            env=env,
            timeout=120,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return float(probe.read_text()) - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="build the bundle first")
    parser.add_argument("--dist", type=Path, default=DIST)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = args.dist / "posapp"
    if args.build or not folder.is_dir():
        build(args.dist)
    exe = folder / ("posapp.exe" if os.name == "nt" else "posapp")
    size_mb, parts = weigh(folder)
    with tempfile.TemporaryDirectory() as images:
        import cv2
        import segno

        segno.make_qr("C6A9-GJC6-TE9").save(str(Path(images) / "code.png"), scale=8)
        assert cv2.imread(str(Path(images) / "code.png")) is not None
        start_once(exe, Path(images))  # warm the disk cache: shop PCs start it more than once
        times = [start_once(exe, Path(images)) for _ in range(args.runs)]
    result = {
        "size_mb": round(size_mb, 1),
        "start_s": round(statistics.median(times), 3),
        "start_min_s": round(min(times), 3),
        "start_max_s": round(max(times), 3),
        "runs": args.runs,
        **parts,
    }
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    out = ROOT / "bench" / "results" / "bundle.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
