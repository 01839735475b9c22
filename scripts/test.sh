#!/usr/bin/env bash
# One command: set up (scripts/setup.sh) and run the whole test suite, headless.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/start_cups.sh || echo "CUPS could not be started: the spooler test will say why."
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
