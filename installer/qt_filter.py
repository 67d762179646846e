"""Which parts of PySide6 and of the Python stack the bundle leaves out (used by posapp.spec).

Measured on the full PySide6 6.11 wheels (Essentials + Addons, ~650 MB installed): the till uses
QtCore, QtGui, QtWidgets, QtMultimedia (verdict sounds; the FFmpeg plugin for camera names),
QtPrintSupport (the customer slip), QtSvg (icons) and maybe QtCharts. Everything else is dropped by
module (EXCLUDED_MODULES, so PyInstaller never analyses it) and by file (keep_entry), because
PyInstaller's Qt hooks collect whole plugin folders and every translation of a module.
"""

from __future__ import annotations

import os
import posixpath
import re

# Python packages of the test and development install, and Qt modules the till never imports.
EXCLUDED_MODULES = [
    *"""tkinter _tkinter pytest _pytest pytestqt hypothesis schemathesis psutil PIL ruff babel pip
    setuptools pkg_resources wheel IPython matplotlib pydoc_data lib2to3 doctest""".split(),
    "yaml",  # uvicorn's optional --log-config YAML support: the till configures logging itself
    # pydantic's debug pretty-printer (pretty_print_core_schema, imported inside the function)
    # pulls rich, and rich pygments and markdown-it: 4 MB of the executable's archive.
    *"rich pygments markdown_it mdurl".split(),
    # numpy's subpackages posapp never touches (numpy imports them only on attribute access;
    # tests/test_installer.py fails when posapp's code starts using one): 3 MB, random's C code.
    *"numpy.random numpy.fft numpy.polynomial numpy.f2py numpy.testing".split(),
    *(
        f"PySide6.{m}"
        for m in """QtQml QtQuick QtQuickWidgets QtQuickControls2 QtQuick3D QtQuickTest Qt3DCore
        Qt3DRender Qt3DInput Qt3DLogic Qt3DAnimation Qt3DExtras QtWebEngineCore QtWebEngineWidgets
        QtWebEngineQuick QtWebChannel QtWebSockets QtWebView QtPdf QtPdfWidgets QtDesigner
        QtUiTools QtHelp QtLocation QtPositioning QtBluetooth QtNfc QtSensors QtSerialPort
        QtSerialBus QtSql QtTest QtXml QtRemoteObjects QtScxml QtStateMachine QtTextToSpeech
        QtHttpServer QtSpatialAudio QtDataVisualization QtGraphs QtGraphsWidgets QtNetworkAuth
        QtAxContainer QtCanvasPainter QtConcurrent QtOpenGLWidgets""".split()
    ),
]

# Qt shared libraries kept (by the name after "Qt6"/"Qt"): the modules used and what their
# plugins link (the FFmpeg media plugin links Quick/Qml/QmlModels/OpenGL; XcbQpa and Wayland for
# the Linux platform plugins; DBus for Multimedia and xcb).
KEEP_QT_LIBS = set(
    """Core Gui Widgets Multimedia MultimediaWidgets PrintSupport Svg SvgWidgets Network DBus OpenGL
    OpenGLWidgets Charts Concurrent XcbQpa WaylandClient WlShellIntegration Quick Qml QmlModels
    QmlMeta QmlWorkerScript""".split()
)
# Plugin folders kept, and within some of them only these files (stems without lib prefix).
KEEP_PLUGINS = {
    "platforms": {"qxcb", "qwayland", "qoffscreen", "qwindows", "qcocoa", "qminimal"},
    "imageformats": {"qsvg", "qico", "qjpeg", "qgif"},
    "iconengines": None,
    # Qt's FFmpeg media backend (36 MB with the Quick/Qml and FFmpeg libraries it links) gives
    # QCamera and camera names through Qt; QSoundEffect (the verdict sounds, all posapp plays) needs
    # no backend, and the camera is OpenCV's. Kept only on request:
    **({"multimedia": None} if os.environ.get("POSAPP_BUNDLE_QT_MEDIA_BACKEND") == "1" else {}),
    "printsupport": None,
    "xcbglintegrations": {"qxcb-glx-integration", "qxcb-egl-integration"},
    "wayland-shell-integration": {"xdg-shell", "wl-shell-plugin"},
    "wayland-decoration-client": {"bradient"},
    "wayland-graphics-integration-client": {"qt-plugin-wayland-egl", "shm-emulation-server"},
    "platformthemes": {"qxdgdesktopportal"},
    "platforminputcontexts": {"composeplatforminputcontextplugin"},
    "styles": None,
    "tls": {"qopensslbackend", "qschannelbackend", "qsecuretransportbackend", "qcertonlybackend"},
}
LANGUAGES = ("it", "en")

