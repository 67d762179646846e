"""The generated test frames themselves: deterministic, labelled right, every class present."""

from __future__ import annotations

from datetime import UTC, datetime

import cv2
import numpy as np

from posapp.core.codes import VoucherRef, parse_code
from posapp.scan.decoders import make_decoder
from tests.support import qrframes


def test_frames_are_deterministic_by_seed():
    text = qrframes.payload_text("url", 1)
    a = qrframes.make_frame("phone", text, (640, 480), seed=4)
    b = qrframes.make_frame("phone", text, (640, 480), seed=4)
    c = qrframes.make_frame("phone", text, (640, 480), seed=5)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert qrframes.payload_text("signed", 9) == qrframes.payload_text("signed", 9)


def test_payloads_are_voucher_codes_the_parser_accepts():
    _, key = qrframes.signing_key(0)
    now = datetime(2026, 11, 26, tzinfo=UTC)
    kinds = {}
    for kind in qrframes.PAYLOAD_KINDS:
        ref = parse_code(qrframes.payload_text(kind, 2), keys={key.kid: key}.get, now=now)
        assert isinstance(ref, VoucherRef), ref
        kinds[kind] = ref.kind
    assert kinds == {"plain": "plain", "url": "url", "signed": "signed"}
    assert len(qrframes.payload_text("signed", 2)) == 137


def test_labelled_set_covers_every_class_and_size():
    frames = list(qrframes.labelled_frames(sizes=[(640, 480)], per_class=1, seed=2))
    assert [f.kind for f in frames] == list(qrframes.CLASSES)
    for frame in frames:
        assert frame.image.shape == (480, 640, 3) and frame.image.dtype == np.uint8
        assert (frame.kind == "empty") == (frame.texts == ())


def test_clean_frame_label_matches_its_code():
    zxing = make_decoder("zxing")
    for frame in qrframes.labelled_frames([(1280, 720)], ["clean"], per_class=3, seed=5):
        assert tuple(d.text for d in zxing.decode(frame.image)) == frame.texts


def test_video_has_the_frames_asked_for(tmp_path):
    path = qrframes.make_video(tmp_path / "v.avi", [(None, 2), ("HELLO-1", 3)], size=(320, 240))
    cap = cv2.VideoCapture(str(path))
    count = 0
    while cap.read()[0]:
        count += 1
    cap.release()
    assert count == 5
