"""The counter window's shape: it fits small screens whatever it shows, and it follows the state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from posapp.core.connectivity import ConnectivityState
from posapp.core.policy import AcceptedOffline, NeedsConfirmation, Refused
from posapp.core.store.offline_rules import Summary
from posapp.qt.counter_app import build_counter

SIGNED = "PV:" + "3B0QW1K3TS90G$" * 9 + "ABCDEFGH"  # 137 characters, like a real signed code


class FakeService:
    """Answers from a script, instantly: the window's shape does not depend on the platform."""

    def __init__(self) -> None:
        self.answers: list[object] = []
        self.calls: list[tuple] = []
        self._state = ConnectivityState(online=True)
        self.listeners = []

    def submit(self, text, amount_cents=None, confirmed=False):
        self.calls.append((text, amount_cents, confirmed))
        return self.answers.pop(0)

    def subscribe(self, listener):
        self.listeners.append(listener)
        return lambda: None

    @property
    def state(self):
        return self._state

    def sync_now(self):
        return {}


def summary(code: str = "DH3S-619J-5X4") -> Summary:
    return Summary(
        account_id="puglia-demo",
        code=code,
        face_value_cents=1000,
        balance_cents=1000,
        currency="EUR",
        expires_at=datetime.now(UTC) + timedelta(days=90),
        partial_allowed=True,
        default_amount_cents=1000,
        max_amount_cents=1000,
        source="offline",
    )


@pytest.fixture
def fake(qtbot):
    service = FakeService()
    counter = build_counter(service, None, None, verdict_s=30)
    qtbot.addWidget(counter.window)
    yield service, counter
    counter.bridge.close()


@pytest.mark.parametrize("screen", [(1366, 768), (1024, 600)])
def test_a_signed_code_and_long_texts_never_grow_the_window(fake, qtbot, screen):
    service, counter = fake
    window = counter.window
    window.show()
    service.answers = [NeedsConfirmation(summary())]
    counter.flow.on_code(SIGNED, "camera")
    qtbot.waitUntil(lambda: counter.flow.phase == "confirm")
    window.code_entry.field.setText(SIGNED)
    texts = [window.voucher.rows[k][1].text() for k in window.voucher.rows]
    assert SIGNED not in " ".join(texts)
    assert "DH3S-619J-5X4" in texts
    for hint in (window.sizeHint(), window.minimumSizeHint()):
        assert hint.width() <= screen[0] and hint.height() <= screen[1], hint
    long = "Buono già utilizzato " * 20
    service.answers = [Refused("refused.voucher_used"), AcceptedOffline("r", "a", "X" * 137, 100)]
    counter.flow.on_code(SIGNED, "camera")
    qtbot.waitUntil(lambda: counter.flow.phase == "verdict")
    assert window.sounds.played[-1] == "refused"  # asked for, even with no audio device here
    window.verdict.detail.setText(long)
    window.resize(*screen)
    qtbot.wait(50)
    assert window.width() <= screen[0] and window.height() <= screen[1]
    assert window.minimumSizeHint().width() <= screen[0]
    assert window.minimumSizeHint().height() <= screen[1]


def test_status_bar_shows_offline_pending_and_age(fake, qtbot):
    service, counter = fake
    bar = counter.window.status
    state = ConnectivityState(
        online=False,
        pending_count=3,
        oldest_pending_at=datetime.now(UTC) - timedelta(minutes=12),
        last_good_sync=datetime.now(UTC) - timedelta(hours=1),
    )
    service._state = state
    for listener in service.listeners:
        listener(state)  # as a worker thread would: the bridge hops to the GUI thread
    qtbot.waitUntil(lambda: bar.state is state)
    assert "3" in bar.queue.text() and "12" in bar.queue.text()
    assert bar.line.text().endswith(("Senza connessione", "Offline", bar.line.text()[2:]))
    assert not bar.sync.text() == ""


def test_language_switch_changes_every_text_at_once(fake, qtbot):
    service, counter = fake
    window = counter.window
    service.answers = [NeedsConfirmation(summary())]
    counter.flow.on_code("DH3S-619J-5X4", "usb")
    qtbot.waitUntil(lambda: counter.flow.phase == "confirm")

    def texts() -> list[str]:
        bar = window.actions_bar.buttons
        return [
            window.windowTitle(),
            window.voucher.title.text(),
            window.voucher.rows["value"][0].text(),
            window.voucher.amount_label.text(),
            bar["F2"].text(),
            bar["F4"].text(),
            window.status.line.text(),
            window.code_entry.button.text(),
        ]

    window.set_language("it")
    italian = texts()
    window.set_language("en")
    try:
        english = texts()
        assert english[1] == "Voucher" and "Type code" in english[4]
        assert italian[1] == "Buono" and "Scrivi" in italian[4]
        # every text changed with the switch: no screen keeps a word of the other language
        assert all(it != en for it, en in zip(italian, english, strict=True)), (italian, english)
    finally:
        window.set_language("it")
    assert texts() == italian


def test_keys_f1_help_and_esc_back(fake, qtbot):
    _service, counter = fake
    counter.window.show()
    counter.window.activateWindow()
    qtbot.waitActive(counter.window)
    qtbot.keyClick(counter.window, Qt.Key.Key_F1)
    window = counter.window
    qtbot.waitUntil(lambda: window.about_dialog is not None and window.about_dialog.isVisible())
    qtbot.keyClick(window.about_dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.about_dialog.isVisible())
    _service.answers = [Refused("refused.voucher_used")]
    counter.flow.on_code("ABCD", "usb")
    qtbot.waitUntil(lambda: counter.flow.phase == "verdict")
    qtbot.keyClick(counter.window, Qt.Key.Key_Escape)
    assert counter.flow.phase == "scanning"
