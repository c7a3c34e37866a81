#!/usr/bin/env bash
# Loopback HTTP benchmark: builds and starts CreditRisk in Release on 127.0.0.1, warms it, runs wrk at 1, 8 and 32
# connections for $DURATION s each (one realistic applicant), then the batch endpoint with 100 rows, and prints a
# table of requests/s, p50, p99 and errors. With the seed peer present (../shared/peers/seed-python, or $SEED_DIR),
# it runs the same load against the seed's Flask/gunicorn service and prints the ratio CreditRisk/seed per row.
# Load only ever targets 127.0.0.1 and every run is bounded in time.
#
# Env: DURATION (10) WARMUP (3) CONNS ("1 8 32") PORT (18081) SEED (auto|off) SEED_PORT (18080) THREADS (1)
#      LOG_LEVEL (Warning: no per-request log line, like the seed's gunicorn at --log-level warning; Information = the
#      server's default, one JSON line per request on stdout) SEED_DIR (default: ../shared/peers/seed-python)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNS=${CONNS:-"1 8 32"}
PORT=${PORT:-18081}
SEED=${SEED:-auto}
SEED_PORT=${SEED_PORT:-18080}
THREADS=${THREADS:-1}
LOG_LEVEL=${LOG_LEVEL:-Warning}
# The seed peer lives in ../shared beside the repository; from a git worktree, beside the main checkout.
if [ -z "${SEED_DIR:-}" ]; then
  SEED_DIR=$root/../shared/peers/seed-python
  common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  [ -d "$SEED_DIR" ] || [ -z "$common" ] || SEED_DIR=$(dirname "$(dirname "$common")")/shared/peers/seed-python
fi
out=$root/benchmarks/results
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_ready() { # url pid
  for _ in $(seq 1 300); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# run_wrk label url body conns -> prints "label conns rps p50 p99 errors"
run_wrk() {
  local label=$1 url=$2 body=$3 c=$4 t=$THREADS
  [ "$t" -gt "$c" ] && t=$c
  BODY_FILE=$body wrk -t"$t" -c"$c" -d"${DURATION}s" --latency -s "$root/benchmarks/post.lua" "$url" >"$out/$label-c$c.txt"
  local json
  json=$(grep '^WRK ' "$out/$label-c$c.txt" | sed 's/^WRK //')
  local non2xx
  non2xx=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$out/$label-c$c.txt" | grep -oE '[0-9]+$' || echo 0)
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(sys.argv[2], sys.argv[3], round(d["rps"]), d["p50_ms"], d["p99_ms"], d["errors"] + int(sys.argv[4]))' "$json" "$label" "$c" "$non2xx"
}

# A 100-row batch body from the single applicant.
batch=$out/batch100.json
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); json.dump({"applicants":[a]*100}, open(sys.argv[2],"w"))' benchmarks/applicant.json "$batch"
# A rejected applicant (the first golden "data" row the model rejects): its response carries adverse-action reasons,
# which cost a second model run of up to 20 rows.
reject=$out/applicant-reject.json
python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); json.dump(next(r["input"] for r in g["rows"] if r["kind"]=="data" and r["decision"]=="reject"), open(sys.argv[2],"w"))' artifacts/german-credit/golden.json "$reject"

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average before: $(load)" | tee "$out/load.txt"

echo "building CreditRisk (Release)…"
dotnet build server -c Release -v q -nologo >/dev/null
server_dll=$(ls "$root"/server/bin/Release/net*/CreditRisk.Server.dll | head -n1)
# Run from the build output (its content root holds wwwroot and artifacts/<dataset>/model.onnx).
(cd "$(dirname "$server_dll")" && ASPNETCORE_URLS=http://127.0.0.1:$PORT ASPNETCORE_ENVIRONMENT=Production \
  Serilog__MinimumLevel__Default=$LOG_LEVEL Limits__RateLimitPermits=0 exec dotnet "$server_dll") >"$out/server.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$PORT/health/ready" "${pids[-1]}" || { cat "$out/server.log"; exit 1; }
