"""The pairing wizard against the real sandbox over loopback: typed code, scanned QR, bad codes,
an unreachable platform, no keyring, and re-pairing through the agreed PosService.repair call."""

from __future__ import annotations

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
import socket
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt

from posapp.core.accounts import AccountDirectory
from posapp.core.credentials import TokenStore
from posapp.core.operators import OWNER, OperatorBook
from posapp.i18n import set_language
from posapp.qt.pairing import PairingWizard, parse_pairing_qr
from posapp.sandbox.demo import pairing_payload
from tests.support.sandbox import clock, sandbox, shop  # noqa: F401


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("it")


@pytest.fixture
def wizard(qtbot, _isolated_data_dir: Path) -> PairingWizard:
    w = PairingWizard(AccountDirectory(), OperatorBook(), "Cassa 1")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.pair_button.isEnabled())  # keyring check done
    return w


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _finish_owner(qtbot, w: PairingWizard) -> None:
    qtbot.waitUntil(lambda: w.pages.currentWidget() is w.owner_page, timeout=15_000)
    qtbot.keyClicks(w.owner_name, "Maria")
    qtbot.keyClicks(w.owner_pin, "4821")
    qtbot.keyClicks(w.owner_pin_again, "4821")
    with qtbot.waitSignal(w.paired) as signal:
        qtbot.mouseClick(w.finish_button, Qt.MouseButton.LeftButton)
    account, owner = signal.args
    assert owner.name == "Maria" and owner.role == OWNER
    assert account.till_name == w.till_name.text()


def test_typed_code_pairs_and_creates_the_owner(qtbot, wizard, sandbox, shop, _isolated_data_dir):
    code = sandbox.store.new_pairing_code(shop)
    qtbot.keyClicks(wizard.address, sandbox.url)
    qtbot.keyClicks(wizard.code, code.lower().replace("-", " "))
    wizard.till_name.setText("Cassa banco")
    qtbot.mouseClick(wizard.pair_button, Qt.MouseButton.LeftButton)
    _finish_owner(qtbot, wizard)
    (account,) = AccountDirectory().accounts()
    assert account.till_name == "Cassa banco" and account.shop_id == shop
    token = TokenStore().get(account.account_id)
    assert token  # in the keyring, and nowhere on disk
    for path in _isolated_data_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert token not in text and "4821" not in text
    assert OperatorBook().by_name("Maria").role == OWNER
    assert wizard.code.text() == ""


def test_scanned_pairing_qr(qtbot, wizard, sandbox, shop):
    wizard.scanned("VOUCHER-123")
    assert "not a pairing QR" in wizard.connect_message.text()
    code = sandbox.store.new_pairing_code(shop)
    wizard.scanned(pairing_payload(sandbox.url, code))
    assert wizard.address.text() == sandbox.url and wizard.code.text() == code
    qtbot.keyClick(wizard.till_name, Qt.Key.Key_Return)
    _finish_owner(qtbot, wizard)


@pytest.mark.parametrize("kind", ["unknown", "used"])
def test_bad_codes_in_plain_words(qtbot, wizard, sandbox, shop, kind):
    code = "ZZZZ-ZZZZ"
    if kind == "used":
        code = sandbox.store.new_pairing_code(shop)
        AccountDirectory(Path(wizard.directory.path).with_name("other.json")).pair(
            sandbox.url, code, "Other", TokenStore("posapp-other")
        )
    wizard.address.setText(sandbox.url)
    wizard.code.setText(code)
    qtbot.mouseClick(wizard.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pair_button.isEnabled(), timeout=15_000)
    text = wizard.connect_message.text()
    expected = "does not know this pairing code" if kind == "unknown" else "already used"
    assert expected in text
    assert "422" not in text and "pairing_code" not in text
    assert wizard.pages.currentWidget() is wizard.connect_page
    assert wizard.directory.accounts() == ()


