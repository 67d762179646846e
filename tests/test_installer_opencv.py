"""The bundle's own OpenCV build (installer/opencv_min.py): what it leaves out, the wheel it
writes, and the check it runs on the installed module. The 10-minute compile itself runs in CI
(.ci/run) and in bench/bundle.py; here the wheel is written from a small package tree and
installed with the real pip, and the check runs on the real cv2 of this environment."""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "installer"))
import opencv_min  # noqa: E402


def test_the_build_leaves_out_lapack_ffmpeg_and_the_unused_modules():
    args = opencv_min.cmake_args(sys.executable)
    modules = next(a for a in args if a.startswith("-DBUILD_LIST=")).split("=", 1)[1].split(",")
    assert {"core", "imgproc", "imgcodecs", "videoio", "objdetect", "python3"} <= set(modules)
    assert not {"dnn", "calib", "stitching", "photo", "video", "highgui"} & set(modules)
    for off in ("LAPACK", "FFMPEG", "GSTREAMER", "OPENCL", "IPP"):
        assert f"-DWITH_{off}=OFF" in args
    for on in ("JPEG", "PNG", "WEBP", "TIFF"):  # every image type the image-folder source lists
        assert f"-DWITH_{on}=ON" in args
    if sys.platform == "linux":
        assert "-DWITH_V4L=ON" in args


def test_every_image_type_posapp_reads_is_built():
    from posapp.scan.sources import IMAGE_SUFFIXES

    codec = {
        ".png": "PNG",
        ".jpg": "JPEG",
        ".jpeg": "JPEG",
        ".webp": "WEBP",
        ".tif": "TIFF",
        ".tiff": "TIFF",
        ".bmp": None,
    }  # fmt: skip  (BMP is OpenCV's own, always there)
    args = opencv_min.cmake_args(sys.executable)
    assert set(IMAGE_SUFFIXES) <= set(codec), "a new image type: build its codec here"
    for suffix in IMAGE_SUFFIXES:
        if codec[suffix]:
            assert f"-DWITH_{codec[suffix]}=ON" in args, suffix


def test_the_cache_key_is_the_build_not_the_python_that_asks(monkeypatch):
    key = opencv_min.cache_key("5.0.0.93")
    monkeypatch.setattr(sys, "executable", "/elsewhere/bin/python")
    assert opencv_min.cache_key("5.0.0.93") == key  # the CI venv and bench's venv share it
    assert opencv_min.cache_key("5.0.0.94") != key
    monkeypatch.setattr(opencv_min, "OFF", [*opencv_min.OFF, "EXTRA"])
    assert opencv_min.cache_key("5.0.0.93") != key


def test_used_names_are_read_from_posapps_code():
    names = opencv_min.used_names()
    assert {"VideoCapture", "cvtColor", "imread", "resize", "error"} <= set(names)
    assert all(n.isidentifier() for n in names)


@pytest.fixture
def built_tree(tmp_path) -> tuple[Path, Path]:
    """What `cmake --install` leaves (python/cv2 with the module under python-3/) and the sdist."""
    package = tmp_path / "stage" / "python" / "cv2"
    (package / "python-3").mkdir(parents=True)
    (package / "utils").mkdir()
    (package / "__init__.py").write_text("from .mod import answer\n")
    (package / "mod.py").write_text("def answer():\n    return 42\n")
    (package / "utils" / "__init__.py").write_text("")
    (package / "config-3.py").write_text("PYTHON_EXTENSIONS_PATHS = ['/abs/build/path']\n")
    (package / "python-3" / "cv2.abi3.so").write_bytes(b"\x7fELF not really")
    source = tmp_path / "sdist"
    (source / "cv2").mkdir(parents=True)
    (source / "LICENSE.txt").write_text("Apache 2.0\n")
    (source / "cv2" / "version.py").write_text('opencv_version = "5.0.0.93"\n')
    return package, source


