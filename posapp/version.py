"""The app's version, from the installed package's metadata (pyproject.toml is the one source).

A frozen bundle carries the metadata too (the spec copies posapp's dist-info), so `posapp --version`
and the About box say the same thing in a venv, a .deb, an .exe or an .app.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

UNKNOWN = "0+unknown"


def version() -> str:
    """The installed posapp version, or "0+unknown" from a tree that was never installed."""
    try:
        return metadata.version("posapp")
    except metadata.PackageNotFoundError:
        return UNKNOWN


def frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def version_line() -> str:
    """One line for `posapp --version` and logs: the version, Python, Qt binding, OS."""
    try:
        from PySide6 import __version__ as qt_version
    except ImportError:  # the core works without Qt
        qt_version = "-"
    kind = "bundle" if frozen() else "python"
    return (
        f"posapp {version()} ({kind}; Python {platform.python_version()}; "
        f"PySide6 {qt_version}; {platform.system()} {platform.machine()})"
    )
