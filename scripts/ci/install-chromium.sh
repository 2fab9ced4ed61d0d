#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test of the gateway's page (test/ui). Idempotent: when
# the package is installed it only prints the version, so CI can call it on every run.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

installed() {
  [ -x "$CHROMIUM" ] && dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'install ok installed'
}

# Debian's wrapper script prints a harmless shell warning on some machines; keep only the version.
version() {
  "$CHROMIUM" --version 2>/dev/null || true
}

if installed; then
  echo "chromium already installed: $(version)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium installed: $(version)"