curl -fsS -H 'Content-Type: application/json' --data @benchmarks/applicant.json "http://127.0.0.1:$PORT/api/v1/score" >"$out/sample_response.json"
curl -fsS -H 'Content-Type: application/json' --data @"$batch" "http://127.0.0.1:$PORT/api/v1/score/batch" >/dev/null
BODY_FILE=benchmarks/applicant.json wrk -t1 -c8 -d"${WARMUP}s" -s benchmarks/post.lua "http://127.0.0.1:$PORT/api/v1/score" >/dev/null
BODY_FILE=$batch wrk -t1 -c8 -d1s -s benchmarks/post.lua "http://127.0.0.1:$PORT/api/v1/score/batch" >/dev/null

rows=()
for c in $CONNS; do rows+=("$(run_wrk creditrisk "http://127.0.0.1:$PORT/api/v1/score" benchmarks/applicant.json "$c")"); done
rows+=("$(run_wrk creditrisk-reject "http://127.0.0.1:$PORT/api/v1/score" "$reject" 8)")
rows+=("$(run_wrk creditrisk-batch100 "http://127.0.0.1:$PORT/api/v1/score/batch" "$batch" 8)")
cleanup; pids=()

seed_rows=()
if [ "$SEED" != off ] && [ -d "$SEED_DIR" ]; then
  echo "running the seed peer from $SEED_DIR (training a copy once, then the same load)…"
  seed_tmp=$(mktemp -d)
  seed_copy=$seed_tmp/seed-python
  trap 'cleanup; rm -rf "$seed_tmp"' EXIT
  cp -a "$SEED_DIR" "$seed_copy" && chmod -R u+w "$seed_copy" && rm -rf "$seed_copy/artifacts"
  (cd "$seed_copy" && GERMAN_DATA=$root/data/german-credit/german.data /usr/bin/python3 train_eval.py --repeats 1 --folds 5 >"$out/seed-train.log" 2>&1)
  # gunicorn itself is the background job, so stopping it by its pid stops the master and its workers.
  ARTIFACTS=$seed_copy/artifacts /usr/bin/gunicorn --chdir "$seed_copy" --workers 2 --bind "127.0.0.1:$SEED_PORT" \
    --log-level warning serve:app >"$out/seed.log" 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$SEED_PORT/health" "${pids[-1]}" || { cat "$out/seed.log"; exit 1; }
  curl -fsS -H 'Content-Type: application/json' --data @"$seed_copy/bench/applicant.json" "http://127.0.0.1:$SEED_PORT/predict" >"$out/seed_sample_response.json"
  BODY_FILE=$seed_copy/bench/applicant.json wrk -t1 -c8 -d"${WARMUP}s" -s benchmarks/post.lua "http://127.0.0.1:$SEED_PORT/predict" >/dev/null
  for c in $CONNS; do seed_rows+=("$(run_wrk seed "http://127.0.0.1:$SEED_PORT/predict" "$seed_copy/bench/applicant.json" "$c")"); done
  cleanup; pids=()
fi
echo "load average after: $(load)" | tee -a "$out/load.txt"

{
echo
echo "wrk: ${THREADS} thread(s), ${DURATION} s per row after a ${WARMUP} s warm-up, loopback; CreditRisk Release (log level $LOG_LEVEL), seed = gunicorn 2 sync workers."
echo
echo "| endpoint | conns | CreditRisk req/s | p50 ms | p99 ms | errors | seed req/s | seed p50 ms | seed p99 ms | seed errors | req/s ratio | p50 ratio (seed/CR) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
i=0
for r in "${rows[@]}"; do
  read -r label c rps p50 p99 err <<<"$r"
  s_rps="–"; s_p50="–"; s_p99="–"; s_err="–"; ratio="–"; lat="–"
  if [ "$label" = creditrisk ] && [ $i -lt ${#seed_rows[@]} ]; then
    read -r _ _ s_rps s_p50 s_p99 s_err <<<"${seed_rows[$i]}"
    ratio=$(python3 -c "print(f'{$rps/$s_rps:.1f}×')")
    lat=$(python3 -c "print(f'{$s_p50/$p50:.1f}×')")
    i=$((i + 1))
  fi
  endpoint="POST /api/v1/score"
  [ "$label" = creditrisk-reject ] && endpoint="POST /api/v1/score (rejected applicant, with reasons)"
  if [ "$label" = creditrisk-batch100 ]; then
    endpoint="POST /api/v1/score/batch (100 rows; $((rps * 100)) rows/s)"
  fi
  echo "| $endpoint | $c | $rps | $p50 | $p99 | $err | $s_rps | $s_p50 | $s_p99 | $s_err | $ratio | $lat |"
done
} | tee "$out/table.md"
