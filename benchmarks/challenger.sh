#!/usr/bin/env bash
# The cost of a challenger in shadow (issue 17 §4): the realistic German mix (every training applicant in turn,
# mix.lua) and a 100-row batch against two Release servers recording on SQLite, one without a challenger (A) and one
# with the shipped German challenger (B). Rounds alternate A, B, A, B… so a noisy, shared machine hits both alike;
# prints req/s and p99 per round, the B/A ratio of the medians, and B's shadow counters (scored, dropped by reason).
# Load only ever targets 127.0.0.1; every run is bounded in time.
#
# Env: DURATION (10) WARMUP (3) CONNS (8) ROUNDS (3) PORT (random high port; B on PORT+1)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DURATION=${DURATION:-10} WARMUP=${WARMUP:-3} CONNS=${CONNS:-8} ROUNDS=${ROUNDS:-3}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
out=$root/benchmarks/results
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

pids=() tmp=$(mktemp -d)
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

mix=$out/mix-german.ndjson batch=$out/batch100.json
python3 - "$mix" "$batch" <<'PY'
import json, sys
rows = [r["input"] for r in json.load(open("artifacts/german-credit/golden.json"))["rows"] if r["kind"] == "data"]
open(sys.argv[1], "w").writelines(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
json.dump({"applicants": rows[:100]}, open(sys.argv[2], "w"))
PY

dotnet build server -c Release -v q -nologo >/dev/null
server_dll=$(ls "$root"/server/bin/Release/net*/CreditRisk.Server.dll | head -n1)
start() { # name port [settings…]
  local name=$1 port=$2; shift 2
  mkdir -p "$tmp/$name"
  (cd "$(dirname "$server_dll")" && env ASPNETCORE_URLS=http://127.0.0.1:$port ASPNETCORE_ENVIRONMENT=Production \
    Serilog__MinimumLevel__Default=Warning Limits__RateLimitPermits=0 Records__DataFolder="$tmp/$name" "$@" dotnet "$server_dll") \
    >"$out/challenger-server-$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$out/challenger-server-$name.log"; exit 1
}
start A "$PORT"
start B $((PORT + 1)) Model__ChallengerPath=artifacts/german-credit/challenger/model.onnx

# round label port path body -> "label rps p99"
round() {
  local script=post.lua; [[ $4 == *.ndjson ]] && script=mix.lua
  BODY_FILE=$4 BODIES_FILE=$4 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$root/benchmarks/$script" "http://127.0.0.1:$2$3" >"$tmp/wrk.txt"
  python3 -c 'import json,sys; d=json.loads(sys.argv[2]); print(sys.argv[1], round(d["rps"]), d["p99_ms"], d["errors"])' "$1" "$(grep '^WRK ' "$tmp/wrk.txt" | sed 's/^WRK //')"
}
idle() { # until B's shadow worker has caught up (its scored counter stops moving), so it does not load A's round
  local last=-1 now
  for _ in $(seq 1 100); do
    now=$(curl -fsS "http://127.0.0.1:$((PORT + 1))/metrics" | awk '/^creditrisk_challenger_scored_total/ {print $2}')
    [ "$now" = "$last" ] && return 0
    last=$now; sleep 0.5
  done
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/challenger.txt"
for target in "mix /api/v1/score $mix" "batch100 /api/v1/score/batch $batch"; do
  set -- $target
  for port in "$PORT" $((PORT + 1)); do
    BODY_FILE=$3 BODIES_FILE=$3 wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s "$root/benchmarks/$([[ $3 == *.ndjson ]] && echo mix || echo post).lua" "http://127.0.0.1:$port$2" >/dev/null
  done
  idle
  for r in $(seq 1 "$ROUNDS"); do
    round "$1 A" "$PORT" "$2" "$3" | tee -a "$out/challenger.txt"
    round "$1 B" $((PORT + 1)) "$2" "$3" | tee -a "$out/challenger.txt"
    idle
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/challenger.txt"
curl -fsS "http://127.0.0.1:$((PORT + 1))/metrics" | grep -E '^creditrisk_challenger_(scored|dropped)_total' | tee -a "$out/challenger.txt"
python3 - "$out/challenger.txt" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 5 and parts[1] in ("A", "B"):
        rows.setdefault((parts[0], parts[1]), []).append((float(parts[2]), float(parts[3])))
for label in dict.fromkeys(k[0] for k in rows):
    a, b = rows[(label, "A")], rows[(label, "B")]
    ra, rb = statistics.median(x[0] for x in a), statistics.median(x[0] for x in b)
    pa, pb = statistics.median(x[1] for x in a), statistics.median(x[1] for x in b)
    print(f"{label}: req/s A {ra:.0f}, B {rb:.0f}, B/A {rb / ra:.2f}; p99 A {pa:.1f} ms, B {pb:.1f} ms, B/A {pb / pa:.2f}")
PY
