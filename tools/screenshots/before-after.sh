#!/usr/bin/env bash
# Screenshots of the Score, Model and Monitoring tabs of two commits, side by side (issue 33: "before and after").
# Each commit's server is built into a temporary folder and run on loopback with its shipped German Credit model, the
# shipped challenger in shadow and an empty SQLite store; tools/screenshots/shoot.mjs then scores 1,000 applicants, feeds
# 600 outcomes back and shoots. Usage: tools/screenshots/before-after.sh [before-ref] [after-ref] [out-dir]
# (default: the commit before issue 33's first change, HEAD, test-results/screenshots). Needs dotnet, node with the
# repo's node_modules (npm ci) and Chromium.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
before=${1:-0751975}
after=${2:-HEAD}
out=${3:-$root/test-results/screenshots}
key=screenshots-key-0123456789abcdef
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  git -C "$root" worktree remove --force "$work/src-before" 2>/dev/null || true
  git -C "$root" worktree remove --force "$work/src-after" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

shoot() {
  local name=$1 ref=$2 port=$3
  git -C "$root" worktree add -q --detach "$work/src-$name" "$ref"
  dotnet build "$work/src-$name/server" -c Release -o "$work/bin-$name" -v q -nologo >"$work/build-$name.log" 2>&1 \
    || { tail -20 "$work/build-$name.log"; exit 1; }
  mkdir -p "$work/data-$name"
  if curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1; then
    echo "port $port is taken by another server; stop it first" >&2
    exit 1
  fi
  # exec: the pid recorded is the server's own, so the trap stops it.
  ( cd "$work/bin-$name" && exec env --default-signal=INT ASPNETCORE_URLS="http://127.0.0.1:$port" ApiKey__Key=$key \
      Limits__RateLimitPermits=0 Records__DataFolder="$work/data-$name" Monitoring__RefreshSeconds=1 \
      Model__ChallengerPath="$work/bin-$name/artifacts/german-credit/challenger/model.onnx" \
      dotnet CreditRisk.Server.dll >"$work/server-$name.log" 2>&1 ) &
  pids+=($!)
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break
    sleep 1
  done
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { tail -20 "$work/server-$name.log"; exit 1; }
  node "$root/tools/screenshots/shoot.mjs" "http://127.0.0.1:$port" "$key" "$out/$name"
  echo "$name = $(git -C "$root" rev-parse --short "$ref")" >>"$out/README.txt"
}

mkdir -p "$out"
: >"$out/README.txt"
shoot before "$before" 5391
shoot after "$after" 5392
echo "screenshots in $out/before and $out/after"
