"""The scan window: manual entry, camera codes and errors arriving through the worker's signals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from posapp.i18n import tr
from posapp.qt.scan_window import STRINGS, ScanWindow
from posapp.qt.scan_worker import ScanWorker
from posapp.scan.confirm import ScanConfirmer
from posapp.scan.sources import VideoFileSource
from posapp.scan.strategy import make_strategy
from tests.support.qrframes import make_video, payload_text


@pytest.fixture
def window(qtbot):
    win = ScanWindow()
    qtbot.addWidget(win)
    win.show()
    return win


def test_manual_entry_and_button(qtbot, window):
    QTest.keyClicks(window.entry, "  7k3m-9qxt-20a ")
    with qtbot.waitSignal(window.codeEntered, timeout=1_000) as got:
        QTest.mouseClick(window.enter_button, Qt.MouseButton.LeftButton)
    assert got.args == ["7k3m-9qxt-20a", "manual"]
    assert window.entry.text() == ""
    assert "7k3m-9qxt-20a" in window.code_label.text()
    assert "scritto a mano" in window.code_label.text()


def test_manual_entry_with_enter_key(qtbot, window):
    QTest.keyClicks(window.entry, "ABCD-EFGH-123")
    with qtbot.waitSignal(window.codeEntered, timeout=1_000) as got:
        QTest.keyClick(window.entry, Qt.Key.Key_Return)
    assert got.args == ["ABCD-EFGH-123", "manual"]


def test_empty_entry_emits_nothing_and_says_why(qtbot, window):
    with qtbot.assertNotEmitted(window.codeEntered):
        QTest.mouseClick(window.enter_button, Qt.MouseButton.LeftButton)
    assert window.status_label.text().startswith(tr(STRINGS["empty"], "it"))


def test_italian_by_default_english_on_request(qtbot):
    english = ScanWindow(lang="en")
    qtbot.addWidget(english)
    italian = ScanWindow()
    qtbot.addWidget(italian)
    assert english.enter_button.text() == "Enter code"
    assert italian.enter_button.text() == "Inserisci codice"
    assert english.text("ready").format(source="x") == "Ready: x"


def test_verdict_tones(window):
    window.show_verdict("Accettato", "ABCD", "ok")
    assert window.code_label.text() == "ABCD"
    assert window.verdict_label.text() == "Accettato"
    assert "#2e7d32" in window.verdict_label.styleSheet()
    window.show_verdict("Rifiutato", "", "error")
    assert "#c62828" in window.verdict_label.styleSheet()


def test_camera_codes_preview_and_errors_reach_the_window(qtbot, tmp_path):
    code = payload_text("plain", 11)
    video = make_video(tmp_path / "one.avi", [(None, 4), (code, 8), (None, 4)])
    worker = ScanWorker(lambda: VideoFileSource(video), make_strategy(), ScanConfirmer(2, 4.0))
    win = ScanWindow(worker)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.codeEntered, timeout=10_000) as got:
        worker.start()
    assert got.args == [code, "camera"]
    qtbot.waitUntil(worker.isFinished, timeout=10_000)
    qtbot.waitUntil(lambda: not win.preview_label.pixmap().isNull(), timeout=2_000)
    assert "one.avi" in win.status_label.text()

    missing = ScanWorker(
        lambda: VideoFileSource(tmp_path / "x.avi"), make_strategy(), ScanConfirmer()
    )
    win2 = ScanWindow(missing)
    qtbot.addWidget(win2)
    with qtbot.waitSignal(missing.finished, timeout=5_000):
        missing.start()
    qtbot.waitUntil(lambda: "non trovato" in win2.status_label.text(), timeout=2_000)


def test_scanned_text_is_shown_escaped(qtbot, window):
    QTest.keyClicks(window.entry, "<b>x</b>")
    QTest.keyClick(window.entry, Qt.Key.Key_Return)
    assert "&lt;b&gt;x&lt;/b&gt;" in window.code_label.text()
