"""Qt bootstrap: the QApplication and the scan window wired to its parts.

`python -m posapp.qt.app [--video FILE | --images DIR | --camera N] [--lang en]` opens the scan
window (the shell the counter window will grow from); `--screenshot PNG` saves it and quits.
The PySide6 Signal.emit work-around lives in posapp/qt/emit_fix.py (re-exported here).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from posapp.i18n import _, chosen_or_system
from posapp.qt.emit_fix import fix_signal_emit_refcount

if TYPE_CHECKING:
    from posapp.core.settings import Settings
    from posapp.qt.scan_window import ScanWindow
    from posapp.scan.sources import FrameSource

T = TypeVar("T")
log = logging.getLogger("posapp.qt.app")


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    """The one QApplication, created once, named so Qt paths and settings are the app's."""
    fix_signal_emit_refcount()
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("posapp")
    app.setOrganizationName("posapp")
    return app  # type: ignore[return-value]


@dataclass
class Scanning:
    """The scanning parts a window wires: the worker (None without a decoder library), the USB
    filter, the words to show when the camera cannot decode, and settings refused.

    `camera_index` is the camera the worker reads (None when it reads a fixed source: a video, a
    folder of images); `use_camera(index)` switches the running worker to another one."""

    worker: Any
    scanner: Any
    problem: str = ""
    bad_settings: list[str] = field(default_factory=list)
    camera_index: int | None = None
    strategy_spec: str = ""  # the decoder setting the worker was given

    def use_strategy(self, spec: str) -> bool:
        """Settings saved with another decoder: the worker decodes with it from now on. A spec
        that cannot be used (a library missing) keeps the one in use, and says so in the log."""
        from posapp.scan.decoders import DecoderUnavailable
        from posapp.scan.strategy import make_strategy

        if self.worker is None or spec == self.strategy_spec:
            return False
        try:
            strategy = make_strategy(spec)
        except (ValueError, DecoderUnavailable):  # the decoder in use goes on
            log.warning("decoder setting %r cannot be used: keeping %r", spec, self.strategy_spec)
            return False
        self.strategy_spec = spec
        self.worker.set_strategy(strategy)
        return True

    def use_camera(self, index: int) -> bool:
        """Settings saved with another camera: the worker opens it now (no restart of the app,
        no wait on the GUI thread). False when nothing changes."""
        if self.camera_index is None or index == self.camera_index:
            return False
        self.camera_index = index  # read by the source factory on the worker's thread
        if self.worker is not None:
            self.worker.switch_source()
        return True


def make_scanning(
    settings: Settings,
    source_factory: Callable[[], FrameSource] | None = None,
    lang: str | None = None,
    camera_source: Callable[[int], FrameSource] | None = None,
) -> Scanning:
    """The ScanWorker and the UsbScannerFilter from the typed settings (the worker not started).

    `source_factory`: a fixed source (a video, a folder of images); else the camera of the
    settings, opened by `camera_source(index)` (a CameraSource by default), switchable later with
    `Scanning.use_camera`. A missing decoder library leaves no worker: the USB scanner and typing
    still work, and `problem` says what is missing.
    """
    from posapp.qt.scan_worker import ScanWorker
    from posapp.qt.usb_scanner import UsbScannerFilter
    from posapp.scan.confirm import ScanConfirmer
    from posapp.scan.decoders import DecoderUnavailable
    from posapp.scan.keyburst import KeyBurstDetector
    from posapp.scan.sources import CameraSource
    from posapp.scan.strategy import make_strategy

    lang = lang or chosen_or_system(settings.language)
    sc = settings.scanner
    app = make_application()
    parts = Scanning(None, None)
    if source_factory is None:
        parts.camera_index = sc.camera_index
        open_camera = camera_source or (
            lambda index: CameraSource(index, sc.width, sc.height, sc.fps)
        )

        def source_factory() -> FrameSource:
            return open_camera(parts.camera_index)

    bad: list[str] = []  # settings.json values refused: the defaults are used, and shown

    def or_default(name: str, make: Callable[[Any], T], value: Any, default: Any) -> T:
        try:
            return make(value)
        except ValueError:
            bad.append(f"scanner.{name} = {value!r}")
            return make(default)

    defaults = type(sc)()
    confirmer = or_default(  # one cool-down for the camera and the USB scanner
        "confirm_frames",
        lambda n: ScanConfirmer(n, sc.cooldown_s),
        sc.confirm_frames,
        defaults.confirm_frames,
    )
    detector = or_default(
        "keyburst_max_gap_ms/keyburst_min_length",
        lambda gap_len: KeyBurstDetector(*gap_len),
        (sc.keyburst_max_gap_ms, sc.keyburst_min_length),
        (defaults.keyburst_max_gap_ms, defaults.keyburst_min_length),
    )
    parts.scanner = UsbScannerFilter(detector, parent=app, confirmer=confirmer).install(app)
    parts.bad_settings = bad
    try:
        strategy = or_default("strategy", make_strategy, sc.strategy, defaults.strategy)
    except DecoderUnavailable as exc:
        parts.problem = str(exc)
        return parts
    worker = ScanWorker(source_factory, strategy, confirmer, lang=lang, parent=app)
    app.aboutToQuit.connect(lambda: worker.stop(3000))
    parts.worker, parts.strategy_spec = worker, sc.strategy
    return parts


