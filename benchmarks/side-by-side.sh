#!/usr/bin/env bash
# Side-by-side throughput of two commits on the realistic mix (every German Credit training applicant in turn,
# mix.lua), for a refactor that must not cost speed (issue 27: "within noise of main in one side-by-side run").
# Builds each commit in Release in a temporary detached worktree, starts both servers on loopback (each recording to
# its own fresh SQLite store, as served), and alternates wrk rounds between them so a noisy, shared machine hits both
# alike. Prints each round, then the medians and the ratio B/A. Load only ever targets 127.0.0.1; every run is bounded.
#
# Usage: benchmarks/side-by-side.sh A B     (commits, branches or tags; e.g. 563560e^1 HEAD)
# Env:   DURATION (10) WARMUP (3) CONNS (8) ROUNDS (5) PORT (random high port; B uses PORT+1)
# Prerequisites: the .NET SDK, python3, curl and wrk (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ $# -eq 2 ] || { echo "usage: $0 COMMIT_A COMMIT_B" >&2; exit 2; }
DURATION=${DURATION:-10} WARMUP=${WARMUP:-3} CONNS=${CONNS:-8} ROUNDS=${ROUNDS:-5}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
out=$root/benchmarks/results
mkdir -p "$out"

tmp=$(mktemp -d) pids=() trees=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for t in "${trees[@]}"; do git worktree remove --force "$t" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

mix=$tmp/mix-german.ndjson
python3 - "$mix" <<'PY'
import json, sys
rows = [r["input"] for r in json.load(open("artifacts/german-credit/golden.json"))["rows"] if r["kind"] == "data"]
open(sys.argv[1], "w").writelines(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
PY

start() { # label commit port
  local tree=$tmp/tree-$1
  git worktree add -q --detach "$tree" "$2"
  trees+=("$tree")
  dotnet build "$tree/server" -c Release -v q -nologo >/dev/null
  local dll
  dll=$(ls "$tree"/server/bin/Release/net*/CreditRisk.Server.dll | head -n1)
  mkdir -p "$tmp/store-$1"
  (cd "$(dirname "$dll")" && env ASPNETCORE_URLS="http://127.0.0.1:$3" ASPNETCORE_ENVIRONMENT=Production \
    Serilog__MinimumLevel__Default=Warning Limits__RateLimitPermits=0 Records__DataFolder="$tmp/store-$1" \
    dotnet "$dll") >"$out/side-by-side-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$3/health/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$out/side-by-side-$1.log" >&2
  return 1
}

start A "$1" "$PORT"
start B "$2" "$((PORT + 1))"
a_rev=$(git rev-parse --short "$1") b_rev=$(git rev-parse --short "$2")

round() { # label port -> "label rps p99_ms errors"
  BODIES_FILE=$mix wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$root/benchmarks/mix.lua" \
    "http://127.0.0.1:$2/api/v1/score" >"$tmp/wrk.txt"
  python3 -c 'import json,sys; d=json.loads(sys.argv[2]); print(sys.argv[1], round(d["rps"]), d["p99_ms"], d["errors"])' \
    "$1" "$(grep '^WRK ' "$tmp/wrk.txt" | sed 's/^WRK //')"
}

for p in "$PORT" "$((PORT + 1))"; do
  BODIES_FILE=$mix wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s "$root/benchmarks/mix.lua" "http://127.0.0.1:$p/api/v1/score" >/dev/null
done

result=$out/side-by-side.txt
{
  echo "A = $1 ($a_rev), B = $2 ($b_rev); realistic mix, $CONNS connections, $ROUNDS rounds of ${DURATION}s, alternating"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$result"
for r in $(seq 1 "$ROUNDS"); do
  # Alternate which goes first, so neither always follows the other's tail.
  if [ $((r % 2)) -eq 1 ]; then order="A:$PORT B:$((PORT + 1))"; else order="B:$((PORT + 1)) A:$PORT"; fi
  for entry in $order; do round "${entry%%:*}" "${entry##*:}" | tee -a "$result"; done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$result"
python3 - "$result" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 4 and parts[0] in ("A", "B"):
        rows.setdefault(parts[0], []).append((float(parts[1]), float(parts[2]), int(parts[3])))
a, b = rows["A"], rows["B"]
med = lambda xs, i: statistics.median(x[i] for x in xs)
print(f"A: {med(a, 0):.0f} req/s (rounds {min(x[0] for x in a):.0f}-{max(x[0] for x in a):.0f}), p99 {med(a, 1):.2f} ms, errors {sum(x[2] for x in a)}")
print(f"B: {med(b, 0):.0f} req/s (rounds {min(x[0] for x in b):.0f}-{max(x[0] for x in b):.0f}), p99 {med(b, 1):.2f} ms, errors {sum(x[2] for x in b)}")
print(f"B/A: throughput {med(b, 0) / med(a, 0):.3f}, p99 {med(b, 1) / med(a, 1):.3f}")
PY
