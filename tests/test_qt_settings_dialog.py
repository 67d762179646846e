"""The settings dialog: camera by name with a live preview (a video file as the camera), saving
the typed Settings, the language applied at once, and the offline caps behind the owner's PIN."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication

from posapp.core.operators import OperatorBook
from posapp.core.settings import Settings
from posapp.i18n import current_language, set_language
from posapp.qt.pin_dialog import PinDialog
from posapp.qt.settings_dialog import SettingsDialog
from posapp.scan.sources import VideoFileSource
from tests.support.media import noise_video
from tests.support.staff import maria_and_luca

CAMERAS = [(0, "Integrated Camera"), (1, "USB Camera HD")]


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("it")


@pytest.fixture
def video(tmp_path: Path) -> Path:
    return noise_video(tmp_path / "camera.avi", seed=1)


@pytest.fixture
def book(_isolated_data_dir) -> OperatorBook:
    return maria_and_luca()


_OPEN: list[SettingsDialog] = []


@pytest.fixture(autouse=True)
def _close_dialogs():
    """Close every dialog (and so release its camera) before its Python object goes away."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def _dialog(qtbot, video, book, operator=None, settings=None, path=None) -> SettingsDialog:
    opened = []

    def factory(index: int):
        opened.append(index)
        return VideoFileSource(video, loop=True, realtime=True)

    d = SettingsDialog(
        settings or Settings(),
        book,
        operator,
        path=path,
        cameras=lambda: CAMERAS,
        source_factory=factory,
    )
    d.opened = opened
    _OPEN.append(d)
    qtbot.addWidget(d)
    d.show()
    return d


def test_camera_by_name_preview_and_save(qtbot, video, book, tmp_path):
    path = tmp_path / "settings.json"
    d = _dialog(qtbot, video, book, path=path)
    qtbot.waitUntil(lambda: d.camera.count() == 2)
    qtbot.waitUntil(lambda: d.preview.frames_shown >= 2, timeout=10_000)
    d.camera.setCurrentIndex(d.camera.findText("USB Camera HD"))
    qtbot.waitUntil(lambda: d.opened[-1] == 1 and d.preview.frames_shown >= 1, timeout=10_000)
    d.strategy.setCurrentIndex(d.strategy.findData("zxing"))
    for box in (d.sound, d.print_slip):  # click on the tick box itself, not the row's middle
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    with qtbot.waitSignal(d.saved, timeout=10_000) as signal:
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    stored = Settings.load(path)
    assert stored == signal.args[0]
    assert (stored.scanner.camera_index, stored.scanner.camera_name) == (1, "USB Camera HD")
    assert stored.scanner.strategy == "zxing" and stored.sound is False and stored.print_slip
    assert stored.offline == Settings().offline  # locked: untouched
    qtbot.waitUntil(lambda: d.preview._thread is None)  # camera released on close


def test_camera_remembered_by_name_when_indices_move(qtbot, video, book):
    settings = Settings()
    settings.scanner.camera_index, settings.scanner.camera_name = 0, "USB Camera HD"
    d = _dialog(qtbot, video, book, settings=settings)
    qtbot.waitUntil(lambda: d.camera.count() == 2)
    assert d.camera.currentText() == "USB Camera HD" and d.camera.currentData() == 1


def test_language_applies_at_once_and_cancel_takes_it_back(qtbot, video, book):
    d = _dialog(qtbot, video, book)
    with qtbot.waitSignal(d.languageChanged) as signal:
        d.language.setCurrentIndex(d.language.findData("it"))
    assert signal.args == ["it"] and current_language() == "it"
    assert d.language.currentData() == "it"  # the rebuilt form keeps the choice
    with qtbot.waitSignal(d.languageChanged) as signal:
        qtbot.mouseClick(d.cancel_button, Qt.MouseButton.LeftButton)
    assert signal.args == ["en"] and current_language() == "en"


def _answer_pin(qtbot, pins: list[str]) -> list[str]:
    """Type each PIN into the modal PinDialog in turn; returns the messages it showed."""
    seen: list[str] = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PinDialog):
            QTimer.singleShot(20, act)
            return
        pin = pins.pop(0)
        qtbot.keyClicks(dialog.pad.field, pin)
        qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
        QTimer.singleShot(20, lambda: after(dialog))

    def after(dialog: PinDialog) -> None:
        """The PIN is checked on a worker: poll until the answer is on screen."""
        if dialog.busy:
            QTimer.singleShot(20, lambda: after(dialog))
            return
        seen.append(dialog.message.text())
        if pins:
            act()

    QTimer.singleShot(0, act)
    return seen


