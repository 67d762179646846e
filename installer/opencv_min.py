"""Build OpenCV with only what posapp uses, as a wheel, and install it into this Python.

    python installer/opencv_min.py [--install] [--cache DIR] [--jobs N]

The stock opencv-python-headless wheel weighs 158.7 MB installed: its one module carries every
OpenCV module (dnn, calib, stereo, stitching, photo, video...), and it links OpenBLAS (LAPACK,
42.0 MB) and FFmpeg with its codecs (41.7 MB). posapp calls only core, imgproc (colour, resize,
blur, threshold, morphology, contours), imgcodecs (PNG, JPEG, WebP, TIFF: the image files it
reads), objdetect (the "opencv" QR decoder) and videoio (the camera: V4L2 on Linux, Media
Foundation / DirectShow on Windows, AVFoundation on macOS; and OpenCV's own MJPG AVI reader and
writer, which the demo video uses). So this builds the very same OpenCV release from its source
distribution on the package index, with those modules alone (and geometry, flann, features,
which imgproc and objdetect need), no LAPACK, no FFmpeg, no OpenCL; libjpeg-turbo (with its
SIMD, through NASM), libpng, libwebp, libtiff and zlib built in;
CPU baseline SSE3 with SSE4/AVX/AVX2 paths chosen at run time, as the stock wheel (less its
AVX-512 paths; and without Intel IPP, a prebuilt binary OpenCV's build would download: the
scanning figures with this build are in docs/SCANNING.md).

The wheel keeps the project's name and version with a local label (5.0.0.93+posapp.min...), so
what the tests ran against and what the bundle carries are the same OpenCV release. After the
build the wheel is checked in a fresh process: every cv2 call posapp makes, an MJPG AVI written
and read back, PNG, JPEG, WebP and TIFF written and read, a QR code read by the QR detector; the
build fails loudly otherwise.

Cached: the finished wheel is kept under --cache (default ~/.cache/posapp-build) by a key of
the version, the platform, the Python ABI and the build's options (and REVISION), so a second
build of the bundle on the same machine installs it in seconds; a changed option builds anew.

Needs a C++ compiler and NASM (Debian: g++ nasm); CMake and Ninja come from the package index.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import hashlib
import importlib.metadata
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import venv
import zipfile
from pathlib import Path

DIST = "opencv-python-headless"
REVISION = "1"  # raise it when the wheel changes without a change of options (write_wheel, check)
MODULES = "core,imgproc,imgcodecs,videoio,objdetect,python3,python_bindings_generator"
OFF = (
    # what posapp never calls, and what the stock wheel links for it
    "LAPACK EIGEN FFMPEG GSTREAMER IPP ITT OPENCL TBB OPENMP PROTOBUF QUIRC ADE OBSENSOR 1394 VTK "
    "GTK QT CUDA VA VA_INTEL UNIFONT SPNG OPENJPEG JASPER OPENEXR AVIF JPEGXL GDAL GDCM "
    "IMGCODEC_HDR IMGCODEC_SUNRASTER IMGCODEC_PXM IMGCODEC_PFM FLATBUFFERS KLEIDICV CAROTENE MLAS "
    "FASTCV"
).split()
CAMERA = {  # each platform's own camera API, built into videoio
    "linux": ["-DWITH_V4L=ON"],
    # DirectShow only, as the stock headless wheel: Media Foundation would make cv2 need
    # MF.dll/MFPlat.dll, absent from Windows N editions and Server Core
    "win32": ["-DWITH_MSMF=OFF", "-DWITH_DSHOW=ON"],
    "darwin": ["-DWITH_AVFOUNDATION=ON"],
}
POSAPP = Path(__file__).resolve().parent.parent / "posapp"


def used_names() -> list[str]:
    """Every cv2 name posapp's code uses (functions, classes, constants), read from its source."""
    names = set()
    for path in POSAPP.rglob("*.py"):
        names.update(re.findall(r"\bcv2\.([A-Za-z_]\w*)", path.read_text(encoding="utf-8")))
    return sorted(names)


def python_library() -> str:
    """What OpenCV's CMake wants as the Python library (a module links none on Linux/macOS)."""
    major, minor = sys.version_info[:2]
    if os.name == "nt":
        return str(Path(sys.base_prefix) / "libs" / f"python{major}{minor}.lib")
    found = Path(sysconfig.get_config_var("LIBDIR") or "") / (
        sysconfig.get_config_var("LDLIBRARY") or ""
    )
    return str(found) if found.is_file() else f"libpython{major}.{minor}.a"


