"""Base45 (RFC 9285): the encoding that keeps a binary payload in QR alphanumeric mode.

Alphanumeric mode packs 2 characters into 11 bits, so base45 (3 characters per 2 bytes) makes a
smaller symbol than base64 in byte mode. Written here (40 lines), not added as a dependency.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INDEX = {symbol: value for value, symbol in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    """Encode bytes: each pair of bytes becomes 3 characters, a trailing single byte 2."""
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        value = data[i] * 256 + data[i + 1]
        value, c = divmod(value, 45)
        e, d = divmod(value, 45)
        out += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (ALPHABET[c], ALPHABET[d])
    return "".join(out)


def decode(text: str) -> bytes:
    """Decode base45 text; raise ValueError on a foreign character, a bad length or an overflow."""
    if len(text) % 3 == 1:
        raise ValueError("base45: length leaves a single dangling character")
    values: list[int] = []
    for symbol in text:
        value = _INDEX.get(symbol)
        if value is None:
            raise ValueError("base45: character outside the alphabet")
        values.append(value)
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            number = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if number > 0xFFFF:
                raise ValueError("base45: triplet overflows two bytes")
            out += number.to_bytes(2, "big")
        else:
            number = chunk[0] + chunk[1] * 45
            if number > 0xFF:
                raise ValueError("base45: pair overflows one byte")
            out.append(number)
    return bytes(out)
