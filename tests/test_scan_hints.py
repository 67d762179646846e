"""Hints for a code located but not read, on generated frames, decided from what was seen."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posapp.i18n import tr
from posapp.scan.finders import locate_symbols
from posapp.scan.hints import HINTS, HintAdvisor, advise
from posapp.scan.strategy import FrameReport, make_strategy
from tests.support import qrframes


def scene_with_code(side: float, blur: float, seed: int = 1, kind: str = "url") -> np.ndarray:
    text = qrframes.payload_text(kind, seed)
    scene = qrframes.background(1280, 720, qrframes.rng_for("hint", seed))
    qrframes._place(scene, qrframes._card(text, 12), qrframes._square(640, 360, side, 3))
    return cv2.GaussianBlur(scene, (0, 0), blur)


def gray(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def unread(frame: np.ndarray) -> list[np.ndarray]:
    """Symbols located in a frame the default strategy (every step) cannot read."""
    assert make_strategy().inspect(frame, force=True).found == []
    return locate_symbols(gray(frame))


def test_a_blurred_voucher_close_to_the_camera_asks_to_hold_still():
    frame = scene_with_code(420, 8.0)
    assert advise(unread(frame), gray(frame)) == "hold_still"


def test_a_small_blurred_voucher_asks_to_come_closer():
    frame = scene_with_code(155, 3.0, kind="plain")  # a fifth of the frame, out of focus
    assert advise(unread(frame), gray(frame)) == "closer"


def test_a_washed_out_phone_screen_asks_to_tilt_the_phone():
    text = qrframes.payload_text("signed", 4)
    scene = qrframes.background(1280, 720, qrframes.rng_for("g", 4))
    phone = qrframes._phone(text, 12, qrframes.rng_for("p", 4), False)
    qrframes._place(scene, phone, qrframes._square(640, 360, 420, 3))
    qrframes._glare(scene, (640, 360), 150, 300)
    report = make_strategy().inspect(scene, force=True)
    assert report.found == [] and report.located  # zxing sees the symbol, nobody reads it
    assert advise(report.located, gray(scene)) == "glare"


@pytest.mark.parametrize("seed", range(4))
def test_nothing_is_located_on_an_empty_counter(seed):
    frame = qrframes.make_frame("empty", None, (1280, 720), seed)
    assert locate_symbols(gray(frame)) == []
    advisor = HintAdvisor(frames_unread=1, look_every=1)
    assert advisor.feed(FrameReport(), gray(frame), now=0.0) is None


def test_a_tip_only_after_frames_unread_and_at_most_every_two_seconds():
    frame = gray(scene_with_code(420, 8.0))
    advisor = HintAdvisor(min_interval_s=2.0, frames_unread=3, look_every=1)
    tips = [advisor.feed(FrameReport(), frame, now=i / 10) for i in range(50)]
    assert [i for i, tip in enumerate(tips) if tip] == [2, 22, 42]
    assert {tip for tip in tips if tip} == {"hold_still"}
    # a frame whose code is read ends the count: a voucher read quickly never shows a tip
    advisor = HintAdvisor(frames_unread=3, look_every=1)
    assert advisor.feed(FrameReport(), frame, now=0.0) is None
    found = FrameReport(found=[object()])  # type: ignore[list-item]
    assert advisor.feed(found, frame, now=0.1) is None
    assert advisor.feed(FrameReport(), frame, now=0.2) is None


def test_the_finder_look_is_spaced_out():
    frame = gray(qrframes.make_frame("empty", None, (1280, 720), 1))
    advisor = HintAdvisor(look_every=5)
    for i in range(50):
        advisor.feed(FrameReport(), frame, now=i / 30)
    assert advisor.looks == 10
    advisor.feed(FrameReport(), frame, now=2.0, look=False)
    assert advisor.looks == 10


def test_every_hint_is_words_in_both_languages():
    assert set(HINTS) == {"hold_still", "closer", "glare"}
    for msgid in HINTS.values():
        assert tr(msgid, "en") == msgid
