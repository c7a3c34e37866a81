#!/usr/bin/env bash
# Loopback HTTP benchmark: builds and starts CreditRisk in Release on 127.0.0.1, warms it, runs wrk at 1, 8 and 32
# connections for $DURATION s each (one realistic applicant), then the batch endpoint with 100 rows, and prints a
# table of requests/s, p50, p99 and errors. With the seed peer present (../shared/peers/seed-python, or $SEED_DIR),
# it runs the same load against the seed's Flask/gunicorn service and prints the ratio CreditRisk/seed per row.
# Load only ever targets 127.0.0.1 and every run is bounded in time.
#
# Env: DURATION (10) WARMUP (3) CONNS ("1 8 32") PORT (18081) SEED (auto|off) SEED_PORT (18080) THREADS (1)
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
SEED_DIR=${SEED_DIR:-$root/../shared/peers/seed-python}
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

echo "building CreditRisk (Release)…"
dotnet build server -c Release -v q -nologo >/dev/null
server_dll=$(ls server/bin/Release/net*/CreditRisk.Server.dll | head -n1)
ASPNETCORE_URLS=http://127.0.0.1:$PORT Serilog__MinimumLevel__Default=Warning dotnet "$server_dll" >"$out/server.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$PORT/health/ready" "${pids[-1]}" || { cat "$out/server.log"; exit 1; }
curl -fsS -H 'Content-Type: application/json' --data @benchmarks/applicant.json "http://127.0.0.1:$PORT/api/v1/score" >/dev/null
BODY_FILE=benchmarks/applicant.json wrk -t1 -c8 -d"${WARMUP}s" -s benchmarks/post.lua "http://127.0.0.1:$PORT/api/v1/score" >/dev/null

rows=()
for c in $CONNS; do rows+=("$(run_wrk creditrisk "http://127.0.0.1:$PORT/api/v1/score" benchmarks/applicant.json "$c")"); done
rows+=("$(run_wrk creditrisk-batch100 "http://127.0.0.1:$PORT/api/v1/score/batch" "$batch" 8)")
cleanup; pids=()

seed_rows=()
if [ "$SEED" != off ] && [ -d "$SEED_DIR" ]; then
  echo "running the seed peer (training it once, then the same load)…"
  seed_copy=$(mktemp -d)/seed-python
  cp -a "$SEED_DIR" "$seed_copy" && chmod -R u+w "$seed_copy"
  (cd "$seed_copy" && GERMAN_DATA=$root/data/german.data /usr/bin/python3 train_eval.py --repeats 1 --folds 5 >/dev/null)
  (cd "$seed_copy" && ARTIFACTS=$seed_copy/artifacts /usr/bin/gunicorn --workers 2 --bind "127.0.0.1:$SEED_PORT" --log-level warning serve:app >"$out/seed.log" 2>&1) &
  pids+=($!)
  wait_ready "http://127.0.0.1:$SEED_PORT/health" "${pids[-1]}" || { cat "$out/seed.log"; exit 1; }
  BODY_FILE=$seed_copy/bench/applicant.json wrk -t1 -c8 -d"${WARMUP}s" -s benchmarks/post.lua "http://127.0.0.1:$SEED_PORT/predict" >/dev/null
  for c in $CONNS; do seed_rows+=("$(run_wrk seed "http://127.0.0.1:$SEED_PORT/predict" "$seed_copy/bench/applicant.json" "$c")"); done
  cleanup; pids=()
fi

echo
echo "| endpoint | connections | requests/s | p50 ms | p99 ms | errors | seed requests/s | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
i=0
for r in "${rows[@]}"; do
  read -r label c rps p50 p99 err <<<"$r"
  seed_rps="–"; ratio="–"
  if [ "$label" = creditrisk ] && [ $i -lt ${#seed_rows[@]} ]; then
    read -r _ _ seed_rps _ _ _ <<<"${seed_rows[$i]}"
    ratio=$(python3 -c "print(f'{$rps/$seed_rps:.1f}×')")
    i=$((i + 1))
  fi
  endpoint="POST /api/v1/score"; [ "$label" = creditrisk-batch100 ] && endpoint="POST /api/v1/score/batch (100 rows)"
  echo "| $endpoint | $c | $rps | $p50 | $p99 | $err | $seed_rps | $ratio |"
done
for r in "${seed_rows[@]}"; do
  read -r _ c rps p50 p99 err <<<"$r"
  echo "| seed POST /predict | $c | $rps | $p50 | $p99 | $err | | |"
done
