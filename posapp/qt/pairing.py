"""First run and re-pairing: connect this till to its platform, then create the owner.

`PairingWizard(directory, book, till_name)` asks for the platform address and the one-time pairing
code (typed, or read from the pairing QR `posapp-pair:{"api": ..., "code": ...}` handed to
`scanned(text)` by the camera worker or the USB scanner), pairs through AccountDirectory.pair (the
token goes to the OS keyring and nowhere else) and then has the owner choose a PIN. In re-pair mode
(`repair=PosService.repair, account=...`) the address is the account's, and only a new code is
asked. Network and keyring calls run on a worker thread; results come back as queued signals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from posapp.core.accounts import AccountDirectory, PlatformAccount
from posapp.core.credentials import CredentialsUnavailable, TokenStore, is_available
from posapp.core.operators import OWNER, OperatorBook, OperatorError
from posapp.core.settings import Settings
from posapp.i18n import _, tr
from posapp.qt.operators import pin_problem
from posapp.qt.pairing_pages import PairingPages
from posapp.qt.pairing_words import error_text
from posapp.qt.settings_dialog_threads import BackgroundCall

PAIRING_PREFIX = "posapp-pair:"
Repair = Callable[[str, str, str | None], PlatformAccount]


def parse_pairing_qr(text: str) -> tuple[str, str] | None:
    """(api address, code) from a pairing QR's text, or None when it is not one."""
    text = text.strip()
    if not text.startswith(PAIRING_PREFIX) or len(text) > 2048:
        return None
    try:
        raw = json.loads(text[len(PAIRING_PREFIX) :])
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    api, code = raw.get("api"), raw.get("code")
    if not (isinstance(api, str) and isinstance(code, str) and api.strip() and code.strip()):
        return None
    return api.strip(), code.strip()


# what the platform refuses in a name: control characters and bidirectional overrides/isolates
# (they would reorder what the owner reads beside the name)
_UNSAFE = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def safe_name(name: str) -> bool:
    """A till name the platform takes: printable, no control or bidirectional characters."""
    return name.isprintable() and not any(c in _UNSAFE for c in name)


def normalize_address(text: str) -> str:
    """A typed address without a scheme means https (plain http is refused off loopback anyway)."""
    text = text.strip()
    return text if "://" in text else f"https://{text}" if text else ""


