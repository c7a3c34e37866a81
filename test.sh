#!/usr/bin/env bash
# Runs every CreditRisk test on a fresh Debian/Ubuntu machine with the .NET 10 SDK, installing what the tests
# need first (apt packages, npm packages from committed lockfiles). Ends with one line: "N passed, N failed".
# A suite that cannot run counts as failed: nothing is ever skipped silently.
set -uo pipefail
cd "$(dirname "$0")"
root=$PWD
results=$root/test-results
rm -rf "$results" && mkdir -p "$results"

passed=0
failed=0

# Sum the numbers in every match of a pattern in a file.
sum_of() { grep -oE "$1" "$2" | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }'; }

log() { printf '\n== %s ==\n' "$*"; }

# Count a check that is one command: exit 0 is one pass, anything else one failure.
check() {
  local name=$1; shift
  log "$name"
  if "$@" >"$results/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "ok: $name"
  else
    failed=$((failed + 1)); echo "FAILED: $name (see test-results/$name.log)"; tail -n 40 "$results/$name.log"
  fi
}

# dotnet test: add up the "Failed: x, Passed: y" summary of every test assembly; a crash or build error is a failure.
dotnet_suite() {
  log "dotnet test $*"
  local out=$results/dotnet-test.log
  dotnet test "$@" 2>&1 | tee "$out" | grep -E '^(Passed|Failed)!|error|\[FAIL\]' || true
  local status=${PIPESTATUS[0]}
  local p f
  p=$(sum_of 'Passed: +[0-9]+' "$out")
  f=$(sum_of 'Failed: +[0-9]+' "$out")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$status" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); echo "FAILED: dotnet test exited $status"; fi
  # A test host that crashed still prints a "Passed!" line for the tests it finished: count each aborted run as failed.
  local aborted
  aborted=$(grep -c 'The active test run was aborted' "$out" || true)
  if [ "${aborted:-0}" -gt 0 ]; then
    failed=$((failed + aborted)); echo "FAILED: $aborted test run(s) aborted (a test host crashed)"; grep -A3 'The test running when the crash occurred' "$out" | head -8
  fi
  # Every test project of the solution must have run: one that failed to build prints no summary and would vanish.
  local expected ran
  expected=$(grep -cE '^Project\(.*Tests\.csproj"' CreditRisk.sln)
  ran=$(grep -cE '^(Passed|Failed)!' "$out")
  if [ "$ran" -ne "$expected" ]; then
    failed=$((failed + expected - ran)); echo "FAILED: $ran of $expected test projects ran (a build error?)"; grep -E ' error ' "$out" | sort -u | head -20
  fi
}

# node --test: TAP-ish summary lines "# pass N" / "# fail N".
node_suite() {
  local name=$1; shift
  log "$name"
  local out=$results/$name.log
  ( "$@" ) >"$out" 2>&1
  local status=$?
  local p f
  p=$(sum_of '^# pass [0-9]+' "$out")
  f=$(sum_of '^# fail [0-9]+' "$out")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  echo "$name: ${p:-0} passed, ${f:-0} failed"
  if [ "$status" -ne 0 ]; then
    [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
    echo "FAILED: $name exited $status"; tail -n 40 "$out"
  fi
}

log "setup"
if ! bash .ci/install.sh >"$results/install.log" 2>&1; then
  tail -n 40 "$results/install.log"
  echo "setup failed: the tests cannot run"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet_suite CreditRisk.sln -c Release

# The Prometheus alert rules (deploy/prometheus/): valid, and firing exactly on their unit tests' series.
check prometheus-rules-check promtool check rules deploy/prometheus/alerts.yml
check prometheus-rules-test promtool test rules deploy/prometheus/alerts.test.yml

# The container, kept honest without a Docker engine (see tests/container/).
check container-manifests bash tests/container/check-manifests.sh
check container-publish-and-run bash tests/container/publish-and-run.sh
check dockerfile-lint npx --no-install dockerfile-utils lint Dockerfile
# The image itself: buildah builds the Dockerfile on local Debian bases, podman runs it (needs root).
as_root=(); [ "$(id -u)" -ne 0 ] && as_root=(sudo)
check container-image-build "${as_root[@]}" bash tests/container/build-image.sh

# Polyglot: each shipped ONNX file in Python's checker, Node and the browser (the same code for every data set).
for model in german-credit lending-club; do
  check "onnx-python-checker-$model" env CREDITRISK_ARTIFACTS_DIR="artifacts/$model" /usr/bin/python3 tests/polyglot/check_onnx.py
  node_suite "onnx-node-$model" env CREDITRISK_ARTIFACTS_DIR="artifacts/$model" node --test tests/polyglot/onnx-node.test.mjs
  node_suite "onnx-browser-$model" env CREDITRISK_ARTIFACTS_DIR="artifacts/$model" node --test tests/polyglot/onnx-browser.test.mjs
done
# Polyglot: the OpenAPI contract (Spectral, Redocly, breaking changes against contracts/openapi.v5.yaml).
node_suite contract node --test tests/polyglot/contract.test.mjs
# Polyglot: the generated TypeScript client (openapi-typescript + openapi-fetch) against the live server.
node_suite ts-client bash clients/typescript/run-tests.sh

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
