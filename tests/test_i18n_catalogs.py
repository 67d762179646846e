"""The gettext catalogs: every string in the code has Italian, with the same placeholders, right
plural forms, and the committed .mo files are the compiled .po files (no stale binary)."""

from __future__ import annotations

import gettext
import importlib.util
import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from posapp.i18n import LOCALE_DIR, placeholders, translator

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("i18n_catalogs", ROOT / "scripts/i18n_catalogs.py")
catalogs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalogs)


def _msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture(scope="module")
def fresh():
    """The messages marked in the code right now (extracted afresh, not the committed .pot)."""
    return catalogs.extract()


@pytest.fixture(scope="module")
def po():
    return {lang: catalogs._read(catalogs.po_path(lang), lang) for lang in ("it", "en")}


def test_extraction_finds_the_code_s_messages(fresh):
    ids = {_msgid(m) for m in fresh if m.id}
    # one from each kind of marker: N_ table (core), _ (Qt), ngettext (plural), tr/ntr (demo)
    assert "Voucher already used" in ids
    assert "Check code" in ids
    assert "{n} voucher" in ids
    assert "{n} key" in ids
    assert len(ids) > 200


def test_every_message_in_the_code_has_an_italian_translation(fresh, po):
    """A string added with _() and no Italian fails here: run scripts/i18n.sh, fill it.po."""
    italian = {_msgid(m): m for m in po["it"] if m.id}
    missing = []
    for message in fresh:
        if not message.id:
            continue
        entry = italian.get(_msgid(message))
        strings = () if entry is None else entry.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(s.strip() for s in strings):
            missing.append(_msgid(message))
    assert not missing, f"no Italian for {missing}: run `bash scripts/i18n.sh`, fill it.po"


def test_the_english_catalog_holds_every_message_too(fresh, po):
    english = {_msgid(m) for m in po["en"] if m.id and not m.fuzzy and all(m.string)}
    assert {_msgid(m) for m in fresh if m.id} <= english


def test_the_committed_template_is_current(fresh):
    committed = catalogs._read(catalogs.POT)
    assert {m.id for m in committed if m.id} == {m.id for m in fresh if m.id}


@pytest.mark.parametrize("lang", ["it", "en"])
def test_placeholders_are_the_same_in_msgid_and_msgstr(po, lang):
    wrong = []
    for message in po[lang]:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(placeholders(i) for i in ids))
        # a plural form may leave "{n}" out ("un buono"); nothing else is added, lost or renamed
        may_lose = {"n"} if message.pluralizable else set()
        for text in strings:
            got = placeholders(text)
            balanced = text.count("{") == text.count("}")
            if not (got <= expected and expected - got <= may_lose and balanced):
                wrong.append((message.id, text))
    assert not wrong


def test_italian_translations_are_real(po):
    """No msgstr copied from English by mistake (short words and symbols may be the same)."""
    same_ok = {"video {name}"}

    def has_words(text: str) -> bool:
        return bool(re.search(r"[A-Za-z]{4,}", re.sub(r"\{\w*\}", "", text)))

    copied = [
        m.id
        for m in po["it"]
        if m.id and isinstance(m.id, str) and m.string == m.id and m.id not in same_ok
        if has_words(m.id)
    ]
    assert not copied


@pytest.mark.parametrize("lang", ["it", "en"])
def test_two_plural_forms_one_and_other(po, lang):
    assert po[lang].num_plurals == 2
    assert po[lang].plural_expr.replace(" ", "") == "(n!=1)"
    for message in po[lang]:
        if message.pluralizable:
            assert len(message.string) == 2 and all(message.string), message.id


@pytest.mark.parametrize(
    ("n", "it", "en"),
    [
        (0, "0 chiavi", "0 keys"),
        (1, "1 chiave", "1 key"),
        (2, "2 chiavi", "2 keys"),
        (21, "21 chiavi", "21 keys"),
        (1_000_000, "1000000 chiavi", "1000000 keys"),
    ],
)
def test_plurals_count_right(n, it, en):
    assert translator("it").ngettext("{n} key", "{n} keys", n).format(n=n) == it
    assert translator("en").ngettext("{n} key", "{n} keys", n).format(n=n) == en


def _as_dict(catalog) -> dict:
    frozen = lambda v: tuple(v) if isinstance(v, list | tuple) else v  # noqa: E731
    return {frozen(m.id): frozen(m.string) for m in catalog if m.id}


@pytest.mark.parametrize("lang", ["it", "en"])
def test_committed_mo_is_the_compiled_po(lang):
    """A .po edited without running scripts/i18n.sh (or a merge keeping a stale .mo) fails."""
    committed = read_mo(io.BytesIO(catalogs.mo_path(lang).read_bytes()))
    compiled = read_mo(io.BytesIO(catalogs.compile_mo(lang)))
    assert _as_dict(committed) == _as_dict(compiled)
    # and gettext itself (what the app uses, no Babel) reads the committed file
    with catalogs.mo_path(lang).open("rb") as fh:
        assert gettext.GNUTranslations(fh).info()["language"] == lang


def test_catalog_files_sit_where_the_app_looks():
    for lang in ("it", "en"):
        assert (LOCALE_DIR / lang / "LC_MESSAGES" / "posapp.mo").is_file()
    assert gettext.find("posapp", LOCALE_DIR, languages=["it"])


def test_po_files_merge_quietly():
    """No source locations (they change on every edit and make merge conflicts)."""
    for path in (catalogs.POT, catalogs.po_path("it"), catalogs.po_path("en")):
        text = path.read_text("utf-8")
        assert not re.search(r"^#: ", text, re.M), path
        with path.open("rb") as fh:
            read_po(fh)  # parses