def test_the_wheel_has_the_stock_layout_and_a_true_record(built_tree, tmp_path):
    package, source = built_tree
    wheel = opencv_min.write_wheel(package, source, "5.0.0.93", tmp_path / "out")
    assert wheel.name.startswith("opencv_python_headless-5.0.0.93+posapp.min-cp37-abi3-")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "cv2/cv2.abi3.so" in names and not any("python-3" in n for n in names)
        assert {"cv2/LICENSE.txt", "cv2/version.py", "cv2/utils/__init__.py"} <= names
        assert b"LOADER_DIR" in zf.read("cv2/config-3.py")  # no path of the build machine
        info = "opencv_python_headless-5.0.0.93+posapp.min.dist-info"
        assert b"Name: opencv-python-headless" in zf.read(f"{info}/METADATA")
        rows = list(csv.reader(zf.read(f"{info}/RECORD").decode().splitlines()))
        for name, digest, size in rows:
            if name.endswith("RECORD"):
                continue
            data = zf.read(name)
            want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={want}" and int(size) == len(data), name
        assert {r[0] for r in rows} == names


def test_pip_installs_the_wheel(built_tree, tmp_path):
    package, source = built_tree
    wheel = opencv_min.write_wheel(package, source, "5.0.0.93", tmp_path / "out")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert (target / "cv2" / "cv2.abi3.so").read_bytes() == b"\x7fELF not really"
    done = subprocess.run(
        [sys.executable, "-c", "import cv2; print(cv2.answer())"],
        cwd=tmp_path, env={"PYTHONPATH": str(target)}, capture_output=True, text=True,
    )  # fmt: skip
    assert done.stdout.strip() == "42", done.stderr


def test_the_check_passes_on_a_full_opencv():
    """The check --install runs: here on this environment's cv2, which has all it asks."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "opencv_min.py"), "--check"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reads a QR code" in done.stdout


def test_the_check_fails_on_an_opencv_without_what_posapp_uses(tmp_path):
    """A cv2 lacking a name posapp calls (as a build without imgproc would) fails the build."""
    fake = tmp_path / "cv2"
    fake.mkdir()
    (fake / "__init__.py").write_text("def imread(*a):\n    return None\n")
    done = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "opencv_min.py"), "--check"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode != 0
    assert "lacks what posapp uses" in done.stdout + done.stderr
    assert "VideoCapture" in done.stdout + done.stderr


def test_a_wheel_that_fails_the_check_is_not_cached(built_tree, tmp_path):
    """The check runs on the wheel installed in a scratch folder before it enters the cache:
    a module that does not do what posapp asks (here, not a module at all) leaves nothing."""
    package, source = built_tree
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(SystemExit, match="failed"):
        opencv_min.checked_wheel(package, source, "5.0.0.93", work)
    assert not list(work.glob("wheel/*.whl"))


def test_the_wheel_asks_for_the_numpy_it_was_built_with(built_tree, tmp_path):
    package, source = built_tree
    wheel = opencv_min.write_wheel(package, source, "5.0.0.93", tmp_path / "out")
    major = importlib.metadata.version("numpy").split(".")[0]
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read("opencv_python_headless-5.0.0.93+posapp.min.dist-info/METADATA")
    assert f"Requires-Dist: numpy>={major}".encode() in meta


def test_a_source_tree_half_extracted_by_a_killed_run_is_extracted_again(tmp_path):
    """fetch_sdist finds the archive already downloaded; a src.partial left by a killed run is
    thrown away, and src/ appears whole or not at all."""
    work = tmp_path / "work"
    (work / "sdist").mkdir(parents=True)
    top = tmp_path / "opencv_python_headless-5.0.0.93"
    (top / "opencv").mkdir(parents=True)
    (top / "opencv" / "CMakeLists.txt").write_text("project(OpenCV)\n")
    with tarfile.open(work / "sdist" / "opencv_python_headless-5.0.0.93.tar.gz", "w:gz") as tar:
        tar.add(top, arcname=top.name)
    (work / "src.partial" / "stale").mkdir(parents=True)
    source = opencv_min.fetch_sdist(tmp_path / "no-tools-needed", "5.0.0.93", work)
    assert (source / "opencv" / "CMakeLists.txt").read_text() == "project(OpenCV)\n"
    assert not (work / "src.partial").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_one_build_per_cache_folder_at_a_time(tmp_path):
    """A second run waits for the first to finish with the folder (CI's background build and
    bench/bundle.py on the same machine)."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; sys.path.insert(0, sys.argv[1]); import opencv_min, pathlib\n"
         "with opencv_min.locked(pathlib.Path(sys.argv[2])):\n"
         "    print('held', flush=True); time.sleep(1.5)",
         str(ROOT / "installer"), str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with opencv_min.locked(tmp_path):
        waited = time.monotonic() - started
    holder.wait(timeout=30)
    assert waited > 0.5, waited
