"""Screenshots of the counter for the README, in Italian, from the real window on the real sandbox.

    xvfb-run -a .venv/bin/python scripts/screenshots.py      # or QT_QPA_PLATFORM=offscreen

Writes docs/screenshots/counter-*.png at 1024x600 (a small till screen): waiting for a code, a
signed code's details before confirming, accepted (green), accepted offline (orange, with the
status line offline and a redemption waiting), refused (red), F1's help and About box, the choice
between two platforms that know the same plain code, a PC clock two hours ahead of the
platform's, and the pairing wizard and the settings. The preview shows the card of the voucher
being scanned, captioned as the counter writes amounts ("€ 10,00").
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
OUT = ROOT / "docs" / "screenshots"
SIZE = (1024, 600)


def main() -> None:
    import keyring

    from posapp.core.accounts import AccountDirectory
    from posapp.core.credentials import TokenStore
    from posapp.core.memory_keyring import MemoryKeyring
    from posapp.core.service import PosService
    from posapp.core.settings import Settings
    from posapp.i18n import _, set_language
    from posapp.qt.app import make_application
    from posapp.qt.qt_i18n import apply_language
    from posapp.sandbox.server import SandboxServer

    set_language("it")
    keyring.set_keyring(MemoryKeyring())
    app = make_application()
    apply_language("it")
    work = Path(tempfile.mkdtemp(prefix="posapp-shots-"))
    os.environ["POSAPP_DATA_DIR"] = str(work)
    server = SandboxServer(work / "sandbox", fresh=True, seed_demo=False).start()
    shop = server.store.create_shop("Panificio Rizzo", "Calimera")
    tokens = TokenStore()
    account = AccountDirectory(work / "accounts.json").pair(
        server.url, server.store.new_pairing_code(shop), "Cassa 1", tokens
    )
    plain = server.store.create_voucher(shop, 1000)
    partial = server.store.create_voucher(shop, 5000, balance_cents=3250, partial_allowed=True)
    offline = server.store.create_voucher(shop, 2000)
    signed = server.store.sign_voucher(partial["voucher_id"])
    signed_offline = server.store.sign_voucher(offline["voucher_id"])
    settings = Settings()
    settings.sound = False
    service = PosService.open(
        [account], tokens.get, settings, db_path=work / "till.sqlite3", timeout=(1.0, 2.0)
    )
    service.sync_now()
    counter = show_counter(service, settings)
    window, flow = counter.window, counter.flow

    window.preview.show_frame(card_frame(plain["code"], _("Voucher {amount}"), 1000))

    def settle(predicate=lambda: True, timeout: float = 15.0) -> None:
        import time

        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        for _step in range(20):
            app.processEvents()
            time.sleep(0.01)

    def shot(name: str, widget=None) -> None:
        settle()
        path = OUT / f"{name}.png"
        (widget or window).grab().save(str(path))
        print(path.relative_to(ROOT))

    OUT.mkdir(parents=True, exist_ok=True)
    shot("counter-scanning")
    window.preview.show_frame(card_frame(signed, _("Signed voucher {amount}"), 5000))
    flow.on_code(signed, "camera")
    settle(lambda: flow.phase == "confirm")
    shot("counter-signed-code")
    window.confirm()
    settle(lambda: flow.phase == "verdict")
    shot("counter-accepted")
    window.preview.show_frame(card_frame(plain["code"], _("Voucher {amount}"), 1000))
    flow.on_code(plain["code"], "usb")
    settle(lambda: flow.phase == "confirm")
    window.confirm()
    settle(lambda: flow.phase == "verdict")
    flow.on_code(plain["code"], "usb")  # again: already used
    settle(lambda: flow.phase == "verdict" and flow.verdict.tone == "refused")
    shot("counter-refused")
    flow.back_to_scanning()
    window.show_help()
    settle(lambda: window.about_dialog is not None and window.about_dialog.isVisible())
    shot("counter-help", window.about_dialog)
    window.about_dialog.close()
    server.stop()
    window.preview.show_frame(card_frame(signed_offline, _("Signed voucher {amount}"), 2000))
    flow.on_code(signed_offline, "camera")
    settle(lambda: flow.phase == "confirm")
    window.confirm()
    settle(lambda: flow.phase == "verdict")
    window.status.refresh()
    shot("counter-offline")
    counter.close()
    service.close()
    two_platforms(work, settings, shot, settle)
    for name, make in (("pairing-wizard", pairing_wizard), ("settings", settings_dialog)):
        try:
            widget = make(work, settings)
        except ImportError:
            print(f"{name}: not installed yet, skipped")
            continue
        widget.resize(*SIZE)
        widget.show()
        shot(name, widget)
        widget.close()


class ShiftedClock:
    """A platform's clock: the real time moved by `offset` (the PC's clock stays as it is)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def show_counter(service, settings):  # type: ignore[no-untyped-def]
    """The counter window as `posapp` builds it (with F6-F10 extras), shown at the shots' size."""
    from posapp.qt.counter_app import build_counter
    from posapp.qt.counter_extras import CounterExtras

    extras = CounterExtras(service, settings)
    counter = build_counter(service, settings, None, verdict_s=600, extra_actions=extras.actions())
    extras.attach(counter)
    counter.window.resize(*SIZE)
    counter.window.show()
    return counter


