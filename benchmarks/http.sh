#!/usr/bin/env bash
# Loopback HTTP benchmark on the realistic mix: every German Credit training applicant in turn (mix.lua), so approves
# and rejects (each reject with its reasons) come in the data's proportion. Builds and starts CreditRisk in Release on
# 127.0.0.1 and runs wrk: the mix at 1, 8 and 32 connections, then beside it approve-only, reject-only, a 100-row
# batch, the mix with reasons off, the mix without dynamic batching and Lending Club's own mix (8 connections). The bare Node/ONNX Runtime peer
# (benchmarks/peers/node-ort) and, when present (../shared/peers/seed-python, or $SEED_DIR), the seed's Flask/gunicorn
# service get the same mix. One table, mix first, with ratios against the seed and the Node peer.
# Load only ever targets 127.0.0.1 and every run is bounded in time.
#
# Env: DURATION (10) WARMUP (3) CONNS ("1 8 32") PORT (18081; the Node peer PORT+1) SEED (auto|off) SEED_PORT (18080)
#      THREADS (1) LOG_LEVEL (Warning: no per-request log line, like the seed's gunicorn at --log-level warning)
#      SEED_DIR (default: ../shared/peers/seed-python)
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
# Checked before anything runs: a missing peer dependency otherwise ends the run after minutes of measurement.
[ -d node_modules/onnxruntime-node ] || { echo "the Node peer needs onnxruntime-node: npm ci at the repository root" >&2; exit 1; }
if [ "$SEED" != off ] && [ -d "$SEED_DIR" ]; then
  { /usr/bin/python3 -c 'import flask, sklearn, pandas' 2>/dev/null && [ -x /usr/bin/gunicorn ]; } ||
    { echo "the seed needs: apt-get install python3-flask python3-sklearn python3-pandas gunicorn (or SEED=off)" >&2; exit 1; }
fi

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

# run_wrk label url body conns -> prints "label conns rps p50 p99 errors". A body file ending in .ndjson is a mix:
# one body per line, sent in turn (mix.lua); anything else is one body sent over and over (post.lua).
run_wrk() {
  local label=$1 url=$2 body=$3 c=$4 t=$THREADS
  [ "$t" -gt "$c" ] && t=$c
  local script=post.lua
  [[ $body == *.ndjson ]] && script=mix.lua
  BODY_FILE=$body BODIES_FILE=$body wrk -t"$t" -c"$c" -d"${DURATION}s" --latency -s "$root/benchmarks/$script" "$url" >"$out/$label-c$c.txt"
  local json
  json=$(grep '^WRK ' "$out/$label-c$c.txt" | sed 's/^WRK //')
  local non2xx
  non2xx=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$out/$label-c$c.txt" | grep -oE '[0-9]+$' || echo 0)
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(sys.argv[2], sys.argv[3], round(d["rps"]), d["p50_ms"], d["p99_ms"], d["errors"] + int(sys.argv[4]))' "$json" "$label" "$c" "$non2xx"
}

# The realistic mix: every German Credit training applicant in turn, one JSON body per line (657 of 1,000 are
# rejected, and a reject also runs the model for its reasons). The seed gets the same applicants in its own format
# (the UCI codes of german.data); the bare Node peer gets CreditRisk's bodies.
mix=$out/mix-german.ndjson
seed_mix=$out/mix-german-seed.ndjson
lc_mix=$out/mix-lending-club.ndjson
python3 - "$mix" "$lc_mix" "$seed_mix" <<'PY'
import json, sys
def rows(dataset):
    g = json.load(open(f"artifacts/{dataset}/golden.json"))
    return [r for r in g["rows"] if r["kind"] == "data"]
for dataset, path in (("german-credit", sys.argv[1]), ("lending-club", sys.argv[2])):
    with open(path, "w") as f:
        for r in rows(dataset):
            f.write(json.dumps(r["input"], separators=(",", ":")) + "\n")
