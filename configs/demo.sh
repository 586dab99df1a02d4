#!/usr/bin/env bash
# The esuite demo: usage  configs/demo.sh PATH/TO/esuite OUTDIR
# Analyses generated series (chaotic maps, coloured noises, a sine) in the
# complexity-entropy (HC) plane, then runs the three simulators (Hénon–Heiles
# orbits, the gas expansion, a school) and draws their figures with gnuplot.
# Every file appears whole or not at all: a step that fails leaves none of its
# own files (the esuite runs commit theirs when complete; the JSON, the metrics
# table and the school figure are written under a temporary name here).
set -euo pipefail
esuite=${1:-build/esuite}
out=${2:-outputs/demo}
# Every part draws figures: without gnuplot the first would fail after the demo
# had begun writing (it left an empty hc_plane.json); say so before anything.
if ! command -v gnuplot > /dev/null; then
  echo "demo: gnuplot is not installed (apt-get install -y gnuplot-nox); the demo draws its figures with it" >&2
  exit 1
fi
mkdir -p "$out"
# to FILE CMD...: CMD's stdout into FILE, through FILE.part, which a failing CMD removes
to() {
  local file=$1; shift
  if "$@" > "$file.part"; then mv -f "$file.part" "$file"; else local rc=$?; rm -f "$file.part"; return $rc; fi
}

echo "== ordinal patterns: maps, noises and a sine in the HC plane (n = 5) =="
to "$out/hc_plane.json" "$esuite" ordinal --order 5 --json --plot "$out/hc_plane.png" --output "$out/hc_plane.h5" \
  gen:logistic gen:henon gen:asymm_tent gen:white gen:pink gen:red gen:sine
"$esuite" ordinal --order 5 gen:logistic gen:henon gen:asymm_tent gen:tent gen:white gen:pink gen:red gen:sine

echo "== H(L), C(L) of a sine (dt = 0.01, period 2*pi) for L = 1..150 =="
to "$out/sine_curve.json" "$esuite" ordinal --order 5 --delays 1:150 --dt 0.01 --json --plot "$out/sine_curve.png" gen:sine
echo "== ideal sampling for the same sine (t_pat = 0.4 t_nat) =="
"$esuite" ordinal --order 5 --auto --dt 0.01 gen:sine

echo "== orbits: Hénon–Heiles ensemble at E = 1/8 (SALI and PECCARY per orbit) =="
"$esuite" run configs/orbits_henon_heiles.ini --output "$out/henon_heiles" --set output.overwrite=true --quiet
grep -A3 '"chaos_indicator"' "$out/henon_heiles/summary.json" | head -4

echo "== gas: free expansion V -> 2V of 10^4 hard discs, Boltzmann entropy S_B(t) =="
"$esuite" run configs/gas_expansion.ini --output "$out/gas_expansion" --set output.overwrite=true --quiet
# summary.json has one "key": value per line; each cell set's dS_MM_pooled follows its dx and dv
awk -F'[:,]' '/"(n_right_fraction|dS_ideal)"/ { gsub(/[" ]/, "", $1); printf "  %s = %s\n", $1, $2 + 0 }
  /"dx"/ { dx = $2 + 0 } /"dv"/ { dv = $2 + 0 }
  /"dS_MM_pooled"/ { printf "  cells dx = %g, dv = %g: dS_MM_pooled = %s\n", dx, dv, $2 + 0 }' \
  "$out/gas_expansion/summary.json"

echo "== school: swarm -> highly parallel (dewi-kadita case 4, 250 fish, 1000 steps) =="
"$esuite" run configs/school_case4_highly_parallel.ini --output "$out/school" --set output.overwrite=true --quiet
to "$out/school/metrics.txt" "$esuite" school-metrics "$out/school/school.nc"
# columns of metrics.txt: 1 time, 2 polarization, 3 rotation, 13 oceanic_schooling_index
png="$out/school/order_parameters.png"
if ! gnuplot <<GP
set terminal pngcairo size 900,500 font 'DejaVu Sans,11'
set output '$png.part'
set title 'School: swarm to highly parallel (dewi-kadita case 4)'
set xlabel 'time t (simulation units, dt = 0.1)'; set ylabel 'P, M, OSI (dimensionless)'
set yrange [0:1.05]; set key at graph 0.98,0.75 right box opaque
plot '$out/school/metrics.txt' using 1:2 with lines lw 2 title 'polarisation P', \
     '' using 1:3 with lines lw 2 title 'rotation M', \
     '' using 1:13 with lines lw 2 title 'OSI'
GP
then
  rm -f "$png.part"
  echo "demo: gnuplot failed to draw $png" >&2
  exit 1
fi
mv -f "$png.part" "$png"

echo "demo figures:"
ls -1 "$out"/*.png "$out"/*/*.png
