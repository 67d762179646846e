"""A US-layout scanner on an Italian-layout till: the mix-up is undone only where unambiguous."""

from __future__ import annotations

import pytest

from posapp.core.codes import VoucherRef, encode_plain, parse_code
from posapp.scan.wedge_layout import US_ON_ITALIAN, undo_us_on_italian
from tests.support.qrframes import payload_text, signing_key


def as_typed_on_italian(text: str) -> str:
    """What the OS makes of a US scanner's keystrokes under the Italian layout."""
    return "".join(US_ON_ITALIAN.get(ch, ch) for ch in text)


def signed_codes() -> list[str]:
    """Signed codes whose base45 text holds the characters the mix-up changes."""
    codes = [payload_text("signed", seed) for seed in range(40)]
    wanted = [c for c in codes if set("-/*+").intersection(c[3:])]
    assert wanted, "the generated signed codes should exercise - / * +"
    return wanted[:5]


@pytest.mark.parametrize("kind", ["plain", "url"])
def test_plain_and_url_codes_typed_with_the_wrong_layout_are_restored(kind):
    for seed in range(10):
        code = payload_text(kind, seed)
        typed = as_typed_on_italian(code)
        assert typed != code and not isinstance(parse_code(typed), VoucherRef)
        assert undo_us_on_italian(typed) == code


def test_a_plain_code_with_apostrophes_for_dashes():
    code = encode_plain(123_456_789)
    assert undo_us_on_italian(code.replace("-", "'")) == code


def test_signed_codes_typed_with_the_wrong_layout_are_restored_and_still_verify():
    _private, key = signing_key(0)
    keys = {key.kid: key}.get
    for code in signed_codes():
        typed = as_typed_on_italian(code)
        assert typed.startswith("PVç")
        restored = undo_us_on_italian(typed)
        assert restored == code
        assert isinstance(parse_code(restored, keys), VoucherRef)


def test_url_with_a_query_is_restored():
    code = encode_plain(987_654)
    url = f"https://buoni.example.it/r?shop=7&code={code}"
    assert undo_us_on_italian(as_typed_on_italian(url)) == url


@pytest.mark.parametrize(
    "text",
    [
        "ABCD-EFGH-123",  # not a valid code, but typed right: left for the parser to reject
        "ABCD'EFGH'12",  # the mix-up, but no valid code behind it: unchanged
        "L'ABCD'EFGH'12Z",  # an apostrophe in ordinary text
        "hello world",
        "",
        "PVçnot base45 at all",
        "ABCD'EFGH'123é",  # a character the mix-up never produces: not this mix-up
    ],
)
def test_anything_else_is_left_as_typed(text):
    assert undo_us_on_italian(text) == text


def test_codes_typed_right_are_never_touched():
    for kind in ("plain", "url", "signed"):
        for seed in range(5):
            code = payload_text(kind, seed)
            assert undo_us_on_italian(code) == code


def test_a_code_whose_check_symbol_fails_after_mapping_is_not_made_up():
    code = encode_plain(42)
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")  # wrong check symbol
    typed = broken.replace("-", "'")
    assert undo_us_on_italian(typed) == typed
