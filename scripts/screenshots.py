"""Screenshots of the counter for the README, in Italian, from the real window on the real sandbox.

    xvfb-run -a .venv/bin/python scripts/screenshots.py      # or QT_QPA_PLATFORM=offscreen

Writes docs/screenshots/counter-*.png at 1024x600 (a small till screen): waiting for a code, a
signed code's details before confirming, accepted (green), accepted offline (orange, with the
status line offline and a redemption waiting), refused (red), and the pairing wizard and the
settings when those screens are installed.
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
OUT = ROOT / "docs" / "screenshots"
SIZE = (1024, 600)


def main() -> None:
    import cv2
    import keyring
    from PySide6.QtGui import QImage

    from posapp.core.accounts import AccountDirectory
    from posapp.core.credentials import TokenStore
    from posapp.core.memory_keyring import MemoryKeyring
    from posapp.core.service import PosService
    from posapp.core.settings import Settings
    from posapp.demo_video import qr_card, table
    from posapp.i18n import set_language
    from posapp.qt.app import make_application
    from posapp.qt.counter_app import build_counter
    from posapp.sandbox.server import SandboxServer

    set_language("it")
    keyring.set_keyring(MemoryKeyring())
    app = make_application()
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
    from posapp.qt.counter_extras import CounterExtras

    extras = CounterExtras(service, settings)
    counter = build_counter(service, settings, None, verdict_s=600, extra_actions=extras.actions())
    extras.attach(counter)
    window, flow = counter.window, counter.flow
    window.resize(*SIZE)
    window.show()

    frame = table((640, 480))
    card = qr_card(plain["code"], "Buono 10,00", side=300)
    frame[60 : 60 + card.shape[0], 170 : 170 + card.shape[1]] = card
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    image = QImage(rgb.data, 640, 480, 640 * 3, QImage.Format.Format_RGB888).copy()
    window.preview.show_frame(image)

    def settle(predicate=lambda: True, timeout: float = 15.0) -> None:
        import time

        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        for _ in range(20):
            app.processEvents()
            time.sleep(0.01)

    def shot(name: str, widget=None) -> None:
        settle()
        path = OUT / f"{name}.png"
        (widget or window).grab().save(str(path))
        print(path.relative_to(ROOT))

    OUT.mkdir(parents=True, exist_ok=True)
    shot("counter-scanning")
    flow.on_code(signed, "camera")
    settle(lambda: flow.phase == "confirm")
    shot("counter-signed-code")
    window.confirm()
    settle(lambda: flow.phase == "verdict")
    shot("counter-accepted")
    flow.on_code(plain["code"], "usb")
    settle(lambda: flow.phase == "confirm")
    window.confirm()
    settle(lambda: flow.phase == "verdict")
    flow.on_code(plain["code"], "usb")  # again: already used
    settle(lambda: flow.phase == "verdict" and flow.verdict.tone == "refused")
    shot("counter-refused")
    server.stop()
    flow.on_code(signed_offline, "camera")
    settle(lambda: flow.phase == "confirm")
    window.confirm()
    settle(lambda: flow.phase == "verdict")
    window.status.refresh()
    shot("counter-offline")
    counter.close()
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
    counter.close()
    service.close()


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
