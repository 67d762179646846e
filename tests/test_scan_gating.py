"""The stream session: costly steps on a scene change, after a read, on a slow cadence only."""

from __future__ import annotations

import numpy as np

from posapp.scan.gating import ScanSession
from posapp.scan.strategy import make_strategy
from tests.support import qrframes


def noisy(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same view with fresh sensor noise, as a webcam delivers it."""
    grain = rng.normal(0, 3, frame.shape)
    return np.clip(frame + grain, 0, 255).astype(np.uint8)


def test_a_still_empty_counter_pays_for_the_costly_steps_only_on_the_cadence():
    rng = np.random.default_rng(0)
    scene = qrframes.make_frame("empty", None, (640, 480), seed=2)
    session = ScanSession(make_strategy(), cadence=12, settle_frames=10)
    reports = [session.decode(noisy(scene, rng)) for _ in range(120)]
    triggers = [r.trigger for r in reports]
    assert triggers[:11] == ["change"] * 11  # the first frame is news: settle on it
    assert set(triggers[11:]) == {"", "cadence"}  # sensor noise is no scene change
    assert triggers.count("cadence") == sum(1 for i in range(12, 121) if i % 12 == 0)
    assert session.costly_frames == sum(r.costly_ran for r in reports) == 11 + 10
    assert all(r.found == [] for r in reports)


def test_a_scene_change_and_a_read_make_the_next_frames_hot():
    rng = np.random.default_rng(1)
    empty = qrframes.make_frame("empty", None, (640, 480), seed=3)
    text = qrframes.payload_text("plain", 3)
    code = qrframes.make_frame("clean", text, (640, 480), seed=3)
    session = ScanSession(make_strategy(), cadence=1000, settle_frames=5, recent_frames=8)
    for _ in range(20):
        session.decode(noisy(empty, rng))
    assert session.decode(noisy(empty, rng)).trigger == ""
    report = session.decode(code)  # something was brought to the counter
    assert report.trigger == "change" and [d.text for d in report.found] == [text]
    triggers = [session.decode(noisy(code, rng)).trigger for _ in range(14)]
    # settling after the change (5 frames), then "recent" while the code keeps being read
    assert triggers[:5] == ["change"] * 5 and set(triggers[5:]) == {"recent"}
    session.decode(empty)  # taken away: a change again
    triggers = [session.decode(noisy(empty, rng)).trigger for _ in range(20)]
    assert triggers[-1] == ""  # and then quiet: no read, no change, no cadence due
