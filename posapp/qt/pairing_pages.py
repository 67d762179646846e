"""The three pages of the pairing wizard (no keyring, address and code, owner): layout only.

A mixin of PairingWizard, which holds the behaviour; the widgets become attributes of the wizard
(`address`, `code`, `till_name`, `pair_button`, `owner_pin`, ...) for its code and the tests.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from posapp.i18n import _
from posapp.qt.pairing_words import keyring_help


class PairingPages:
    # -- pages ---------------------------------------------------------------------------------
    def _title(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-size: 26px; font-weight: bold;")
        label.setWordWrap(True)
        return label

    def _text(self, text: str = "") -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        return label

    def _build_keyring_page(self) -> QWidget:
        page = QWidget()
        self.keyring_text = self._text(keyring_help(sys.platform))
        self.retry_keyring = QPushButton(_("Try again"))
        self.retry_keyring.clicked.connect(self._check_keyring)
        layout = QVBoxLayout(page)
        layout.addWidget(self._title(_("This computer has no safe place for the till's key")))
        layout.addWidget(self.keyring_text)
        layout.addStretch(1)
        layout.addWidget(self.retry_keyring)
        return page

    def _build_connect_page(self, till_name: str) -> QWidget:
        page = QWidget()
        self.address = QLineEdit()
        self.address.setPlaceholderText("https://buoni.comune.example")
        self.code = QLineEdit()
        self.code.setPlaceholderText("ABCD-1234")
        self.code.setMaxLength(64)
        self.till_name = QLineEdit(till_name)
        self.till_name.setMaxLength(40)
        form = QFormLayout()
        form.addRow(_("Platform address"), self.address)
        form.addRow(_("Pairing code"), self.code)
        form.addRow(_("Name of this till"), self.till_name)
        self.pair_button = QPushButton(_("Pair this till"))
        self.pair_button.setDefault(True)
        self.pair_button.clicked.connect(self.submit)
        for field in (self.address, self.code, self.till_name):
            field.returnPressed.connect(self.submit)
        self.connect_message = self._text()
        layout = QVBoxLayout(page)
        if self.account is None:
            layout.addWidget(self._title(_("Pair this till with your platform")))
            intro = _(
                # before the counter exists only the USB scanner feeds the wizard (pairing_run)
                "Scan the pairing QR from the platform's back office with the barcode scanner, "
                "or type the platform's address and the pairing code."
            )
        else:
            self.address.setText(self.account.api_url)
            self.address.setReadOnly(True)
            self.till_name.setText(self.account.till_name)
            layout.addWidget(self._title(_("Pair this till again")))
            intro = _(
                "The platform no longer accepts this till's key. No voucher can be taken until "
                "the till is paired again. Redemptions waiting to be sent are kept and will be "
                "sent once. Ask the platform for a new pairing code, then type it or show its QR."
            )
        layout.addWidget(self._text(intro))
        layout.addLayout(form)
        layout.addWidget(self.pair_button)
        layout.addWidget(self.connect_message)
        layout.addStretch(1)
        return page

    def _build_owner_page(self) -> QWidget:
        page = QWidget()
        self.owner_name = QLineEdit()
        self.owner_name.setMaxLength(40)
        self.owner_pin = QLineEdit()
        self.owner_pin_again = QLineEdit()
        for field in (self.owner_pin, self.owner_pin_again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(8)
            field.returnPressed.connect(self.create_owner)
        form = QFormLayout()
        form.addRow(_("Owner's name"), self.owner_name)
        form.addRow(_("PIN (4 to 8 digits)"), self.owner_pin)
        form.addRow(_("PIN again"), self.owner_pin_again)
        self.finish_button = QPushButton(_("Finish"))
        self.finish_button.clicked.connect(self.create_owner)
        self.owner_message = self._text()
        layout = QVBoxLayout(page)
        layout.addWidget(self._title(_("Paired. Now the owner")))
        self.paired_text = self._text()
        layout.addWidget(self.paired_text)
        layout.addWidget(
            self._text(
                _(
                    "The owner's PIN opens the settings and the operators. Cashiers are "
                    "added later, in the settings."
                )
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.finish_button)
        layout.addWidget(self.owner_message)
        layout.addStretch(1)
        return page
