# PyInstaller runtime hook: let pyzbar find the ZBar library inside the bundle.
#
# pyzbar loads ZBar with ctypes: on Windows from the DLLs next to its own module (the spec collects
# them into pyzbar/), elsewhere through ctypes.util.find_library("zbar"), which knows nothing of the
# bundle. The macOS bundle carries libzbar.dylib at its top; Debian/Ubuntu use the system libzbar0
# (a dependency of the .deb). This hook runs before any app code imports pyzbar.
import ctypes.util
import os
import sys

_bundle = getattr(sys, "_MEIPASS", None)
_original = ctypes.util.find_library


def _find_library(name):
    if name == "zbar" and _bundle:
        for candidate in ("libzbar.dylib", "libzbar.0.dylib", "libzbar.so.0"):
            path = os.path.join(_bundle, candidate)
            if os.path.exists(path):
                return path
    return _original(name)


ctypes.util.find_library = _find_library
