"""The PC's clock far from the platform's, said in words on the counter's status line (how far,
and that sales use the platform's time), from a real sandbox whose clock differs from the PC's."""

from __future__ import annotations

import pytest

from posapp.core.settings import Settings
from posapp.qt.counter_app import build_counter
from posapp.qt.status_bar import duration_words
from tests.support.trust import trust_rig

pytestmark = pytest.mark.usefixtures("qapp")


def counter_on(tmp_path, qtbot, pc_ahead_s: float):
    """A till whose PC clock is `pc_ahead_s` ahead of the platform (negative: behind)."""
    rig_cm = trust_rig(tmp_path, pc_ahead_s=pc_ahead_s)
    rig = rig_cm.__enter__()
    assert rig.service.sync_now()[rig.account.account_id].ok  # the platform told its time
    settings = Settings()
    settings.sound = False
    counter = build_counter(rig.service, settings, None)
    qtbot.addWidget(counter.window)
    counter.window.resize(1024, 600)
    counter.window.show()
    counter.window.status.refresh()
    return rig_cm, counter


@pytest.mark.parametrize(
    ("pc_ahead_s", "italian", "english"),
    [
        (
            2 * 3600,
            "L'orologio del PC è avanti di 2 ore: le vendite usano l'ora della piattaforma",
            "The PC's clock is 2 hours ahead: sales use the platform's time",
        ),
        (
            -45 * 60,
            "L'orologio del PC è indietro di 45 minuti: le vendite usano l'ora della piattaforma",
            "The PC's clock is 45 minutes behind: sales use the platform's time",
        ),
    ],
)
def test_a_pc_clock_far_from_the_platform_is_said_in_words(
    tmp_path, qtbot, pc_ahead_s, italian, english
):
    rig_cm, counter = counter_on(tmp_path, qtbot, pc_ahead_s)
    try:
        alert = counter.window.status.alert
        assert alert.text() == italian
        qtbot.waitUntil(alert.isVisible)
        # the last sync was the platform's time: its age is counted in the platform's time too
        assert "(<1 min fa)" in counter.window.status.sync.text()
        # a line of its own, wrapped inside the window: never cut off, never widening it
        assert alert.width() <= counter.window.width()
        assert alert.heightForWidth(alert.width()) <= alert.height() + 1
        counter.window.set_language("en")
        assert alert.text() == english
    finally:
        counter.window.set_language("it")
        counter.bridge.close()
        rig_cm.__exit__(None, None, None)


def test_an_honest_clock_shows_nothing(tmp_path, qtbot):
    rig_cm, counter = counter_on(tmp_path, qtbot, 20)
    try:
        assert counter.window.status.alert.text() == ""
        assert not counter.window.status.alert.isVisible()
    finally:
        counter.bridge.close()
        rig_cm.__exit__(None, None, None)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(59, "1 minuto"), (89 * 60, "89 minuti"), (-90 * 60, "2 ore"), (3600 * 50, "2 giorni")],
)
def test_duration_words(seconds, words):
    assert duration_words(seconds) == words
