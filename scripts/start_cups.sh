#!/usr/bin/env bash
# Starts the CUPS scheduler (if it is not running) and makes sure the cups-pdf virtual printer
# exists, for the test that prints a MAR through a real spooler.
set -uo pipefail
command -v cupsd >/dev/null 2>&1 || exit 1
if ! lpstat -r 2>/dev/null | grep -q "is running"; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO cupsd >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do lpstat -r 2>/dev/null | grep -q "is running" && break; sleep 0.1; done
fi
if ! lpstat -p PDF >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  ppd=$(lpinfo -m 2>/dev/null | awk '/CUPS-PDF/ {print $1; exit}')
  $SUDO lpadmin -p PDF -v cups-pdf:/ -E ${ppd:+-m "$ppd"} >/dev/null 2>&1 || true
fi
lpstat -p PDF >/dev/null 2>&1
