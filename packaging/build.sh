#!/usr/bin/env bash
# Builds the standalone one-folder bundle into dist/continuity/ from a checkout with its venv.
#
#   bash packaging/build.sh                 # -> dist/continuity/continuity
#   bash packaging/build.sh --dist D --work W
#
# PYTHON (default .venv/bin/python) must have the project and PyInstaller installed
# (`.venv/bin/pip install pyinstaller`). CONTINUITY_BUILD_DATE or SOURCE_DATE_EPOCH fix the date
# written to the bundle's BUILD_DATE (shown by `continuity --version`); default: today (UTC).
# The spec does the real work, so `python -m PyInstaller packaging/continuity.spec` is the same
# build where there is no bash (Windows, see packaging/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

DIST=dist
WORK=build/pyinstaller
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

PY=${PYTHON:-.venv/bin/python}
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "PyInstaller is not installed for $PY: run '$PY -m pip install pyinstaller'." >&2
  exit 1
fi

if [ -z "${CONTINUITY_BUILD_DATE:-}" ]; then
  if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    CONTINUITY_BUILD_DATE=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
  else
    CONTINUITY_BUILD_DATE=$(date -u +%Y-%m-%d)
  fi
fi
export CONTINUITY_BUILD_DATE

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" packaging/continuity.spec
elapsed=$(( $(date +%s) - start ))

bundle="$DIST/continuity"
size=$(du -sm "$bundle" | cut -f1)
files=$(find "$bundle" -type f | wc -l)
echo "Built $bundle in ${elapsed}s: ${size} MB, ${files} files, build date $CONTINUITY_BUILD_DATE."
echo "Try it: $bundle/continuity --version"