_QT_LIB = re.compile(r"(?:lib)?Qt6?([A-Za-z0-9]+?)(?:\.so(?:\.\d+)*|\.dll|\.dylib)?$")
_PLUGIN = re.compile(r"PySide6/(?:Qt/)?plugins/([^/]+)/(?:lib)?([^/.]+)")


def keep_entry(dest: str) -> bool:
    """False for a bundle file the till never uses (dest: its path inside the bundle)."""
    path = dest.replace("\\", "/")
    if "PySide6/" not in path and not path.startswith(("libQt6", "Qt6")):
        return True
    if "/Qt/qml/" in path or "/qml/" in path or path.endswith(".pyi"):
        return False
    if "/resources/qtwebengine" in path or "QtWebEngineProcess" in path:
        return False
    if "/translations/" in path:
        name = path.rsplit("/", 1)[-1]
        return (
            name.endswith(tuple(f"_{lang}.qm" for lang in LANGUAGES))
            and name.startswith(("qt_", "qtbase_", "qtmultimedia_"))
            and not name.startswith("qt_help_")  # QtHelp is not carried
        )
    plugin = _PLUGIN.search(path)
    if plugin:
        folder, stem = plugin.groups()
        if folder not in KEEP_PLUGINS:
            return False
        wanted = KEEP_PLUGINS[folder]
        return wanted is None or stem in wanted
    name = path.rsplit("/", 1)[-1]
    if name.startswith(("libQt6", "Qt6")):
        lib = _QT_LIB.match(name)
        return bool(lib) and lib.group(1) in KEEP_QT_LIBS
    if name.startswith(("libav", "libsw", "av", "sw")):  # FFmpeg for the media plugin
        return True
    return True


def _is_dependency_lib(entry: tuple) -> bool:
    """A shared library collected only because something links it (not a module, not a plugin)."""
    dest, _src, typecode = entry[0], entry[1], entry[2] if len(entry) > 2 else "BINARY"
    folder = dest.replace("\\", "/").rpartition("/")[0]
    return typecode == "BINARY" and (folder in ("", "PySide6/Qt/lib") or folder.endswith(".libs"))


def prune_unreachable(binaries: list, imports_of) -> list:
    """Drop dependency libraries nothing kept links any more (the GTK theme's cairo, Quick for a
    dropped plugin...): PyInstaller collected them for the files keep_entry removed.

    `imports_of(path)` gives the library names a binary links (PyInstaller's bindepend); the
    ZBar and Python libraries are always kept (loaded by ctypes / by the bootloader).
    """
    links = [e for e in binaries if _typecode(e) == "SYMLINK"]
    binaries = [e for e in binaries if _typecode(e) != "SYMLINK"]
    by_name = {e[0].replace("\\", "/").rsplit("/", 1)[-1].lower(): e for e in binaries}
    roots = [e for e in binaries if not _is_dependency_lib(e)]
    always = [e for e in binaries if re.search(r"(zbar|iconv|python3|libpython)", e[0], re.I)]
    reached: set[str] = set()
    stack = roots + always
    while stack:
        entry = stack.pop()
        name = entry[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
        if name in reached:
            continue
        reached.add(name)
        try:
            needed = imports_of(entry[1])
        except Exception:  # noqa: BLE001 - unreadable file: keep what it might need
            needed = []
        for lib in needed:
            dep = by_name.get(lib.replace("\\", "/").rsplit("/", 1)[-1].lower())
            if dep is not None:
                stack.append(dep)
    kept = [
        e
        for e in binaries
        if not _is_dependency_lib(e)
        or e[0].replace("\\", "/").rsplit("/", 1)[-1].lower() in reached
    ]
    return kept + drop_dangling_links(links, {e[0] for e in kept})


def _typecode(entry: tuple) -> str:
    return entry[2] if len(entry) > 2 else "BINARY"


def drop_dangling_links(entries: list, present: set[str]) -> list:
    """The SYMLINK entries whose target is in the bundle (`present`: its files' dest paths).

    PyInstaller links `libQt6Quick.so.6` at the top of `_internal` to `PySide6/Qt/lib/...`; once
    the library itself is dropped, the link would dangle in the bundle (and in the .deb).
    """
    present = {d.replace("\\", "/") for d in present}
    links = {e[0].replace("\\", "/"): e for e in entries if _typecode(e) == "SYMLINK"}
    others = [e for e in entries if _typecode(e) != "SYMLINK"]

    def resolves(dest: str, seen: frozenset = frozenset()) -> bool:
        target = posixpath.normpath(
            posixpath.join(posixpath.dirname(dest), links[dest][1].replace("\\", "/"))
        )
        if target in present:
            return True
        return target in links and target not in seen and resolves(target, seen | {dest})

    return others + [e for dest, e in links.items() if resolves(dest)]
