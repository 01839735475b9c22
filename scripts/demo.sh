#!/usr/bin/env bash
# One command: set up (scripts/setup.sh), build the demo hospital and open the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/continuity demo "$@"
