"""`posapp demo` with a screen: the real counter window on the built-in sandbox, with a script.

The sandbox runs on a free loopback port; the till pairs with it by itself (token in an in-memory
keyring); when no camera opens, a video of the demo's voucher cards plays through the real scan
pipeline. The counter confirms each voucher by itself after a moment (Enter does it sooner), so a
newcomer sees a scan, the voucher's details, each kind of verdict, then an outage: the platform
really stops after the fifth verdict, two vouchers are accepted offline (orange, the status line
counts them), the platform comes back and the sync catches up. F12 (or its button) cuts and
restores the line by hand at any time.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

from posapp.i18n import _
from posapp.qt.verdicts import INFO, Verdict, money

log = logging.getLogger("posapp.demo")
CUT_AFTER = 5  # verdicts before the scripted outage
RESTORE_AFTER = 7  # verdicts before the line comes back (or RESTORE_S seconds)
RESTORE_S = 25.0


def demo_cards(vouchers: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The video's order: green, red, red, green (partly used), red, then two signed codes for
    the outage (orange), then a revoked one. Captions (for the viewer only) are in the demo's
    language, amounts as the counter writes them ("€ 10,00")."""

    def pick(pred) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
        return next((v for v in vouchers if pred(v)), None)

    def value(words: str) -> Callable[[dict[str, Any]], str]:
        return lambda v: words.format(amount=money(v["face_value_cents"]))

    def same(words: str) -> Callable[[dict[str, Any]], str]:
        return lambda _v: words

    valid = [v for v in vouchers if v["state"] == "valid"]
    plan = [
        (
            pick(lambda v: v["state"] == "valid" and not v["partial_allowed"]),
            "code",
            value(_("Voucher {amount}")),
        ),
        (pick(lambda v: v["state"] == "used"), "code", same(_("Used voucher"))),
        (pick(lambda v: v["state"] == "expired"), "code", same(_("Expired voucher"))),
        (pick(lambda v: v["state"] == "partly_used"), "code", same(_("Partly used voucher"))),
        (pick(lambda v: v["state"] == "cancelled"), "code", same(_("Cancelled voucher"))),
        (valid[1] if len(valid) > 1 else None, "signed_code", value(_("Signed voucher {amount}"))),
        (valid[2] if len(valid) > 2 else None, "signed_code", value(_("Signed voucher {amount}"))),
        (pick(lambda v: "revoked" in v["state"]), "code", same(_("Revoked voucher"))),
    ]
    return [(v[field], caption(v)) for v, field, caption in plan if v is not None]


def qt_caption(text: str, width: int, height: int) -> np.ndarray:
    """A voucher card's caption in a real font ("€", accents: OpenCV's fonts have neither), BGR,
    shrunk to fit the card's width."""
    image = QImage(width, height, QImage.Format.Format_RGB888)
    image.fill(QColor("white"))
    font = QFont()
    font.setPixelSize(max(8, int(height * 0.6)))
    while QFontMetrics(font).horizontalAdvance(text) > width - 12 and font.pixelSize() > 8:
        font.setPixelSize(font.pixelSize() - 1)
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor(40, 40, 40))
    painter.drawText(
        image.rect().adjusted(6, 0, -6, 0),
        int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
        text,
    )
    painter.end()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())
    rgb = rows[:, : width * 3].reshape(height, width, 3)
    return np.ascontiguousarray(rgb[:, :, ::-1])  # RGB -> BGR


