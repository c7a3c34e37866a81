#!/usr/bin/env bash
# Issue 26 §6: does hammering the monitoring endpoints move scoring? One Release server recording on SQLite with the
# shipped German challenger in shadow; a seed phase fills the store (the reports read up to 10 000 decisions). Then
# rounds of the realistic scoring mix (every training applicant in turn, mix.lua) at CONNS connections, alone
# ("quiet"), beside HAMMER_CONNS connections polling GET /api/v1/monitoring/challenger as fast as they can
# ("challenger"), and beside the same polling GET /api/v1/monitoring ("monitoring"). Conditions alternate within each
# round so a noisy, shared machine hits them alike. Prints scoring req/s and p99 per round, the hammer's req/s, and
# the medians' ratios against quiet (goal: p99 ratio at most 1.10). Load only ever targets 127.0.0.1; every run is
# bounded in time.
#
# Prerequisites: the .NET SDK, python3, curl and wrk (apt-get install -y wrk); hey for HAMMER_QPS (apt-get install -y hey).
# Env: DURATION (10) WARMUP (3) SEED_SECONDS (20) CONNS (8) HAMMER_CONNS (2) ROUNDS (3) PORT (random high port)
#      REFRESH (Monitoring:RefreshSeconds, 60: the default)
#      HAMMER_QPS (unset: each hammering connection as fast as it can, with wrk; set: each at this rate, with hey, e.g.
#      100, the per-IP rate limit's default, so two clients at their limit)
#      AGG_PERMITS (unset: every rate limit off; set: Limits:AggregatesRateLimitPermits, e.g. 10, the default, with the
#      scoring limit out of reach (1 000 000 a second, since the scoring load comes from the same loopback address), so
#      the hammer gets its permits and 429s for the rest, as a client polling past the limit would)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DURATION=${DURATION:-10} WARMUP=${WARMUP:-3} SEED_SECONDS=${SEED_SECONDS:-20} CONNS=${CONNS:-8} HAMMER_CONNS=${HAMMER_CONNS:-2}
ROUNDS=${ROUNDS:-3} REFRESH=${REFRESH:-60} HAMMER_QPS=${HAMMER_QPS:-} AGG_PERMITS=${AGG_PERMITS:-}
limits=(Limits__RateLimitPermits=0)
[ -z "$AGG_PERMITS" ] || limits=(Limits__RateLimitPermits=1000000 Limits__AggregatesRateLimitPermits="$AGG_PERMITS")
PORT=${PORT:-$((20000 + RANDOM % 20000))}
out=$root/benchmarks/results
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -z "$HAMMER_QPS" ] || command -v hey >/dev/null || { echo "hey is missing: apt-get install -y hey" >&2; exit 1; }

pids=() tmp=$(mktemp -d)
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

