#!/usr/bin/env bash
# The esuite demo: usage  configs/demo.sh PATH/TO/esuite OUTDIR
# Analyses generated series (chaotic maps, coloured noises, a sine) and draws
# the complexity-entropy (HC) plane; more parts are added as simulators land.
set -euo pipefail
esuite=${1:-build/esuite}
out=${2:-outputs/demo}
mkdir -p "$out"

echo "== ordinal patterns: maps, noises and a sine in the HC plane (n = 5) =="
"$esuite" ordinal --order 5 --json --plot "$out/hc_plane.png" --output "$out/hc_plane.h5" \
  gen:logistic gen:henon gen:asymm_tent gen:white gen:pink gen:red gen:sine > "$out/hc_plane.json"
"$esuite" ordinal --order 5 gen:logistic gen:henon gen:asymm_tent gen:tent gen:white gen:pink gen:red gen:sine

echo "== H(L), C(L) of a sine (dt = 0.01, period 2*pi) for L = 1..150 =="
"$esuite" ordinal --order 5 --delays 1:150 --dt 0.01 --json --plot "$out/sine_curve.png" gen:sine > "$out/sine_curve.json"
echo "== ideal sampling for the same sine (t_pat = 0.4 t_nat) =="
"$esuite" ordinal --order 5 --auto --dt 0.01 gen:sine

echo "== orbits: Hénon–Heiles ensemble at E = 1/8 (SALI and PECCARY per orbit) =="
"$esuite" run configs/orbits_henon_heiles.ini --output "$out/henon_heiles" --set output.overwrite=true --quiet
grep -A3 '"chaos_indicator"' "$out/henon_heiles/summary.json" | head -4

echo "demo figures:"
ls -1 "$out"/*.png "$out"/*/*.png
