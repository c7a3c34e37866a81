#!/usr/bin/env bash
# Installs what the test suites need beyond the .NET SDK. Idempotent; fails loudly when something can't be had.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# The browser tests drive Debian's chromium through Playwright; nothing downloads a browser.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# The container checks use curl and python3.
command -v curl >/dev/null || need_apt+=(curl)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
