"""ScanConfirmer: k reads in the last n frames confirm, one emission per presentation, cool-down."""

from __future__ import annotations

import pytest

from posapp.scan.confirm import ScanConfirmer

A, B = "AAAA-BBBB-CCC", "https://buoni.example.it/v/DDDD-EEEE-FFF"


def feed_frames(confirmer: ScanConfirmer, frames, fps: float = 10.0, start: float = 0.0):
    """Feed a list of per-frame text lists at `fps`; returns (frame index, code) emissions."""
    out = []
    for i, texts in enumerate(frames):
        for code in confirmer.feed(texts, now=start + i / fps):
            out.append((i, code))
    return out


def test_strict_window_needs_consecutive_frames():
    c = ScanConfirmer(frames_required=2, cooldown_s=4.0, window=2)
    assert feed_frames(c, [[A], [], [A], [A]]) == [(3, A)]


def test_a_code_read_every_other_frame_confirms_at_its_second_read():
    """A marginal voucher in a trembling hand: 2 of the last 3 frames (the default window)."""
    c = ScanConfirmer(frames_required=2, cooldown_s=4.0)
    assert c.window == 3
    assert feed_frames(c, [[A], [], [A], [], [A]]) == [(2, A)]
    strict = ScanConfirmer(frames_required=2, cooldown_s=4.0, window=2)
    assert feed_frames(strict, [[A], [], [A], [], [A]]) == []


def test_single_frame_glimpses_never_confirm():
    c = ScanConfirmer(frames_required=2)  # 2 of 3: one read among any three frames is a glimpse
    assert feed_frames(c, [[A], [], [], [A], [], [B], [], [], [A], [B], [], []] * 5) == []


def test_k_of_n_counts_reads_only_inside_the_window():
    c = ScanConfirmer(frames_required=3, cooldown_s=4.0, window=5)
    assert feed_frames(c, [[A], [], [], [], [A], [], [A], [A]]) == [(7, A)]
    with pytest.raises(ValueError):
        ScanConfirmer(frames_required=3, window=2)


def test_a_still_image_confirms_on_one_read_under_the_same_cooldown():
    c = ScanConfirmer(frames_required=2, cooldown_s=4.0)
    assert c.feed([A], now=0.0, single=True) == [A]
    assert c.feed([A], now=0.5, single=True) == []  # the same scan again: cooling down
    assert c.feed([B], now=1.0, single=True) == [B]
    assert c.feed([A], now=9.0, single=True) == [A]


def test_held_code_emits_once():
    c = ScanConfirmer(frames_required=3, cooldown_s=2.0)
    # held for 30 s at 10 fps: seen all the time, so the cool-down keeps being refreshed
    assert feed_frames(c, [[A]] * 300) == [(2, A)]


def test_same_code_again_after_cooldown_counts_again():
    c = ScanConfirmer(frames_required=2, cooldown_s=4.0)
    frames = [[A]] * 5 + [[]] * 20 + [[A]] * 5 + [[]] * 45 + [[A]] * 5
    # gone for 2 s (inside the cool-down since last seen): quiet; gone 4.5 s: counts again
    assert feed_frames(c, frames) == [(1, A), (76, A)]


def test_two_codes_in_view_both_confirm():
    c = ScanConfirmer(frames_required=2)
    assert sorted(feed_frames(c, [[A, B], [B, A], [A, B]])) == [(1, A), (1, B)]


def test_frames_far_apart_are_not_consecutive():
    c = ScanConfirmer(frames_required=2, cooldown_s=4.0, max_frame_gap_s=1.0)
    assert c.feed([A], now=0.0) == []
    assert c.feed([A], now=2.0) == []  # the loop stalled: start counting again
    assert c.feed([A], now=2.1) == [A]


def test_other_code_is_not_blocked_by_cooldown():
    c = ScanConfirmer(frames_required=2, cooldown_s=4.0)
    assert feed_frames(c, [[A], [A], [B], [B]]) == [(1, A), (3, B)]


def test_frames_required_one_and_validation():
    c = ScanConfirmer(frames_required=1, cooldown_s=1.0)
    assert c.feed([A, A, ""], now=0.0) == [A]
    with pytest.raises(ValueError):
        ScanConfirmer(frames_required=0)


def test_reset_forgets_streaks_and_cooldowns():
    c = ScanConfirmer(frames_required=2, cooldown_s=10.0)
    assert feed_frames(c, [[A], [A]]) == [(1, A)]
    c.reset()
    assert c.feed([A], now=0.3) == []
    assert c.feed([A], now=0.4) == [A]


def test_accept_single_for_usb_scanners_shares_the_cooldown():
    c = ScanConfirmer(frames_required=2, cooldown_s=4.0)
    assert c.accept_single(A, now=0.0) is True
    assert c.accept_single(A, now=1.0) is False  # the scanner's double beep
    assert c.accept_single(A, now=6.0) is True
    assert c.accept_single(B, now=6.1) is True
    assert c.feed([B], now=6.2) == [] and c.feed([B], now=6.3) == []  # camera sees it too
    assert c.accept_single("", now=7.0) is False


def test_uses_the_injected_clock():
    now = [100.0]
    c = ScanConfirmer(frames_required=2, cooldown_s=4.0, clock=lambda: now[0])
    assert c.feed([A]) == []
    now[0] += 0.1
    assert c.feed([A]) == [A]
    now[0] += 10
    assert c.feed([A]) == []
    now[0] += 0.1
    assert c.feed([A]) == [A]


def test_memory_stays_bounded_with_many_codes():
    c = ScanConfirmer(frames_required=1, cooldown_s=1.0)
    for i in range(1000):
        c.feed([f"CODE-{i}"], now=float(i))
    assert len(c._last_seen) <= 65


def test_two_codes_shown_in_turn_each_keep_their_own_cooldown():
    """A, then B, then A again soon (quiet), then A after its cool-down (counts)."""
    c = ScanConfirmer(frames_required=2, cooldown_s=4.0)
    frames = (
        [[A]] * 10  # 0.0-0.9 s: A confirmed at frame 1, last seen 0.9 s
        + [[B]] * 10  # 1.0-1.9 s: B confirmed at frame 11
        + [[A]] * 10  # 2.0-2.9 s: A again within its cool-down: quiet, last seen 2.9 s
        + [[]] * 45  # 3.0-7.4 s: nothing in view
        + [[B]] * 5  # 7.5 s: B was last seen at 1.9 s: counts again
        + [[A]] * 5  # 8.0 s: A was last seen at 2.9 s: counts again
    )
    assert feed_frames(c, frames) == [(1, A), (11, B), (76, B), (81, A)]