keys = ["checking_status", "duration_months", "credit_history", "purpose", "credit_amount", "savings", "employment_since",
        "installment_rate", "personal_status_sex", "other_debtors", "residence_since", "property", "age",
        "other_installment_plans", "housing", "existing_credits", "job", "people_liable", "telephone", "foreign_worker"]
with open(sys.argv[3], "w") as f:
    for line in open("data/german-credit/german.data"):
        values = line.split()
        if values:
            f.write(json.dumps({k: (int(v) if v.isdigit() else v) for k, v in zip(keys, values)}, separators=(",", ":")) + "\n")
PY
# A 100-row batch body from the first 100 applicants of the mix.
batch=$out/batch100.json
python3 -c 'import json,sys; rows=[json.loads(l) for l in open(sys.argv[1])][:100]; json.dump({"applicants":rows}, open(sys.argv[2],"w"))' "$mix" "$batch"
# A rejected applicant (the first golden "data" row the model rejects): its response carries adverse-action reasons.
reject=$out/applicant-reject.json
python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); json.dump(next(r["input"] for r in g["rows"] if r["kind"]=="data" and r["decision"]=="reject"), open(sys.argv[2],"w"))' artifacts/german-credit/golden.json "$reject"
# An approved one (the single applicant the old headline was measured on).
approve=benchmarks/applicant.json

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average before: $(load)" | tee "$out/load.txt"

echo "building CreditRisk (Release)…"
dotnet build server -c Release -v q -nologo >/dev/null
server_dll=$(ls "$root"/server/bin/Release/net*/CreditRisk.Server.dll | head -n1)

# start_server model extra-env… : CreditRisk in Release from its build output (content root: wwwroot, artifacts/).
start_server() {
  local model=$1; shift
  # Decision recording is on, as in production: SQLite (the default store) in a fresh folder per server.
  local records
  records=$(mktemp -d)
  (cd "$(dirname "$server_dll")" && env ASPNETCORE_URLS=http://127.0.0.1:$PORT ASPNETCORE_ENVIRONMENT=Production \
    Serilog__MinimumLevel__Default=$LOG_LEVEL Limits__RateLimitPermits=0 Model__Path="artifacts/$model/model.onnx" \
    Records__DataFolder="$records" "$@" dotnet "$server_dll") >"$out/server-$model.log" 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$PORT/health/ready" "${pids[-1]}" || { cat "$out/server-$model.log"; exit 1; }
}
warm() { # url body
  local script=post.lua
  [[ $2 == *.ndjson ]] && script=mix.lua
  BODY_FILE=$2 BODIES_FILE=$2 wrk -t1 -c8 -d"${WARMUP}s" -s "benchmarks/$script" "$1" >/dev/null
}
score=http://127.0.0.1:$PORT/api/v1/score

rows=()
start_server german-credit
curl -fsS -H 'Content-Type: application/json' --data @"$approve" "$score" >"$out/sample_response.json"
warm "$score" "$mix"
warm "$score/batch" "$batch"
for c in $CONNS; do rows+=("$(run_wrk mix "$score" "$mix" "$c")"); done
rows+=("$(run_wrk approve-only "$score" "$approve" 8)")
rows+=("$(run_wrk reject-only "$score" "$reject" 8)")
rows+=("$(run_wrk batch100 "$score/batch" "$batch" 8)")
cleanup; pids=()

# The mix without reasons: what the reasons cost on real traffic.
start_server german-credit Scoring__Reasons=false
warm "$score" "$mix"
rows+=("$(run_wrk mix-no-reasons "$score" "$mix" 8)")
cleanup; pids=()

# The mix without dynamic batching (Scoring:CoalesceMaxRows=0): what gathering concurrent requests into one run gives.
start_server german-credit Scoring__CoalesceMaxRows=0
warm "$score" "$mix"
rows+=("$(run_wrk mix-no-coalescing "$score" "$mix" 8)")
cleanup; pids=()

# Lending Club on its own mix (9,857 loans, 54 rejects).
start_server lending-club
warm "$score" "$lc_mix"
rows+=("$(run_wrk lc-mix "$score" "$lc_mix" 8)")
cleanup; pids=()

