"""The message catalog: both languages, same placeholders, plain words, never a KeyError."""

from __future__ import annotations

import re

import pytest

from posapp.core.codes import RejectReason
from posapp.core.messages import CATALOG, GENERIC_KEY, LANGUAGES, placeholders, text

API_REFUSALS = [
    "unknown_voucher",
    "voucher_used",
    "insufficient_balance",
    "partial_not_allowed",
    "voucher_expired",
    "voucher_cancelled",
    "other_shop",
    "currency_mismatch",
    "invalid_amount",
    "void_window_expired",
    "idempotency_key_reused",
    "request_in_flight",
]
# key -> the placeholders callers will pass
REQUIRED = {
    **{f"reject.{reason.value}": set() for reason in RejectReason},
    **{f"refused.{code}": set() for code in API_REFUSALS},
    "refused.insufficient_balance": {"balance"},
    # used by posapp.core.policy and posapp.core.store
    **{
        f"refused.{code}": set()
        for code in ("not_voidable", "unknown_redemption", "pairing_needed")
    },
    **{
        f"store.{code}": set()
        for code in ("disk_full", "db_busy", "db_corrupt", "db_unwritable", "db_error", "db_closed")
    },
    # typed errors' message keys (posapp.core.accounts, posapp.core.credentials)
    "accounts.platform_conflict": set(),
    "api.invalid_url": set(),
    "credentials.unavailable": set(),
    "offline.not_proven": set(),
    "offline.stale_sync": {"hours"},
    "offline.over_value_cap": {"cap"},
    "offline.over_pending_count": {"cap"},
    "offline.over_pending_value": {"cap"},
    "offline.already_redeemed_here": set(),
    "offline.insufficient_cached_balance": {"balance"},
    "offline.revoked": set(),
    "offline.no_account": set(),
    "status.online": set(),
    "status.offline": set(),
    "status.pending": {"count"},
    "status.oldest": {"age"},
    "status.last_sync": {"when"},
    "verdict.accepted": set(),
    "verdict.accepted_offline": set(),
    "verdict.refused": set(),
    "verdict.confirm": set(),
}


def test_languages():
    assert LANGUAGES == ("it", "en")


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_key_has_both_languages_with_the_same_placeholders(key):
    entry = CATALOG[key]
    assert set(entry) == set(LANGUAGES)
    assert all(entry[lang].strip() for lang in LANGUAGES)
    assert placeholders(entry["it"]) == placeholders(entry["en"])
    assert entry["it"] != entry["en"], "not translated"


@pytest.mark.parametrize(("key", "params"), sorted(REQUIRED.items()))
def test_required_keys_and_their_placeholders(key, params):
    assert key in CATALOG
    assert placeholders(CATALOG[key]["it"]) == params


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_plain_words_for_a_shopkeeper(key):
    for lang in LANGUAGES:
        message = CATALOG[key][lang]
        assert not re.search(r"\b[45]\d\d\b", message), "HTTP status in a message"
        assert not re.search(r"HTTP|\bError\b|Exception|Traceback|\bNone\b|_", message), message
        assert len(message) <= 90


def test_examples_read_naturally():
    assert text("refused.voucher_used") == "Buono già utilizzato"
    assert text("refused.voucher_used", "en") == "Voucher already used"
    assert text("refused.insufficient_balance", balance="€ 3,50") == (
        "Credito insufficiente: restano € 3,50"
    )
    assert text("status.pending", "en", count=3) == "3 waiting to be sent"
    assert text("offline.over_value_cap", cap="€ 50,00") == (
        "Senza connessione il massimo per buono è € 50,00"
    )


def test_unknown_language_falls_back_to_italian():
    assert text("verdict.accepted", "de") == "Accettato"
    assert text("verdict.accepted", "") == "Accettato"


def test_unknown_key_gives_a_generic_message():
    assert text("refused.some_future_code") == CATALOG[GENERIC_KEY]["it"]
    assert text("", "en") == CATALOG[GENERIC_KEY]["en"]


def test_missing_or_extra_params_never_raise():
    assert "{" not in text("refused.insufficient_balance")
    assert text("verdict.refused", extra="x") == "Rifiutato"
    assert text("status.pending", count="{oops}") == "{oops} in attesa di invio"
