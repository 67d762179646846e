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
    session = ScanSession(make_strategy(), cadence=12, settle_frames=10, settle_every=3)
    reports = [session.decode(noisy(scene, rng)) for _ in range(120)]
    triggers = [r.trigger for r in reports]
    assert triggers[:11] == ["change"] * 11  # the first frame is news: settle on it
    assert set(triggers[11:]) == {"", "cadence"}  # sensor noise is no scene change
    assert triggers.count("cadence") == sum(1 for i in range(12, 121) if i % 12 == 0)
    settling = [1, 4, 7, 10]  # every 3rd frame of the 11 after the change: a hand moves
    assert [i + 1 for i, r in enumerate(reports[:11]) if r.costly_ran] == settling
    assert session.costly_frames == sum(r.costly_ran for r in reports) == 4 + 10
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


def test_between_cadence_frames_a_still_scene_gets_only_the_first_cheap_step():
    """A still, empty counter was already examined by every step: only zxing runs on it then."""
    rng = np.random.default_rng(2)
    scene = qrframes.make_frame("empty", None, (640, 480), seed=4)
    strategy = make_strategy()
    runs = [0] * len(strategy.steps)
    for i, step in enumerate(strategy.steps):
        inner = step.run

        def counted(gray, report, i=i, inner=inner):
            runs[i] += 1
            return inner(gray, report)

        step.run = counted
    session = ScanSession(strategy, cadence=12, settle_frames=10)
    for _ in range(120):
        session.decode(noisy(scene, rng))
    whole = 11 + 10  # the first frame and its settling, then every 12th frame
    assert runs == [120] + [whole] * (len(runs) - 1)


def test_a_change_too_slow_to_see_between_two_frames_still_counts_when_it_adds_up():
    scene = qrframes.make_frame("empty", None, (640, 480), seed=5).astype(np.int16)
    session = ScanSession(make_strategy(), cadence=1000, settle_frames=2)
    triggers = []
    for step in range(40):  # the light comes up by 1 grey level a frame: under 4 each time
        frame = np.clip(scene + step, 0, 255).astype(np.uint8)
        triggers.append(session.decode(frame).trigger)
    assert triggers[:3] == ["change"] * 3
    assert "change" in triggers[4:12]  # compared with the last frame examined whole


def test_a_spec_without_costly_steps_still_runs_every_step_on_every_frame():
    """ "legacy" is the old every-step-on-every-frame default: a stream must not lighten it."""
    rng = np.random.default_rng(3)
    scene = qrframes.make_frame("empty", None, (640, 480), seed=6)
    strategy = make_strategy("legacy")
    runs = []
    zbar = strategy.steps[-1]
    inner = zbar.run
    zbar.run = lambda gray, report: (runs.append(1), inner(gray, report))[1]
    session = ScanSession(strategy, cadence=12)
    for _ in range(30):
        session.decode(noisy(scene, rng))
    assert len(runs) == 30
