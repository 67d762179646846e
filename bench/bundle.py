"""Bundle size and start time: `python bench/bundle.py [--build] [--runs N] [--dist DIR]`.

Builds the one-folder PyInstaller bundle (installer/posapp.spec) when asked or missing, with the
OpenCV the bundle ships (installer/opencv_min.py: built once, then cached), then
measures size_mb (every file of the installed folder, symlinks not followed) with the weight of
each part, and start_s: from process start to the first window painted, offscreen, median of
--runs runs (the app's startup probe writes the time of the first paint event and quits).
Writes bench/results/bundle.json.
"""

from __future__ import annotations

import argparse
import importlib.metadata
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
# What each part of the bundle is, by library (paths inside _internal/; the longest prefix wins).
PARTS = {
    "opencv_module": ("cv2",),
    "opencv_openblas": tuple(
        f"opencv_python_headless.libs/{n}" for n in ("libopenblas", "libgfortran", "libquadmath")
    ),
    "opencv_ffmpeg_and_codecs": tuple(
        f"opencv_python_headless.libs/{n}"
        for n in ("libav", "libsw", "libaom", "libvpx", "libdav1d", "libcrypto", "libssl", "libdrm")
    ),
    "opencv_other_libs": ("opencv_python_headless.libs",),
    "numpy": ("numpy",),
    "numpy_openblas": ("numpy.libs",),
    "qt_icu": ("PySide6/Qt/lib/libicu",),
    "qt_libs": ("PySide6/Qt/lib",),
    "qt_plugins_and_translations": ("PySide6/Qt/plugins", "PySide6/Qt/translations"),
    "pyside_bindings": ("PySide6", "shiboken6"),
    "cryptography": ("cryptography",),
    "pydantic_core": ("pydantic_core",),
    "decoders": ("zxingcpp", "pyzbar", "libzbar"),
    "python": ("libpython", "python3", "base_library.zip", "_cffi_backend"),
    "system_libs": ("lib",),  # the distribution's libraries, when the bundle carries them
    "resources_and_locale": ("resources", "posapp"),
}


def bundle_python() -> str:
    """The Python that builds the shipped bundle: one with installer/opencv_min.py's OpenCV.

    This Python when it has it; otherwise a venv of its own, build/bundle-venv, with
    posapp[bundle] at exactly the versions this Python has (its `pip freeze` as constraints: the
    bundle carries what the tests ran against) and that OpenCV in place of the stock wheel. The
    development venv keeps the stock wheel, whose FFmpeg reads any video an engineer makes.
    """
    if "+posapp.min" in importlib.metadata.version("opencv-python-headless"):
        return sys.executable
    where = ROOT / "build" / "bundle-venv"
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    constraints = where / "constraints.txt"
    constraints.write_text(frozen, encoding="utf-8")
    pip = [str(python), "-m", "pip", "install", "-q", "-c", str(constraints)]
    subprocess.run([*pip, "-e", f"{ROOT}[bundle]"], check=True)
    opencv_min = ROOT / "installer" / "opencv_min.py"
    subprocess.run([str(python), str(opencv_min), "--install"], check=True)
    return str(python)


def build(dist: Path) -> None:
    cmd = [
        bundle_python(),
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


def weigh(folder: Path) -> tuple[float, dict[str, float], list[tuple[int, str]]]:
    """Total MB, MB per part (PARTS, plus the executable and "other"), and every file's size."""
    internal = folder / "_internal"
    parts = dict.fromkeys([*PARTS, "executable_and_pure_python", "other"], 0)
    files = []
    total = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        files.append((size, path.relative_to(folder).as_posix()))
        if not path.is_relative_to(internal):
            parts["executable_and_pure_python"] += size  # the bootloader and the PYZ archive
            continue
        rel = path.relative_to(internal).as_posix()
        matches = [(len(p), name) for name, ps in PARTS.items() for p in ps if rel.startswith(p)]
        parts[max(matches)[1] if matches else "other"] += size
    by_size = dict(sorted(parts.items(), key=lambda item: -item[1]))
    return total / 1e6, {f"{k}_mb": round(v / 1e6, 1) for k, v in by_size.items()}, files


def start_once(exe: Path, images: Path) -> float:
    """Seconds from process start to the first paint of the scan window (on a folder of one
    QR image: no camera, no pairing needed), as the app's startup probe records it."""
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
    size_mb, parts, files = weigh(folder)
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
    print("\nlargest files (MB):")
    for size, rel in sorted(files, reverse=True)[:20]:
        print(f"{size / 1e6:7.1f}  {rel}")
    out = ROOT / "bench" / "results" / "bundle.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
