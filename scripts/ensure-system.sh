#!/usr/bin/env bash
# Make sure the Debian packages a target needs are present.
# Usage: scripts/ensure-system.sh COMMAND:PACKAGE [COMMAND:PACKAGE ...]
# (a COMMAND starting with / is a file the package ships, e.g. a font)
# Installs what is missing when we are root; otherwise says exactly what to install.
set -euo pipefail

missing=()
for pair in "$@"; do
  cmd="${pair%%:*}"; pkg="${pair##*:}"
  case "$cmd" in
    venv) python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=("$pkg") ;;
    /*) [ -e "$cmd" ] || missing+=("$pkg") ;;
    *) command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
