#!/usr/bin/env bash
# Installs this Continuity bundle for every user of a Linux laptop, from the unpacked folder:
#
#   sudo ./install.sh              # copies to /opt/continuity, adds the menu entry and icon,
#                                  # and the `continuity` command (/usr/local/bin)
#   sudo ./install.sh --uninstall  # removes them again
#
# Copied into the bundle's top folder by the PyInstaller spec. The caches (patient data) live in
# each user's data folder (~/.local/share/Continuity) or where IT put them with --db: neither
# install nor uninstall ever touches them; destroying them after reconciliation is IT's call.
set -euo pipefail

PREFIX=/opt/continuity
BIN=/usr/local/bin/continuity
APPS=/usr/share/applications/continuity.desktop
ICON_SVG=/usr/share/icons/hicolor/scalable/apps/continuity.svg
ICON_PNG=/usr/share/icons/hicolor/256x256/apps/continuity.png
HERE=$(cd "$(dirname "$0")" && pwd)

refresh_menus() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 \
    && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
}

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo ./install.sh)." >&2
  exit 1
fi

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$BIN" "$APPS" "$ICON_SVG" "$ICON_PNG"
  rm -rf "$PREFIX"
  refresh_menus
  echo "Continuity removed. Users' caches were left where they are."
  exit 0
fi

if [ ! -x "$HERE/continuity" ] || [ ! -d "$HERE/_internal" ]; then
  echo "install.sh: run it from the unpacked bundle folder (continuity + _internal)." >&2
  exit 1
fi

if [ "$HERE" != "$PREFIX" ]; then
  rm -rf "$PREFIX.new"
  cp -a "$HERE" "$PREFIX.new"
  rm -rf "$PREFIX"
  mv "$PREFIX.new" "$PREFIX"
fi
chmod -R go-w "$PREFIX"
ln -sfn "$PREFIX/continuity" "$BIN"
install -Dm644 "$PREFIX/_internal/resources/continuity.desktop" "$APPS"
install -Dm644 "$PREFIX/_internal/resources/icons/continuity.svg" "$ICON_SVG"
install -Dm644 "$PREFIX/_internal/resources/icons/continuity.png" "$ICON_PNG"
refresh_menus
"$PREFIX/continuity" --version
echo "Installed in $PREFIX; 'Continuity' is in the applications menu."