def test_unreachable_and_invalid_address(qtbot, wizard):
    wizard.address.setText(f"http://127.0.0.1:{_free_port()}")
    wizard.code.setText("ABCD-1234")
    qtbot.mouseClick(wizard.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pair_button.isEnabled(), timeout=20_000)
    assert "cannot be reached" in wizard.connect_message.text()
    wizard.address.setText("http://buoni.example.org")  # plain http off this computer
    qtbot.mouseClick(wizard.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pair_button.isEnabled(), timeout=20_000)
    assert "cannot be used" in wizard.connect_message.text()
    wizard.code.clear()
    qtbot.mouseClick(wizard.pair_button, Qt.MouseButton.LeftButton)
    assert wizard.connect_message.text() == "Type the pairing code."


def test_no_keyring_says_what_to_install(qtbot, sandbox, shop, _isolated_data_dir):
    keyring.set_keyring(fail.Keyring())
    w = PairingWizard(AccountDirectory(), OperatorBook(), "Cassa 1")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.pages.currentWidget() is w.keyring_page)
    assert "keyring" in w.keyring_text.text()
    # the keyring comes back: Try again leads to the form, and pairing works
    from posapp.core.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    qtbot.mouseClick(w.retry_keyring, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentWidget() is w.connect_page)
    # and if it vanishes between the check and the pairing, no code is spent and no file kept
    keyring.set_keyring(fail.Keyring())
    code = sandbox.store.new_pairing_code(shop)
    w.scanned(pairing_payload(sandbox.url, code))
    qtbot.mouseClick(w.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentWidget() is w.keyring_page, timeout=15_000)
    assert AccountDirectory().accounts() == ()


def test_repair_mode_uses_the_agreed_call(qtbot, sandbox, shop, _isolated_data_dir):
    directory = AccountDirectory()
    account = directory.pair(
        sandbox.url, sandbox.store.new_pairing_code(shop), "Cassa 1", TokenStore()
    )
    book = OperatorBook()
    book.add("Maria", OWNER, "4821")
    calls = []

    def repair(account_id, code, till_name=None):
        # stands in for PosService.repair until it lands: pairs again for real
        calls.append((account_id, code, till_name))
        return AccountDirectory().pair(sandbox.url, code, till_name, TokenStore())

    w = PairingWizard(directory, book, repair=repair, account=account)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.pair_button.isEnabled())
    assert w.address.isReadOnly() and w.address.text() == account.api_url
    w.scanned(pairing_payload("https://elsewhere.example", "ABCD-1234"))
    assert "another platform" in w.connect_message.text()
    code = sandbox.store.new_pairing_code(shop)
    qtbot.keyClicks(w.code, code)
    with qtbot.waitSignal(w.paired, timeout=15_000) as signal:
        qtbot.keyClick(w.code, Qt.Key.Key_Return)
    assert signal.args[1] is None  # the owner exists: no owner page
    assert calls == [(account.account_id, code, "Cassa 1")]


def test_parse_pairing_qr():
    assert parse_pairing_qr(pairing_payload("https://a.example", "AB12-CD34")) == (
        "https://a.example",
        "AB12-CD34",
    )
    for bad in (
        "",
        "posapp-pair:",
        "posapp-pair:[1]",
        'posapp-pair:{"api": 1, "code": "x"}',
        'posapp-pair:{"api": "https://a", "code": ""}',
        "PV:ABC",
    ):
        assert parse_pairing_qr(bad) is None


