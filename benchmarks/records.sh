#!/usr/bin/env bash
# The cost of decision records (issue 16 §6): benchmarks/http.sh's rows (the realistic mix, approve-only,
# reject-only, a 100-row batch, the mix without reasons, Lending Club's mix) against the Release server:
# recording off, on SQLite (a temporary data folder; synchronous=FULL, the default, and NORMAL), and on PostgreSQL (a throwaway cluster from Debian's
# postgresql on loopback: initdb + pg_ctl, as the postgres user when run as root). Prints req/s and p99 per mode and
# the ratios to recording off. Load only ever targets 127.0.0.1; every run is bounded in time.
#
# Env: DURATION (10) WARMUP (3) CONNS ("8") PORT (random high port), passed on to http.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export DURATION=${DURATION:-10} WARMUP=${WARMUP:-3} CONNS=${CONNS:-8} SEED=off
export PORT=${PORT:-$((20000 + RANDOM % 20000))}
out=$root/benchmarks/results
mkdir -p "$out"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL is missing: apt-get install postgresql" >&2; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
as_pg=()
[ "$(id -u)" -ne 0 ] || { as_pg=(runuser -u postgres --); chown postgres "$tmp"; }
pg_port=$((PORT + 2)) # http.sh runs its Node peer on PORT+1
cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

run_mode() { # mode -> benchmarks/results/records-<mode>.md
  local mode=$1
  echo "== recording: $mode"
  case $mode in
    off) env Records__Enabled=false benchmarks/http.sh >/dev/null ;;
    sqlite) mkdir -p "$tmp/sqlite" && env Records__DataFolder="$tmp/sqlite" benchmarks/http.sh >/dev/null ;;
    sqlite-normal) mkdir -p "$tmp/sqlite-normal" && env Records__DataFolder="$tmp/sqlite-normal" Records__SqliteSynchronous=Normal benchmarks/http.sh >/dev/null ;;
    postgresql) env Records__ConnectionString="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres" benchmarks/http.sh >/dev/null ;;
  esac
  cp "$out/table.md" "$out/records-$mode.md"
  cat "$out/load.txt"
}

"${as_pg[@]}" "$pg_bin/initdb" -D "$tmp/pg" -U postgres --auth=trust --locale=C -E UTF8 >/dev/null
# Durable commits (fsync on, the default): the same guarantee the server's SQLite store gives (synchronous=FULL).
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w \
  -o "-p $pg_port -k $tmp -c listen_addresses=127.0.0.1" start >/dev/null

for mode in off sqlite sqlite-normal postgresql; do run_mode "$mode"; done

python3 - "$out" <<'PY'
import sys, pathlib
out = pathlib.Path(sys.argv[1])
def rows(mode):
    result = {}
    for line in (out / f"records-{mode}.md").read_text().splitlines():
        # http.sh's table: one row per server and traffic; CreditRisk's rows are the ones recording changes.
        if line.startswith("| CreditRisk"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            endpoint = cells[0].replace("CreditRisk, ", "").split(" (")[0]
            result[(endpoint, cells[1])] = (float(cells[2]), float(cells[4]), int(cells[5]))
    return result
modes = ["off", "sqlite", "sqlite-normal", "postgresql"]
names = {"off": "off", "sqlite": "SQLite FULL", "sqlite-normal": "SQLite NORMAL", "postgresql": "PostgreSQL"}
runs = {m: rows(m) for m in modes}
print()
print("| request | conns | " + " | ".join(f"{names[m]} req/s | p99 ms" for m in modes) + " | " + " | ".join(f"{names[m]}/off req/s" for m in modes[1:]) + " | errors |")
print("|---|---:|" + "---:|---:|" * len(modes) + "---:|" * (len(modes) - 1) + "---|")
for key, (rps, _, _) in runs["off"].items():
    cells = [f"{runs[m][key][0]:.0f} | {runs[m][key][1]}" for m in modes]
    ratios = [f"{runs[m][key][0] / rps:.2f}" for m in modes[1:]]
    errors = "/".join(str(runs[m][key][2]) for m in modes)
    print(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {errors} |")
PY
