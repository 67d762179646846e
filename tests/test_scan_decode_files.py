"""`posapp decode FILE...`: one JSON line per image or video file, naming the decoder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import pytest

from posapp.cli import main as posapp_main
from posapp.core.codes import canonical_plain
from posapp.core.settings import Settings
from posapp.scan.decode_files import decode_paths, main
from tests.support import qrframes

PHOTOS = Path(
    os.environ.get("POSAPP_QR_PHOTOS")
    or next(  # /work/main and a worktree /work/wt/NAME both find /work/shared/qr-photos
        (
            p / "shared" / "qr-photos"
            for p in Path(__file__).resolve().parents
            if (p / "shared" / "qr-photos").is_dir()
        ),
        Path(__file__).resolve().parents[2] / "shared" / "qr-photos",
    )
)
PLAIN = qrframes.payload_text("plain", 31)
URL = qrframes.payload_text("url", 32)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("decode")
    image = folder / "voucher.png"
    cv2.imwrite(str(image), qrframes.make_frame("tilted", PLAIN, (640, 480), seed=3))
    clean = folder / "clean.png"
    cv2.imwrite(str(clean), qrframes.make_frame("clean", PLAIN, (640, 480), seed=3))
    dark = folder / "dark-mode.jpg"
    cv2.imwrite(str(dark), qrframes.make_frame("inverted", URL, (640, 480), seed=4))
    empty = folder / "counter.png"
    cv2.imwrite(str(empty), qrframes.make_frame("empty", None, (640, 480), seed=5))
    video = qrframes.make_video(
        folder / "two.avi", [(None, 3), (PLAIN, 4), (None, 3), (URL, 4), (None, 2)], fps=10
    )
    return {
        "image": image,
        "dark": dark,
        "empty": empty,
        "video": video,
        "dir": folder,
        "clean": clean,
    }


def test_image_and_video(files):
    results = list(decode_paths([files["image"], files["dark"], files["empty"], files["video"]]))
    assert [r["file"] for r in results] == [
        str(files[k]) for k in ("image", "dark", "empty", "video")
    ]
    assert [c["text"] for c in results[0]["codes"]] == [PLAIN]
    assert (
        results[1]["codes"]
        == [  # zbar is blind to it
            {"text": URL, "decoder": "zxing", "kind": "url", "voucher": canonical_plain(URL[-13:])}
        ]
    )
    assert results[2]["codes"] == []
    video = results[3]
    assert video["frames"] == 16
    assert [(c["text"], c["first_frame"], c["frames"]) for c in video["codes"]] == [
        (PLAIN, 3, 4),
        (URL, 10, 4),
    ]
    assert all("error" not in r for r in results)


def test_explicit_strategy_names_the_decoder(files):
    (result,) = decode_paths([files["clean"]], "zbar")
    assert result["codes"] == [
        {"text": PLAIN, "decoder": "zbar", "kind": "plain", "voucher": PLAIN}
    ]
    (dark,) = decode_paths([files["dark"]], "zbar")
    assert dark["codes"] == []


def test_bad_files_are_reported_not_raised(files, tmp_path):
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG not really")
    notvideo = tmp_path / "clip.mp4"
    notvideo.write_text("hello")
    results = list(decode_paths([tmp_path / "missing.jpg", junk, notvideo]))
    assert [bool(r.get("error")) for r in results] == [True, True, True]
    assert all(r["codes"] == [] for r in results)


def test_main_prints_one_json_line_per_file(files, capsys):
    status = main([str(files["image"]), str(files["empty"])])
    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert [json.loads(line)["codes"] for line in lines] == [
        [{"text": PLAIN, "decoder": "zxing", "kind": "plain", "voucher": PLAIN}],
        [],
    ]


def test_main_uses_the_configured_strategy_and_reports_errors(files, capsys):
    settings = Settings()
    settings.scanner.strategy = "zbar"
    settings.save()
    assert main([str(files["clean"]), str(files["dir"] / "nope.png")]) == 1
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["codes"][0]["decoder"] == "zbar"
    assert "error" in second
    assert main(["--strategy", "zxing+tesseract", str(files["image"])]) == 2
    assert "tesseract" in capsys.readouterr().err


def test_posapp_command_dispatches_decode(files, capsys):
    assert posapp_main(["decode", str(files["image"])]) == 0
    assert json.loads(capsys.readouterr().out)["codes"][0]["text"] == PLAIN


@pytest.mark.skipif(not PHOTOS.is_dir(), reason=f"no photographs at {PHOTOS}")
def test_real_photographs():
    """The ZXing blackbox photos: the default strategy reads more than zxing-cpp alone (43/50)."""
    photos = sorted(PHOTOS.glob("*.webp"))
    assert len(photos) == 50
    ok = wrong = 0
    for result in decode_paths(photos):
        expected = Path(result["file"]).with_suffix(".txt").read_text(encoding="utf-8")
        expected = expected.replace("\r\n", "\n").strip()
        texts = {c["text"].replace("\r\n", "\n").strip() for c in result["codes"]}
        ok += expected in texts
        wrong += bool(texts) and expected not in texts  # 2_16 holds a second, real code
    assert ok >= 45
    assert wrong == 0


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: OpenCV refuses it with cv2.error."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + chunk(b"IEND", b"")
    )


def test_hostile_files_give_one_json_error_line_each_and_never_a_traceback(files, tmp_path, capsys):
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png_claiming(40_000, 30_000))
    zero_png, zero_avi = tmp_path / "zero.png", tmp_path / "zero.avi"
    zero_png.write_bytes(b"")
    zero_avi.write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    folder = tmp_path / "a-folder.png"
    folder.mkdir()
    paths = [huge, zero_png, zero_avi, text, folder, tmp_path / "missing.jpg", files["clean"]]
    status = main([str(p) for p in paths])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["file"] for line in lines] == [str(p) for p in paths]
    assert status == 1
    errors = [line.get("error", "") for line in lines]
    assert all(errors[:6]) and not errors[6]
    assert "too large" in errors[0]
    assert "directory" in errors[4]
    assert "not found" in errors[5]
    assert lines[6]["codes"][0]["text"] == PLAIN  # a bad file does not stop the others


def test_each_code_says_whether_it_is_a_voucher_and_why_not(tmp_path):
    """'Why won't this voucher scan?': read fine, but refused by the voucher parser, and why."""
    signed = qrframes.payload_text("signed", 33)
    typo = PLAIN[:-1] + ("0" if PLAIN[-1] != "0" else "1")  # a wrong check symbol
    paths = []
    for name, text in (
        ("typo", typo),
        ("wifi", "WIFI:S:shop;T:WPA;P:secret;;"),
        ("signed", signed),
    ):
        path = tmp_path / f"{name}.png"
        cv2.imwrite(str(path), qrframes.make_frame("clean", text, (640, 480), seed=6))
        paths.append(path)
    (typo_result, wifi, signed_result) = (r["codes"][0] for r in decode_paths(paths))
    assert typo_result["text"] == typo and typo_result["rejected"] == "bad_check"
    assert "voucher" not in typo_result
    assert wifi["rejected"] == "unknown_format"
    assert signed_result["kind"] == "signed"
    assert signed_result["rejected"] == "unknown_key"  # this command checks no signatures
