"""A missing camera, a damaged database, a bug on a worker thread: plain words, work goes on."""

from __future__ import annotations

import threading

import pytest

from posapp.core.service import PosService
from posapp.qt.app import make_scanning
from posapp.qt.counter_app import build_counter, start_problem_words
from posapp.scan.sources import CameraUnavailable, FrameSource
from tests.support.counter_rig import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("qapp")


class NoCamera(FrameSource):
    live = True
    finished = False
    fps = None

    def open(self) -> None:
        raise CameraUnavailable("Nessuna fotocamera trovata / No camera found")

    def read(self):
        return None

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "camera 0"


def test_no_camera_says_so_and_typing_a_code_still_redeems(rig, qtbot):  # noqa: F811
    voucher = rig.voucher(500)
    counter = build_counter(rig.service, rig.settings, make_scanning(rig.settings, NoCamera))
    qtbot.addWidget(counter.window)
    try:
        qtbot.waitUntil(lambda: "F2" in counter.window.preview._message, timeout=10_000)
        entry = counter.window.code_entry
        entry.field.setText(voucher["code"])
        entry.submit()
        qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=10_000)
        counter.window.confirm()
        qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=10_000)
        assert counter.flow.verdict.tone == "ok"
        assert len(rig.redemptions()) == 1
    finally:
        counter.close()


def test_a_damaged_database_gives_words_and_a_way_forward(tmp_path):
    broken = tmp_path / "till.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(Exception) as caught:
        PosService.open([], lambda _a: None, db_path=broken)
    words = start_problem_words(caught.value)
    assert "sqlite" not in words.lower() and "Traceback" not in words
    assert str(broken) not in words and "db_" not in words
    assert len(words) > 20


def test_a_bug_on_a_worker_thread_becomes_words_on_screen(rig, qtbot):  # noqa: F811
    counter = build_counter(rig.service, rig.settings, None)
    qtbot.addWidget(counter.window)
    try:
        thread = threading.Thread(target=lambda: 1 / 0, name="buggy")
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=5_000)
        assert counter.flow.verdict.tone == "attention"
        assert "ZeroDivision" not in counter.flow.verdict.detail
    finally:
        counter.close()
