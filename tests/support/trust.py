"""A till as the app builds it (PosService.open over the keyring and accounts.json) against a real
sandbox on loopback, with two manual clocks: the platform's (the truth: the sandbox's clock, and
the monotonic clock, which no one can set) and the PC's (which anyone can set)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from posapp.core.accounts import AccountDirectory, PlatformAccount
from posapp.core.clock import ManualClock
from posapp.core.credentials import TokenStore
from posapp.core.service import PosService
from posapp.core.settings import Settings
from posapp.sandbox.server import SandboxServer
from tests.test_sync_support import OFFLINE_CAPS, PATIENT, start_sandbox

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@dataclass
class TrustRig:
    folder: Path
    server: SandboxServer
    shop_id: int
    truth: ManualClock  # the platform's clock; the monotonic clock follows it
    pc: ManualClock  # the shop PC's clock
    tokens: TokenStore
    directory: AccountDirectory
    account: PlatformAccount
    service: PosService | None = None

    def monotonic(self) -> float:
        return self.truth.now().timestamp()

    def advance(self, **delta: float) -> None:
        """Time passes: on the platform, on the monotonic clock and on the PC alike."""
        from datetime import timedelta

        self.truth.advance(timedelta(**delta))
        self.pc.advance(timedelta(**delta))

    def open(self) -> PosService:
        """Start the till as the app does (a restart when called again after close())."""
        settings = Settings()
        settings.offline = OFFLINE_CAPS
        self.service = PosService.open(
            list(self.directory.accounts()),
            self.tokens.get,
            settings,
            db_path=self.folder / "till.sqlite3",
            clock=self.pc,
            timeout=PATIENT,
            monotonic=self.monotonic,
            token_store=self.tokens,
            directory=self.directory,
        )
        return self.service

    def close(self) -> None:
        if self.service is not None:
            self.service.close()
            self.service = None

    def offline(self) -> None:
        for till in self.service.tills.values():
            till.monitor.force_offline()

    def voucher(self, cents: int = 1000, **options) -> dict:
        return self.server.store.create_voucher(self.shop_id, cents, **options)


@contextmanager
def trust_rig(folder: Path, start: datetime = START, pc_ahead_s: float = 0.0) -> Iterator[TrustRig]:
    from datetime import timedelta

    truth = ManualClock(start)
    pc = ManualClock(start + timedelta(seconds=pc_ahead_s))
    server = start_sandbox(folder / "sandbox", truth, platform_id="lecce")
    try:
        shop = server.store.create_shop("Forno Aurora", "Lecce")
        tokens = TokenStore()
        directory = AccountDirectory(folder / "accounts.json")
        code = server.store.new_pairing_code(shop)
        account = directory.pair(server.url, code, "Cassa 1", tokens, timeout=PATIENT)
        rig = TrustRig(folder, server, shop, truth, pc, tokens, directory, account)
        try:
            rig.open()
            yield rig
        finally:
            rig.close()
    finally:
        server.stop()
