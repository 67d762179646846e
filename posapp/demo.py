"""`posapp demo`: the app's main job with no platform account, against the built-in sandbox.

A scripted walk through the real pieces: the sandbox server on loopback, pairing, a voucher QR image
decoded by the scanning strategy, an online redemption, a partial one, a refusal, an outage (the
server really stops), an offline redemption, the line coming back and the sync, and the totals.
The sandbox token lives only in this process's memory: the demo never writes to the OS keyring.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import keyring

from posapp.core import messages
from posapp.core.accounts import AccountDirectory
from posapp.core.credentials import TokenStore
from posapp.core.memory_keyring import MemoryKeyring
from posapp.core.money import format_cents
from posapp.core.policy import AcceptedOffline, AcceptedOnline, NeedsConfirmation, Outcome
from posapp.core.service import PosService
from posapp.core.settings import Settings
from posapp.i18n import N_, chosen_or_system, ntr, tr

SAY = {  # English msgids, said in the walk's language (posapp.i18n)
    "start": N_("Sandbox platform running at {url}"),
    "sheet": N_("Demo voucher sheet (print it or open it on a phone): {path}"),
    "paired": N_("Till paired: {till} of {shop} (token only in the keyring, here in memory)"),
    "scan": N_("Scanning {file}: read {text} ({decoder})"),
    "confirm": N_("Voucher {code}: value {face}, balance {balance}; confirming {amount}"),
    "outage": N_("--- Line down: the platform does not answer ---"),
    "state": N_("State: {online}, waiting: {pending}, last sync: {last}"),
    "back": N_("--- Line back: syncing ---"),
    "done": N_("Demo complete. Data in {path}"),
}


class Walk:
    def __init__(self, lang: str, out=None) -> None:
        self.lang = lang
        self.out = out or sys.stdout  # looked up now: a redirected stdout counts

    def say(self, key: str, **params: object) -> None:
        self.line(tr(SAY[key], self.lang, **params))

    def line(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def verdict(self, outcome: Outcome) -> str:
        if isinstance(outcome, AcceptedOnline):
            line = messages.text("verdict.accepted", self.lang)
            amount = format_cents(outcome.amount_cents, lang=self.lang)
            green = tr(N_("GREEN"), self.lang)
            return f"[{green}] {line} — {outcome.voucher_code} {amount}"
        if isinstance(outcome, AcceptedOffline):
            line = messages.text("verdict.accepted_offline", self.lang)
            amount = format_cents(outcome.amount_cents, lang=self.lang)
            orange = tr(N_("ORANGE"), self.lang)
            return f"[{orange}] {line} — {outcome.voucher_code} {amount}"
        if isinstance(outcome, NeedsConfirmation):
            return messages.text("verdict.confirm", self.lang)
        red = tr(N_("RED"), self.lang)
        return f"[{red}] {messages.text('verdict.refused', self.lang)}: {outcome.text(self.lang)}"

    def redeem(self, service: PosService, text: str, amount_cents: int | None = None) -> Outcome:
        """Scan -> look up -> show -> confirm, as the counter does."""
        first = service.submit(text)
        if not isinstance(first, NeedsConfirmation):
            print("  " + self.verdict(first), file=self.out, flush=True)
            return first
        s = first.summary
        amount = s.default_amount_cents if amount_cents is None else amount_cents
        fmt = lambda cents: format_cents(cents, lang=self.lang)  # noqa: E731
        self.say(
            "confirm",
            code=s.code,
            face=fmt(s.face_value_cents),
            balance=fmt(s.balance_cents),
            amount=fmt(amount),
        )
        outcome = service.submit(text, amount, confirmed=True)
        print("  " + self.verdict(outcome), file=self.out, flush=True)
        return outcome

    def state(self, service: PosService) -> None:
        st = service.state
        online = messages.text("status.online" if st.online else "status.offline", self.lang)
        last = "-"
        if st.last_good_sync is not None:  # shown in the shop's own time
            last = st.last_good_sync.astimezone(_rome()).strftime("%H:%M:%S")
        self.say("state", online=online, pending=st.pending_count, last=last)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="posapp demo",
        description=tr(
            N_(
                "The counter against the built-in sandbox: demo vouchers, an outage and the sync "
                "catching up, with no platform account."
            )
        ),
    )
    parser.add_argument(
        "--lang",
        choices=("it", "en"),
        default=chosen_or_system(Settings.load().language),
        help=tr(N_("language of the demo (default: from the settings)")),
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=tr(N_("keep the demo's files here (default: a temporary folder)")),
    )
    parser.add_argument(
        "--text", action="store_true", help=tr(N_("the scripted walk in the terminal, no window"))
    )
    parser.add_argument(
        "--camera", type=int, help=tr(N_("use this camera instead of the demo video"))
    )
    args = parser.parse_args(argv)
    walk = Walk(args.lang)
    workdir = args.data_dir or Path(tempfile.mkdtemp(prefix="posapp-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    start_over(workdir)
    keyring.set_keyring(MemoryKeyring())  # the sandbox token: this process only
    if not args.text:
        from posapp.qt.display import display_problem

        problem = display_problem()
        if problem is None:
            from posapp.qt.demo_window import run_window

            return run_window(workdir, args.lang, args.camera)
        print(tr(NO_SCREEN, args.lang), file=sys.stderr)
    run(walk, workdir)
    return 0


NO_SCREEN = N_("No screen (DISPLAY/WAYLAND_DISPLAY not set): walking through it in the terminal.")
# the till's side of a previous run: its sandbox is started fresh each run, so they are stale
TILL_FILES = (
    "accounts.json",
    "posapp.sqlite3",
    "posapp.sqlite3-wal",
    "posapp.sqlite3-shm",
    "posapp.sqlite3.marker.json",  # the ledger's identity goes with the ledger (store/marker.py)
)


def start_over(workdir: Path) -> None:
    """A demo folder can be used again: each run starts a fresh sandbox, so the till's files of
    the last run (its account, whose token lived only in that process, and its ledger) go too."""
    for name in TILL_FILES:
        (workdir / name).unlink(missing_ok=True)


def run(walk: Walk, workdir: Path) -> None:
    from posapp.sandbox.demo import demo_vouchers, write_sheet
    from posapp.sandbox.server import SandboxServer

    server = SandboxServer(workdir / "sandbox", fresh=True).start()
    walk.say("start", url=server.url)
    shop = server.store.shops()[0]
    code = server.store.new_pairing_code(shop["shop_id"])
    sheet = write_sheet(server.store, workdir / "qr", server.url, code)
    walk.say("sheet", path=sheet)
    vouchers = [v for v in demo_vouchers(server.store) if v["shop_id"] == shop["shop_id"]]

    tokens = TokenStore()
    account = AccountDirectory(workdir / "accounts.json").pair(server.url, code, "Cassa 1", tokens)
    walk.say("paired", till=account.till_name, shop=account.shop_name)
    service = PosService.open(
        [account], tokens.get, db_path=workdir / "posapp.sqlite3", timeout=(1.0, 2.0)
    )
    try:
        report = service.sync_now()[account.account_id]
        lang = walk.lang
        walk.line(
            tr(
                N_("Synced: {vouchers} and {keys} cached for offline work"),
                lang,
                vouchers=ntr("{n} voucher", "{n} vouchers", report.vouchers, lang),
                keys=ntr("{n} key", "{n} keys", report.keys, lang),
            )
        )

        valid = [v for v in vouchers if v["state"] == "valid" and not v["partial_allowed"]]
        partial = next(v for v in vouchers if v["state"] == "valid" and v["partial_allowed"])
        text = scan(walk, workdir / "qr" / f"{valid[0]['code']}.png")
        walk.redeem(service, text)
        walk.redeem(service, partial["code"], 750)
        walk.redeem(service, text)  # the same voucher again: refused, already used
        walk.state(service)

        walk.say("outage")
        port = server.port
        server.stop()
        signed = scan(walk, workdir / "qr" / f"{valid[1]['code']}-signed.png")
        walk.redeem(service, signed)
        walk.state(service)

        walk.say("back")
        server = SandboxServer(workdir / "sandbox", port=port).start()
        report = service.sync_now()[account.account_id]
        walk.line(
            ntr(
                "Uploaded {n} offline redemption, conflicts: {conflicts}",
                "Uploaded {n} offline redemptions, conflicts: {conflicts}",
                report.accepted,
                walk.lang,
                conflicts=report.conflicts,
            )
        )
        walk.state(service)
        totals = service.daily_totals(service.clock.now().astimezone(_rome()).date())
        walk.line(
            ntr(
                "Today's total: {n} voucher, {total}",
                "Today's total: {n} vouchers, {total}",
                totals.count,
                walk.lang,
                total=format_cents(totals.total_cents, lang=walk.lang),
            )
        )
    finally:
        service.close()
        server.stop()
    walk.say("done", path=workdir)


def scan(walk: Walk, image: Path) -> str:
    """Decode a voucher QR image with the app's configured strategy, as the camera would."""
    import cv2

    from posapp.scan.strategy import make_strategy

    frame = cv2.imread(str(image))
    codes = make_strategy(Settings.load().scanner.strategy).decode(frame)
    if not codes:
        raise RuntimeError(f"no QR code found in {image}")
    shown = codes[0].text if len(codes[0].text) <= 20 else codes[0].text[:17] + "..."
    walk.say("scan", file=image.name, text=shown, decoder=codes[0].decoder)
    return codes[0].text


def _rome():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Rome")
