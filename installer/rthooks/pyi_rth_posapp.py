# PyInstaller runtime hook: Qt finds only the plugins the bundle carries, never a system Qt's.
import os
import sys

_bundle = getattr(sys, "_MEIPASS", None)
if _bundle:
    os.environ.pop("QT_PLUGIN_PATH", None)
    os.environ.pop("QML2_IMPORT_PATH", None)
    os.environ.setdefault("POSAPP_BUNDLE_DIR", _bundle)