class PairingWizard(PairingPages, QWidget):
    """Keyring check -> address + code (or QR) + till name -> owner PIN -> `paired(account, owner)`.

    `owner` is None when the book already had one (re-pairing, or a second platform).
    """

    paired = Signal(object, object)

    def __init__(
        self,
        directory: AccountDirectory,
        book: OperatorBook,
        till_name: str = "",
        *,
        token_store: TokenStore | None = None,
        repair: Repair | None = None,
        account: PlatformAccount | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if (repair is None) != (account is None):
            raise ValueError("re-pair mode needs both `repair` and `account`")
        self.directory, self.book = directory, book
        self.token_store = token_store or TokenStore()
        self.repair, self.account = repair, account
        self.result: PlatformAccount | None = None
        self._busy = False
        self._job = BackgroundCall(self)
        self._job.done.connect(self._on_paired, Qt.ConnectionType.QueuedConnection)
        self._job.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self.pages = QStackedWidget()
        self.keyring_page = self._build_keyring_page()
        self.connect_page = self._build_connect_page(till_name)
        self.owner_page = self._build_owner_page()
        for page in (self.keyring_page, self.connect_page, self.owner_page):
            self.pages.addWidget(page)
        self.pages.setCurrentWidget(self.connect_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.setStyleSheet("QLabel, QLineEdit, QPushButton { font-size: 18px; }")
        self._check_keyring()

    # -- actions -------------------------------------------------------------------------------
    def _check_keyring(self) -> None:
        """The keyring is asked on the worker (a D-Bus backend may take a while to answer)."""
        self._start(lambda: "keyring-ok" if is_available() else CredentialsUnavailable())

    def scanned(self, text: str) -> None:
        """A code from the camera or the USB scanner: a pairing QR fills the form, anything else
        is explained (a voucher shown by mistake)."""
        if self.pages.currentWidget() is not self.connect_page or self._busy:
            return
        parsed = parse_pairing_qr(text)
        if parsed is None:
            self._say(_("This is not a pairing QR. Show the QR from the platform's back office."))
            return
        api, code = parsed
        if self.account is not None and api.rstrip("/") != self.account.api_url.rstrip("/"):
            self._say(_("This pairing QR is for another platform ({address}).").format(address=api))
            return
        self.address.setText(api)
        self.code.setText(code)
        self._say(_("Pairing QR read. Check the till's name and press Pair."), ok=True)
        self.pair_button.setFocus()

    def submit(self) -> None:
        """Check the form, then pair (or re-pair) on the worker thread."""
        if self._busy:
            return
        address = normalize_address(self.address.text())
        code, till_name = self.code.text().strip(), self.till_name.text().strip()
        if not address:
            self._say(_("Type the platform's address."))
            return
        if not code:
            self._say(_("Type the pairing code."))
            return
        if not till_name:
            self._say(_("Give this till a name (for example Cassa 1)."))
            return
        if not safe_name(till_name):
            self._say(_("The till's name can have letters, digits, spaces and punctuation only."))
            return
        if self.account is not None and self.repair is not None:
            account_id, repair = self.account.account_id, self.repair
            self._start(lambda: repair(account_id, code, till_name))
        else:
            directory, store = self.directory, self.token_store
            self._start(lambda: directory.pair(address, code, till_name, store))
        self._say(_("Contacting the platform..."), ok=True)

    def _start(self, fn: Callable[[], Any]) -> None:
        self._set_busy(True)
        self._job.start(fn)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.pair_button, self.address, self.code, self.till_name, self.retry_keyring):
            w.setEnabled(not busy)
        if self.account is not None:
            self.address.setEnabled(False)

    def _on_paired(self, result: object) -> None:
        self._set_busy(False)
        if result == "keyring-ok":
            self.pages.setCurrentWidget(self.connect_page)
            return
        if isinstance(result, CredentialsUnavailable):
            self._on_failed(result)
            return
        assert isinstance(result, PlatformAccount)
        self.result = result
        self.code.clear()  # single-use: never left on screen
        if self.account is not None or not self._needs_owner():
            self.paired.emit(result, None)
            return
        self.paired_text.setText(
            _("This till is now {till} of {shop}.").format(
                till=result.till_name, shop=result.shop_name
            )
        )
        self.pages.setCurrentWidget(self.owner_page)
        self.owner_name.setFocus()

    def _needs_owner(self) -> bool:
        return not any(op.role == OWNER for op in self.book.operators())

    def _on_failed(self, exc: object) -> None:
        self._set_busy(False)
        if isinstance(exc, CredentialsUnavailable):
            self.pages.setCurrentWidget(self.keyring_page)
            return
        self._say(error_text(exc))

    def create_owner(self) -> None:
        problem = pin_problem(self.owner_pin.text(), self.owner_pin_again.text())
        if problem:
            self._say_owner(problem)
            return
        try:
            owner = self.book.add(self.owner_name.text(), OWNER, self.owner_pin.text())
        except OperatorError as exc:
            self._say_owner(tr(exc.message, **exc.params))
            return
        self.owner_pin.clear()
        self.owner_pin_again.clear()
        self.paired.emit(self.result, owner)

    def _say(self, text: str, ok: bool = False) -> None:
        self.connect_message.setStyleSheet("color: #1b5e20;" if ok else "color: #b00020;")
        self.connect_message.setText(text)

    def _say_owner(self, text: str) -> None:
        self.owner_message.setStyleSheet("color: #b00020;")
        self.owner_message.setText(text)


def run_first_pairing(app: QApplication, settings: Settings | None = None) -> int:
    """The first-run window (see posapp/qt/pairing_run.py); 0 once paired, else not 0."""
    from posapp.qt.pairing_run import run_first_pairing as run

    return run(app, settings)


__all__ = ["PairingWizard", "normalize_address", "parse_pairing_qr", "run_first_pairing"]
