#!/usr/bin/env bash
# Figures of the gas validation (docs/gas.md "Reference results"):
#   docs/figures/gas_entropy_kn.png   ΔS/N against t for dv = 0.25, 0.5, 1 at Kn = ∞, 10, 1, 0.1, 0.01
#   docs/figures/gas_collapse_u.png   ΔS/N against u = dv t/lx: collapse (Kn = ∞) and its breaking
#   docs/figures/gas_profiles_kn01.png density profiles n(x, t) at Kn = 0.1
# usage: configs/figures/gas_figures.sh [PATH/TO/esuite] [WORKDIR] [FIGDIR]
# Runs the five configs configs/figures/gas_kn*.ini (about 5 min on two loaded cores, as docs/gas.md says),
# compiles the small HDF5 reader gas_table.c, and draws with gnuplot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
esuite=${1:-build/esuite}
work=${2:-outputs/figures}
figs=${3:-$here/../../docs/figures}
mkdir -p "$work" "$figs"
cc -O2 -o "$work/gas_table" "$here/gas_table.c" $(pkg-config --cflags --libs hdf5)

runs="kninf kn10 kn1 kn01 kn001"
for r in $runs; do
  if [ ! -f "$work/gas_$r/summary.json" ]; then
    echo "== esuite run gas_$r.ini"
    "$esuite" run "$here/gas_$r.ini" --output "$work/gas_$r" --set output.overwrite=true --set gas.plots=false --quiet
  fi
done

# Tables: t/lx, then for each cell set u and the pooled ΔS/N (Miller–Madow).
for r in $runs; do
  h5=$work/gas_$r/gas.h5
  lx=$(sed -n 's/^ *"lx": *\([0-9.e+-]*\),*/\1/p' "$work/gas_$r/summary.json")
  cols=""
  for c in 0 1 2; do
    "$work/gas_table" "$h5" /cells_$c/u > /dev/null 2>&1 && cols="$cols /cells_$c/u /cells_$c/pooled_dS_MM"
  done
  "$work/gas_table" "$h5" /time $cols | awk -v lx="$lx" '{ $1 = $1 / lx; print }' > "$work/$r.dat"
done
"$work/gas_table" "$work/gas_kn01/gas.h5" /profiles/x > "$work/prof_x.dat"
for k in 0 1 2 3 4 6 12; do
  "$work/gas_table" "$work/gas_kn01/gas.h5" /profiles/density@$k > "$work/prof_$k.dat"
done
paste "$work/prof_x.dat" "$work"/prof_{0,1,2,3,4,6,12}.dat > "$work/profiles.dat"
kn01_lx=$(sed -n 's/^ *"lx": *\([0-9.e+-]*\),*/\1/p' "$work/gas_kn01/summary.json")

# Closed form of the collisionless ΔS/N(u) for dx, dv → 0 (spec 7.3).
cat > "$work/closed.gp" <<'GP'
G(z) = z > 0 ? 0.5*z*z*log(z) - 0.25*z*z : 0
xl(z) = z > 0 ? z*log(z) : 0
kk(u) = floor(u/2)
rr(u) = u - 2*kk(u)
ca(u) = rr(u) <= 1 ? kk(u)/u : (kk(u)+rr(u)-1)/u
cb(u) = rr(u) <= 1 ? (kk(u)+rr(u))/u : (kk(u)+1)/u
cP(u) = rr(u) <= 1 ? 1 - rr(u) : rr(u) - 1
dS(u) = u <= 0 ? 0 : -cP(u)*(xl(ca(u)) + xl(cb(u))) - 2*u*(G(cb(u)) - G(ca(u)))
GP