class DemoDirector(QObject):
    """Cuts and restores the line: by the script (counting verdicts) or by F12."""

    def __init__(self, counter: Any, service: Any, server_holder: list, workdir: Path) -> None:
        super().__init__(counter.window)
        self.counter, self.service, self.workdir = counter, service, workdir
        self.servers = server_holder  # [SandboxServer]: replaced when the line comes back
        self.port = server_holder[0].port
        self.verdicts = 0
        self.cut = False
        self.scripted_done = False
        self._busy = False
        self._restore_timer = QTimer(self, singleShot=True, interval=int(RESTORE_S * 1000))
        self._restore_timer.timeout.connect(self.restore)
        counter.flow.verdictShown.connect(self._on_verdict)

    @Slot(object)
    def _on_verdict(self, verdict: Verdict) -> None:
        if self.counter.flow.phase != "verdict" or self.scripted_done or verdict.tone == INFO:
            return
        self.verdicts += 1
        if self.verdicts == CUT_AFTER and not self.cut:
            QTimer.singleShot(2000, self._scripted_cut)  # let the viewer read this verdict
        elif self.verdicts >= RESTORE_AFTER and self.cut:
            self.scripted_done = True
            QTimer.singleShot(2500, self.restore)

    def _scripted_cut(self) -> None:
        if not self.scripted_done:
            self.cut_line()
            self._restore_timer.start()

    @Slot()
    def toggle(self) -> None:
        self.scripted_done = True  # the viewer took over
        self._restore_timer.stop()
        if self.cut:
            self.restore()
        else:
            self.cut_line()

    def cut_line(self) -> None:
        if self.cut or self._busy:
            return
        self.cut, self._busy = True, True
        self._say(_("Line cut"), _("The platform is stopped: vouchers are accepted offline."))
        self.counter.bridge.run(self.servers[0].stop, on_done=self._done)

    def restore(self) -> None:
        if not self.cut or self._busy:
            return
        self._busy = True
        self._restore_timer.stop()
        self.counter.bridge.run(self._start_again, on_done=self._restored)

    def _start_again(self) -> None:
        from posapp.sandbox.server import SandboxServer

        self.servers[0] = SandboxServer(self.workdir / "sandbox", port=self.port).start()

    def _restored(self, _result: object) -> None:
        self.cut, self._busy = False, False
        self._say(_("Line back"), _("The till sends what it accepted offline."))
        self.service.wake()
        self.counter.bridge.sync_now()

    def _done(self, _result: object) -> None:
        self._busy = False

    def _say(self, headline: str, detail: str) -> None:
        self.counter.flow.notify(Verdict(INFO, headline, detail))


def run_window(workdir: Path, lang: str, camera: int | None = None) -> int:
    """The demo with its window; returns the exit code when the window is closed."""
    from posapp.core.accounts import AccountDirectory
    from posapp.core.credentials import TokenStore
    from posapp.core.service import PosService
    from posapp.core.settings import Settings
    from posapp.demo_video import make_demo_video
    from posapp.qt.app import make_application, make_scanning
    from posapp.qt.counter_app import build_counter
    from posapp.qt.qt_i18n import apply_language
    from posapp.sandbox.demo import demo_vouchers
    from posapp.sandbox.server import SandboxServer
    from posapp.scan.sources import CameraSource, VideoFileSource

    os.environ["POSAPP_DATA_DIR"] = str(workdir)  # operators, exports, logs: the demo's folder
    app = make_application()
    apply_language(lang)
    server = SandboxServer(workdir / "sandbox", fresh=True).start()
    servers = [server]
    shop = server.store.shops()[0]
    code = server.store.new_pairing_code(shop["shop_id"])
    tokens = TokenStore()
    account = AccountDirectory(workdir / "accounts.json").pair(server.url, code, "Cassa 1", tokens)
    settings = Settings.load()
    settings.language = lang
    service = PosService.open(
        [account], tokens.get, settings, db_path=workdir / "posapp.sqlite3", timeout=(1.0, 2.0)
    )
    service.sync_interval_s = 5.0
    service.sync_now()
    service.start()
    vouchers = [v for v in demo_vouchers(server.store) if v["shop_id"] == shop["shop_id"]]
    source_factory = None
    if camera is not None or _camera_opens(settings.scanner.camera_index):
        index = settings.scanner.camera_index if camera is None else camera
        sc = settings.scanner

        def source_factory() -> CameraSource:
            return CameraSource(index, sc.width, sc.height, sc.fps)

    else:
        video = make_demo_video(
            workdir / "demo-vouchers.avi", demo_cards(vouchers), caption_image=qt_caption
        )

        def source_factory() -> VideoFileSource:  # type: ignore[misc]
            return VideoFileSource(video, loop=True, realtime=True)

    director_box: list[DemoDirector] = []
    from posapp.qt.counter_extras import CounterExtras

    extras = CounterExtras(service, settings)
    counter = build_counter(
        service,
        settings,
        make_scanning(settings, source_factory, lang),
        extra_actions={**extras.actions(), "F12": lambda: director_box[0].toggle()},
        auto_confirm_s=2.5,
        verdict_s=3.0,
    )
    extras.attach(counter)
    director_box.append(DemoDirector(counter, service, servers, workdir))
    counter.window.setWindowTitle(_("posapp · Counter (demo on the built-in sandbox)"))
    counter.window.show()
    extras.start()  # a demo folder with operators asks who is at the till, as a shop would
    try:
        return app.exec()
    finally:
        counter.close()
        service.close()
        servers[0].stop()


def _camera_opens(index: int) -> bool:
    """A quick look for a camera, quietly (OpenCV's own warnings stay off the terminal)."""
    import cv2

    if sys.platform.startswith("linux") and not (Path("/dev") / f"video{index}").exists():
        return False
    cap = cv2.VideoCapture(index)
    try:
        return bool(cap.isOpened() and cap.read()[0])
    finally:
        cap.release()
