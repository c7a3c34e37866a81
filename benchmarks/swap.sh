#!/usr/bin/env bash
# Swaps under load (issue 29, "Done when"): the realistic German mix (mix.lua's bodies) at CONNS connections for
# DURATION seconds against one Release server serving a model repository, once without swaps (A) and once while
# SWAPS swaps alternate between two German Credit versions (B: the shipped model as version 1 and the shipped
# challenger as version 2, placed by rename and loaded through the repository API). Prints both runs, the p99 ratio
# B/A (the goal: at most 1.5), non-2xx and socket errors (the goal: 0), the answers per version (none other than the
# two), and the records per version in the SQLite store (none other than the two). Only ever targets 127.0.0.1.
# Run it on a quiet machine: the ratio means nothing while other work shares the cores.
#
# Env: DURATION (60) CONNS (8) SWAPS (10) PORT (random high port)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DURATION=${DURATION:-60} CONNS=${CONNS:-8} SWAPS=${SWAPS:-10}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
ADMIN=swap-benchmark-admin-key-0123
out=$root/benchmarks/results
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

pid="" tmp=$(mktemp -d)
cleanup() { [[ -n $pid ]] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$tmp"; }
trap cleanup EXIT

mix=$out/mix-german.ndjson
python3 - "$mix" <<'PY'
import json, sys
rows = [r["input"] for r in json.load(open("artifacts/german-credit/golden.json"))["rows"] if r["kind"] == "data"]
open(sys.argv[1], "w").writelines(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
PY
version() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["modelVersion"])' "$1/model.json"; }
FIRST=$(version artifacts/german-credit) SECOND=$(version artifacts/german-credit/challenger)
export FIRST SECOND

# version folder N from a shipped folder, staged inside the repository and renamed into place (atomic)
place() {
  mkdir -p "$tmp/repo/.staging"
  cp "$2"/{model.onnx,golden.json,model.json} "$tmp/repo/.staging/"
  mkdir -p "$tmp/repo/german-credit"
  mv "$tmp/repo/.staging" "$tmp/repo/german-credit/$1"
}
place 1 artifacts/german-credit

dotnet build server -c Release -v q -nologo >/dev/null
server_dll=$(ls "$root"/server/bin/Release/net*/CreditRisk.Server.dll | head -n1)
(cd "$(dirname "$server_dll")" && env ASPNETCORE_URLS=http://127.0.0.1:$PORT ASPNETCORE_ENVIRONMENT=Production \
  Serilog__MinimumLevel__Default=Warning Limits__RateLimitPermits=0 Records__DataFolder="$tmp/data" \
  Model__Repository="$tmp/repo" ApiKey__AdminKey=$ADMIN dotnet "$server_dll") >"$out/swap-server.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.1; done

run() { # label
  BODIES_FILE=$mix wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$root/benchmarks/swap.lua" "http://127.0.0.1:$PORT/api/v1/score" >"$tmp/wrk-$1.txt"
  echo "$1 $(grep '^SWAP ' "$tmp/wrk-$1.txt" | sed 's/^SWAP //')"
}
load() {
  curl -fsS -o /dev/null -w '%{http_code}' -X POST -H "X-API-Key: $ADMIN" "http://127.0.0.1:$PORT/v2/repository/models/german-credit/load"
}

# Warm-up, then A (no swaps), then B (SWAPS swaps spread over the run: version 2 in, out, in, …).
BODIES_FILE=$mix wrk -t1 -c"$CONNS" -d5s -s "$root/benchmarks/swap.lua" "http://127.0.0.1:$PORT/api/v1/score" >/dev/null
a=$(run quiet)
echo "$a"
(
  sleep 2
  gap=$(python3 -c "print(max(0.5, ($DURATION - 4) / $SWAPS))")
  for i in $(seq 1 "$SWAPS"); do
    if (( i % 2 == 1 )); then place 2 artifacts/german-credit/challenger; else rm -rf "$tmp/repo/german-credit/2"; fi
    echo "swap $i: $(load)"
    sleep "$gap"
  done
) >"$tmp/swaps.txt" &
swapper=$!
b=$(run swaps)
wait $swapper
echo "$b"
cat "$tmp/swaps.txt"
python3 - "$a" "$b" <<'PY'
import json, sys
a, b = (json.loads(s.split(" ", 1)[1]) for s in sys.argv[1:3])
print(f"p99 with swaps / without: {b['p99_ms'] / a['p99_ms']:.2f} (goal <= 1.5); non-2xx {b['non2xx']}, socket errors {b['socket_errors']} (goal 0); "
      f"answers by version 1 {b['first']}, by version 2 {b['second']}, by any other {b['other']} (goal 0)")
PY
curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -E '^creditrisk_model_(swaps_total|loads_total|drain_seconds_count)' || true
python3 - "$tmp/data/decisions.db" "$FIRST" "$SECOND" <<'PY'
import sqlite3, sys
rows = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True).execute("SELECT model_version, count(*) FROM decisions GROUP BY model_version").fetchall()
print("records by version:", dict(rows), "| other than the two:", sum(n for v, n in rows if v not in sys.argv[2:4]))
PY
