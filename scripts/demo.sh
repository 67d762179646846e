#!/usr/bin/env bash
# Command 1: install everything, then run posapp's main job in demo mode against the built-in sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/posapp demo "$@"
