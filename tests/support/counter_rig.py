"""A real counter for the Qt tests: sandbox on loopback (real clock, faults on), a till paired
through the real pairing endpoint, PosService on a real SQLite file, and the counter window
(`open_counter`, or the `counter` fixture: the window shown, no camera, verdicts held 30 s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from posapp.core.accounts import AccountDirectory
from posapp.core.credentials import TokenStore
from posapp.core.service import PosService
from posapp.core.settings import Settings
from posapp.qt.counter_app import Counter, build_counter
from posapp.qt.counter_extras import CounterExtras
from posapp.sandbox.server import SandboxServer


@dataclass
class Rig:
    server: SandboxServer
    shop_id: int
    account: Any
    service: PosService
    settings: Settings
    path: Path

    def voucher(self, cents: int = 1000, **options: Any) -> dict[str, Any]:
        return self.server.store.create_voucher(self.shop_id, cents, **options)

    def redemptions(self) -> list[dict[str, Any]]:
        conn = self.server.store.db.connection()
        return [dict(r) for r in conn.execute("SELECT * FROM redemptions")]

    def stop_platform(self) -> None:
        self.server.stop()

    def start_platform(self) -> None:
        port = self.server.port
        self.server = SandboxServer(self.path / "sandbox", port=port, faults=True).start()


@contextmanager
def open_rig(
    tmp_path: Path,
    *,
    timeout: tuple[float, float] = (1.0, 2.0),
    wrap_app: Callable[[Any], Any] | None = None,
) -> Iterator[Rig]:
    """The rig; `timeout` the till's (connect, read) timeouts, `wrap_app` an ASGI layer put
    around the sandbox's app before it listens (a platform with other limits)."""
    server = SandboxServer(tmp_path / "sandbox", fresh=True, seed_demo=False, faults=True)
    if wrap_app is not None:
        server.app = wrap_app(server.app)
    server.start()
    shop_id = server.store.create_shop("Panificio Rizzo", "Calimera")
    code = server.store.new_pairing_code(shop_id)
    tokens = TokenStore()
    account = AccountDirectory(tmp_path / "accounts.json").pair(server.url, code, "Cassa 1", tokens)
    settings = Settings()
    settings.sound = False
    service = PosService.open(
        [account], tokens.get, settings, db_path=tmp_path / "till.sqlite3", timeout=timeout
    )
    service.sync_now()
    rig = Rig(server, shop_id, account, service, settings, tmp_path)
    try:
        yield rig
    finally:
        service.close()
        rig.server.stop()


@pytest.fixture
def rig(tmp_path) -> Iterator[Rig]:
    with open_rig(tmp_path) as made:
        yield made


def open_counter(
    rig: Rig,
    qtbot: Any,
    scanning: Any = None,
    *,
    extras: CounterExtras | None = None,
    show: bool = True,
    **options: Any,
) -> Counter:
    """The counter window on the rig's service, registered with qtbot (and shown); with `extras`
    its F-keys (owner's view, receipt, slip, re-pair, ...) are attached. The caller closes it."""
    if extras is not None:
        options["extra_actions"] = extras.actions()
    made = build_counter(rig.service, rig.settings, scanning, **options)
    if extras is not None:
        extras.attach(made)
    qtbot.addWidget(made.window)
    if show:
        made.window.show()
    return made


@pytest.fixture
def counter(rig: Rig, qtbot: Any) -> Iterator[Counter]:
    made = open_counter(rig, qtbot, verdict_s=30)
    yield made
    made.bridge.close()
