"""KeyBurstDetector: scanner bursts (with or without Enter) versus human typing."""

from __future__ import annotations

import pytest

from posapp.scan.keyburst import KeyBurstDetector

CODE = "ABCD-1234-XYZ"


def burst(detector: KeyBurstDetector, text: str, start: float, gap: float) -> list[str | None]:
    return [detector.key(ch, start + i * gap) for i, ch in enumerate(text)]


def test_fast_burst_with_enter_is_a_scan():
    d = KeyBurstDetector(max_gap_ms=35, min_length=6)
    assert burst(d, CODE, 1000.0, 8.0) == [None] * len(CODE)
    assert d.pending == CODE
    assert d.enter(1000.0 + 8 * len(CODE)) == CODE
    assert d.pending == "" and d.take_typed() == ""


def test_fast_burst_without_enter_ends_by_timeout():
    d = KeyBurstDetector(max_gap_ms=35, min_length=6)
    burst(d, CODE, 0.0, 5.0)
    last = 5.0 * (len(CODE) - 1)
    assert d.flush(last + 20) is None  # not over yet
    assert d.flush(last + 36) == CODE
    assert d.flush(last + 100) is None


def test_next_burst_ends_the_previous_one_without_enter():
    d = KeyBurstDetector()
    burst(d, CODE, 0.0, 5.0)
    results = burst(d, "QRST-5678-JKL", 500.0, 5.0)
    assert results[0] == CODE and results[1:] == [None] * 12


def test_slow_typing_is_not_a_scan_and_is_given_back():
    d = KeyBurstDetector(max_gap_ms=35, min_length=6)
    assert burst(d, "hello world", 0.0, 120.0) == [None] * 11
    assert d.enter(11 * 120.0) is None  # Enter after typing belongs to the field
    assert d.take_typed() == "hello world"


def test_short_fast_burst_is_typing():
    d = KeyBurstDetector(max_gap_ms=35, min_length=6)
    burst(d, "ab", 0.0, 10.0)  # a quick double key press
    assert d.flush(100.0) is None
    assert d.take_typed() == "ab"


def test_fast_typist_with_one_slow_gap_is_not_a_scan():
    d = KeyBurstDetector(max_gap_ms=35, min_length=6)
    times = [0, 30, 60, 150, 180, 210, 240]  # bursts of 3 and 4 keys, too short for a scan
    for ch, t in zip("abcdefg", times, strict=True):
        assert d.key(ch, t) is None
    assert d.flush(400) is None
    assert d.take_typed() == "abcdefg"


def test_typing_then_a_scan_keeps_both_apart():
    d = KeyBurstDetector()
    burst(d, "note", 0.0, 150.0)
    results = burst(d, CODE, 1000.0, 4.0)
    assert results == [None] * len(CODE)
    assert d.enter(1000.0 + 4 * len(CODE)) == CODE
    assert d.take_typed() == "note"


def test_late_enter_still_ends_the_scan():
    d = KeyBurstDetector()
    burst(d, CODE, 0.0, 5.0)
    assert d.enter(5000.0) == CODE  # a slow Enter suffix (or a late timer) never loses the scan
    assert d.take_typed() == ""
    assert d.enter(5100.0) is None  # a lone Enter is the user's


def test_injected_clock_and_reset():
    now = [0.0]
    d = KeyBurstDetector(clock=lambda: now[0])
    for ch in CODE:
        d.key(ch)
        now[0] += 3
    assert d.enter() == CODE
    d.key("x")
    d.reset()
    assert d.pending == "" and d.take_typed() == ""


def test_bad_settings_rejected():
    with pytest.raises(ValueError):
        KeyBurstDetector(min_length=0)
    with pytest.raises(ValueError):
        KeyBurstDetector(max_gap_ms=0)


def test_an_enter_just_after_a_scan_ended_by_the_gap_is_its_suffix():
    d = KeyBurstDetector(max_gap_ms=35, min_length=6, suffix_window_ms=150)
    burst(d, CODE, 0.0, 5.0)
    last = 5.0 * (len(CODE) - 1)
    assert d.flush(last + 40) == CODE  # the timer ended the scan before Enter came
    assert d.enter(last + 60) is None  # nothing pending...
    assert d.enter_is_suffix(last + 60) is True  # ...but this Enter is the scanner's suffix
    assert d.enter_is_suffix(last + 70) is False  # only one Enter belongs to a scan


def test_a_later_enter_or_one_after_typing_is_the_users():
    d = KeyBurstDetector(max_gap_ms=35, min_length=6, suffix_window_ms=150)
    burst(d, CODE, 0.0, 5.0)
    last = 5.0 * (len(CODE) - 1)
    assert d.flush(last + 40) == CODE
    assert d.enter_is_suffix(last + 400) is False  # a person's Enter, well after the scan
    burst(d, CODE, 1000.0, 5.0)
    assert d.enter(1000.0 + 5 * len(CODE)) == CODE  # Enter taken with the scan itself
    assert d.enter_is_suffix(1000.0 + 5 * len(CODE) + 10) is False
    burst(d, CODE, 2000.0, 5.0)
    assert d.key("x", 2000.0 + 5 * len(CODE) + 50) == CODE  # a key after the scan...
    assert d.enter_is_suffix(2000.0 + 5 * len(CODE) + 60) is False  # ...then Enter: typing
