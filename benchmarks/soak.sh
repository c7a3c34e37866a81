#!/usr/bin/env bash
# Soak: builds and starts CreditRisk in Release on 127.0.0.1, runs wrk at $CONNS connections for $DURATION s with one
# realistic applicant, and samples the server's RSS (/proc/PID/status VmRSS) and managed heap (/metrics
# dotnet_total_memory_bytes) before, every $EVERY s during, and after the load. Fails (exit 1) on any wrk error or
# non-2xx answer, or when memory keeps growing: RSS after the soak must stay within $MAX_GROWTH × RSS after warm-up.
# Load only targets 127.0.0.1 and the run is bounded in time; the server is stopped on exit. Not part of test.sh.
#
# Env: DURATION (60) CONNS (64) THREADS (2) WARMUP (10) EVERY (5) MAX_GROWTH (1.5) PORT (18091)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DURATION=${DURATION:-60}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-10}
EVERY=${EVERY:-5}
MAX_GROWTH=${MAX_GROWTH:-1.5}
PORT=${PORT:-18091}
out=$root/benchmarks/results
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -f artifacts/german-credit/model.onnx ] || { echo "artifacts/german-credit/model.onnx is missing: train the model first" >&2; exit 1; }

pid=
sampler=
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
}
trap cleanup EXIT

url=http://127.0.0.1:$PORT
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
heap_bytes() { curl -fsS "$url/metrics" | awk '/^dotnet_total_memory_bytes / { printf "%.0f\n", $2 }'; }
sample() { printf '%-10s rss %6d MiB  heap %6d MiB\n' "$1" $(( $(rss_kb) / 1024 )) $(( $(heap_bytes) / 1048576 )); }

echo "building CreditRisk (Release)…"
dotnet build server -c Release -v q -nologo >/dev/null
server_dll=$(ls server/bin/Release/net*/CreditRisk.Server.dll | head -n1)
# Per-request Information lines would measure the console, not the service: warnings and errors only.
ASPNETCORE_URLS=$url Serilog__MinimumLevel__Default=Warning Limits__RateLimitPermits=0 dotnet "$server_dll" >"$out/soak-server.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  curl -fsS "$url/health/ready" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$out/soak-server.log"; exit 1; }
  sleep 0.1
done
curl -fsS "$url/health/ready" >/dev/null || { echo "server not ready"; cat "$out/soak-server.log"; exit 1; }

echo "soak: $CONNS connections, $DURATION s, POST /api/v1/score (benchmarks/applicant.json), server pid $pid"
sample start
BODY_FILE=benchmarks/applicant.json wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" -s benchmarks/post.lua "$url/api/v1/score" >/dev/null
sample warm-up
rss_warm=$(rss_kb)

( t=0; while sleep "$EVERY"; do t=$((t + EVERY)); sample "t+${t}s"; done ) &
sampler=$!
BODY_FILE=benchmarks/applicant.json wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s benchmarks/post.lua "$url/api/v1/score" >"$out/soak-wrk.txt"
kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=
sleep 2
sample after
rss_after=$(rss_kb)
curl -fsS "$url/health/ready" >/dev/null || { echo "FAILED: not ready after the soak"; exit 1; }

summary=$(grep '^WRK ' "$out/soak-wrk.txt" | sed 's/^WRK //')
non2xx=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$out/soak-wrk.txt" | grep -oE '[0-9]+$' || echo 0)
socket_errors=$(grep -E 'Socket errors' "$out/soak-wrk.txt" || true)
echo "wrk: $summary non2xx=$non2xx ${socket_errors:+($socket_errors)}"
server_errors=$(grep -c '"@l":"Error"\|"@l":"Fatal"' "$out/soak-server.log" || true)
echo "server error log lines: $server_errors"

python3 - "$summary" "$non2xx" "$rss_warm" "$rss_after" "$MAX_GROWTH" "$server_errors" <<'PY'
import json, sys
d = json.loads(sys.argv[1]); non2xx = int(sys.argv[2]); warm = int(sys.argv[3]); after = int(sys.argv[4])
limit = float(sys.argv[5]); server_errors = int(sys.argv[6])
ratio = after / warm
print(f"requests {d['requests']}, {d['rps']:.0f} req/s, p50 {d['p50_ms']:.2f} ms, p99 {d['p99_ms']:.2f} ms, "
      f"errors {d['errors']}, non-2xx {non2xx}")
print(f"RSS after warm-up {warm / 1024:.0f} MiB, after soak {after / 1024:.0f} MiB: x{ratio:.2f} (limit x{limit})")
failures = []
if d["errors"] or non2xx: failures.append("wrk saw errors or non-2xx answers")
if server_errors: failures.append("the server logged errors")
if ratio > limit: failures.append("RSS grew beyond the limit")
if d["requests"] == 0: failures.append("no requests completed")
print("SOAK FAILED: " + "; ".join(failures) if failures else "SOAK OK")
sys.exit(1 if failures else 0)
PY
