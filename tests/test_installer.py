"""The installers' parts that run on any Linux box in seconds: the bundle's file filter, the ZBar
runtime hook, the .deb (dpkg-deb on a placeholder bundle), the desktop entry, the NSIS script."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "installer"))
import qt_filter  # noqa: E402


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6WebEngineCore.so.6", False),
        ("PySide6/Qt/lib/libQt63DRender.so.6", False),
        ("PySide6/Qt6Multimedia.dll", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/sceneparsers/libassimp.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/translations/qtbase_it.qm", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/translations/qtwebengine_it.qm", False),
        ("PySide6/Qt/translations/qt_help_it.qm", False),
        ("PySide6/Qt/qml/QtQuick/Controls/libqtquickcontrols2plugin.so", False),
        ("cv2/cv2.abi3.so", True),
        ("posapp/locale/it/LC_MESSAGES/posapp.mo", True),
    ],
)
def test_the_bundle_keeps_only_what_the_till_uses(dest, kept):
    assert qt_filter.keep_entry(dest) is kept


def test_posapp_uses_nothing_the_bundle_leaves_out():
    """An import of, or an attribute use like `np.random`, of a module in EXCLUDED_MODULES would
    work in the tests and fail only in the installed app."""
    import ast

    excluded = tuple(qt_filter.EXCLUDED_MODULES)
    aliases = {"np": "numpy", "numpy": "numpy", "cv2": "cv2"}
    found = []
    for path in (ROOT / "posapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id in aliases:
                    names = [f"{aliases[node.value.id]}.{node.attr}"]
            for name in names:
                if any(name == ex or name.startswith(ex + ".") for ex in excluded):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert found == []


def test_libraries_nothing_links_any_more_are_pruned():
    binaries = [
        ("PySide6/QtWidgets.abi3.so", "/x/QtWidgets.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", "/x/libQt6Widgets.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/x/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "/x/libQt6Quick.so.6", "BINARY"),
        ("libcairo.so.2", "/usr/lib/libcairo.so.2", "BINARY"),
        ("libzbar.so.0", "/usr/lib/libzbar.so.0", "BINARY"),
        ("_cffi_backend.cpython-311-x86_64-linux-gnu.so", "/x/_cffi.so", "EXTENSION"),
    ]
    links = {
        "/x/QtWidgets.abi3.so": ["libQt6Widgets.so.6"],
        "/x/libQt6Widgets.so.6": ["libQt6Core.so.6"],
    }
    kept = {e[0] for e in qt_filter.prune_unreachable(binaries, lambda p: links.get(p, []))}
    assert kept == {
        "PySide6/QtWidgets.abi3.so",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "libzbar.so.0",  # loaded by ctypes: always kept
        "_cffi_backend.cpython-311-x86_64-linux-gnu.so",
    }


def test_links_to_libraries_left_out_are_left_out_too():
    """PyInstaller links top-level names to the relocated Qt libraries; a link to a library
    nothing needs any more must go with it (it dangled in the bundle and the .deb)."""
    binaries = [
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),  # before the file
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("libcore.so", "libQt6Core.so.6", "SYMLINK"),  # a link to a link
        ("PySide6/QtCore.abi3.so", "/x/QtCore.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/x/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "/x/libQt6Quick.so.6", "BINARY"),
    ]
    links = {"/x/QtCore.abi3.so": ["libQt6Core.so.6"]}
    kept = {e[0] for e in qt_filter.prune_unreachable(binaries, lambda p: links.get(p, []))}
    assert kept == {
        "PySide6/QtCore.abi3.so",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "libQt6Core.so.6",
        "libcore.so",
    }


def test_the_zbar_hook_points_pyzbar_into_the_bundle(tmp_path):
    (tmp_path / "libzbar.so.0").write_bytes(b"")
    hook = ROOT / "installer" / "rthooks" / "pyi_rth_zbar.py"
    code = (
        f"import sys; sys._MEIPASS = {str(tmp_path)!r}; exec(open({str(hook)!r}).read()); "
        "import ctypes.util; print(ctypes.util.find_library('zbar')); "
        "print(ctypes.util.find_library('c'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    zbar, libc = out.stdout.split()
    assert zbar == str(tmp_path / "libzbar.so.0")
    assert libc.startswith("libc.so")  # everything else still goes to the system


def test_desktop_entry_launches_the_installed_app():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "installer" / "linux" / "posapp.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"] == "/opt/posapp/posapp"
    assert section["Icon"] == "posapp"
    assert (ROOT / "resources" / "icons" / "posapp.svg").is_file()
    if shutil.which("desktop-file-validate"):
        subprocess.run(
            ["desktop-file-validate", str(ROOT / "installer/linux/posapp.desktop")], check=True
        )


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb: Debian/Ubuntu only")
def test_the_deb_declares_its_system_dependencies_and_carries_the_app(tmp_path):
    bundle = tmp_path / "posapp"
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / "posapp"
    exe.write_text("#!/bin/sh\necho posapp 9.9.9\n", encoding="utf-8")
    exe.chmod(0o755)
    env = {**os.environ, "POSAPP_VERSION": "9.9.9"}
    out = subprocess.run(
        ["bash", str(ROOT / "installer/linux/build_deb.sh"), str(bundle), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deb = Path(out)
    assert deb.name.startswith("posapp_9.9.9_") and deb.suffix == ".deb"
    field = lambda name: subprocess.run(  # noqa: E731
        ["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert field("Package") == "posapp" and field("Version") == "9.9.9"
    depends = field("Depends")
    for lib in ("libzbar0", "libpulse0", "libxcb-cursor0", "libegl1", "libc6 (>= "):
        assert lib in depends
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "./opt/posapp/posapp" in listing
    assert "./usr/bin/posapp -> /opt/posapp/posapp" in listing
    assert "./usr/share/applications/posapp.desktop" in listing
    assert "./usr/share/icons/hicolor/scalable/apps/posapp.svg" in listing


@pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis: apt-get install nsis")
def test_the_windows_installer_script_compiles(tmp_path):
    payload = tmp_path / "payload"
    (payload / "_internal").mkdir(parents=True)
    (payload / "posapp.exe").write_bytes(b"placeholder")
    (payload / "_internal" / "python311.dll").write_bytes(b"placeholder")
    setup = tmp_path / "posapp-setup.exe"
    subprocess.run(
        [
            "makensis",
            "-V2",
            "-DVERSION=9.9.9",
            f"-DPAYLOAD={payload}",
            f"-DOUTFILE={setup}",
            str(ROOT / "installer/windows/posapp.nsi"),
        ],
        check=True,
        capture_output=True,
    )
    assert setup.read_bytes()[:2] == b"MZ"  # a Windows executable


@pytest.mark.skipif(shutil.which("dpkg-shlibdeps") is None, reason="dpkg-dev: Debian/Ubuntu only")
def test_the_deb_depends_on_what_the_bundles_binaries_link(tmp_path):
    """dpkg-shlibdeps names the system packages (with minimum versions) of every ELF file; a
    library the bundle carries itself is not one of them."""
    import zxingcpp

    bundle = tmp_path / "posapp"
    (bundle / "_internal" / "zxingcpp").mkdir(parents=True)
    (bundle / "posapp").write_text("#!/bin/sh\necho posapp 9.9.9\n", encoding="utf-8")
    (bundle / "posapp").chmod(0o755)
    native = next(Path(zxingcpp.__file__).parent.glob("zxingcpp*.so"))  # links libstdc++, libc
    shutil.copy(native, bundle / "_internal" / "zxingcpp")
    env = {**os.environ, "POSAPP_VERSION": "9.9.9"}
    script = str(ROOT / "installer/linux/build_deb.sh")
    deb = subprocess.run(
        ["bash", script, str(bundle), str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert deb.returncode == 0, deb.stderr
    depends = subprocess.run(
        ["dpkg-deb", "-f", deb.stdout.strip(), "Depends"], capture_output=True, text=True
    ).stdout
    names = [alt.split()[0] for dep in depends.split(",") for alt in dep.split("|")]
    assert "libstdc++6 (>= " in depends and "libc6 (>= " in depends
    assert len(names) == len(set(names))  # dpkg-shlibdeps' entry replaces the unversioned one
    assert "libzbar0" in names  # loaded through ctypes: linked by nothing, listed by hand


@pytest.mark.parametrize(
    ("item", "dropped"),
    [
        ("de.res", True),
        ("coll/zh_Hant.res", True),
        ("coll/de_.res", True),
        ("curr/it_CH.res", False),
        ("coll/it.res", False),
        ("en_GB.res", False),
        ("root.res", False),
        ("res_index.res", False),
        ("coll/res_index.res", False),
        ("pool.res", False),
        ("coll/ucadata.icu", False),
        ("supplementalData.res", False),
        ("brkitr/thaidict.dict", False),  # root's break rules name the dictionaries
        ("gb18030.cnv", True),
        ("cnvalias.icu", False),
        ("translit/Latin_ASCII.res", True),
    ],
)
def test_icu_data_keeps_root_italian_and_english(item, dropped):
    import icu_data

    assert icu_data.dropped(item) is dropped


def test_the_cut_icu_data_still_collates_italian(tmp_path):
    """The rebuilt data library, loaded in place of Qt's, sorts Italian words and falls back to
    root for a language it no longer carries."""
    import icu_data

    if not icu_data.tools_available():
        pytest.skip("icupkg/genccode/gcc: apt-get install icu-devtools gcc")
    import PySide6

    qt_lib = Path(PySide6.__file__).parent / "Qt" / "lib"
    original = next(qt_lib.glob("libicudata.so.*"), None)
    if original is None:
        pytest.skip("this PySide6 carries no ICU")
    lib = tmp_path / original.name
    shutil.copyfile(original, lib)
    before, after = icu_data.shrink(lib)
    assert after < before / 2
    code = (
        "from PySide6.QtCore import QCollator, QLocale; "
        "w = ['zucca', 'Èrba', 'erba', 'Ape', 'città', 'citta']; "
        "print(sorted(w, key=QCollator(QLocale('it_IT')).sortKey)); "
        "print(sorted(['b', 'a'], key=QCollator(QLocale('de_DE')).sortKey))"
    )
    env = {**os.environ, "LD_PRELOAD": str(lib)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "Could not create collator" not in out.stderr
    italian, german = out.stdout.splitlines()
    assert italian == "['Ape', 'citta', 'città', 'erba', 'Èrba', 'zucca']"
    assert german == "['a', 'b']"
