#!/usr/bin/env bash
# Training time and memory as the book grows (issue 31): Lending Club resampled with jitter (benchmarks/resample.py:
# rows drawn with replacement, every number x U(0.98, 1.02), clamped to the spec's ranges) at each size in SIZES, then
# the ONE documented command, `trainer --dataset <spec>`, which selects, makes the nested estimate (resampling by the
# registered rule for n rows), refits, exports and reports. Records the wall time and peak RSS of the whole command,
# the estimate's own time and interval width (from its output), and the phase table (where the time went).
# Generated data and outputs go to a temp dir, never into the repository. The machine is shared: the load average
# before and after each run is printed with the figures.
#
# Env: SIZES ("10000 100000")  TRAINER_ARGS (extra trainer options, e.g. "--no-report")  KEEP (1 keeps the temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
SIZES=${SIZES:-"10000 100000"}
TRAINER_ARGS=${TRAINER_ARGS:-}
out=$root/benchmarks/results
mkdir -p "$out"
work=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

echo "building the trainer (Release)…"
dotnet build trainer -c Release -v q -nologo >/dev/null

results=()
for n in $SIZES; do
  python3 benchmarks/resample.py "$n" "$work/lc-$n"
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "training on $n rows (load average $load_before)…"
  log=$out/training-$n.log
  start=$(date +%s.%N)
  # Exactly the documented command; --no-build so the (already built) compile is not timed.
  /usr/bin/time -f '%M' -o "$work/rss-$n" \
    dotnet run --project trainer -c Release --no-build -- --dataset "$work/lc-$n/dataset.json" --out "$work/out-$n" $TRAINER_ARGS >"$log" 2>&1 \
    || { tail -n 30 "$log"; exit 1; }
  end=$(date +%s.%N)
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  secs=$(python3 -c "print(f'{$end - $start:.0f}')")
  rss=$(python3 -c "print(round(int(open('$work/rss-$n').read().split()[-1]) / 1024))")
  # "Estimate: 0.262 per applicant (95 % CI a – b, width w), K-fold × R outer (...), S s."
  estimate=$(grep -o 'Estimate: .*' "$log" | head -1 || true)
  est_secs=$(sed -n 's/.*, \([0-9.]*\) s\.$/\1/p' <<<"$estimate")
  width=$(sed -n 's/.*width \([0-9.]*\)).*/\1/p' <<<"$estimate")
  outer=$(sed -n 's/.*), \([0-9]*-fold × [0-9]*\) outer.*/\1/p' <<<"$estimate")
  results+=("$n|$secs|$rss|${est_secs:-–}|${outer:-–}|${width:-–}|$load_before → $load_after")
  echo "  ${secs} s, peak RSS ${rss} MiB; estimate ${est_secs:-–} s (${outer:-–} outer, CI width ${width:-–})"
  sed -n '/│ phase/,/└/p' "$log"
done

{
echo
echo "Command: trainer --dataset <Lending Club resampled, n rows> ${TRAINER_ARGS} (one run each, $(nproc) cores)"
echo
echo "| rows | whole command, s | peak RSS MiB | of which the estimate, s | outer resampling | 95 % CI width (cost / applicant) | load average before → after |"
echo "|---:|---:|---:|---:|---|---:|---|"
for r in "${results[@]}"; do
  IFS='|' read -r n secs rss est outer width load <<<"$r"
  echo "| $(printf "%'d" "$n") | $secs | $rss | $est | $outer | $width | $load |"
done
} | tee "$out/training.md"