def cmake_args(python: str) -> list[str]:
    paths = sysconfig.get_paths()
    args = [
        "-DCMAKE_BUILD_TYPE=Release",
        f"-DBUILD_LIST={MODULES}",
        "-DBUILD_SHARED_LIBS=OFF",  # one cv2 module, as the stock wheel
        "-DBUILD_TESTS=OFF",
        "-DBUILD_PERF_TESTS=OFF",
        "-DBUILD_EXAMPLES=OFF",
        "-DBUILD_DOCS=OFF",
        "-DBUILD_JAVA=OFF",
        "-DBUILD_opencv_apps=OFF",
        "-DBUILD_opencv_python2=OFF",
        "-DBUILD_opencv_python3=ON",
        "-DPYTHON3_LIMITED_API=ON",
        f"-DPYTHON3_EXECUTABLE={python}",
        f"-DPYTHON3_INCLUDE_DIR={paths['include']}",
        f"-DPYTHON3_LIBRARY={python_library()}",
        "-DOPENCV_PYTHON3_INSTALL_PATH=python",
        "-DWITH_JPEG=ON",
        "-DBUILD_JPEG=ON",
        "-DWITH_PNG=ON",
        "-DBUILD_PNG=ON",
        "-DBUILD_ZLIB=ON",
        "-DWITH_WEBP=ON",  # phone photographs (posapp decode, the image-folder source)
        "-DBUILD_WEBP=ON",
        "-DWITH_TIFF=ON",
        "-DBUILD_TIFF=ON",
        "-DENABLE_PRECOMPILED_HEADERS=OFF",
        "-DOPENCV_GENERATE_PKGCONFIG=OFF",
        "-DVIDEOIO_ENABLE_PLUGINS=OFF",  # no FFmpeg/GStreamer plugin looked for at run time
        *[f"-DWITH_{name}=OFF" for name in OFF],
        *CAMERA.get(sys.platform, []),
    ]
    if x86():
        args += ["-DCPU_BASELINE=SSE3", "-DCPU_DISPATCH=SSE4_1,SSE4_2,AVX,FP16,AVX2"]
    if sys.platform == "darwin":  # the macOS and the processor this Python was built for
        args += [f"-DCMAKE_OSX_DEPLOYMENT_TARGET={macos_target()}",
                 f"-DCMAKE_OSX_ARCHITECTURES={platform.machine()}"]  # fmt: skip
    return args


def x86() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def macos_target() -> str:
    """This Python's own minimum macOS (python.org: 10.9 or 11.0), at least 11.0 for OpenCV 5."""
    found = str(sysconfig.get_config_var("MACOSX_DEPLOYMENT_TARGET") or "11.0")
    return max(found, "11.0", key=lambda v: tuple(int(x) for x in v.split(".")))


def wheel_platform() -> str:
    if sys.platform == "darwin":
        return f"macosx_{macos_target().replace('.', '_')}_{platform.machine()}"
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def numpy_major() -> str:
    """The module compiles against this numpy: built with 2.x it needs 2.x (1.x too, but the
    project's tests run on 2.x); built with 1.x it would not load under 2.x."""
    return importlib.metadata.version("numpy").split(".")[0]


def compiler() -> str:
    """The C++ compiler's own version line: another compiler, another wheel (libstdc++ needs)."""
    cxx = os.environ.get("CXX") or shutil.which("c++") or shutil.which("cl") or ""
    if not cxx:
        return "none"
    try:
        done = subprocess.run([cxx] if Path(cxx).stem.lower() == "cl" else [cxx, "--version"],  # noqa: S603
                              capture_output=True, text=True, timeout=30)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return cxx
    return ((done.stdout or done.stderr).strip().splitlines() or [cxx])[0]


def cache_key(version: str) -> str:
    """Same key, same wheel: the release, the platform, the Python ABI, numpy's major version,
    the compiler and the build's options."""
    digest = hashlib.sha256()
    options = [arg for arg in cmake_args(sys.executable) if "PYTHON3_" not in arg]
    abi = sys.implementation.cache_tag
    for part in (REVISION, version, wheel_platform(), abi, numpy_major(), compiler(), *options):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:12]


def run(cmd: list[str], log: Path | None = None, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd[:6]), "..." if len(cmd) > 6 else "", flush=True)
    if log is None:
        done = subprocess.run(cmd, **kw)  # noqa: S603 (our own command lines)
        if done.returncode:
            shown = " ".join(map(str, cmd[:4]))
            raise SystemExit(f"opencv_min: {shown} failed (exit {done.returncode})")
        return
    with log.open("w") as out:
        done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, **kw)  # noqa: S603
    if done.returncode:
        sys.stdout.write(log.read_text(errors="replace")[-6000:])
        raise SystemExit(f"opencv_min: {cmd[0]} failed (exit {done.returncode}); log: {log}")


