"""Extract, update and compile posapp's gettext catalogs with Babel (run through scripts/i18n.sh).

One domain, `posapp`, for the core, the CLI and the UI: posapp/locale/posapp.pot (the template),
posapp/locale/<lang>/LC_MESSAGES/posapp.po (translations) and the compiled posapp.mo beside each,
committed so the app and the installers need no Babel at run time.

The files are written to merge well, since every engineer adds strings: no source locations, entries
sorted by msgid, and the template's date kept while its messages do not change. English is the
source language: en.po is filled with msgstr = msgid, so both catalogs are complete and English
wording can be corrected in en.po without touching the code.

    python scripts/i18n_catalogs.py [extract|update|compile|all|check]   (default: all)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "posapp"
LOCALE_DIR = PACKAGE / "locale"
POT = LOCALE_DIR / "posapp.pot"
LANGUAGES = ("it", "en")
# the markers of posapp/i18n.py: _ (now), ngettext (plural), N_ (mark only), tr / ntr (later)
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None, "tr": None, "ntr": (1, 2)}
METHOD_MAP = [("**/locale/**", "ignore"), ("**.py", "python")]
WIDTH = 100
HEADER = {
    "project": "posapp",
    "version": "1",
    "copyright_holder": "the posapp authors",
    "msgid_bugs_address": "",
    "last_translator": "the posapp team",
    "language_team": "posapp",
    "charset": "utf-8",
}
# gettext's usual two forms (one, other): CLDR's third Italian form only concerns "un milione di"
PLURALS = {"it": (2, "(n != 1)"), "en": (2, "(n != 1)")}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "posapp.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "posapp.mo"


def extract(root: Path = PACKAGE) -> Catalog:
    """Every marked message in the package's code, as a template catalog."""
    catalog = Catalog(fuzzy=False, **HEADER)
    for filename, lineno, message, comments, context in extract_from_dir(
        root, METHOD_MAP, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    ):
        catalog.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(
        buf,
        catalog,
        width=WIDTH,
        no_location=True,
        omit_header=False,
        sort_output=True,
        ignore_obsolete=True,
        include_previous=False,
    )
    return buf.getvalue()


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain="posapp")


def _ids(catalog: Catalog) -> set:
    return {m.id for m in catalog if m.id}


def write_template() -> Catalog:
    """Write posapp.pot. Its creation date is the template's first, kept on every update: a date
    that changed with each new message made every merge of two branches' catalogs conflict."""
    template = extract()
    if POT.exists():
        template.creation_date = _read(POT).creation_date
    POT.write_bytes(_po_bytes(template))
    return template


def update(template: Catalog) -> None:
    """Bring each language's .po up to the template (new entries empty, gone ones dropped)."""
    for lang in LANGUAGES:
        path = po_path(lang)
        if path.exists():
            catalog = _read(path, lang)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, domain="posapp", fuzzy=False, **HEADER)
            catalog.creation_date = catalog.revision_date = template.creation_date
        catalog._num_plurals, catalog._plural_expr = PLURALS[lang]  # Babel has no public setter
        # no fuzzy guesses: a new string is empty until someone translates it (clearer to fill)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        if lang == "en":
            _fill_english(catalog)
        path.write_bytes(_po_bytes(catalog))


def _fill_english(catalog: Catalog) -> None:
    """English is the source language: an empty or fuzzy English entry becomes its msgid."""
    for message in catalog:
        if not message.id:
            continue
        empty = not any(message.string) if message.pluralizable else not message.string
        if empty or message.fuzzy:
            message.string = message.id if not message.pluralizable else tuple(message.id)
            message.flags.discard("fuzzy")


def compile_mo(lang: str) -> bytes:
    """The .mo bytes of a language's .po (fuzzy entries left out: they show English)."""
    buf = io.BytesIO()
    write_mo(buf, _read(po_path(lang), lang), use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> None:
    for lang in LANGUAGES:
        mo_path(lang).write_bytes(compile_mo(lang))


def untranslated(lang: str = "it") -> list[str]:
    """msgids of `lang`'s .po with no translation, or a fuzzy one."""
    missing = []
    for message in _read(po_path(lang), lang):
        if not message.id:
            continue
        strings = message.string if message.pluralizable else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str]) -> int:
    step = argv[0] if argv else "all"
    if step not in ("extract", "update", "compile", "all", "check"):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    if step in ("extract", "update", "all"):
        template = write_template()
        print(f"{POT.relative_to(ROOT)}: {len(_ids(template))} messages")
        if step in ("update", "all"):
            update(template)
    if step in ("compile", "all"):
        compile_all()
    missing = untranslated("it")
    for msgid in missing:
        print(f"  untranslated (it): {msgid!r}")
    if missing:
        print(
            f"{len(missing)} Italian translations missing: fill {po_path('it').relative_to(ROOT)}"
        )
        return 1 if step == "check" else 0
    print("it: every message translated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