def test_first_run_window_pairs_then_returns(qtbot, qapp, sandbox, shop):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from posapp.qt.pairing import run_first_pairing

    code = sandbox.store.new_pairing_code(shop)

    def act() -> None:
        """Polled: act like a person on whatever the first-run window shows now."""
        found = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, PairingWizard) and w.isVisible()  # not another test's, closed
        ]
        w = found[0] if found else None
        if w is None or not w.isVisible() or not w.pair_button.isEnabled():
            pass
        elif w.pages.currentWidget() is w.connect_page and not w.code.text():
            w.scanned(pairing_payload(sandbox.url, code))
            w.submit()
        elif w.pages.currentWidget() is w.owner_page:
            w.owner_name.setText("Maria")
            w.owner_pin.setText("4821")
            w.owner_pin_again.setText("4821")
            qtbot.mouseClick(w.finish_button, Qt.MouseButton.LeftButton)
            return
        QTimer.singleShot(20, act)

    QTimer.singleShot(0, act)
    assert run_first_pairing(qapp) == 0
    assert len(AccountDirectory().accounts()) == 1
    assert OperatorBook().by_name("Maria").role == OWNER


def test_first_run_window_closed_returns_not_zero(qtbot, qapp):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from posapp.qt.pairing import run_first_pairing

    def close() -> None:
        found = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, PairingWizard) and w.isVisible()  # not another test's, closed
        ]
        if found and found[0].isVisible():
            found[0].close()
        else:
            QTimer.singleShot(20, close)

    QTimer.singleShot(0, close)
    assert run_first_pairing(qapp) == 1


def _try_code(qtbot, w: PairingWizard, url: str, code: str) -> str:
    w.address.setText(url)
    w.code.setText(code)
    qtbot.mouseClick(w.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pair_button.isEnabled(), timeout=15_000)
    return w.connect_message.text()


def test_throttled_and_locked_codes_in_plain_words(qtbot, wizard, sandbox, clock, shop):
    """The platform's 429 after ten wrong codes a minute, and a right code locked after twenty
    wrong ones platform-wide: each in words that say what to do, never the code or status."""
    code = sandbox.store.new_pairing_code(shop)
    for attempt in range(10):
        assert "does not know" in _try_code(qtbot, wizard, sandbox.url, f"ZZZZ-ZZZ{attempt}")
    text = _try_code(qtbot, wizard, sandbox.url, "ZZZZ-ZZZY")
    assert "Too many pairing attempts" in text and "Wait a minute" in text
    assert "429" not in text and "too_many" not in text
    clock.advance(61)  # the minute is over: ten more wrong codes lock every live code
    for attempt in range(10):
        _try_code(qtbot, wizard, sandbox.url, f"YYYY-YYY{attempt}")
    clock.advance(61)
    text = _try_code(qtbot, wizard, sandbox.url, code)
    assert "blocked after too many wrong attempts" in text
    assert "422" not in text and "pairing_code" not in text
    assert wizard.directory.accounts() == ()


def test_a_till_name_the_platform_would_refuse(qtbot, wizard, sandbox, shop):
    """A bidirectional override in the name is refused on the till with words, no code spent;
    and if the platform refuses the request anyway (invalid_request) the words say what to fix."""
    from posapp.core.api.errors import RefusedError
    from posapp.qt.pairing_words import error_text

    code = sandbox.store.new_pairing_code(shop)
    wizard.address.setText(sandbox.url)
    wizard.code.setText(code)
    wizard.till_name.setText("Cassa \u202e1")
    qtbot.mouseClick(wizard.pair_button, Qt.MouseButton.LeftButton)
    assert "letters, digits, spaces" in wizard.connect_message.text()
    assert wizard.pair_button.isEnabled() and wizard.directory.accounts() == ()
    with pytest.raises(RefusedError) as refused:  # the platform's own answer to such a name
        AccountDirectory(Path(wizard.directory.path).with_name("other.json")).pair(
            sandbox.url, sandbox.store.new_pairing_code(shop), "Cassa \u202e1", TokenStore("x")
        )
    assert refused.value.code == "invalid_request"
    words = error_text(refused.value)
    assert "name" in words and "invalid_request" not in words and "422" not in words
    wizard.till_name.setText("Cassa 1")
    qtbot.mouseClick(wizard.pair_button, Qt.MouseButton.LeftButton)
    _finish_owner(qtbot, wizard)  # the code was not spent by the refused name