def tools_venv(work: Path) -> Path:
    """A throwaway venv with CMake, Ninja and what pip needs to fetch OpenCV's sdist."""
    where = work / "tools"
    bindir = where / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    ready = where / ".complete"  # written last: a venv half made by a killed run is made anew
    if not ready.exists():
        shutil.rmtree(where, ignore_errors=True)
        venv.create(where, with_pip=True)
        # scikit-build and setuptools: OpenCV's sdist needs them to describe itself to pip
        run([str(python), "-m", "pip", "install", "-q", "cmake<4", "ninja", "scikit-build",
             "setuptools<70", "numpy", "packaging"])  # fmt: skip
        ready.touch()
    return bindir


def fetch_sdist(bindir: Path, version: str, work: Path) -> Path:
    dest = work / "sdist"
    dest.mkdir(exist_ok=True)
    found = list(dest.glob("opencv_python_headless-*.tar.gz"))
    if not found:
        python = next(bindir.glob("python*"))
        run([str(python), "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             "--no-build-isolation", "-d", str(dest), f"{DIST}=={version}"])  # fmt: skip
        found = list(dest.glob("opencv_python_headless-*.tar.gz"))
    if len(found) != 1:
        raise SystemExit(f"opencv_min: no source distribution of {DIST} {version} in {dest}")
    source = work / "src"
    if not source.exists():  # extracted aside, then renamed: never a half tree under src/
        partial = work / "src.partial"
        shutil.rmtree(partial, ignore_errors=True)
        with tarfile.open(found[0]) as tar:
            if sys.version_info >= (3, 11, 4):
                tar.extractall(partial, filter="data")
            else:  # the index's own archive of a pinned release
                tar.extractall(partial)  # noqa: S202
        partial.rename(source)
    return next(source.iterdir())


def build(source: Path, bindir: Path, work: Path, jobs: int) -> Path:
    cmake = str(bindir / ("cmake.exe" if os.name == "nt" else "cmake"))
    ninja = bindir / ("ninja.exe" if os.name == "nt" else "ninja")
    tree, stage = work / "build", work / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    configure = [cmake, "-S", str(source / "opencv"), "-B", str(tree), "-G", "Ninja",
                 f"-DCMAKE_MAKE_PROGRAM={ninja}", f"-DCMAKE_INSTALL_PREFIX={stage}",
                 *cmake_args(sys.executable)]  # fmt: skip
    if x86() and not shutil.which("nasm"):
        raise SystemExit(
            "opencv_min: NASM is needed for libjpeg-turbo's SIMD (apt-get install nasm)"
        )
    run(configure, work / "configure.log")
    if "SIMD extensions disabled" in (work / "configure.log").read_text(errors="replace"):
        raise SystemExit(
            f"opencv_min: libjpeg-turbo would build without SIMD: {work / 'configure.log'}"
        )
    run([cmake, "--build", str(tree), "--parallel", str(jobs)], work / "build.log")
    run([cmake, "--install", str(tree)], work / "install.log")
    return stage / "python" / "cv2"


def write_wheel(package: Path, source: Path, version: str, out: Path) -> Path:
    """A wheel of the built cv2 package: the stock wheel's layout, dist-info written here."""
    local = f"{version}+posapp.min"
    tag = "cp37-abi3-" + wheel_platform()
    name = f"opencv_python_headless-{local}"
    wheel = out / f"{name}-{tag}.whl"
    files: dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            inside = path.relative_to(package).as_posix()
            if inside.startswith("python-3"):  # the module sits beside the loader, as in the
                inside = path.name  # stock wheel, and config-3.py says so
            files["cv2/" + inside] = path.read_bytes()
    files["cv2/config-3.py"] = (
        b"PYTHON_EXTENSIONS_PATHS = [\n    LOADER_DIR\n] + PYTHON_EXTENSIONS_PATHS\n"
    )
    for extra in ("LICENSE.txt", "LICENSE-3RD-PARTY.txt", "cv2/version.py"):
        if (source / extra).exists():
            files["cv2/" + Path(extra).name] = (source / extra).read_bytes()
    info = f"{name}.dist-info"
    files[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {DIST}\nVersion: {local}\n"
        "Summary: OpenCV core, imgproc, imgcodecs, objdetect and videoio only, built for "
        "posapp's bundle (installer/opencv_min.py)\nLicense: Apache 2.0\n"
        f"Requires-Dist: numpy>={numpy_major()}\n"
    ).encode()
    files[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: posapp opencv_min\nRoot-Is-Purelib: false\nTag: {tag}\n"
    ).encode()
    files[f"{info}/top_level.txt"] = b"cv2\n"
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([arcname, f"sha256={digest}", len(data)])
    writer.writerow([f"{info}/RECORD", "", ""])
    files[f"{info}/RECORD"] = record.getvalue().encode()
    out.mkdir(parents=True, exist_ok=True)
    partial = wheel.with_suffix(".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, data in files.items():
            zf.writestr(arcname, data)
    partial.replace(wheel)
    return wheel


def check() -> None:
    """Run by --install in a fresh process: the installed cv2 does what posapp asks of it."""
    import cv2
    import numpy as np

    names = used_names()
    missing = [name for name in names if not hasattr(cv2, name)]
    if missing:
        raise SystemExit(f"opencv_min: the built cv2 lacks what posapp uses: {missing}")
    frame = np.zeros((120, 160, 3), np.uint8)
    cv2.putText(frame, "QR", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
    for ext in (".png", ".jpg", ".webp", ".tiff"):
        ok, data = cv2.imencode(ext, frame)
        if not ok or cv2.imdecode(data, cv2.IMREAD_COLOR).shape != frame.shape:
            raise SystemExit(f"opencv_min: the built cv2 cannot write and read {ext}")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "check.avi")  # the demo's video: MJPG in AVI, OpenCV's own codec
        mjpg = cv2.VideoWriter_fourcc(*"MJPG")
        out = cv2.VideoWriter(path, cv2.CAP_OPENCV_MJPEG, mjpg, 10, (160, 120))  # as demo_video
        for _ in range(5):
            out.write(frame)
        out.release()
        capture, frames = cv2.VideoCapture(path), 0
        while capture.read()[0]:
            frames += 1
        capture.release()
    if frames != 5:
        raise SystemExit(f"opencv_min: an MJPG AVI of 5 frames read back as {frames}")
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    qr = cv2.QRCodeEncoder.create().encode("posapp")
    qr = cv2.resize(cv2.copyMakeBorder(qr, 4, 4, 4, 4, cv2.BORDER_CONSTANT, value=255), None,
                    fx=8, fy=8, interpolation=cv2.INTER_NEAREST)  # fmt: skip
    if cv2.QRCodeDetectorAruco().detectAndDecode(qr)[0] != "posapp":
        raise SystemExit("opencv_min: the built cv2's QR detector does not read a QR code")
    cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 11, 2)
    cv2.createCLAHE(2.0, (8, 8)).apply(gray)
    cv2.findContours(gray, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    print(f"opencv_min: cv2 {cv2.__version__} has all {len(names)} names posapp uses, "
          "writes and reads PNG, JPEG, WebP, TIFF and MJPG AVI, reads a QR code")  # fmt: skip


@contextlib.contextmanager
def locked(work: Path):
    """One build per cache folder at a time (CI, bench/bundle.py, two engineers on one machine)."""
    with (work / ".lock").open("a+b") as handle:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after 10 s: wait on
                    continue
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # released when the file closes


def checked_wheel(package: Path, source: Path, version: str, work: Path) -> Path:
    """Write the wheel aside, install it into a scratch folder, run the check on it there with
    this Python's numpy; only a wheel that passes goes into the cache."""
    pending = work / "pending"
    shutil.rmtree(pending, ignore_errors=True)
    wheel = write_wheel(package, source, version, pending)
    with tempfile.TemporaryDirectory() as scratch:
        run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target",
             scratch, str(wheel)])  # fmt: skip
        env = {**os.environ, "PYTHONPATH": scratch}
        run([sys.executable, str(Path(__file__).resolve()), "--check"], env=env, cwd=scratch)
    final = work / "wheel"
    final.mkdir(exist_ok=True)
    return wheel.replace(final / wheel.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--install", action="store_true", help="install the wheel into this Python")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "posapp-build")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.check:
        check()
        return 0
    try:
        version = importlib.metadata.version(DIST).split("+")[0]
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit(
            f"opencv_min: {DIST} is not installed in {sys.executable}: the build takes the "
            "version the tests run against from it (pip install -e '.[bundle]' first)"
        ) from None
    work = opts.cache / f"opencv-min-{version}-{cache_key(version)}"
    work.mkdir(parents=True, exist_ok=True)
    with locked(work):
        wheels = list((work / "wheel").glob("*.whl"))
        if wheels:
            print(f"opencv_min: cached {wheels[0]}")
        else:
            bindir = tools_venv(work)
            source = fetch_sdist(bindir, version, work)
            package = build(source, bindir, work, opts.jobs)
            wheels = [checked_wheel(package, source, version, work)]
            for bulky in ("build", "src", "stage"):  # 600 MB of objects and sources; logs stay
                shutil.rmtree(work / bulky, ignore_errors=True)
            print(f"opencv_min: built {wheels[0]} ({wheels[0].stat().st_size / 1e6:.1f} MB)")
    if opts.install:
        run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
             str(wheels[0])])  # fmt: skip
        run([sys.executable, str(Path(__file__).resolve()), "--check"])  # a fresh import of cv2
    print(wheels[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
