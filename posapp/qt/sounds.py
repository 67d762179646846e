"""The verdict sounds: accepted, attention, refused (resources/sounds/*.wav, made by
scripts/make_sounds.py). A till without an audio device, without QtMultimedia or without the files
stays silent and works: sound is a help, never a reason to fail.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl

from posapp.resources import SOUNDS, resource_path

log = logging.getLogger("posapp.qt.sounds")
SOUNDS_DIR = resource_path(*SOUNDS)  # the source tree or the installed bundle
KINDS = ("accepted", "attention", "refused")


class Sounds(QObject):
    def __init__(
        self, enabled: bool = True, folder: Path = SOUNDS_DIR, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self.played: list[str] = []  # what was asked for (tests; the device may be missing)
        self._effects: dict[str, object] = {}
        if not enabled:
            return  # not even QtMultimedia's start-up: a silent till loads no audio backend
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:  # Qt without its multimedia module: silent
            log.info("QtMultimedia not available: verdicts are silent")
            return
        for kind in KINDS:
            path = folder / f"{kind}.wav"
            if not path.is_file():
                continue
            try:
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.setVolume(0.8)
            except Exception:  # no audio device, or a backend refusing: silent, not broken
                log.info("sound %s unavailable", kind, exc_info=True)
                continue
            self._effects[kind] = effect

    def play(self, kind: str | None) -> None:
        if not kind or not self.enabled:
            return
        self.played.append(kind)
        effect = self._effects.get(kind)
        if effect is None:
            return
        try:
            effect.play()  # type: ignore[attr-defined]
        except Exception:
            log.info("sound %s could not play", kind, exc_info=True)
