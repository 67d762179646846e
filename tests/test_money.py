"""Money: integer cents in, locale text out, and typed amounts read without guessing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posapp.core.money import MAX_CENTS, format_cents, parse_amount


@pytest.mark.parametrize(
    ("cents", "it", "en"),
    [
        (0, "€ 0,00", "€0.00"),
        (5, "€ 0,05", "€0.05"),
        (1250, "€ 12,50", "€12.50"),
        (-1250, "-€ 12,50", "-€12.50"),
        (99_999, "€ 999,99", "€999.99"),
        (123_450, "€ 1.234,50", "€1,234.50"),
        (123_456_789, "€ 1.234.567,89", "€1,234,567.89"),
        (-100_000_000, "-€ 1.000.000,00", "-€1,000,000.00"),
    ],
)
def test_format_cents(cents, it, en):
    assert format_cents(cents) == it
    assert format_cents(cents, "EUR", "it") == it
    assert format_cents(cents, lang="en") == en


def test_format_other_currency_and_unknown_language():
    assert format_cents(1250, "CHF", "it") == "CHF 12,50"
    assert format_cents(1250, "CHF", "en") == "CHF 12.50"
    assert format_cents(1250, lang="de") == "€ 12,50"


@pytest.mark.parametrize("bad", [12.5, "1250", None, True])
def test_format_refuses_non_integer_money(bad):
    with pytest.raises(TypeError):
        format_cents(bad)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12", 1200),
        ("12,5", 1250),
        ("12,50", 1250),
        ("12.50", 1250),
        ("12.5", 1250),
        ("€ 12,50", 1250),
        ("€12.50", 1250),
        ("12,50 €", 1250),
        ("12,50 EUR", 1250),
        ("eur 3", 300),
        ("  7,05 ", 705),
        ("0", 0),
        ("0,01", 1),
        ("1.234,50", 123_450),
        ("1,234.50", 123_450),
        ("10000000", MAX_CENTS),
        ("10.000.000,00", MAX_CENTS),
    ],
)
def test_parse_amount_accepts(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12,505",  # three decimals
        "0,001",
        "-5",
        "-€ 5,00",
        "1.234",  # thousands or three decimals? refuse, don't guess
        "1.234.567",
        "1,2,3",
        "12,",
        ",50",
        ".5",
        "12 50",
        "1e3",
        "10000000,01",  # over the cap
        "99999999999999999999",
        "١٢",  # Arabic-Indic digits
        "12,50 USD",
        "€",
        "1" * 50,
    ],
)
def test_parse_amount_refuses(text):
    assert parse_amount(text) is None


def test_parse_amount_refuses_non_text():
    assert parse_amount(None) is None  # type: ignore[arg-type]
    assert parse_amount(12) is None  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=MAX_CENTS), st.sampled_from(["it", "en"]))
def test_what_is_shown_reads_back(cents, lang):
    assert parse_amount(format_cents(cents, lang=lang)) == cents


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_is_exact(cents):
    text = format_cents(cents, lang="en")
    digits = text.replace("€", "").replace(",", "").replace(".", "").replace("-", "")
    assert int(digits) == abs(cents)
    assert text.startswith("-") == (cents < 0)


@given(st.text(max_size=60))
def test_parse_amount_never_raises(text):
    result = parse_amount(text)
    assert result is None or (isinstance(result, int) and 0 <= result <= MAX_CENTS)
