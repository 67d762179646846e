#!/usr/bin/env bash
# Command 2: install everything (if not yet), lint, then run the whole test suite headless.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
.venv/bin/ruff check posapp tests bench scripts installer
exec .venv/bin/python -m pytest "$@"
