"""Where the files the app reads at run time are: the same answer from a source checkout and from
the PyInstaller one-folder bundle, so a till built by the installer finds its sounds, catalogs and
contract exactly where a developer's checkout does.

Paths are given from the root that holds both `resources/` and the `posapp/` package: in a
checkout that is the repository (the parent of the package folder); in a bundle it is the folder
PyInstaller unpacks its data into (`sys._MEIPASS`, `dist/posapp/_internal`), where
installer/posapp.spec copies `resources/` and the package data under the same relative paths.
Qt-free and import-light: posapp.i18n, the core and the sandbox use it.
"""

from __future__ import annotations

import sys
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent

# Every folder the app reads at run time, from the root (tests check that the bundle has each).
SOUNDS = ("resources", "sounds")
ICONS = ("resources", "icons")
LOCALE = ("posapp", "locale")
CONTRACT = ("posapp", "contract")
USED: dict[str, tuple[str, ...]] = {
    "sounds": SOUNDS,
    "icons": ICONS,
    "locale": LOCALE,
    "contract": CONTRACT,
}


def root() -> Path:
    """The bundle's data folder when frozen (PyInstaller's `sys._MEIPASS`, else the folder of
    the executable), the source tree otherwise."""
    if getattr(sys, "frozen", False):
        bundle = getattr(sys, "_MEIPASS", None)
        return Path(bundle) if bundle else Path(sys.executable).resolve().parent
    return _SOURCE_ROOT


def resource_path(*parts: str) -> Path:
    """The path of a run-time file or folder, e.g. `resource_path("resources", "sounds")` or
    `resource_path(*LOCALE)`. It may not exist (a stripped install): callers check and degrade."""
    return root().joinpath(*parts)


__all__ = ["CONTRACT", "ICONS", "LOCALE", "SOUNDS", "USED", "resource_path", "root"]
