#!/usr/bin/env bash
# Couzin (2002) phase-diagram figures: second-half mean P and M over the
# (Δr_o, Δr_a) plane, from a reduced version of configs/sweeps/school_phase.ini
# (16 × 16 points, 2 replicas, 2000 steps instead of 5 replicas and 3000).
#   docs/figures/school_couzin_phase.sh [normalised|counts] [ESUITE] [--plot-only]
# normalised → docs/figures/school_couzin_phase_{P,M}.png
# counts     → docs/figures/school_couzin_phase_counts_{P,M}.png
# The replica means (Δr_o Δr_a P M per line, after the provenance of the
# collected table as '#' lines) are kept next to them
# (school_couzin_phase[_counts].dat); --plot-only redraws from that file.
# Needs gnuplot; ≈ 1 min of CPU (runs two tasks at a time).
set -euo pipefail
weighting=${1:-normalised}
root=$(cd "$(dirname "$0")/../.." && pwd)
esuite=${2:-$root/build/esuite}
plot_only=${3:-}
case $weighting in
  normalised) suffix= ;;
  counts) suffix=_counts ;;
  *) echo "usage: $0 [normalised|counts] [ESUITE] [--plot-only]" >&2; exit 2 ;;
esac
grid=$root/docs/figures/school_couzin_phase$suffix.dat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$plot_only" != --plot-only ]; then
sed -e 's/^n_steps = .*/n_steps = 2000/' -e "s/^zone_weighting = .*/zone_weighting = $weighting/" \
  "$root/configs/sweeps/school_phase_base.ini" > "$work/base.ini"
sed -e 's/^replicas = .*/replicas = 2/' -e "s|^base = .*|base = $work/base.ini|" \
  -e '/^\[slurm\]/,$d' "$root/configs/sweeps/school_phase.ini" > "$work/sweep.ini"
"$esuite" sweep "$work/sweep.ini" --scheduler local --jobs 2 --dir "$work/sweep" --quiet
"$esuite" collect "$work/sweep" --csv "$work/table.csv" --strict --quiet
# mean over replicas: dro dra P M, after the table's provenance ('#' lines:
# version, git revision, seeds, the sweep and its config; gnuplot skips them)
{
grep '^#' "$work/table.csv"
echo "# columns: dr_orientation dr_attraction P M (second-half means mean.P, mean.M over the replicas)"
awk -F, '/^#/ { next } !h { h = 1; for (i = 1; i <= NF; i++) c[$i] = i; next }
  { k = $c["school.dr_orientation"] " " $c["school.dr_attraction"]; n[k]++;
    P[k] += $c["mean.P"]; M[k] += $c["mean.M"] }
  END { for (k in n) printf "%s %.6f %.6f\n", k, P[k] / n[k], M[k] / n[k] }' "$work/table.csv" |
  sort -n -k1,1 -k2,2
} > "$grid"
fi
for q in P M; do
  col=$([ $q = P ] && echo 3 || echo 4)
  name=$([ $q = P ] && echo "polarisation P" || echo "rotation M")
  gnuplot <<GP
set terminal pngcairo noenhanced size 560,480 font 'sans,11'
set output '$root/docs/figures/school_couzin_phase${suffix}_$q.png'
set title "couzin2002 ($weighting): second-half mean $name"
set xlabel 'Δr_o (zone of orientation width)'
set ylabel 'Δr_a (zone of attraction width)'
set xrange [-0.5:15.5]; set yrange [-0.5:15.5]
set cbrange [0:1]
set palette defined (0 '#FFFFFF', 0.5 '#FDD49E', 0.8 '#FC8D59', 0.9 '#D7301F', 0.95 '#41AB5D', 1 '#08306B')
set size ratio -1
plot '$grid' u 1:2:$col w image notitle
GP
done
echo "wrote docs/figures/school_couzin_phase${suffix}_{P,M}.png"
