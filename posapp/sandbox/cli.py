"""`posapp-sandbox`: run the reference /v1 server with a demo data set, for the demo and for tests.

Prints the API URL and a pairing code for the first demo shop, and writes the demo vouchers' QR
codes with an HTML sheet (default `<data-dir>/qr/index.html`).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from platformdirs import user_data_path

from posapp.cli_i18n import setup_cli
from posapp.i18n import _
from posapp.sandbox.demo import pairing_payload, write_sheet
from posapp.sandbox.server import SandboxServer


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            _("port must be a number in 0..65535, not {text}").format(text=repr(text))
        )
    return port


def _hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= 8760:  # NaN fails too
        raise argparse.ArgumentTypeError(
            _("hours must be a number above 0 and at most 8760, not {text}").format(text=repr(text))
        )
    return hours


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posapp-sandbox",
        description=_(
            "Run the reference server of the /v1 platform API with demo shops and vouchers, for "
            "the demo and for tests."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help=_("address to listen on (127.0.0.1)"))
    parser.add_argument(
        "--port", type=_port, default=8765, help=_("port (8765; 0 = any free port)")
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=user_data_path("posapp") / "sandbox",
        help=_("where the sandbox database lives"),
    )
    parser.add_argument("--fresh", action="store_true", help=_("start from an empty database"))
    parser.add_argument(
        "--faults", action="store_true", help=_("enable fault injection (POST /_sandbox/faults)")
    )
    parser.add_argument(
        "--void-window-minutes",
        type=float,
        default=15.0,
        help=_("minutes a redemption can be cancelled in (15)"),
    )
    parser.add_argument(
        "--max-offline-age-hours",
        type=_hours,
        default=72.0,
        help=_(
            "hours an offline redemption or void may be older than its upload before it is "
            "a conflict (72)"
        ),
    )
    parser.add_argument(
        "--platform-id", default="puglia-demo", help=_("the platform's id tills pair with")
    )
    parser.add_argument(
        "--platform-name",
        default="Piattaforma di Comunità (sandbox)",
        help=_("the platform's name as tills show it"),
    )
    parser.add_argument(
        "--qr-dir",
        type=Path,
        default=None,
        help=_("where to write the voucher QR sheet (default: <data-dir>/qr)"),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    setup_cli(sys.argv[1:] if argv is None else argv)  # posapp-sandbox is its own command too
    args = build_parser().parse_args(argv)
    try:
        server = SandboxServer(
            args.data_dir,
            host=args.host,
            port=args.port,
            fresh=args.fresh,
            faults=args.faults,
            platform_id=args.platform_id,
            platform_name=args.platform_name,
            void_window_minutes=args.void_window_minutes,
            max_offline_age_hours=args.max_offline_age_hours,
        )
    except (OSError, ValueError) as exc:
        print(f"posapp-sandbox: {exc}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as exc:
        print(
            f"posapp-sandbox: {args.data_dir} holds no usable sandbox database ({exc});"
            " start with --fresh or another --data-dir",
            file=sys.stderr,
        )
        return 2
    try:
        server.start()
    except RuntimeError as exc:
        print(f"posapp-sandbox: {exc}", file=sys.stderr)
        return 2
    shops = server.store.shops()
    code = server.store.new_pairing_code(shops[0]["shop_id"], ttl=timedelta(hours=24))
    url = server.url
    sheet = write_sheet(server.store, args.qr_dir or args.data_dir / "qr", url, code)
    print(f"posapp sandbox '{server.store.platform_id}' on {url}  (contract: {url}/openapi.json)")
    print(f"pairing code for {shops[0]['name']}: {code}  (valid 24 h, single use)")
    print(f"pairing QR payload: {pairing_payload(url, code)}")
    print(f"demo vouchers sheet: {sheet}")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("WARNING: /_sandbox admin endpoints are unauthenticated; keep this off real networks")
    if args.faults:
        print("fault injection ENABLED: POST /_sandbox/faults")
    sys.stdout.flush()
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
