"""The bundle's strip step (installer/elf_strip.py): symbols off where the loader maps the same
bytes afterwards, and a library strip would damage left whole. Real gcc, strip and dlopen."""

from __future__ import annotations

import ctypes
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "installer"))
import elf_strip  # noqa: E402

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("gcc", "strip", "readelf")) or sys.platform != "linux",
    reason="Linux with gcc and binutils",
)


@pytest.fixture
def library(tmp_path) -> Path:
    """A small shared library built with debug information and a symbol table."""
    source = tmp_path / "answer.c"
    source.write_text("int answer(int x) { return 6 * x; }\n", encoding="utf-8")
    lib = tmp_path / "libanswer.so"
    subprocess.run(
        ["gcc", "-g", "-O1", "-shared", "-fPIC", str(source), "-o", str(lib)], check=True
    )
    return lib


def test_a_library_is_stripped_and_still_works(library):
    size = library.stat().st_size
    assert elf_strip.has_symbols(library)
    saved = elf_strip.strip_safely(library)
    assert saved > 0 and library.stat().st_size == size - saved
    assert not elf_strip.has_symbols(library)
    assert ctypes.CDLL(str(library)).answer(7) == 42
    assert elf_strip.strip_safely(library) == 0  # nothing left to take


def _load_header(data: bytes, index: int) -> int:
    """File position of the p_offset field of the index-th PT_LOAD program header."""
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads = [
        phoff + i * phentsize
        for i in range(phnum)
        if struct.unpack_from("<I", data, phoff + i * phentsize)[0] == elf_strip.PT_LOAD
    ]
    return loads[index] + 8


def test_a_change_to_what_the_loader_maps_is_refused(library):
    data = library.read_bytes()
    assert elf_strip.maps_the_same(data, data)
    text = elf_strip.load_segments(data)[1]  # the code segment
    changed = bytearray(data)
    changed[text[4] + 16] ^= 0xFF
    assert not elf_strip.maps_the_same(data, bytes(changed))
    moved = bytearray(data)  # a segment's file offset no longer page-aligned with its address
    field = _load_header(data, 1)
    struct.pack_into("<Q", moved, field, struct.unpack_from("<Q", data, field)[0] + 8)
    assert not elf_strip.maps_the_same(data, bytes(moved))
    assert not elf_strip.maps_the_same(data, b"\x7fELF\x02\x01" + bytes(58))  # no segments


def test_a_library_strip_would_break_is_left_whole(tmp_path):
    """numpy's OpenBLAS (patched by auditwheel): a plain strip makes it unloadable; the safe
    strip leaves it byte for byte as it was."""
    import numpy

    found = sorted((Path(numpy.__file__).parent.parent / "numpy.libs").glob("*openblas*.so*"))
    if not found:
        pytest.skip("this numpy carries no OpenBLAS of its own")
    plain, safe = tmp_path / "plain" / found[0].name, tmp_path / "safe" / found[0].name
    for copy in (plain, safe):
        copy.parent.mkdir()
        shutil.copy2(found[0], copy)
    subprocess.run(["strip", "--strip-unneeded", str(plain)], check=True)
    try:
        ctypes.CDLL(str(plain))
    except OSError:
        pass  # what strip does to it on this binutils: the case the check is for
    else:
        pytest.skip("strip leaves this OpenBLAS loadable here")
    assert elf_strip.strip_safely(safe) == 0
    assert safe.read_bytes() == found[0].read_bytes()
