"""Money at the edge: integer cents inside, locale text only when shown or typed.

No floats anywhere: 0.1 + 0.2 is not a price. Amounts typed at the counter go through
`parse_amount`, which refuses anything it cannot read unambiguously rather than guess.
"""

from __future__ import annotations

import re

MAX_CENTS = 10**9  # ten million euros: anything larger typed at a counter is a mistake
_SYMBOLS = {"EUR": "€"}
_MAX_TEXT = 40

# one decimal separator, no grouping: "12", "12,5", "12.50"
_SIMPLE = re.compile(r"(?P<units>[0-9]+)(?:[.,](?P<decimals>[0-9]{1,2}))?")
# grouped thousands only with decimals, so "1.234" stays ambiguous and is refused
_GROUPED_IT = re.compile(r"(?P<units>[0-9]{1,3}(?:\.[0-9]{3})+),(?P<decimals>[0-9]{1,2})")
_GROUPED_EN = re.compile(r"(?P<units>[0-9]{1,3}(?:,[0-9]{3})+)\.(?P<decimals>[0-9]{1,2})")
_CURRENCY_MARK = re.compile(r"^(?:€|eur)\s*|\s*(?:€|eur)$", re.IGNORECASE)


def _group(units: int, separator: str) -> str:
    digits = str(units)
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(groups)


def format_cents(cents: int, currency: str = "EUR", lang: str = "it") -> str:
    """`1234` -> "€ 12,34" (it) or "€12.34" (en); thousands grouped; minus sign in front."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError("money is integer cents")
    units, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    symbol = _SYMBOLS.get(currency)
    if lang == "en":
        number = f"{_group(units, ',')}.{rest:02d}"
        return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency} {number}"
    number = f"{_group(units, '.')},{rest:02d}"
    return f"{sign}{symbol or currency} {number}"


def parse_amount(text: str) -> int | None:
    """Typed amount -> cents, or None unless it is a plain amount >= 0 with at most 2 decimals.

    Accepts "12", "12,5", "12,50", "12.50", "€ 12,50", "12,50 EUR" and grouped "1.234,50" /
    "1,234.50". Refuses negatives, 3+ decimals, ambiguous "1.234", garbage and absurd amounts.
    """
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        return None
    cleaned = _CURRENCY_MARK.sub("", text.strip()).strip()
    for pattern in (_SIMPLE, _GROUPED_IT, _GROUPED_EN):
        match = pattern.fullmatch(cleaned)
        if match:
            break
    else:
        return None
    units = int(match["units"].replace(".", "").replace(",", ""))
    decimals = (match["decimals"] or "").ljust(2, "0")
    cents = units * 100 + int(decimals)
    return cents if cents <= MAX_CENTS else None
