#!/usr/bin/env bash
# Installs what the test suites need beyond the .NET SDK. Idempotent; fails loudly when something can't be had.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser tests (tests/CreditRisk.Browser.Tests) drive Debian's chromium through Playwright; nothing downloads a browser.
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
fi

need_apt=()
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