# The bare Node/ONNX Runtime peer (benchmarks/peers/node-ort): the same file, none of the work.
node_rows=()
NODE_PORT=$((PORT + 1))
PORT=$NODE_PORT node benchmarks/peers/node-ort/server.mjs artifacts/german-credit >"$out/node-peer.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$NODE_PORT/health" "${pids[-1]}" || { cat "$out/node-peer.log"; exit 1; }
warm "http://127.0.0.1:$NODE_PORT/score" "$mix"
node_rows+=("$(run_wrk node-ort-mix "http://127.0.0.1:$NODE_PORT/score" "$mix" 8)")
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
  warm "http://127.0.0.1:$SEED_PORT/predict" "$seed_mix"
  for c in $CONNS; do seed_rows+=("$(run_wrk seed-mix "http://127.0.0.1:$SEED_PORT/predict" "$seed_mix" "$c")"); done
  cleanup; pids=()
fi
echo "load average after: $(load)" | tee -a "$out/load.txt"

recording=SQLite
[ -n "${Records__ConnectionString:-}" ] && recording=PostgreSQL
[ "${Records__Enabled:-true}" = false ] && recording=off
# One table, the realistic mix first; ratios are against the seed (same connections) and the Node peer (8 connections).
{
echo
echo "wrk: ${THREADS} thread(s), ${DURATION} s per row after a ${WARMUP} s warm-up, loopback; CreditRisk Release (log level $LOG_LEVEL, decision recording: $recording); seed = gunicorn 2 sync workers; Node peer = node:http + onnxruntime-node."
echo "Mix = every German Credit training applicant in turn (657 of 1,000 rejected, each with reasons)."
echo
echo "| server and traffic | conns | req/s | p50 ms | p99 ms | errors | vs seed (req/s) | vs Node peer (req/s) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.1f}×' if b else '–')" "$1" "$2"; }
lookup() { # label conns array… -> rps
  local label=$1 c=$2; shift 2
  for r in "$@"; do read -r l cc rps _ <<<"$r"; [ "$l" = "$label" ] && [ "$cc" = "$c" ] && { echo "$rps"; return; }; done
  echo ""
}
node_rps=$(lookup node-ort-mix 8 "${node_rows[@]}")
for r in "${rows[@]}" "${node_rows[@]}" "${seed_rows[@]}"; do
  read -r label c rps p50 p99 err <<<"$r"
  case $label in
    mix) what="CreditRisk, the realistic mix" ;;
    approve-only) what="CreditRisk, one approved applicant" ;;
    reject-only) what="CreditRisk, one rejected applicant (with reasons)" ;;
    batch100) what="CreditRisk, batch of 100 from the mix ($((rps * 100)) rows/s)" ;;
    mix-no-reasons) what="CreditRisk, the mix with Scoring:Reasons=false" ;;
    mix-no-coalescing) what="CreditRisk, the mix with Scoring:CoalesceMaxRows=0 (no dynamic batching)" ;;
    lc-mix) what="CreditRisk, Lending Club's mix" ;;
    node-ort-mix) what="bare Node/ONNX Runtime peer, the mix" ;;
    seed-mix) what="the seed (Flask/gunicorn), the mix" ;;
    *) what=$label ;;
  esac
  vs_seed="–"; vs_node="–"
  s=$(lookup seed-mix "$c" "${seed_rows[@]}")
  [ -n "$s" ] && [ "$label" != seed-mix ] && [ "$label" != batch100 ] && vs_seed=$(ratio "$rps" "$s")
  [ -n "$node_rps" ] && [ "$label" != node-ort-mix ] && [ "$label" != batch100 ] && [ "$c" = 8 ] && vs_node=$(ratio "$rps" "$node_rps")
  echo "| $what | $c | $rps | $p50 | $p99 | $err | $vs_seed | $vs_node |"
done
} | tee "$out/table.md"