mix=$out/mix-german.ndjson
python3 - "$mix" <<'PY'
import json, sys
rows = [r["input"] for r in json.load(open("artifacts/german-credit/golden.json"))["rows"] if r["kind"] == "data"]
open(sys.argv[1], "w").writelines(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
PY

dotnet build server -c Release -v q -nologo >/dev/null
server_dll=$(ls "$root"/server/bin/Release/net*/CreditRisk.Server.dll | head -n1)
(cd "$(dirname "$server_dll")" && env ASPNETCORE_URLS=http://127.0.0.1:$PORT ASPNETCORE_ENVIRONMENT=Production \
  Serilog__MinimumLevel__Default=Warning "${limits[@]}" Records__DataFolder="$tmp" \
  Model__ChallengerPath=artifacts/german-credit/challenger/model.onnx Monitoring__RefreshSeconds="$REFRESH" dotnet "$server_dll") \
  >"$out/monitoring-hammer-server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null || { cat "$out/monitoring-hammer-server.log"; exit 1; }

idle() { # until the shadow worker has caught up (its scored counter stops moving)
  local last=-1 now
  for _ in $(seq 1 100); do
    now=$(curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^creditrisk_challenger_scored_total/ {print $2}')
    [ "$now" = "$last" ] && return 0
    last=$now; sleep 0.5
  done
}

BODIES_FILE=$mix wrk -t1 -c"$CONNS" -d"${SEED_SECONDS}s" -s "$root/benchmarks/mix.lua" "http://127.0.0.1:$PORT/api/v1/score" >/dev/null
idle
decisions=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/monitoring/challenger" | python3 -c 'import json,sys; print(json.load(sys.stdin)["comparison"]["decisions"])')
BODIES_FILE=$mix wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s "$root/benchmarks/mix.lua" "http://127.0.0.1:$PORT/api/v1/score" >/dev/null
idle

# round condition -> "condition scoring_rps p99_ms errors hammer_rps"
round() {
  local path="" hammer=""
  case $1 in challenger) path=/api/v1/monitoring/challenger ;; monitoring) path=/api/v1/monitoring ;; esac
  if [ -n "$path" ]; then
    if [ -n "$HAMMER_QPS" ]; then
      # Each hammering client at HAMMER_QPS, e.g. the per-IP rate limit's default 100 (what one address may send).
      hey -z "$((DURATION + 1))s" -c "$HAMMER_CONNS" -q "$HAMMER_QPS" "http://127.0.0.1:$PORT$path" \
        | awk '/Requests\/sec:/ {print "Requests/sec: " $2} /^ *\[[0-9]+\][ \t]+[0-9]+ responses/ && !/\[200\]/ {print "Non-2xx " $0}' >"$tmp/hammer.txt" &
    else
      wrk -t1 -c"$HAMMER_CONNS" -d"$((DURATION + 1))s" "http://127.0.0.1:$PORT$path" >"$tmp/hammer.txt" &
    fi
    hammer=$!
    sleep 0.5
  fi
  BODIES_FILE=$mix wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$root/benchmarks/mix.lua" "http://127.0.0.1:$PORT/api/v1/score" >"$tmp/wrk.txt"
  local hammer_rps=0
  if [ -n "$hammer" ]; then
    wait "$hammer"
    hammer_rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/hammer.txt")
    # Past the aggregates limit the hammer's refusals are the point; anything else but a 429 is an error (hey tells
    # statuses apart; wrk only counts non-2xx, so with wrk and AGG_PERMITS they are not checked).
    if [ -n "$AGG_PERMITS" ]; then
      grep "Non-2xx" "$tmp/hammer.txt" | grep -v '\[429\]' | grep -qv 'or 3xx' && { echo "the hammer got errors:" >&2; cat "$tmp/hammer.txt" >&2; exit 1; }
    else
      grep -q "Non-2xx" "$tmp/hammer.txt" && { echo "the hammer got errors:" >&2; cat "$tmp/hammer.txt" >&2; exit 1; }
    fi
  fi
  python3 -c 'import json,sys; d=json.loads(sys.argv[2]); print(sys.argv[1], round(d["rps"]), d["p99_ms"], d["errors"], round(float(sys.argv[3])))' \
    "$1" "$(grep '^WRK ' "$tmp/wrk.txt" | sed 's/^WRK //')" "$hammer_rps"
  idle
}

{
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "store: $decisions decisions both models scored; Monitoring:RefreshSeconds=$REFRESH; scoring $CONNS connections, hammer $HAMMER_CONNS; ${limits[*]}"
} | tee "$out/monitoring-hammer.txt"
for r in $(seq 1 "$ROUNDS"); do
  for condition in quiet challenger monitoring; do
    round "$condition" | tee -a "$out/monitoring-hammer.txt"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/monitoring-hammer.txt"
python3 - "$out/monitoring-hammer.txt" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 5 and parts[0] in ("quiet", "challenger", "monitoring"):
        rows.setdefault(parts[0], []).append((float(parts[1]), float(parts[2]), float(parts[4])))
q_rps = statistics.median(x[0] for x in rows["quiet"]); q_p99 = statistics.median(x[1] for x in rows["quiet"])
print(f"quiet: scoring {q_rps:.0f} req/s, p99 {q_p99:.1f} ms")
for label in ("challenger", "monitoring"):
    rps = statistics.median(x[0] for x in rows[label]); p99 = statistics.median(x[1] for x in rows[label])
    hammer = statistics.median(x[2] for x in rows[label])
    print(f"{label} hammered ({hammer:.0f} GET/s): scoring {rps:.0f} req/s ({rps / q_rps:.2f} of quiet), p99 {p99:.1f} ms ({p99 / q_p99:.2f} of quiet)")
PY
