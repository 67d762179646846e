"""Run-time files found the same way from the source tree and from the PyInstaller bundle: the
bundle is laid out here as installer/posapp.spec's `datas` say (read from the spec itself, and
filtered by installer/qt_filter.keep_entry as the build does), and a fresh interpreter that
believes it is frozen finds its catalogs, contract and sounds there, never in the checkout."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import posapp
from posapp import resources
from posapp.resources import USED, resource_path

ROOT = Path(posapp.__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "posapp.spec"


def _path_parts(node: ast.AST) -> list[str]:
    """`ROOT / "a" / "b"` -> ["a", "b"], in order."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _path_parts(node.left) + _path_parts(node.right)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    return []


def spec_datas() -> list[tuple[tuple[str, ...], str]]:
    """The (source parts under the repository, destination in the bundle) pairs of the spec's
    `datas` written as `(str(ROOT / "a" / "b"), "a/b")`; copy_metadata entries are not files."""
    found = []
    for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Tuple) and len(node.elts) == 2):
            continue
        source, dest = node.elts
        if not (
            isinstance(source, ast.Call)
            and getattr(source.func, "id", None) == "str"
            and isinstance(dest, ast.Constant)
        ):
            continue
        parts = _path_parts(source.args[0])
        names = {n.id for n in ast.walk(source.args[0]) if isinstance(n, ast.Name)}
        if names == {"ROOT"}:
            found.append((tuple(parts), dest.value))
    return found


def lay_out_bundle(target: Path) -> Path:
    """Copy what the spec's datas carry to where PyInstaller puts it, dropping what the Qt filter
    drops; returns the data folder (`_internal`, what `sys._MEIPASS` names)."""
    sys.path.insert(0, str(ROOT / "installer"))
    try:
        from qt_filter import keep_entry
    finally:
        sys.path.remove(str(ROOT / "installer"))
    internal = target / "posapp" / "_internal"
    for parts, dest in spec_datas():
        source = ROOT.joinpath(*parts)
        if "*" in parts[-1]:
            files = [(p, Path(dest) / p.name) for p in source.parent.glob(parts[-1])]
        elif source.is_dir():
            files = [(p, Path(dest) / p.relative_to(source)) for p in source.rglob("*")]
        else:
            files = [(source, Path(dest) / source.name)]
        for path, rel in files:
            if path.is_file() and "__pycache__" not in path.parts and keep_entry(rel.as_posix()):
                (internal / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, internal / rel)
    return internal


def test_from_the_source_tree():
    assert resources.root() == ROOT
    assert {p.name for p in resource_path(*resources.SOUNDS).glob("*.wav")} == {
        "accepted.wav",
        "attention.wav",
        "refused.wav",
    }
    assert (resource_path(*resources.ICONS) / "posapp.svg").is_file()
    assert (resource_path(*resources.LOCALE) / "it" / "LC_MESSAGES" / "posapp.mo").is_file()
    assert (resource_path(*resources.CONTRACT) / "openapi-v1.json").is_file()


def test_frozen_paths_come_from_the_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("resources", "sounds", "accepted.wav") == (
        tmp_path / "resources" / "sounds" / "accepted.wav"
    )
    monkeypatch.delattr(sys, "_MEIPASS")  # another freezer: the executable's folder
    monkeypatch.setattr(sys, "executable", str(tmp_path / "app" / "posapp"))
    assert resource_path(*resources.LOCALE) == tmp_path / "app" / "posapp" / "locale"


def test_no_module_finds_files_by_its_own_location():
    """Every run-time file goes through posapp.resources: a new `Path(__file__)` join in the
    package would work from a checkout and silently miss in some other layout."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in Path(posapp.__file__).parent.rglob("*.py")
        if path.name != "resources.py" and "__file__" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_spec_carries_every_folder_the_app_reads(tmp_path):
    internal = lay_out_bundle(tmp_path)
    for name, parts in USED.items():
        source = {p.relative_to(ROOT.joinpath(*parts)) for p in ROOT.joinpath(*parts).rglob("*")}
        bundled = {
            p.relative_to(internal.joinpath(*parts)) for p in internal.joinpath(*parts).rglob("*")
        }
        wanted = {p for p in source if "__pycache__" not in p.parts}
        assert wanted and wanted <= bundled, f"{name}: the bundle misses {sorted(wanted - bundled)}"


@pytest.mark.parametrize("lang", ["it", "en"])
def test_a_frozen_interpreter_reads_the_bundle(tmp_path, lang):
    internal = lay_out_bundle(tmp_path)
    probe = """
import json, sys
sys.frozen = True
sys._MEIPASS = sys.argv[1]
from PySide6.QtWidgets import QApplication
app = QApplication([])
import posapp.i18n as i18n
import posapp.sandbox.app as sandbox_app
from posapp.qt.sounds import SOUNDS_DIR, Sounds
sounds = Sounds()
print(json.dumps({
    "locale": str(i18n.LOCALE_DIR),
    "contract": str(sandbox_app.CONTRACT_PATH),
    "contract_ok": "openapi" in json.loads(sandbox_app.CONTRACT_PATH.read_text()),
    "sounds": sorted(e.source().toLocalFile() for e in sounds._effects.values()),
    "words": i18n.tr("Accepted", sys.argv[2]),
}))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", probe, str(internal), lang],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["locale"] == str(internal / "posapp" / "locale")
    assert seen["contract"] == str(internal / "posapp" / "contract" / "openapi-v1.json")
    assert seen["contract_ok"]
    assert seen["sounds"] == [
        str(internal / "resources" / "sounds" / f"{kind}.wav")
        for kind in ("accepted", "attention", "refused")
    ]
    assert seen["words"] == {"it": "Accettato", "en": "Accepted"}[lang]


def test_every_resource_the_installers_name_exists_and_opens():
    """The icons posapp.spec (Windows .ico, macOS .icns) and the .deb script take from
    resources/: present, and real images of their kind (scripts/make_icons.py renders them)."""
    from PIL import Image

    named = set()
    for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8"))):
        if isinstance(node, ast.BinOp):
            parts = _path_parts(node)
            if parts[:1] == ["resources"] and "." in parts[-1]:
                named.add("/".join(parts))
    deb = (ROOT / "installer" / "linux" / "build_deb.sh").read_text(encoding="utf-8")
    named |= set(re.findall(r"\$ROOT/(resources/[\w./-]+)", deb))
    assert {"resources/icons/posapp.ico", "resources/icons/posapp.icns"} <= named
    for rel in sorted(named):
        path = ROOT / rel
        assert path.is_file(), f"{rel} is named by an installer but missing"
        if path.suffix in (".ico", ".icns", ".png"):
            with Image.open(path) as image:
                assert image.size[0] >= 256, rel
