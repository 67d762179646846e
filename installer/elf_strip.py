"""Strip the bundle's Linux libraries of their symbol tables, only where that is provably harmless.

The wheels ship some libraries unstripped (cryptography's Rust module, numpy's OpenBLAS, Qt's ICU,
OpenCV's libpng/libaom/libvpx/libavif: 8.9 MB of symbol tables in all). `strip` drops only
sections the loader never maps, but on a library auditwheel patched with patchelf it rewrites the
program headers and breaks it (numpy's OpenBLAS: "ELF load command address/offset not
page-aligned", some segments emptied). So each file is stripped into a copy, and the copy replaces
the original only when every PT_LOAD segment maps the same bytes at the same address with a
page-aligned offset, i.e. what the loader maps is byte for byte what it was.
"""

# ruff: noqa: S603, S607 - a build step running binutils' own strip and readelf by name
from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

PT_LOAD = 1
_ELF64_LE = b"\x7fELF\x02\x01"


def is_elf64(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(6) == _ELF64_LE


def load_segments(data: bytes) -> list[tuple[int, int, int, int, int, bytes]]:
    """(flags, vaddr, memsz, align, offset, bytes) of each PT_LOAD segment of an ELF64 LE file.

    In the bytes compared, the fields strip may rewrite without changing what is mapped are
    zeroed: the ELF header's section-table fields (e_shoff, e_shnum, e_shstrndx: the loader never
    reads them) and each program header's p_offset (where in the file a segment's bytes are,
    which the caller checks separately: page-aligned, same bytes).
    """
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    masked = bytearray(data)
    masked[0x28:0x30] = bytes(8)
    masked[0x3C:0x40] = bytes(4)
    for index in range(phnum):
        start = phoff + index * phentsize + 8
        masked[start : start + 8] = bytes(8)
    segments = []
    for index in range(phnum):
        ptype, flags, offset, vaddr, _paddr, filesz, memsz, align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + index * phentsize
        )
        if ptype == PT_LOAD:
            segments.append((flags, vaddr, memsz, align, offset, masked[offset : offset + filesz]))
    return segments


def maps_the_same(before: bytes, after: bytes, page: int = 4096) -> bool:
    """True when the loader would map `after` exactly as `before` (same segments, same bytes)."""
    old, new = load_segments(before), load_segments(after)
    if len(old) != len(new) or not new:
        return False
    for (f0, v0, m0, a0, _o0, b0), (f1, v1, m1, a1, o1, b1) in zip(old, new, strict=True):
        if (f0, v0, m0, a0, b0) != (f1, v1, m1, a1, b1):
            return False
        if (v1 - o1) % max(a1, page) != 0:
            return False
    return True


def has_symbols(path: Path) -> bool:
    """True when the file still carries a .symtab (what `file` calls "not stripped")."""
    out = subprocess.run(
        ["readelf", "-S", "-W", str(path)], capture_output=True, text=True, check=False
    ).stdout
    return " .symtab " in out or " .debug_" in out


def strip_safely(path: Path) -> int:
    """Strip one ELF file in place when that keeps its mapped image; return the bytes saved."""
    if path.is_symlink() or not path.is_file() or not is_elf64(path) or not has_symbols(path):
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy2(path, copy)
        result = subprocess.run(
            ["strip", "--strip-unneeded", str(copy)], capture_output=True, check=False
        )
        if result.returncode != 0:
            return 0
        before, after = path.read_bytes(), copy.read_bytes()
        if len(after) >= len(before) or not maps_the_same(before, after):
            return 0
        shutil.copymode(path, copy)
        shutil.move(copy, path)
        return len(before) - len(after)


def strip_tree(folder: Path) -> tuple[int, list[str]]:
    """Strip every safe ELF file under `folder`: (bytes saved, files left as they were)."""
    saved, kept = 0, []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or not is_elf64(path):
            continue
        if not has_symbols(path):
            continue
        gain = strip_safely(path)
        saved += gain
        if not gain:
            kept.append(path.relative_to(folder).as_posix())
    return saved, kept
