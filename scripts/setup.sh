#!/usr/bin/env bash
# Sets up everything Continuity needs on a fresh Debian/Ubuntu machine with Python 3.11+:
# the system libraries Qt needs (offscreen platform included), poppler (PDF checks), zbar (the
# printed QR codes are decoded by a real scanner library), CUPS with the cups-pdf virtual printer
# (spooler test), then a virtualenv in .venv with the app and its test tools. Safe to run again:
# it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
DEB_PACKAGES=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 poppler-utils zbar-tools cups cups-client cups-bsd
  printer-driver-cups-pdf xvfb xauth fonts-dejavu-core strace)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e ".[test,bundle]" 2>&1 | grep -vE "^(WARNING: Location|  )" || true
.venv/bin/python -c "import continuity, sqlcipher3, PySide6.QtPdf, reportlab" \
  || { echo "Setup failed: the Python packages did not install." >&2; exit 1; }
