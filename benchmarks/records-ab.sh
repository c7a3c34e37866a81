#!/usr/bin/env bash
# Interleaved A/B of decision recording on the realistic mix (benchmarks/http.sh's default traffic) at 8 connections:
# every variant runs as its own Release server at once, and wrk visits them in turn for ROUNDS rounds, so a busy
# (shared) machine slows all variants alike. Prints per variant the median req/s and p99 over the rounds, the ratio
# to the first variant, and the writer's mean records per commit and mean commit time (from /metrics).
# Load only ever targets 127.0.0.1; every run is bounded in time.
#
# A variant is one line of VARIANTS: "label|server build folder (or 'build')|env assignments…", e.g.
#   off|build|Records__Enabled=false
#   sqlite-full|build|
#   sqlite-normal|build|Records__SqliteSynchronous=Normal
# Env: VARIANTS (the three above) ROUNDS (5) DURATION (8) CONNS (8) PORT (first port; each variant +1)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-8}
CONNS=${CONNS:-8}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
VARIANTS=${VARIANTS:-"off|build|Records__Enabled=false
sqlite-full|build|
sqlite-normal|build|Records__SqliteSynchronous=Normal"}
out=$root/benchmarks/results
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

mix=$out/mix-german.ndjson
python3 - "$mix" <<'PY'
import json, sys
g = json.load(open("artifacts/german-credit/golden.json"))
with open(sys.argv[1], "w") as f:
    for r in g["rows"]:
        if r["kind"] == "data":
            f.write(json.dumps(r["input"], separators=(",", ":")) + "\n")
PY

if grep -q '|build|' <<<"$VARIANTS"; then dotnet build server -c Release -v q -nologo >/dev/null; fi
build_dir=$(dirname "$(ls "$root"/server/bin/Release/net*/CreditRisk.Server.dll | head -n1)")

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

labels=() ports=()
n=0
while IFS='|' read -r label dir envs; do
  [ -n "$label" ] || continue
  [ "$dir" = build ] && dir=$build_dir
  port=$((PORT + n)); n=$((n + 1))
  mkdir -p "$tmp/$label"
  # shellcheck disable=SC2086
  (cd "$dir" && env ASPNETCORE_URLS=http://127.0.0.1:$port ASPNETCORE_ENVIRONMENT=Production \
    Serilog__MinimumLevel__Default=Warning Limits__RateLimitPermits=0 Model__Path=artifacts/german-credit/model.onnx \
    Records__DataFolder="$tmp/$label" $envs dotnet CreditRisk.Server.dll) >"$out/ab-$label.log" 2>&1 &
  pids+=($!)
  labels+=("$label"); ports+=("$port")
done <<<"$VARIANTS"

for i in "${!labels[@]}"; do
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:${ports[$i]}/health/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "http://127.0.0.1:${ports[$i]}/health/ready" >/dev/null || { cat "$out/ab-${labels[$i]}.log"; exit 1; }
  BODIES_FILE=$mix wrk -t1 -c"$CONNS" -d3s -s benchmarks/mix.lua "http://127.0.0.1:${ports[$i]}/api/v1/score" >/dev/null
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/runs"
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!labels[@]}"; do
    BODIES_FILE=$mix wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s benchmarks/mix.lua \
      "http://127.0.0.1:${ports[$i]}/api/v1/score" >"$tmp/wrk.txt"
    non2xx=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$tmp/wrk.txt" | grep -oE '[0-9]+$' || echo 0)
    echo "${labels[$i]} $round $(grep '^WRK ' "$tmp/wrk.txt" | sed 's/^WRK //' | tr -d ' ') $non2xx" >>"$tmp/runs"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!labels[@]}"; do
  curl -fsS "http://127.0.0.1:${ports[$i]}/metrics" >"$tmp/metrics-${labels[$i]}.txt"; cp "$tmp/metrics-${labels[$i]}.txt" "$out/ab-${labels[$i]}.metrics"
done

python3 - "$tmp" "$CONNS" "$ROUNDS" "$DURATION" "${labels[@]}" <<'PY'
import json, re, statistics, sys, pathlib
tmp, conns, rounds, duration, labels = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
runs = {l: [] for l in labels}
for line in (tmp / "runs").read_text().splitlines():
    label, rnd, js, non2xx = line.split(" ")
    d = json.loads(js)
    runs[label].append((d["rps"], d["p99_ms"], d["errors"] + int(non2xx)))
def metric(label, name):
    text = (tmp / f"metrics-{label}.txt").read_text()
    m = re.search(rf"^{name} ([0-9.e+-]+)$", text, re.M)
    return float(m.group(1)) if m else 0.0
base = statistics.median(r[0] for r in runs[labels[0]])
print(f"\nwrk 1 thread, {conns} connections, the realistic mix, {rounds} interleaved rounds of {duration} s; median of the rounds.\n")
print(f"| variant | req/s (median) | req/s per round | p99 ms (median) | vs {labels[0]} | records per commit | ms per commit | errors |")
print("|---|---:|---|---:|---:|---:|---:|---:|")
for l in labels:
    rps = statistics.median(r[0] for r in runs[l])
    p99 = statistics.median(r[1] for r in runs[l])
    commits = metric(l, "creditrisk_records_commit_duration_seconds_count")
    seconds = metric(l, "creditrisk_records_commit_duration_seconds_sum")
    records = metric(l, "creditrisk_records_committed_total")
    per = f"{records / commits:.1f}" if commits else "–"
    ms = f"{seconds / commits * 1000:.3f}" if commits else "–"
    print(f"| {l} | {rps:.0f} | {' '.join(f'{r[0]:.0f}' for r in runs[l])} | {p99} | {rps / base:.2f} | {per} | {ms} | {sum(r[2] for r in runs[l])} |")
PY
