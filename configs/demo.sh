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

echo "== gas: free expansion V -> 2V of 10^4 hard discs, Boltzmann entropy S_B(t) =="
"$esuite" run configs/gas_expansion.ini --output "$out/gas_expansion" --set output.overwrite=true --quiet
grep -E '"(n_right_fraction|dS_ideal|dS_MM_pooled)"' "$out/gas_expansion/summary.json" || true

echo "== school: swarm -> highly parallel (dewi-kadita case 4, 250 fish, 1000 steps) =="
"$esuite" run configs/school_case4_highly_parallel.ini --output "$out/school" --set output.overwrite=true --quiet
"$esuite" school-metrics "$out/school/school.nc" > "$out/school/metrics.txt"
if command -v gnuplot > /dev/null; then
  gnuplot <<GP
set terminal pngcairo size 900,500 font 'DejaVu Sans,11'
set output '$out/school/order_parameters.png'
set title 'School: swarm to highly parallel (dewi-kadita case 4)'
set xlabel 'time'; set yrange [0:1.05]; set key at graph 0.98,0.75 right box opaque
plot '$out/school/metrics.txt' using 1:2 with lines lw 2 title 'polarisation P', \
     '' using 1:3 with lines lw 2 title 'rotation M', \
     '' using 1:13 with lines lw 2 title 'OSI'
GP
fi

echo "demo figures:"
ls -1 "$out"/*.png "$out"/*/*.png