gnuplot <<GP
load '$work/closed.gp'
set terminal pngcairo size 1500,900 enhanced font ',11'
set output '$figs/gas_entropy_kn.png'
set multiplot layout 2,3 title 'Boltzmann entropy after the partition removal: {/Symbol D}S/N(t), 10 strips, pooled over 2 runs'
set grid; set key bottom right; set yrange [0:0.75]
set xlabel 't {/Symbol \326}T / L_x'; set ylabel '{/Symbol D}S/N'
set samples 400
ln2 = log(2)
do for [r in "kninf kn10 kn1 kn01 kn001"] {
  t = r eq "kninf" ? "Kn = {/Symbol \245} (no collisions)" : r eq "kn10" ? "Kn = 10" : r eq "kn1" ? "Kn = 1" : r eq "kn01" ? "Kn = 0.1" : "Kn = 0.01"
  set title t
  f = '$work/'.r.'.dat'
  if (r eq "kn001") {
    plot ln2 w l lc rgb 'gray' t 'ln 2', \
         f u 1:3 w l lw 2 lc 2 t '{/Symbol D}v = 0.5', f u 1:5 w l lw 2 lc 3 t '{/Symbol D}v = 1'
  } else {
    if (r eq "kninf") {
      plot ln2 w l lc rgb 'gray' t 'ln 2', \
           f u 1:3 w l lw 2 lc 1 t '{/Symbol D}v = 0.25', f u 1:5 w l lw 2 lc 2 t '{/Symbol D}v = 0.5', \
           f u 1:7 w l lw 2 lc 3 t '{/Symbol D}v = 1', \
           dS(0.25*x) w l dt 2 lc 1 notitle, dS(0.5*x) w l dt 2 lc 2 notitle, dS(x) w l dt 2 lc 3 t 'closed form'
    } else {
      plot ln2 w l lc rgb 'gray' t 'ln 2', \
           f u 1:3 w l lw 2 lc 1 t '{/Symbol D}v = 0.25', f u 1:5 w l lw 2 lc 2 t '{/Symbol D}v = 0.5', \
           f u 1:7 w l lw 2 lc 3 t '{/Symbol D}v = 1', \
           dS(x) w l dt 2 lc 3 t 'collisionless, {/Symbol D}v = 1'
    }
  }
}
unset multiplot

set output '$figs/gas_collapse_u.png'
set multiplot layout 1,3 title 'Collapse in u = {/Symbol D}v t / L_x: exact without collisions, broken by them'
set xlabel 'u = {/Symbol D}v t / L_x'; set xrange [0:4]
do for [r in "kninf kn10 kn1"] {
  t = r eq "kninf" ? "Kn = {/Symbol \245}" : r eq "kn10" ? "Kn = 10" : "Kn = 1"
  set title t
  f = '$work/'.r.'.dat'
  plot ln2 w l lc rgb 'gray' t 'ln 2', dS(x) w l lw 3 dt 2 lc rgb 'black' t 'closed form (spec 7.3)', \
       f u 2:3 w lp pt 7 ps 0.4 lc 1 t '{/Symbol D}v = 0.25', f u 4:5 w lp pt 7 ps 0.4 lc 2 t '{/Symbol D}v = 0.5', \
       f u 6:7 w lp pt 7 ps 0.4 lc 3 t '{/Symbol D}v = 1'
}
unset multiplot

set output '$figs/gas_profiles_kn01.png'
set terminal pngcairo size 1000,650 enhanced font ',11'
set title 'Density profiles at Kn = 0.1 (N = 10^5, 2 runs): rarefaction, wall reflection, sloshing'
set xlabel 'x / L_x'; set ylabel 'n(x) / n_{initial}'; set xrange [0:1]; set yrange [0:1.3]; set key outside right
n0 = 100000.0 / (0.5 * $kn01_lx * $(sed -n 's/^ *"ly": *\([0-9.e+-]*\),*/\1/p' "$work/gas_kn01/summary.json"))
dt = 8.0 / 48
plot for [j=2:8] '$work/profiles.dat' u (\$1/$kn01_lx):(column(j)/n0) w l lw 2 \
     t sprintf('t = %.2f L_x/{/Symbol \326}T', dt * word("0 1 2 3 4 6 12", j-1))
GP
echo "figures: $figs/gas_entropy_kn.png $figs/gas_collapse_u.png $figs/gas_profiles_kn01.png"
