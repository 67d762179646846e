#!/usr/bin/env bash
# Install everything posapp needs on this machine: system libraries (Debian/Ubuntu), a virtual
# environment in .venv and the project with its test and development tools. Safe to run again:
# what is already there is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
SYSTEM_PACKAGES=(
  libzbar0                                   # pyzbar's ZBar library
  libpulse0                                  # QtMultimedia (verdict sounds, camera names)
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core  # Qt 6 runtime
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0
  xvfb xauth                                 # a virtual screen for screenshots and headless runs
)

install_system_packages() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "posapp setup: no apt-get here; install ZBar (libzbar) and the Qt 6 runtime with your system's package manager." >&2
    return 0
  fi
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "posapp setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "posapp setup: installing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python() {
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
    echo "posapp setup: Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))." >&2; exit 1; }
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  local stamp=.venv/.posapp-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "posapp setup: installing Python packages into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[dev]'
    touch "$stamp"
  fi
}

install_system_packages
install_python
