"""`posapp restore`: put a backup of the sales database back (posapp must be closed: a running one
holds the database's lock, and the command then refuses with exit code 3, changing nothing).

    posapp restore --list            the backups, newest first
    posapp restore                   restore the newest one
    posapp restore FILE              restore that one

The file it replaces is moved aside (`posapp.sqlite3.replaced-<time>`), never deleted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from posapp.core.instance_lock import InstanceLock, LedgerInUse
from posapp.core.store import default_path
from posapp.core.store.backup import backup_dir, list_backups, restore
from posapp.core.store.marker import LedgerError
from posapp.i18n import _

IN_USE_EXIT = 3  # posapp is running on that database: nothing was done


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="posapp restore", description=_("Restore a backup of the sales database.")
    )
    parser.add_argument("backup", nargs="?", type=Path, help=_("the backup file (default: newest)"))
    parser.add_argument("--list", action="store_true", help=_("list the backups and stop"))
    parser.add_argument("--db", type=Path, help=_("the database file (default: the app's own)"))
    args = parser.parse_args(argv)
    db = args.db or default_path()
    found = list_backups(backup_dir(db))
    if args.list:
        for path in found:
            print(path)
        if not found:
            print(_("No backup found in {folder}").format(folder=backup_dir(db)))
        return 0
    chosen = args.backup or (found[0] if found else None)
    if chosen is None:
        print(_("No backup found in {folder}").format(folder=backup_dir(db)), file=sys.stderr)
        return 1
    try:
        with InstanceLock(db):  # held while restoring: posapp cannot start meanwhile
            aside = restore(chosen, db)
    except LedgerInUse as exc:
        print(
            _(
                "posapp is open and using {db} (process {pid}): close it first, then run "
                "'posapp restore' again. Nothing was changed."
            ).format(db=db, pid=exc.pid or "?"),
            file=sys.stderr,
        )
        return IN_USE_EXIT
    except LedgerError as exc:
        print(exc.text(), file=sys.stderr)
        return 1
    except OSError as exc:
        print(_("The backup could not be restored: {reason}").format(reason=exc.strerror))
        return 1
    print(_("Restored {backup} into {db}").format(backup=chosen, db=db))
    if aside is not None:
        print(_("The previous file was kept as {aside}").format(aside=aside))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
