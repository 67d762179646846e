#!/usr/bin/env bash
# The translation catalogs (posapp/locale): extract the marked strings into posapp.pot, update
# it/en .po files, compile the .mo files the app loads. Then fill the empty msgstr in
# posapp/locale/it/LC_MESSAGES/posapp.po and run it again to compile.
#   bash scripts/i18n.sh            extract + update + compile (the usual)
#   bash scripts/i18n.sh compile    only compile (e.g. after a merge conflict on a .mo file)
#   bash scripts/i18n.sh check      like the default, but exit 1 while Italian is missing
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" scripts/i18n_catalogs.py "$@"
