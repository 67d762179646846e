"""The translation API at run time: Italian by default, the switch, placeholders that never raise,
the old catalogs' callers (messages.text, Refused.text, typed errors) and Qt's own buttons."""

from __future__ import annotations

import threading

import pytest

from posapp.core import messages
from posapp.core.credentials import CredentialsUnavailable
from posapp.core.store.offline_rules import Refused
from posapp.i18n import (
    N_,
    _,
    current_language,
    ngettext,
    ntr,
    set_language,
    system_language,
    tr,
    using_language,
)
from posapp.scan.sources import VideoFileSource

LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def system_locale(monkeypatch):
    """Set the system's locale variables as an OS would (unset ones removed)."""

    def apply(**env: str) -> str:
        for var in LOCALE_VARS:
            monkeypatch.delenv(var, raising=False)
        for var, value in env.items():
            monkeypatch.setenv(var, value)
        return system_language()

    return apply


def test_italian_on_an_italian_system(system_locale):
    assert system_locale(LANG="it_IT.UTF-8") == "it"
    assert system_locale(LC_ALL="it_CH.UTF-8") == "it"


def test_english_only_when_the_system_says_english(system_locale):
    assert system_locale(LANG="en_GB.UTF-8") == "en"
    assert system_locale(LC_MESSAGES="en_US.UTF-8", LANG="it_IT.UTF-8") == "en"


def test_italian_for_unknown_or_other_locales(system_locale):
    assert system_locale(LANG="de_DE.UTF-8") == "it"
    assert system_locale(LANG="fr_FR") == "it"


def test_c_locale_is_not_a_language_choice(system_locale):
    # the real locale module: Python's getlocale() maps C.UTF-8 to en_US, which made a till on a
    # minimal Linux (LANG=C.UTF-8) speak English
    assert system_locale(LANG="C.UTF-8") == "it"
    assert system_locale(LC_ALL="POSIX") == "it"
    assert system_locale(LC_ALL="C.UTF-8", LANG="C") == "it"


def test_with_no_locale_variable_the_os_setting_counts(system_locale, monkeypatch):
    monkeypatch.setattr("locale.getlocale", lambda *a: ("en_GB", "UTF-8"))  # e.g. Windows
    assert system_locale() == "en"
    monkeypatch.setattr("locale.getlocale", lambda *a: ("Italian_Italy", "1252"))
    assert system_locale() == "it"


def test_default_language_is_italian():
    assert current_language() == "it"
    assert _("Voucher already used") == "Buono già utilizzato"


def test_the_language_switch_works_at_run_time():
    assert _("Check code") == "Verifica codice"
    assert set_language("en") == "en"
    assert _("Check code") == "Check code"
    assert ngettext("{n} key", "{n} keys", 1).format(n=1) == "1 key"
    assert set_language("it") == "it"
    assert _("Check code") == "Verifica codice"
    assert ngettext("{n} key", "{n} keys", 1).format(n=1) == "1 chiave"
    assert set_language("xx") == "it"  # an unknown language is Italian, never an error


def test_using_language_is_per_thread_and_restores():
    seen = {}
    with using_language("en"):
        assert _("Check code") == "Check code"
        worker = threading.Thread(target=lambda: seen.setdefault("other", _("Check code")))
        worker.start()
        worker.join()
    assert seen["other"] == "Verifica codice"  # another thread keeps the process's language
    assert _("Check code") == "Verifica codice"


def test_tr_translates_marked_messages_later():
    marked = N_("Voucher expired")
    assert marked == "Voucher expired"  # N_ only marks
    assert tr(marked, "it") == "Buono scaduto"
    assert tr(marked, "en") == "Voucher expired"
    assert tr(marked, "de") == "Buono scaduto"


def test_a_missing_placeholder_shows_an_ellipsis_not_a_key_error():
    assert tr("Not enough credit: {balance} left", "en", other=1) == "Not enough credit: … left"
    assert tr("Not enough credit: {balance} left", "it", balance="€ 3,50") == (
        "Credito insufficiente: restano € 3,50"
    )
    assert ntr("{n} key", "{n} keys", 3, "it") == "3 chiavi"
    assert tr("a stray { brace", "en", x=1) == "a stray { brace"  # shown, never raised


def test_messages_text_keeps_working_for_callers():
    assert messages.text("refused.voucher_used", "it") == "Buono già utilizzato"
    assert messages.text("refused.voucher_used", "en") == "Voucher already used"
    assert messages.text("status.pending", "en", count=3) == "3 waiting to be sent"
    assert messages.text("refused.some_future_code", "en") == messages.text(
        messages.GENERIC_KEY, "en"
    )
    assert "{" not in messages.text("refused.insufficient_balance", "it")
    set_language("en")
    assert messages.text("verdict.accepted") == "Accepted"  # default: the language in force


def test_every_message_key_is_translated():
    for key in messages.MESSAGES:
        it, en = messages.CATALOG[key]["it"], messages.CATALOG[key]["en"]
        assert it and en and it != en, key


def test_refused_text_in_both_languages():
    refused = Refused("offline.over_value_cap", {"cap_cents": 5000})
    assert refused.text("it") == "Senza connessione il massimo per buono è € 50,00"
    assert refused.text("en").startswith("Without a connection the limit per voucher is")


def test_typed_errors_speak_one_language_at_a_time(tmp_path):
    with pytest.raises(Exception) as info:
        VideoFileSource(tmp_path / "none.mp4").open()
    assert info.value.text("it").startswith("File video non trovato:")
    assert info.value.text("en").startswith("Video file not found:")
    assert " / " not in info.value.text("it")
    error = CredentialsUnavailable("test")
    assert "portachiavi" in error.text("it") and "keyring" not in error.text("it")
    assert "keyring" in error.text("en")


def test_status_lines_never_mix_languages():
    source = VideoFileSource(__file__, loop=True)
    assert source.describe().endswith("(a ciclo)")
    set_language("en")
    assert source.describe().endswith("(loop)")


def test_qt_standard_buttons_follow_the_language(qapp):
    from PySide6.QtWidgets import QDialogButtonBox

    from posapp.qt.qt_i18n import install_qt_translator

    buttons = QDialogButtonBox.StandardButton
    try:
        assert install_qt_translator(qapp, "it") is not None
        box = QDialogButtonBox(buttons.Ok | buttons.Cancel)
        assert box.button(buttons.Cancel).text() == "Annulla"
        assert install_qt_translator(qapp, "en") is None
        box = QDialogButtonBox(buttons.Ok | buttons.Cancel)
        assert box.button(buttons.Cancel).text() == "Cancel"
    finally:
        install_qt_translator(qapp, "en")
