"""The `posapp` command: the app's jobs, each a subcommand.

`posapp` alone opens the counter of a paired till; `posapp demo` opens it on the built-in sandbox
(or, with no screen, walks through a scan, a redemption, an outage and a sync in the terminal);
`posapp decode FILE...` answers "why won't this voucher scan?"; `posapp sandbox`
starts the reference server. Heavy modules are imported only by the subcommand that needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from posapp.cli_i18n import setup_cli
from posapp.i18n import N_, tr


def _demo(argv: Sequence[str]) -> int:
    from posapp.demo import main as demo_main

    return demo_main(argv)


def _decode(argv: Sequence[str]) -> int:
    from posapp.scan.decode_files import main as decode_main

    return decode_main(argv)


def _sandbox(argv: Sequence[str]) -> int:
    from posapp.sandbox.cli import main as sandbox_main

    return sandbox_main(argv)


def _diagnostics(argv: Sequence[str]) -> int:
    from posapp.diagnostics import main as diagnostics_main

    return diagnostics_main(argv)


def _self_test(argv: Sequence[str]) -> int:
    from posapp.selftest import main as selftest_main

    return selftest_main(argv)


def _counter(argv: Sequence[str]) -> int:
    from posapp.qt.counter_app import main as counter_main

    return counter_main(argv)


def _scan(argv: Sequence[str]) -> int:
    from posapp.qt.app import main as scan_main

    return scan_main(argv)


def _restore(argv: Sequence[str]) -> int:
    from posapp.core.restore_cli import main as restore_main

    return restore_main(argv)


COMMANDS: dict[str, tuple[Callable[[Sequence[str]], int], str]] = {
    "counter": (_counter, N_("the counter window of a paired till (the default command)")),
    "demo": (_demo, N_("the counter on the built-in sandbox, with demo vouchers and an outage")),
    "decode": (_decode, N_("decode QR codes in image or video files, one JSON line per file")),
    "scan": (_scan, N_("open the scan window on a camera, a video file or a folder of images")),
    "sandbox": (_sandbox, N_("run the reference sandbox server of the /v1 API")),
    "diagnostics": (_diagnostics, N_("write a zip for support: logs and self-test, no secrets")),
    "restore": (_restore, N_("restore a backup of the sales database (posapp closed)")),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    setup_cli(args)  # help, errors and argparse's own words in one language
    if args and args[0] in ("-h", "--help"):
        parser = argparse.ArgumentParser(
            prog="posapp",
            description=tr(
                N_("posapp, the counter app for community vouchers: one job per command.")
            ),
            epilog=tr(N_("Run `posapp COMMAND --help` for the options of a command.")),
        )
        sub = parser.add_subparsers(title=tr(N_("commands")))
        for name, (_, help_text) in COMMANDS.items():
            sub.add_parser(name, help=tr(help_text))
        parser.add_argument(
            "--version", action="store_true", help=tr(N_("print the version and exit"))
        )
        parser.add_argument(
            "--self-test", action="store_true", help=tr(N_("check this till's parts"))
        )
        parser.print_help()
        return 0
    if args and args[0] == "--version":
        from posapp.version import version_line

        print(version_line())
        return 0
    name = args.pop(0) if args and not args[0].startswith("-") else "counter"
    if name not in COMMANDS:
        words = tr(N_("posapp: unknown command {name}; try: {commands}"))
        print(words.format(name=repr(name), commands=", ".join(COMMANDS)), file=sys.stderr)
        return 2
    from posapp import logs

    logs.configure()  # rotating, redacted log files in the app-data folder; warnings to stderr
    handler, _ = COMMANDS[name]
    if probe := os.environ.get("POSAPP_STARTUP_PROBE"):  # bench/bundle.py: time to first paint
        from pathlib import Path

        from posapp.diagnostics import install_startup_probe

        install_startup_probe(Path(probe))
    if args and args[0] == "--self-test":
        handler, args = _self_test, args[1:]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    finally:
        logs.unconfigure()


if __name__ == "__main__":
    raise SystemExit(main())
