"""Every code the platform can send, and every refusal the till can show, has plain words in both
languages: read from the OpenAPI document and from the code itself, so a new code without words
fails here before a shopkeeper sees `offline_time_out_of_bounds` on the counter."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import posapp
from posapp.core import messages
from posapp.core.codes import RejectReason
from posapp.core.store.offline_rules import STATUS_REASONS
from posapp.i18n import LANGUAGES, tr

PACKAGE = Path(posapp.__file__).resolve().parent
CONTRACT = PACKAGE / "contract" / "openapi-v1.json"


def contract_codes() -> list[str]:
    """The error-code enum of the contract (ErrorDetail.code): the one list the platform keeps."""
    document = json.loads(CONTRACT.read_text(encoding="utf-8"))
    codes = document["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"]
    assert len(codes) >= 25, "the contract's error codes moved: read them from their new place"
    return sorted(codes)


def _calls(name: str) -> list[ast.Call]:
    """Every call of `name(...)` (a class or function) in the posapp sources."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name and node.args:
                    found.append(node)
    return found


def store_codes() -> set[str]:
    """The StoreError codes raised anywhere (their first argument)."""
    return {
        call.args[0].value
        for call in _calls("StoreError")
        if isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
    }


def refused_reasons() -> set[str]:
    """Every message key a `Refused(...)` in posapp can carry: literal keys, both branches of a
    choice, the status table, and f-strings expanded over the codes their prefix takes."""
    expand = {
        "refused.": contract_codes(),
        "reject.": [r.value for r in RejectReason],
        "store.": sorted(store_codes()),
    }
    reasons: set[str] = set()
    for call in _calls("Refused"):
        arg = call.args[0]
        if isinstance(arg, ast.JoinedStr):
            prefix = arg.values[0]
            assert isinstance(prefix, ast.Constant) and prefix.value in expand, ast.unparse(arg)
            assert len(arg.values) == 2, f"unexpected key shape {ast.unparse(arg)}"
            reasons |= {prefix.value + code for code in expand[prefix.value]}
            continue
        literals = [
            n.value
            for n in ast.walk(arg)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
        if "STATUS_REASONS" in ast.unparse(arg):
            literals += list(STATUS_REASONS.values())
        assert literals, f"a Refused whose key cannot be read: {ast.unparse(arg)}"
        reasons |= set(literals)
    return reasons


def assert_real_words(message: str, msgid: str, lang: str, code: str) -> None:
    """Words a shopkeeper reads: not empty, not the code, not an HTTP status, and for Italian
    not the English msgid echoed back (a missing translation)."""
    assert len(re.findall(r"[^\W\d_]{2,}", message)) >= 2, f"{code}/{lang}: {message!r}"
    assert "_" not in message, f"{code}/{lang}: {message!r}"  # so never a code like voucher_used
    assert not re.search(r"\b[1-5]\d\d\b|HTTP|\bError\b|Exception|\bNone\b", message), message
    if lang != "en":
        assert message != msgid, f"{code}: no Italian for {msgid!r}"


def test_the_contract_codes_include_last_sessions_additions():
    codes = contract_codes()
    for code in (
        "offline_time_out_of_bounds",
        "void_window_expired",
        "pairing_code_locked",
        "too_many_requests",
        "payload_too_large",
    ):
        assert code in codes


@pytest.mark.parametrize("code", contract_codes())
def test_every_contract_code_has_words_for_the_shopkeeper(code):
    key = f"refused.{code}"
    assert key in messages.MESSAGES, f"no words for the platform's {code!r}"
    for lang in LANGUAGES:
        assert_real_words(messages.text(key, lang), messages.msgid(key), lang, code)


@pytest.mark.parametrize("code", contract_codes())
def test_every_contract_code_says_what_it_means_for_the_shop(code):
    assert code in messages.CONFLICT_MEANINGS, f"no meaning for a conflict {code!r}"
    msgid = messages.CONFLICT_MEANINGS[code]
    for lang in LANGUAGES:
        assert_real_words(messages.conflict_meaning(code, lang), msgid, lang, code)


def test_an_unknown_conflict_code_never_reaches_the_owner():
    for lang in LANGUAGES:
        text = messages.conflict_meaning("brand_new_code", lang)
        assert text == tr(messages.CONFLICT_FALLBACK, lang)
        assert "brand_new_code" not in text
    from posapp.core.reports_conflicts import meaning

    assert meaning("offline_time_out_of_bounds", "it") == messages.conflict_meaning(
        "offline_time_out_of_bounds", "it"
    )
    assert "orologio" in meaning("offline_time_out_of_bounds", "it")


def test_the_refused_scan_finds_what_the_code_does():
    reasons = refused_reasons()
    # spot checks that the scan reads literals, choices, the status table and f-strings
    for key in (
        "needs_pairing",
        "offline.already_redeemed_here",
        "refused.voucher_cancelled",
        "refused.payload_too_large",
        "reject.bad_signature",
        "store.disk_full",
        "store.db_too_new",
    ):
        assert key in reasons, key
    assert len(reasons) > 60


@pytest.mark.parametrize("reason", sorted(refused_reasons()))
def test_every_refused_reason_has_words(reason):
    assert reason in messages.MESSAGES, f"Refused({reason!r}) has no words"
    for lang in LANGUAGES:
        text = messages.text(reason, lang, balance="€ 1,00", hours=24, cap="€ 50,00")
        assert_real_words(text, messages.msgid(reason), lang, reason.split(".")[-1])


def repair_codes() -> list[str]:
    """Every RepairError code: the literals at each raise (both branches of a choice) and the
    pairing refusals passed through as they are."""
    from posapp.core.repair import CODE_REFUSALS

    codes = set(CODE_REFUSALS)
    for call in _calls("RepairError"):
        codes |= {
            n.value
            for n in ast.walk(call.args[0])
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
    return sorted(codes)


def test_repair_codes_cover_the_new_pairing_refusals():
    assert {"pairing_code_locked", "too_many_requests", "no_answer"} <= set(repair_codes())


@pytest.mark.parametrize("code", repair_codes())
def test_every_repair_refusal_has_words(code):
    key = f"repair.{code}"
    assert key in messages.MESSAGES
    for lang in LANGUAGES:
        assert_real_words(messages.text(key, lang), messages.msgid(key), lang, code)
