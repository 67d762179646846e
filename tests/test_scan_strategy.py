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
from posapp.scan.preprocess import PREPROCESS
from posapp.scan.strategy import DEFAULT_STRATEGY, NoDecoderAvailable, make_strategy
from tests.support import qrframes


def test_auto_is_the_measured_default_and_the_settings_default():
    assert ScannerSettings().strategy == "auto"
    auto = make_strategy("auto")
    assert auto.spec == DEFAULT_STRATEGY
    assert [s.label for s in auto.steps] == [
        "zxing",
        "zxing@half",
        "zxing@dim",
        "zxing-gh@half",
        "zxing-gh@shadow",
    ]
    assert [s.label for s in auto.gated] == ["zxing@rescue", "zbar@half"]
    assert make_strategy("").spec == DEFAULT_STRATEGY
    assert make_strategy("legacy").labels == ["zxing", "zxing@rescue", "zbar@half"]


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
    with pytest.raises(NoDecoderAvailable) as err:
        make_strategy("zbar")
    assert "libzbar0" in err.value.hint  # for the log and the installer; str() is plain words
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
    assert strategy.PREPROCESS["half"](small)[0].shape == (300, 300)
    assert strategy.PREPROCESS["half"](np.zeros((720, 1280), np.uint8))[0].shape == (360, 640)


def test_gated_spec_parses_and_rejects_an_empty_side():
    gated = make_strategy("zxing | rescue + zbar@half")
    assert [s.label for s in gated.steps] == ["zxing"]
    assert [s.label for s in gated.gated] == ["zxing@rescue", "zbar@half"]
    for spec in ("zxing|", "|zbar", "rescue|zbar"):
        with pytest.raises(ValueError, match="strategy"):
            make_strategy(spec)


class CountingDecoder:
    """Wraps a real decoder and records the sizes of the images it was given."""

    def __init__(self, inner):
        self.inner, self.name, self.sizes = inner, inner.name, []

    def decode(self, gray):
        self.sizes.append(gray.shape)
        return self.inner.decode(gray)


def test_costly_steps_skip_empty_frames_and_run_on_evidence_or_when_forced():
    auto = make_strategy()
    zbar_step = auto.gated[-1]
    spy = CountingDecoder(zbar_step.decoder)
    zbar_step.decoder = spy
    empty = qrframes.make_frame("empty", None, (1280, 720), seed=4)
    report = auto.inspect(empty)
    assert (report.found, report.located, report.costly_ran) == ([], [], False)
    assert spy.sizes == []  # zbar never ran on a frame with nothing in it
    assert auto.inspect(empty, force=True).costly_ran
    assert spy.sizes == [(360, 640)]  # forced: zbar on the half-size frame
    # a code located but not read is evidence: the costly steps look at it
    zxing = make_decoder("zxing")
    for seed in range(20):
        text = qrframes.payload_text("url", seed)
        frame = qrframes.make_frame("blurred", text, (640, 480), seed)
        found, located = zxing.read(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
        if not found and located:
            report = auto.inspect(frame)
            assert report.costly_ran and report.located
            assert [d.text for d in report.found] in ([], [text])
            break
    else:
        pytest.fail("no blurred frame with a located, unread symbol")


def test_a_dim_frame_is_read_by_the_stretched_step():
    text = qrframes.payload_text("plain", 21)
    frame = qrframes.make_frame("clean", text, (1280, 720), seed=21)
    dark = (frame.astype(np.float32) * 0.07).astype(np.uint8)  # a counter with the light off
    found = make_strategy().decode(dark)
    assert [d.text for d in found] == [text]
    assert make_strategy("zxing").decode(dark) == []  # what the stretch step is there for


def _shadowed_frame(size: tuple[int, int], i: int) -> tuple[str, np.ndarray]:
    """A frame of the choice set (seed 2, beyond the first 8 per class): a hard shadow edge
    across the code; no step of the default before the shadow step even located it."""
    text = qrframes.payload_text("url", 2000 + i + 100 * qrframes.CLASSES.index("uneven"))
    return text, qrframes.make_frame("uneven", text, size, 2000 + i)


def test_a_code_across_a_hard_shadow_edge_is_read_by_the_shadow_step():
    text, frame = _shadowed_frame((640, 480), 19)
    before = make_strategy("zxing+zxing@half+zxing@dim+zxing-gh@half|rescue+zbar@half")
    report = before.inspect(frame)
    assert report.found == [] and report.located == [] and not report.costly_ran
    assert [d.text for d in make_strategy("legacy").decode(frame)] == [text]  # ZBar, every frame
    found = make_strategy().decode(frame)
    assert [(d.text, d.decoder) for d in found] == [(text, "zxing-gh@shadow")]


def test_the_shadow_step_is_a_clean_half_size_binary_image():
    _text, frame = _shadowed_frame((1280, 720), 19)
    image, factor = PREPROCESS["shadow"](cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    assert factor == 0.5 and image.shape == (360, 640)
    assert set(np.unique(image)) <= {0, 255}
    for seed in range(6):  # and it reads nothing where there is nothing
        empty = qrframes.make_frame("empty", None, (1280, 720), seed=500 + seed)
        assert make_strategy("zxing-gh@shadow+zxing@shadow").decode(empty) == []


def test_a_large_photo_is_read_at_working_size_first():
    text = qrframes.payload_text("signed", 22)
    photo = cv2.resize(
        qrframes.make_frame("clean", text, (1280, 720), seed=22), (4000, 2250), cv2.INTER_CUBIC
    )
    auto = make_strategy("zxing")
    spy = CountingDecoder(auto.steps[0].decoder)
    spy.read = lambda gray: (spy.sizes.append(gray.shape), spy.inner.read(gray))[1]
    auto.steps[0].decoder = spy
    assert [d.text for d in auto.decode(photo)] == [text]
    assert spy.sizes == [(720, 1280)]  # never the 9-megapixel image


def test_a_missing_decoder_library_is_told_in_words_not_pip_commands():
    from posapp.i18n import tr

    exc = DecoderUnavailable("zxing", "pip install zxing-cpp")
    assert "pip" not in str(exc) and "zxing" not in str(exc).lower()
    assert "pip" not in exc.text("it") and exc.hint == "pip install zxing-cpp"
    assert exc.text("en") == tr(decoders.DECODER_MISSING, "en")