def build_scan_window(
    settings: Settings,
    source_factory: Callable[[], FrameSource] | None = None,
    lang: str | None = None,
) -> ScanWindow:
    """The scan window (a diagnostic view of the scanners) with its worker started."""
    from posapp.qt.scan_window import ScanWindow

    lang = lang or chosen_or_system(settings.language)
    parts = make_scanning(settings, source_factory, lang)
    window = ScanWindow(parts.worker, parts.scanner, lang=lang)
    if parts.problem:
        window.show_status(parts.problem)
    if parts.bad_settings:
        window.show_notice(window.text("bad_settings").format(names=", ".join(parts.bad_settings)))
    if parts.worker is not None:
        parts.worker.start()
    return window


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="posapp scan",
        description=_(
            "Open the scan window: what the camera, a video file or a folder of images shows, the "
            "codes read, and a field to type a code. A view of the scanners, for checking a camera "
            "and its decoders."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--camera", type=int, help=_("camera number (default: from the settings)"))
    source.add_argument("--video", type=Path, help=_("play a video file as the camera (looped)"))
    source.add_argument(
        "--images",
        type=Path,
        help=_("a folder of images as the camera (2 a second, each image read once)"),
    )
    parser.add_argument("--lang", choices=("it", "en"), help=_("interface language"))
    parser.add_argument("--screenshot", type=Path, help=_("save the window as PNG and quit"))
    parser.add_argument("--after", type=float, default=3.0, help=_("seconds before the screenshot"))
    args = parser.parse_args(argv)
    from posapp.qt.display import display_problem

    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2

    from posapp.core.settings import Settings
    from posapp.qt.qt_i18n import apply_language
    from posapp.scan.sources import VideoFileSource, still_images

    app = make_application()
    apply_language(args.lang)  # Qt's own words in the language in force (or --lang)
    settings = Settings.load()
    if args.camera is not None:
        settings.scanner.camera_index = args.camera
    factory: Callable[[], FrameSource] | None = None
    if args.video:
        video = args.video

        def factory() -> FrameSource:
            return VideoFileSource(video, loop=True, realtime=True)

    elif args.images:
        folder = args.images

        def factory() -> FrameSource:
            return still_images(folder)  # each image read once, then a status (not looped)

    window = build_scan_window(settings, factory, args.lang)
    window.resize(1100, 560)
    window.show()
    if args.screenshot:
        target = args.screenshot

        def shoot() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(target))
            app.quit()

        QTimer.singleShot(int(args.after * 1000), shoot)
    return app.exec()


__all__ = ["build_scan_window", "fix_signal_emit_refcount", "main", "make_application"]

if __name__ == "__main__":
    raise SystemExit(main())
