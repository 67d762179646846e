"""The till's settings: camera (by name, with a live preview), decoder, sound, language, slip;
and, behind the owner PIN, the offline caps and the operators.

`SettingsDialog(settings, book, operator=...)` edits a copy of the typed Settings; Save writes it
on a background thread (Settings.save, atomic) and emits `saved(Settings)`. The language applies
at once (`languageChanged(lang)`, the counter retranslates its window). A cashier never gets here:
the counter checks `may_open_settings(bridge.operator)` first, and the caps stay locked until an
owner's PIN is typed even when the dialog is open.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from posapp.core.money import format_cents, parse_amount
from posapp.core.operators import Operator, OperatorBook, may_open_settings
from posapp.core.settings import Settings
from posapp.i18n import N_, _, current_language, set_language, tr
from posapp.qt.operators import OperatorsPage, OwnerForm
from posapp.qt.pin_dialog import ask_pin
from posapp.qt.settings_dialog_threads import (
    BackgroundCall,
    CameraPreview,
    ScanPause,
    SourceFactory,
)
from posapp.qt.style import resize_within_screen

STRATEGIES = {
    "auto": N_("Automatic (recommended)"),
    "zxing": N_("Fastest (ZXing only)"),
    "zxing+zbar": N_("ZXing, then ZBar (phone screens with stripes)"),
    "zxing+rescue+zbar@half+opencv": N_("Most thorough (slower)"),
}
LANGUAGES = {"it": "Italiano", "en": "English"}
Cameras = Callable[[], list[tuple[int, str]]]


def default_cameras() -> list[tuple[int, str]]:
    """(index, name) of the cameras; until posapp.scan.camera.list_cameras exists, four indices."""
    try:
        from posapp.scan.camera import list_cameras  # type: ignore[attr-defined]
    except ImportError:
        return [(i, _("Camera {number}").format(number=i + 1)) for i in range(4)]
    return [(c.index, c.name) for c in list_cameras()]


def default_source(index: int):
    from posapp.scan.camera import CameraSource

    return CameraSource(index, 640, 360, 15)


class SettingsDialog(QDialog):
    saved = Signal(object)  # the Settings written
    languageChanged = Signal(str)

    def __init__(
        self,
        settings: Settings,
        book: OperatorBook,
        operator: Operator | None = None,
        *,
        path: Path | None = None,
        cameras: Cameras = default_cameras,
        source_factory: SourceFactory = default_source,
        scan_worker: QThread | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`scan_worker`: the counter's ScanWorker, paused (its camera released) while the
        preview has the camera, resumed when the dialog closes (by any path)."""
        super().__init__(parent)
        self.draft = copy.deepcopy(settings)
        self.book, self.path = book, path
        self.owner: Operator | None = operator if may_open_settings(operator) else None
        self.cameras = [(settings.scanner.camera_index, settings.scanner.camera_name or "")]
        self._list_job = BackgroundCall(self)
        self._list_job.done.connect(self._on_cameras, Qt.ConnectionType.QueuedConnection)
        self._save_job = BackgroundCall(self)
        self._save_job.done.connect(self._on_saved, Qt.ConnectionType.QueuedConnection)
        self._save_job.failed.connect(self._on_save_failed, Qt.ConnectionType.QueuedConnection)
        self.preview = CameraPreview(source_factory)
        self._scan_pause = ScanPause(scan_worker, self)
        self.setModal(True)
        self.setStyleSheet("QLabel, QPushButton, QComboBox, QCheckBox { font-size: 16px; }")
        self._language_at_open = current_language()
        self._outer = QVBoxLayout(self)
        self._body: QWidget | None = None
        self._build()
        resize_within_screen(self, 720, 640)  # the owner tab scrolls when smaller
        self._list_job.start(cameras)
        # the camera is the preview's while the dialog is open, once the counter let it go
        self._scan_pause.pause(then=self._preview_camera)

    # -- layout (rebuilt when the language changes) -------------------------------------------
    def _build(self) -> None:
        """(Re)build the content in the current language; the preview and its thread survive."""
        if self._body is not None:
            self.preview.setParent(None)
            self._outer.removeWidget(self._body)
            self._body.deleteLater()
        self._body = QWidget()
        self.setWindowTitle(_("Settings"))
        self.tabs = QTabWidget()
        self.tabs.addTab(self._general_tab(), _("Counter"))
        self.tabs.addTab(self._owner_tab(), _("Owner"))
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.save_button = QPushButton(_("Save"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(_("Cancel"))
        # Enter in a field (an operator's name) must not save and close the whole dialog
        for button in (self.save_button, self.cancel_button):
            button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        layout.addLayout(buttons)
        self._outer.addWidget(self._body)

    def _general_tab(self) -> QWidget:
        tab = QWidget()
        self.camera = QComboBox()
        self._fill_cameras()
        self.camera.currentIndexChanged.connect(self._camera_picked)
        self.strategy = QComboBox()
        for spec, label in STRATEGIES.items():
            self.strategy.addItem(tr(label), spec)
        if self.strategy.findData(self.draft.scanner.strategy) < 0:
            self.strategy.addItem(self.draft.scanner.strategy, self.draft.scanner.strategy)
        self.strategy.setCurrentIndex(self.strategy.findData(self.draft.scanner.strategy))
        self.sound = QCheckBox(_("Sounds for the verdicts"))
        self.sound.setChecked(self.draft.sound)
        self.print_slip = QCheckBox(_("Offer a printed slip for the customer"))
        self.print_slip.setChecked(self.draft.print_slip)
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(current_language()))
        self.language.currentIndexChanged.connect(self._language_picked)
        form = QFormLayout(tab)
        form.addRow(_("Camera"), self.camera)
        form.addRow("", self.preview)
        form.addRow(_("Reading codes"), self.strategy)
        form.addRow(_("Language"), self.language)
        form.addRow("", self.sound)
        form.addRow("", self.print_slip)
        return tab

    def _owner_tab(self) -> QWidget:
        """Scrolls, so the caps and the operators fit a small touch screen too."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        tab = QWidget()
        scroll.setWidget(tab)
        layout = QVBoxLayout(tab)
        if self.owner is None and not any(o.is_owner for o in self.book.operators()):
            note = QLabel(
                _(
                    "This till has no owner yet. Choose the owner's name and PIN: they open "
                    "the offline limits and the operators."
                )
            )
            note.setWordWrap(True)
            self.owner_form = OwnerForm(self.book)
            self.owner_form.created.connect(self.unlocked)
            layout.addWidget(note)
            layout.addWidget(self.owner_form)
            layout.addStretch(1)
            return scroll
        if self.owner is None:
            note = QLabel(_("The offline limits and the operators need the owner's PIN."))
            note.setWordWrap(True)
            self.unlock_button = QPushButton(_("Unlock with the owner's PIN"))
            self.unlock_button.setAutoDefault(False)
            self.unlock_button.clicked.connect(self.unlock)
            layout.addWidget(note)
            layout.addWidget(self.unlock_button)
            layout.addStretch(1)
            return scroll
        caps = self.draft.offline
        self.cap_hours = QDoubleSpinBox()
        self.cap_hours.setRange(1, 168)
        self.cap_hours.setDecimals(0)
        self.cap_hours.setValue(caps.max_hours_since_sync)
        self.cap_value = QLineEdit(format_cents(caps.max_value_per_redemption_cents))
        self.cap_count = QSpinBox()
        self.cap_count.setRange(0, 10_000)
        self.cap_count.setValue(caps.max_pending_count)
        self.cap_total = QLineEdit(format_cents(caps.max_pending_value_cents))
        form = QFormLayout()
        form.addRow(_("Hours since the last sync"), self.cap_hours)
        form.addRow(_("Most per offline redemption"), self.cap_value)
        form.addRow(_("Redemptions waiting, at most"), self.cap_count)
        form.addRow(_("Value waiting, at most"), self.cap_total)
        intro = QLabel(
            _(
                "With no line, the till accepts vouchers it can check by itself within these "
                "limits; beyond them it refuses until the line is back."
            )
        )
        intro.setWordWrap(True)
        self.operators_page = OperatorsPage(self.book)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(QLabel(_("Operators")))
        layout.addWidget(self.operators_page, 1)
        return scroll

    def _fill_cameras(self) -> None:
        self.camera.blockSignals(True)
        self.camera.clear()
        for index, name in self.cameras:
            self.camera.addItem(name or _("Camera {number}").format(number=index + 1), index)
        wanted = self.draft.scanner.camera_name
        pick = self.camera.findText(wanted) if wanted else -1
        if pick < 0:
            pick = max(0, self.camera.findData(self.draft.scanner.camera_index))
        self.camera.setCurrentIndex(pick)
        self.camera.blockSignals(False)

    # -- reactions -----------------------------------------------------------------------------
    def _on_cameras(self, cameras: object) -> None:
        if isinstance(cameras, list) and cameras:
            self.cameras = cameras
            self._fill_cameras()

    def _camera_picked(self, _row: int) -> None:
        if self._scan_pause.released:  # else the preview starts once the counter let it go
            self._preview_camera()

    def _preview_camera(self) -> None:
        index = self.camera.currentData()
        self.preview.show_camera(self.draft.scanner.camera_index if index is None else index)

    def _language_picked(self, _row: int) -> None:
        self._collect()
        lang = set_language(self.language.currentData())
        self.draft.language = lang
        current_tab = self.tabs.currentIndex()
        self._build()
        self.tabs.setCurrentIndex(current_tab)
        self.languageChanged.emit(lang)

    def unlock(self) -> None:
        """Ask an owner's PIN; on success the owner tab shows the caps and the operators."""
        owner = ask_pin(self, self.book, title=_("Owner PIN"))
        if owner is not None:
            self.unlocked(owner)

    def unlocked(self, owner: Operator) -> None:
        if not may_open_settings(owner):
            return
        self._collect()
        self.owner = owner
        self._build()
        self.tabs.setCurrentIndex(1)

    # -- saving --------------------------------------------------------------------------------
    def _collect(self) -> str | None:
        """Copy the widgets into the draft; plain words for a value that cannot be used."""
        d = self.draft
        if self.camera.currentData() is not None:
            d.scanner.camera_index = self.camera.currentData()
            d.scanner.camera_name = self.camera.currentText()
        d.scanner.strategy = self.strategy.currentData()
        d.sound = self.sound.isChecked()
        d.print_slip = self.print_slip.isChecked()
        d.language = self.language.currentData()
        if self.owner is None:
            return None
        value, total = parse_amount(self.cap_value.text()), parse_amount(self.cap_total.text())
        if value is None or total is None:
            return _("Type the amounts in euros, for example 100,00.")
        d.offline.max_hours_since_sync = float(self.cap_hours.value())
        d.offline.max_value_per_redemption_cents = value
        d.offline.max_pending_count = self.cap_count.value()
        d.offline.max_pending_value_cents = total
        return None

    def save(self) -> None:
        problem = self._collect()
        if problem:
            self.message.setText(problem)
            return
        draft, path = copy.deepcopy(self.draft), self.path
        self.save_button.setEnabled(False)
        self._save_job.start(lambda: (draft.save(path), draft)[1])

    def _on_saved(self, settings: object) -> None:
        self.saved.emit(settings)
        self.accept()

    def _on_save_failed(self, _exc: object) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(
            _("The settings could not be saved (disk full or not writable). Nothing changed.")
        )

    def reject(self) -> None:
        """Cancel also takes back a language tried in this dialog."""
        if current_language() != self._language_at_open:
            set_language(self._language_at_open)
            self.languageChanged.emit(self._language_at_open)
        super().reject()

    def hideEvent(self, event: QHideEvent) -> None:
        self._release_camera()  # closed by any path: the camera goes back to the counter
        super().hideEvent(event)

    def done(self, result: int) -> None:
        self._release_camera()
        super().done(result)

    def _release_camera(self) -> None:
        self.preview.stop()
        self._scan_pause.resume()


__all__ = ["SettingsDialog"]
