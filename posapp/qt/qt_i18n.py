"""Qt's own words (the OK / Cancel / Yes / No of standard dialog buttons) in the app's language.

Our texts come from the gettext catalogs (posapp.i18n); Qt translates its standard buttons and
dialogs from its own .qm catalogs, which PySide6 ships in its translations folder (qtbase_it.qm).
English is Qt's source language: switching to English removes the translator.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from posapp.i18n import DEFAULT_LANG, LANGUAGES, current_language, set_language

_PROPERTY = "posapp_qt_translator"  # keeps the installed translator alive, and findable to remove


def qt_translations_dir() -> Path:
    """Where Qt's .qm files are (PySide6's folder, or the bundle's when frozen)."""
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def install_qt_translator(app: QCoreApplication, lang: str) -> QTranslator | None:
    """Translate Qt's standard dialogs into `lang` ("it"/"en"); replaces any earlier one.

    Returns the installed translator, or None for English or when Qt's catalog is missing (then
    Qt's buttons stay in English: the app still works).
    """
    lang = lang if lang in LANGUAGES else DEFAULT_LANG
    previous = getattr(app, _PROPERTY, None)
    if previous is not None:
        app.removeTranslator(previous)
        setattr(app, _PROPERTY, None)
    if lang == "en":
        return None
    translator = QTranslator(app)
    if not translator.load(f"qtbase_{lang}", str(qt_translations_dir())):
        return None
    app.installTranslator(translator)
    setattr(app, _PROPERTY, translator)
    return translator


def apply_language(lang: str | None = None) -> str:
    """The app's language switch: our catalogs and Qt's together, so a screen never mixes the two
    (a QMessageBox's "Sì"/"Annulla" follow). None: install Qt's for the language in force."""
    lang = set_language(lang) if lang else current_language()
    app = QCoreApplication.instance()
    if app is not None:
        install_qt_translator(app, lang)
    return lang
