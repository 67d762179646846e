"""build_scan_window: the camera loop and the USB scanner share one cool-down."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from posapp.core.codes import encode_plain
from posapp.core.settings import Settings
from posapp.qt.app import build_scan_window
from posapp.scan.sources import VideoFileSource
from tests.support.qrframes import make_video


def test_a_code_the_camera_just_read_is_not_counted_again_from_the_usb_scanner(qtbot, tmp_path):
    code, other = encode_plain(271_828), encode_plain(161_803)
    video = make_video(tmp_path / "held.avi", [(code, 20)], fps=20)
    window = build_scan_window(
        Settings(), lambda: VideoFileSource(video, loop=True, realtime=True), lang="en"
    )
    qtbot.addWidget(window)
    try:
        window.show()
        window.entry.setFocus()
        with qtbot.waitSignal(window.codeEntered, timeout=10_000) as first:
            pass
        assert first.args == [code, "camera"]
        entered = []
        window.codeEntered.connect(lambda text, source: entered.append((text, source)))
        QTest.keyClicks(window.entry, code)  # the same voucher through the USB scanner
        QTest.keyClick(window.entry, Qt.Key.Key_Return)
        qtbot.wait(300)
        assert entered == []  # one scan, not two
        assert window.entry.text() == ""
        with qtbot.waitSignal(window.codeEntered, timeout=2_000) as second:
            QTest.keyClicks(window.entry, other)
            QTest.keyClick(window.entry, Qt.Key.Key_Return)
        assert second.args == [other, "usb"]
    finally:
        assert window.worker.stop(2_000)
        window.scanner.uninstall()


def test_a_bad_scanner_setting_falls_back_to_the_default_and_says_so(qtbot, tmp_path):
    """A typo in settings.json must not stop the counter from starting."""
    code = encode_plain(314_159)
    video = make_video(tmp_path / "one.avi", [(None, 2), (code, 6), (None, 2)], fps=10)
    settings = Settings()
    settings.scanner.strategy = "zxing+tesseract"
    settings.scanner.confirm_frames = 0
    settings.scanner.keyburst_max_gap_ms = -5
    window = build_scan_window(settings, lambda: VideoFileSource(video), lang="en")
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.codeEntered, timeout=10_000) as got:
            pass
        assert got.args == [code, "camera"]  # the default strategy reads it
        status = window.status_label.text()
        assert "tesseract" in status and "confirm_frames" in status and "keyburst" in status
    finally:
        assert window.worker.stop(2_000)
        window.scanner.uninstall()