def test_owner_pin_unlocks_the_caps(qtbot, video, book, tmp_path):
    path = tmp_path / "settings.json"
    d = _dialog(qtbot, video, book, path=path)
    assert not hasattr(d, "cap_value")
    seen = _answer_pin(qtbot, ["1357", "4821"])  # Luca's PIN is not an owner's
    qtbot.mouseClick(d.unlock_button, Qt.MouseButton.LeftButton)
    assert seen[0] == "Wrong PIN."
    assert d.owner is not None and d.owner.name == "Maria"
    d.cap_value.setText("abc")
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert "in euros" in d.message.text() and not path.exists()
    d.cap_value.setText("50,00")
    d.cap_count.setValue(20)
    with qtbot.waitSignal(d.saved, timeout=10_000):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    caps = Settings.load(path).offline
    assert caps.max_value_per_redemption_cents == 5000 and caps.max_pending_count == 20


def test_wrong_pin_then_cancel_keeps_it_locked(qtbot, video, book):
    d = _dialog(qtbot, video, book)
    seen: list[str] = []

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PinDialog):
            QTimer.singleShot(20, cancel)
            return
        qtbot.keyClicks(dialog.pad.field, "0000")
        qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
        QTimer.singleShot(20, lambda: answered(dialog))

    def answered(dialog: PinDialog) -> None:
        if dialog.busy:
            QTimer.singleShot(20, lambda: answered(dialog))
            return
        seen.append(dialog.message.text())
        dialog.reject()

    QTimer.singleShot(0, cancel)
    qtbot.mouseClick(d.unlock_button, Qt.MouseButton.LeftButton)
    assert seen == ["Wrong PIN."]
    assert d.owner is None and not hasattr(d, "cap_value")


def test_a_cashier_does_not_unlock_the_owner_tab(qtbot, video, book):
    luca = book.by_name("Luca")
    d = _dialog(qtbot, video, book, operator=luca)
    assert d.owner is None and not d.unlock_button.isHidden()
    d.unlocked(luca)  # even if handed a cashier, nothing opens
    assert not hasattr(d, "cap_value")
    d2 = _dialog(qtbot, video, book, operator=book.by_name("Maria"))
    assert d2.cap_count.value() == Settings().offline.max_pending_count


def test_every_offered_strategy_is_a_valid_spec():
    from posapp.qt.settings_dialog import STRATEGIES
    from posapp.scan.strategy import make_strategy

    for spec in STRATEGIES:
        make_strategy(spec)  # a malformed spec raises ValueError


def test_enter_in_a_field_neither_saves_nor_closes(qtbot, video, book, tmp_path):
    path = tmp_path / "settings.json"
    d = _dialog(qtbot, video, book, operator=book.by_name("Maria"), path=path)
    d.tabs.setCurrentIndex(1)
    for field in (d.cap_value, d.operators_page.name):
        field.setFocus()
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert d.isVisible() and not path.exists()
    assert [o.name for o in book.operators()] == ["Maria", "Luca"]


def test_a_till_without_owner_creates_one_in_the_settings(qtbot, video, _isolated_data_dir):
    book = OperatorBook()  # paired before operators existed: nobody can type an owner's PIN
    d = _dialog(qtbot, video, book)
    form = d.owner_form
    qtbot.keyClicks(form.name, "Maria")
    qtbot.keyClicks(form.pin, "4821")
    qtbot.keyClicks(form.pin_again, "4822")
    qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)
    assert form.message.text() == "The two PINs differ." and book.is_empty()
    form.pin_again.setText("4821")
    qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)
    assert d.owner is not None and d.owner.name == "Maria" and hasattr(d, "cap_value")
    assert OperatorBook().by_name("Maria").is_owner


class _TillScreen:
    """A 1024x600 till screen less a 40 px panel (the offscreen platform's own is 800x800)."""

    @staticmethod
    def availableGeometry() -> QRect:
        return QRect(0, 0, 1024, 560)


def test_the_dialog_opens_within_the_screen(qtbot, video, book, monkeypatch):
    # it asked for 720x640 whatever the screen: on a 1024x600 till Save and Cancel were below it
    monkeypatch.setattr(SettingsDialog, "screen", lambda self: _TillScreen())
    d = _dialog(qtbot, video, book)
    assert d.width() <= 1024 and d.height() <= 560
    assert d.save_button.isVisible()
