#!/usr/bin/env bash
# Installs what the test suites need beyond the .NET SDK. Idempotent; fails loudly when something can't be had.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# Headless Chromium for the browser tests and onnxruntime-web (Playwright drives Debian's build; nothing
# downloads a browser); Debian's onnx for the ONNX checker; curl for the container checks; Node for the JS suites.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
/usr/bin/python3 -c 'import onnx' 2>/dev/null || need_apt+=(python3-onnx)
command -v curl >/dev/null || need_apt+=(curl)
command -v npm >/dev/null || need_apt+=(nodejs npm)
# Debian's Prometheus for promtool: test.sh checks and unit-tests the alert rules in deploy/prometheus/.
command -v promtool >/dev/null || need_apt+=(prometheus)
# The decision-store tests start throwaway PostgreSQL clusters (initdb + pg_ctl from Debian's postgresql); the
# scale-out test puts two servers behind Debian's nginx.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need_apt+=(nginx)
# The real image build (tests/container/build-image.sh): no Docker engine, so buildah, podman and runc.
for tool in debootstrap buildah podman runc; do command -v "$tool" >/dev/null || need_apt+=("$tool"); done
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
# A package that installed without its tool (renamed, split) must stop the run here, not skip a suite later.
command -v promtool >/dev/null || { echo "promtool not found after installing Debian's prometheus package" >&2; exit 1; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "PostgreSQL's initdb is missing after install" >&2; exit 1; }
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || { echo "nginx is missing after install" >&2; exit 1; }

# JS tooling for the polyglot suites, from the committed lockfile. onnxruntime-node's CPU binaries ship in the
# package; ONNXRUNTIME_NODE_INSTALL=skip stops its install script fetching CUDA ones.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
