"""Qt's ICU data cut to the languages the till speaks (used by posapp.spec on Linux).

PySide6's QtCore links ICU, whose data library (libicudataNN) carries every CLDR locale: 32 MB of
the bundle, the largest Qt file. posapp speaks Italian and English, so the bundle keeps ICU's
core data (normalization, case mapping, break rules and dictionaries, collation tables, time
zones, converters' alias table) and the locale data of root, it and en, and drops the other
languages' locale files and the legacy charset converters (.cnv: Qt converts UTF-8/16/32 and
Latin-1 without ICU). A locale that is asked for and no longer there falls back to root, as ICU
does for any locale it lacks. The cut is made with ICU's own tools (icupkg removes items from
the data package, genccode turns the package back into the `icudtNN_dat` symbol the ICU
libraries link); without them (apt-get install icu-devtools gcc) the full data stays.
"""

# ruff: noqa: S603, S607 - a build step running ICU's and binutils' own tools by name
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

KEEP_LANGUAGES = ("root", "it", "en")
# A locale's resource file: an optional tree (coll/, curr/, zone/...) then a locale ID.
_LOCALE_RES = re.compile(r"^(?:[a-z]+/)?([a-z]{2,3})(?:_[A-Za-z0-9]*)*\.res$")
_NOT_LOCALES = {"res_index.res", "pool.res"}
_SYMBOL = re.compile(r"^([0-9a-f]+)\s.*\s([0-9a-f]+)\s+(icudt(\d+)_dat)$")


def dropped(item: str, keep: tuple[str, ...] = KEEP_LANGUAGES) -> bool:
    """True for an ICU data item the till does not need (item: its name inside the package)."""
    name = item.rsplit("/", 1)[-1]
    if item.endswith(".cnv"):
        return True
    if item.startswith("translit/"):
        return name != "root.res"
    match = _LOCALE_RES.match(item)
    return bool(match) and name not in _NOT_LOCALES and match.group(1) not in keep


def tools_available() -> bool:
    return all(shutil.which(tool) for tool in ("icupkg", "genccode", "objdump", "gcc"))


def _data_symbol(lib: Path) -> tuple[str, int, int]:
    """(symbol, file offset, size) of the data blob the ICU libraries link."""
    symbols = subprocess.run(["objdump", "-T", str(lib)], capture_output=True, text=True).stdout
    sections = subprocess.run(["objdump", "-h", str(lib)], capture_output=True, text=True).stdout
    for line in symbols.splitlines():
        match = _SYMBOL.match(line.strip())
        if match:
            address, size, symbol = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
            break
    else:
        raise ValueError(f"{lib.name}: no icudtNN_dat symbol")
    for line in sections.splitlines():  # Idx Name Size VMA LMA File-off Algn
        parts = line.split()
        if len(parts) >= 6 and parts[1] == ".rodata":
            vma, offset = int(parts[3], 16), int(parts[5], 16)
            return symbol, address - vma + offset, size
    raise ValueError(f"{lib.name}: no .rodata section")


def shrink(lib: Path, keep: tuple[str, ...] = KEEP_LANGUAGES) -> tuple[int, int]:
    """Rewrite the ICU data library `lib` in place with only the items the till needs.

    Returns (bytes before, bytes after). Raises CalledProcessError/ValueError when a tool fails;
    the library is replaced only once the new one is built.
    """
    symbol, offset, size = _data_symbol(lib)
    with tempfile.TemporaryDirectory(prefix="posapp-icu-") as tmp:
        work = Path(tmp)
        # icupkg names the items after the package file: it must keep ICU's own name.
        package = f"{symbol.removesuffix('_dat')}l.dat"
        (work / "in").mkdir()
        (work / "out").mkdir()
        with lib.open("rb") as handle:
            handle.seek(offset)
            (work / "in" / package).write_bytes(handle.read(size))
        items = subprocess.run(
            ["icupkg", "-l", str(work / "in" / package)], capture_output=True, text=True, check=True
        ).stdout.split()
        (work / "drop.txt").write_text(
            "".join(f"{item}\n" for item in items if dropped(item, keep)), encoding="utf-8"
        )
        subprocess.run(
            ["icupkg", "-r", str(work / "drop.txt"), str(work / "in" / package), package],
            cwd=work / "out",
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["genccode", "-a", "gcc", "-e", symbol.removesuffix("_dat"), package],
            cwd=work / "out",
            check=True,
            capture_output=True,
        )
        built = work / lib.name
        soname = subprocess.run(
            ["objdump", "-p", str(lib)], capture_output=True, text=True, check=True
        ).stdout
        match = re.search(r"SONAME\s+(\S+)", soname)
        subprocess.run(
            [
                "gcc",
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{match.group(1) if match else lib.name}",
                "-Wl,-z,noexecstack",
                "-o",
                str(built),
                str(work / "out" / package.replace(".dat", "_dat.S")),
            ],
            check=True,
            capture_output=True,
        )
        before = lib.stat().st_size
        shutil.copyfile(built, lib)
        return before, lib.stat().st_size
