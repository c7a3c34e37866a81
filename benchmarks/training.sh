#!/usr/bin/env bash
# Training time and how it grows with data: times the full trainer run (the default command: cross-validate every
# candidate, select, refit, export ONNX, report) on german.data replicated 1×, 10× and 50×. Replica 0 is the file as
# is; each further replica jitters the continuous numerics (duration ±10 %, amount ±10 %, age ±2 years, clamped to the
# contract's ranges) so rows are not exact duplicates. Replicated files and trainer outputs go to a temp dir, never
# to artifacts/. Prints a table rows vs seconds.
#
# Env: SCALES ("1 10 50")  TRAINER_ARGS (extra trainer options, e.g. "--quick" or "--no-report")  KEEP (1 keeps the temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
SCALES=${SCALES:-"1 10 50"}
TRAINER_ARGS=${TRAINER_ARGS:-}
out=$root/benchmarks/results
mkdir -p "$out"
work=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

echo "building the trainer (Release)…"
dotnet build trainer -c Release -v q -nologo >/dev/null

replicate() { # scale file
  python3 - "$root/data/german-credit/german.data" "$1" "$2" <<'PY'
import random, sys
src, scale, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [l.split() for l in open(src) if l.strip()]
rng = random.Random(42)
clamp = lambda v, lo, hi: max(lo, min(hi, v))
with open(dst, "w") as f:
    for k in range(scale):
        for r in rows:
            r = list(r)
            if k > 0:
                r[1] = str(clamp(round(int(r[1]) * rng.uniform(0.9, 1.1)), 1, 120))       # durationMonths
                r[4] = str(clamp(round(int(r[4]) * rng.uniform(0.9, 1.1)), 1, 1000000))   # creditAmount
                r[12] = str(clamp(int(r[12]) + rng.randint(-2, 2), 18, 100))              # age
            f.write(" ".join(r) + "\n")
PY
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
results=()
for s in $SCALES; do
  data=$work/german-x$s.data
  replicate "$s" "$data"
  n=$(wc -l <"$data")
  echo "training on $n rows (${s}×)…"
  start=$(date +%s.%N)
  # Exactly the documented command; --no-build so the (already built) compile is not timed.
  /usr/bin/time -f '%M' -o "$work/rss-$s" \
    dotnet run --project trainer -c Release --no-build -- --data "$data" --out "$work/out-x$s" $TRAINER_ARGS >"$out/training-x$s.log" 2>&1 \
    || { tail -n 30 "$out/training-x$s.log"; exit 1; }
  end=$(date +%s.%N)
  secs=$(python3 -c "print(f'{$end - $start:.1f}')")
  rss=$(python3 -c "print(round(int(open('$work/rss-$s').read().split()[-1]) / 1024))")
  results+=("$s $n $secs $rss")
  echo "  ${secs} s, peak RSS ${rss} MiB"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

{
echo
echo "Trainer: dotnet run --project trainer -c Release --no-build -- --data <file> --out <tmp> ${TRAINER_ARGS}"
echo
echo "| data | rows | seconds | seconds / 1000 rows | vs 1× | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|"
base=""
for r in "${results[@]}"; do
  read -r s n secs rss <<<"$r"
  [ -n "$base" ] || base=$secs
  python3 -c "print(f'| {$s}× | {$n:,} | {$secs:.1f} | {$secs / $n * 1000:.2f} | {$secs / $base:.1f}× | {$rss} |')"
done
} | tee "$out/training.md"
