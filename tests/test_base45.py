"""base45 against the RFC 9285 examples, and round trips on arbitrary bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posapp.core import base45

RFC_VECTORS = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
    (b"", ""),
    (b"\x00", "00"),
    (b"\xff\xff", "FGW"),
]


@pytest.mark.parametrize(("raw", "encoded"), RFC_VECTORS)
def test_rfc_vectors(raw, encoded):
    assert base45.encode(raw) == encoded
    assert base45.decode(encoded) == raw


@pytest.mark.parametrize(
    "bad",
    [
        "GGW",  # RFC 9285 section 6: 65536 does not fit two bytes
        "ZZ",  # 35 + 35*45 = 1610 does not fit one byte
        "A",  # a single dangling character
        "BB8B",  # 4 characters: 1 left over
        "bb8",  # lower case is outside the alphabet
        "BB#",  # '#' is outside the alphabet
        "BBé",
    ],
)
def test_decode_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="base45"):
        base45.decode(bad)


@given(st.binary(max_size=300))
def test_round_trip(raw):
    text = base45.encode(raw)
    assert set(text) <= set(base45.ALPHABET)
    assert len(text) == len(raw) // 2 * 3 + len(raw) % 2 * 2
    assert base45.decode(text) == raw


@given(st.text(max_size=60))
def test_decode_of_any_text_is_bytes_or_value_error(text):
    try:
        raw = base45.decode(text)
    except ValueError:
        return
    assert base45.encode(raw) == text
