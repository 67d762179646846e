"""The counter's language: Qt's own buttons follow ours, Italian by default on an Italian system
(English on an English one) until the shop chooses, and F1 shows the keys and the About facts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from posapp.core.settings import Settings, data_dir
from posapp.i18n import current_language
from posapp.qt.about_dialog import AboutDialog
from posapp.qt.counter_app import start_language
from posapp.qt.qt_i18n import install_qt_translator, qt_translations_dir
from posapp.version import version
from tests.support.counter_rig import counter, rig  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("qapp")
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
Std = QMessageBox.StandardButton


@pytest.fixture(autouse=True)
def _qt_back_to_english(qapp):
    yield
    install_qt_translator(qapp, "en")  # no Italian Qt buttons leak into the next test


@pytest.fixture
def system(monkeypatch):
    def apply(value: str) -> None:
        for var in LOCALE_VARS:
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("LANG", value)

    return apply


def button_texts(parent) -> dict[str, str]:
    """A real question box, as the app would show one (Yes / No / Cancel are Qt's words)."""
    buttons = Std.Yes | Std.No | Std.Cancel
    box = QMessageBox(QMessageBox.Icon.Question, "posapp", "?", buttons, parent)
    try:
        return {name: box.button(getattr(Std, name)).text() for name in ("Yes", "No", "Cancel")}
    finally:
        box.deleteLater()


def test_pyside6_ships_the_italian_qt_catalog():
    assert (qt_translations_dir() / "qtbase_it.qm").is_file(), qt_translations_dir()


def test_qt_buttons_follow_the_counter_language_switch(counter, qtbot):  # noqa: F811
    window = counter.window
    assert button_texts(window) == {"Yes": "&Sì", "No": "&No", "Cancel": "Annulla"}
    open_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)  # one already on screen
    qtbot.addWidget(open_box)
    assert open_box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Annulla"
    window.set_language("en")
    assert button_texts(window) == {"Yes": "&Yes", "No": "&No", "Cancel": "Cancel"}
    qtbot.waitUntil(
        lambda: open_box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    )
    window.set_language("it")
    assert button_texts(window)["Cancel"] == "Annulla"
    assert window.actions_bar.buttons["F1"].text() == "F1\nAiuto"


def test_a_shop_that_never_chose_gets_the_system_language(system, qapp):
    assert Settings().language == ""  # never chosen: the system decides
    system("en_US.UTF-8")
    assert start_language(None, Settings()) == "en" == current_language()
    assert button_texts(None)["Cancel"] == "Cancel"
    system("it_IT.UTF-8")
    assert start_language(None, Settings()) == "it" == current_language()
    assert button_texts(None)["Cancel"] == "Annulla"


def test_a_chosen_language_persists_over_the_system(system, tmp_path):
    path = tmp_path / "settings.json"
    Settings.load(path).save(path)
    system("en_GB.UTF-8")
    assert start_language(None, Settings.load(path)) == "en"
    chosen = Settings.load(path)
    chosen.language = "it"
    chosen.save(path)
    assert start_language(None, Settings.load(path)) == "it"  # an Italian shop on an English PC
    assert start_language("en", Settings.load(path)) == "en"  # --lang still wins for one run


def test_f1_shows_the_keys_version_and_folders(counter, qtbot):  # noqa: F811
    window = counter.window
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.about_dialog is not None and window.about_dialog.isVisible())
    dialog = window.about_dialog
    assert isinstance(dialog, AboutDialog)
    assert dialog.windowTitle() == "Aiuto e informazioni"
    assert version() in dialog.about.text()
    assert "python" not in dialog.about.text().lower()  # the shopkeeper reads this box
    assert "pyside" not in dialog.about.text().lower()
    assert str(data_dir()) in dialog.folders.text()
    assert str(data_dir() / "logs") in dialog.folders.text()
    assert "Cartella dei dati" in dialog.folders.text()
    assert "F6" in dialog.keys.text() and "F10" in dialog.keys.text()
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    assert close.text() == "Chiudi"  # Qt's own word, from Qt's Italian catalog
    assert dialog.width() <= 1366
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert QApplication.activeModalWidget() is None
    assert counter.flow.phase == "scanning"  # the dialog never touched the scan flow
