"""The decoding strategy: specs, the measured default, fallbacks that earn their place."""

from __future__ import annotations

from datetime import UTC, datetime

import cv2
import numpy as np
import pytest

from posapp.core.codes import VoucherRef, parse_code
from posapp.core.settings import ScannerSettings
from posapp.scan import decoders, strategy
from posapp.scan.decoders import DecoderUnavailable, make_decoder
from posapp.scan.strategy import DEFAULT_STRATEGY, NoDecoderAvailable, make_strategy
from tests.support import qrframes


def test_auto_is_the_measured_default_and_the_settings_default():
    assert ScannerSettings().strategy == "auto"
    auto = make_strategy("auto")
    assert auto.spec == DEFAULT_STRATEGY
    assert auto.labels == ["zxing", "zxing@rescue", "zbar@half"]
    assert make_strategy("").spec == DEFAULT_STRATEGY


@pytest.mark.parametrize(
    ("spec", "labels"),
    [
        ("zxing", ["zxing"]),
        ("zbar", ["zbar"]),
        ("opencv", ["opencv"]),
        ("zxing+zbar", ["zxing", "zbar"]),
        (" ZXing + zbar@half ", ["zxing", "zbar@half"]),
        ("zxing+rescue+zxing@sharp", ["zxing", "zxing@rescue", "zxing@sharp"]),
    ],
)
def test_explicit_specs(spec, labels):
    assert make_strategy(spec).labels == labels


@pytest.mark.parametrize(
    "spec", ["zxing+tesseract", "zxing@fisheye", "zxing++zbar", "rescue+zxing", "zbar+rescue"]
)
def test_malformed_spec_is_a_clear_error(spec):
    with pytest.raises(ValueError, match="strategy"):
        make_strategy(spec)


def test_no_available_decoder_is_a_typed_error_naming_what_is_missing(monkeypatch):
    def missing_zbar():
        raise DecoderUnavailable("zbar", "pyzbar needs the system library libzbar0")

    monkeypatch.setitem(decoders.FACTORIES, "zbar", missing_zbar)
    with pytest.raises(NoDecoderAvailable, match="libzbar0"):
        make_strategy("zbar")
    # a combination keeps the steps it can build
    assert make_strategy("zxing+zbar").labels == ["zxing"]


def test_reports_which_step_found_the_code():
    text = qrframes.payload_text("plain", 3)
    inverted = 255 - np.pad(qrframes.qr_image(text, 4), 30, constant_values=255)
    # zbar cannot read light-on-dark: with zbar first, zxing finds it as the second step
    found = make_strategy("zbar+zxing").decode(inverted)
    assert [(d.text, d.decoder) for d in found] == [(text, "zxing")]
    assert make_strategy("zbar").decode(inverted) == []


@pytest.mark.parametrize("kind", ["inverted", "phone", "rotated", "tilted", "noisy", "dim"])
def test_default_reads_hard_webcam_frames(kind):
    for i, payload in enumerate(qrframes.PAYLOAD_KINDS):
        text = qrframes.payload_text(payload, 60 + i)
        frame = qrframes.make_frame(kind, text, (640, 480), seed=i)
        assert [d.text for d in make_strategy().decode(frame)] == [text], payload


def test_rescue_step_reads_a_located_but_unread_blurred_code():
    """A blurred code zxing locates but cannot read on the full frame; the rescue crop reads it."""
    zxing = make_decoder("zxing")
    rescued = 0
    for seed in range(12):
        text = qrframes.payload_text("url", seed)
        frame = cv2.cvtColor(
            qrframes.make_frame("blurred", text, (640, 480), seed), cv2.COLOR_BGR2GRAY
        )
        found, located = zxing.read(frame)
        if found or not located:
            continue
        result = make_strategy("zxing+rescue").decode(frame)
        assert [d.text for d in result] in ([], [text])  # never a wrong text
        rescued += [(d.text, d.decoder) for d in result] == [(text, "zxing@rescue")]
    assert rescued >= 2


def test_never_anything_on_empty_frames():
    auto = make_strategy()
    for seed in range(6):
        for size in ((640, 480), (1280, 720)):
            assert auto.decode(qrframes.make_frame("empty", None, size, seed)) == []


def test_decoded_signed_code_verifies_with_the_test_key():
    """The frames carry real signed codes: decoded text goes through the voucher-code parser."""
    _, key = qrframes.signing_key(0)
    text = qrframes.payload_text("signed", 5)
    frame = qrframes.make_frame("phone", text, (1280, 720), seed=5)
    (decoded,) = make_strategy().decode(frame)
    ref = parse_code(decoded.text, keys={key.kid: key}.get, now=datetime(2026, 11, 26, tzinfo=UTC))
    assert isinstance(ref, VoucherRef)
    assert ref.kind == "signed"


def test_strategy_accepts_gray_and_bgr():
    text = qrframes.payload_text("plain", 8)
    frame = qrframes.make_frame("clean", text, (640, 480), seed=8)
    auto = make_strategy()
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    assert [d.text for d in auto.decode(frame)] == [d.text for d in auto.decode(gray)] == [text]


def test_preprocessing_keeps_small_frames_whole():
    small = np.zeros((300, 300), np.uint8)
    assert strategy.PREPROCESS["half"](small).shape == (300, 300)
    assert strategy.PREPROCESS["half"](np.zeros((720, 1280), np.uint8)).shape == (360, 640)
