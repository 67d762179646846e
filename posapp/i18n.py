"""One translation system for the whole app, core and UI: gettext catalogs.

Messages are written in English in the code, marked with `_()` (translate now, in the current
language), `ngettext()` (plural forms) or `N_()` (mark only, translated later with `tr`), and
extracted with Babel into posapp/locale/<lang>/LC_MESSAGES/posapp.po; the compiled .mo files sit
beside them. Placeholders are `{named}` fields filled with str.format after translation, so a
translation can reorder them. Qt's own catalogs serve only Qt's standard dialog buttons.

Qt-free: the core, the CLI and the Qt layer share it.
"""

from __future__ import annotations

import gettext
import locale
import os
import threading
from functools import cache
from pathlib import Path

DOMAIN = "posapp"
LANGUAGES = ("it", "en")
DEFAULT_LANG = "it"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_state = threading.local()
_process_lang = DEFAULT_LANG


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The catalog of `lang` ("it" or "en"); English is the source language of every msgid."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANG
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def system_language() -> str:
    """Italian unless the system says English (or another non-Italian language) explicitly."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            return "en" if value.lower().startswith("en") else DEFAULT_LANG
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "en" if code.lower().startswith("en") else DEFAULT_LANG


def set_language(lang: str) -> str:
    """Set the process's language (the UI's switch); returns the language in force."""
    global _process_lang
    _process_lang = lang if lang in LANGUAGES else DEFAULT_LANG
    return _process_lang


def current_language() -> str:
    return getattr(_state, "lang", None) or _process_lang


def _(message: str) -> str:
    """Translate `message` into the current language."""
    return translator(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translator(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now (module-level tables)."""
    return message


def tr(message: str, lang: str | None = None, /, **params: object) -> str:
    """Translate a marked message into `lang` (or the current language) and fill its fields."""
    text = translator(lang or current_language()).gettext(message)
    return text.format(**params) if params else text