def card_frame(code: str, caption: str, cents: int) -> QImage:
    """What the camera sees: the voucher's card (its QR and caption) on the counter top."""
    import cv2
    from PySide6.QtGui import QImage

    from posapp.demo_video import qr_card, table
    from posapp.qt.demo_window import qt_caption
    from posapp.qt.verdicts import money

    frame = table((640, 480))
    card = qr_card(code, caption.format(amount=money(cents)), side=300, caption_image=qt_caption)
    frame[60 : 60 + card.shape[0], 170 : 170 + card.shape[1]] = card
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    return QImage(rgb.data, 640, 480, 640 * 3, QImage.Format.Format_RGB888).copy()


def two_platforms(work: Path, settings, shot, settle) -> None:  # type: ignore[no-untyped-def]
    """Bari and Lecce know the same plain code: the choice; then the PC's clock 2 hours ahead."""
    from posapp.core.accounts import AccountDirectory
    from posapp.core.credentials import TokenStore
    from posapp.core.service import PosService
    from posapp.i18n import _
    from posapp.sandbox.server import SandboxServer

    clock = ShiftedClock()
    directory, tokens = AccountDirectory(work / "two-accounts.json"), TokenStore()
    servers, vouchers = [], []
    for pid, platform, shop, town in (
        ("bari", "Buoni Bari", "Panificio Rizzo", "Bari"),
        ("lecce", "Buoni Lecce", "Panificio Rizzo", "Lecce"),
    ):
        server = SandboxServer(
            work / pid,
            fresh=True,
            seed_demo=False,
            platform_id=pid,
            platform_name=platform,
            clock=clock,
        ).start()
        shop_id = server.store.create_shop(shop, town)
        directory.pair(server.url, server.store.new_pairing_code(shop_id), "Cassa 1", tokens)
        cents = 5000 if pid == "bari" else 1000
        vouchers.append(server.store.create_voucher(shop_id, cents, voucher_id=4_242_424))
        servers.append(server)
    service = PosService.open(
        list(directory.accounts()),
        tokens.get,
        settings,
        db_path=work / "two.sqlite3",
        timeout=(1.0, 2.0),
    )
    service.sync_now()
    counter = show_counter(service, settings)
    window, flow = counter.window, counter.flow
    window.preview.show_frame(card_frame(vouchers[1]["code"], _("Voucher {amount}"), 1000))
    flow.on_code(vouchers[1]["code"], "usb")
    settle(lambda: flow.phase == "choose")
    shot("counter-choice", window)
    flow.back_to_scanning()
    clock.offset = -timedelta(hours=2)  # the platforms say 2 hours earlier: the PC is ahead
    service.sync_now()
    window.status.refresh()
    settle(lambda: bool(window.status.alert.text()))
    shot("counter-clock", window)
    counter.close()
    service.close()
    for server in servers:
        server.stop()


def pairing_wizard(work: Path, settings):  # type: ignore[no-untyped-def]
    from posapp.core.accounts import AccountDirectory
    from posapp.core.operators import OperatorBook
    from posapp.qt.pairing import PairingWizard

    wizard = PairingWizard(
        AccountDirectory(work / "wizard-accounts.json"),
        OperatorBook(work / "wizard-operators.json"),
        settings.till_name,
    )
    wizard.setWindowTitle("posapp")
    return wizard


def settings_dialog(work: Path, settings):  # type: ignore[no-untyped-def]
    from posapp.core.operators import OperatorBook
    from posapp.qt.settings_dialog import SettingsDialog

    book = OperatorBook(work / "settings-operators.json")
    shown = copy.deepcopy(settings)
    shown.sound = True  # as a till has it (the screenshots themselves play nothing)
    return SettingsDialog(shown, book, None, path=work / "settings.json")


if __name__ == "__main__":
    main()
