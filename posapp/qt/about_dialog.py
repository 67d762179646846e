"""F1 at the counter: the keys, and what support asks first (version, data folder, log folder).

The facts are read on the bridge's pool (the version comes from the package metadata on disk, the
folders are created when missing): the GUI thread never does that I/O. The dialog closes with Esc
or Enter; the folders can be selected and copied for a support call. Its Close button is Qt's
standard one, so it reads "Chiudi" in Italian (Qt's own catalog, posapp/qt/qt_i18n.py).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from posapp.i18n import _
from posapp.qt.style import font


@dataclass(frozen=True)
class AboutFacts:
    about: str  # about_words(): version, what posapp is, licence, the computer's system
    data_dir: str
    log_dir: str


def read_about_facts() -> AboutFacts:
    """Runs on a worker thread (file-system reads and a mkdir)."""
    from posapp.core.settings import data_dir
    from posapp.logs import log_dir

    return AboutFacts(about_words(), str(data_dir()), str(log_dir()))


def about_words() -> str:
    """What a shopkeeper reads in the About box, in plain words. The technical line (the Python
    and Qt versions, how posapp was installed) is for `posapp --version` and the support
    bundle, not for the counter."""
    from posapp.version import version

    return _(
        "posapp {version}\n"
        "The shop's counter app for community vouchers.\n"
        "Licence: AGPL-3.0-or-later.\n"
        "Computer: {system}"
    ).format(version=version(), system=system_name())


def system_name() -> str:
    """ "Windows 11", "macOS 14.4", "Linux": the names a shopkeeper knows."""
    system = platform.system()
    if system == "Darwin":
        return f"macOS {platform.mac_ver()[0]}".strip()
    if system == "Windows":
        return f"Windows {platform.release()}".strip()
    return system or "?"


def key_lines() -> list[str]:
    return [
        _("Enter: confirm the amount shown"),
        _("Esc: back to scanning"),
        _("F2: type a code · F3: another amount"),
        _("F4: cancel the last redemption · F5: sync now"),
        _("F6: change operator · F7: receipt number · F8: customer slip"),
        _("F9: owner's view · F10: settings · F11: full screen"),
    ]


class AboutDialog(QDialog):
    def __init__(self, facts: AboutFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Help and information"))
        self.setModal(True)
        keys_title = QLabel(_("Keys"))
        keys_title.setFont(font(self, 15, bold=True))
        self.keys = QLabel("\n".join(key_lines()))
        self.keys.setFont(font(self, 13))
        self.keys.setWordWrap(True)
        about_title = QLabel(_("About posapp"))
        about_title.setFont(font(self, 15, bold=True))
        self.about = QLabel(facts.about)
        self.about.setObjectName("about")
        self.about.setWordWrap(True)
        self.folders = QLabel(
            _("Data folder: {path}").format(path=facts.data_dir)
            + "\n"
            + _("Log folder: {path}").format(path=facts.log_dir)
        )
        self.folders.setObjectName("folders")
        self.folders.setWordWrap(True)
        for label in (self.about, self.folders):
            label.setFont(font(self, 12))
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setMinimumHeight(44)
        close.setDefault(True)  # Enter closes too
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        for widget in (keys_title, self.keys, about_title, self.about, self.folders):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
