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
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from string import Formatter

from posapp.resources import LOCALE, resource_path

DOMAIN = "posapp"
LANGUAGES = ("it", "en")
DEFAULT_LANG = "it"
LOCALE_DIR = resource_path(*LOCALE)  # the source tree or the installed bundle
MISSING_PARAM = "…"  # what a placeholder nobody filled shows: never a KeyError on screen

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
    said = False
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value and value.split(".")[0] not in ("C", "POSIX"):
            return "en" if value.lower().startswith("en") else DEFAULT_LANG
        said = said or bool(value)
    if said:
        # C / POSIX (a minimal or kiosk Linux) choose no language; Python's getlocale() would
        # turn "C.UTF-8" into en_US and make such a till English
        return DEFAULT_LANG
    try:  # no variable at all (Windows, macOS apps): the OS's own setting
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "en" if code.lower().startswith("en") else DEFAULT_LANG


def chosen_or_system(lang: str | None) -> str:
    """The language the shop chose (settings), or the system's when it never chose ("" / None)."""
    return lang if lang in LANGUAGES else system_language()


def set_language(lang: str) -> str:
    """Set the process's language (the UI's switch); returns the language in force."""
    global _process_lang
    _process_lang = lang if lang in LANGUAGES else DEFAULT_LANG
    return _process_lang


def current_language() -> str:
    """This thread's language if `using_language` set one, else the process's."""
    return getattr(_state, "lang", None) or _process_lang


@contextmanager
def using_language(lang: str) -> Iterator[str]:
    """Translate in `lang` on this thread only, for the block (a report in another language)."""
    previous = getattr(_state, "lang", None)
    _state.lang = lang if lang in LANGUAGES else DEFAULT_LANG
    try:
        yield _state.lang
    finally:
        _state.lang = previous


def _(message: str) -> str:
    """Translate `message` into the current language."""
    return translator(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form of `n` in the current language (Italian and English: one, other)."""
    return translator(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now (module-level tables)."""
    return message


class _Params(dict):
    """Format parameters where a forgotten one shows as an ellipsis instead of raising KeyError."""

    def __missing__(self, name: str) -> str:
        return MISSING_PARAM


def placeholders(template: str) -> set[str]:
    """The `{names}` a template uses (empty for a template that is not a valid format string)."""
    try:
        return {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError:
        return set()


def fill(template: str, params: dict[str, object]) -> str:
    """`template.format(**params)` that never raises: a missing field shows "…", and a
    malformed template (a stray brace in a translation) is shown as it is."""
    try:
        return template.format_map(_Params(params))
    except (ValueError, IndexError, AttributeError, TypeError):
        return template


def tr(message: str, lang: str | None = None, /, **params: object) -> str:
    """Translate a marked message into `lang` (or the current language) and fill its fields."""
    text = translator(lang or current_language()).gettext(message)
    return fill(text, params) if params else text


def ntr(singular: str, plural: str, n: int, lang: str | None = None, /, **params: object) -> str:
    """`tr` with plural forms: `n` picks the form and is also the `{n}` field."""
    text = translator(lang or current_language()).ngettext(singular, plural, n)
    return fill(text, {"n": n, **params})
