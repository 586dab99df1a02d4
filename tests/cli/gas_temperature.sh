#!/bin/bash
# [gas] temperature T0 is the unit of a run (docs/gas.md, Model): times are in
# σ/√T0, velocities in √T0, energies in T0. At T0 = 4 the engine used to get the
# times raw, so t = 0.25 was t√T0/lx = 0.5 and N_R/N came out 0.382 under a
# /time labelled σ/√T0; E/N read 4 under units "T0".
. "$(dirname "$0")/lib.bash"
cd "$TMP"
cat > free.ini <<'EOF'
[run]
model = gas
seed = 3
[gas]
N = 20000
diameter = 0
lx = 1
ly = 1000
temperature = 4
sampling = list
times = 0.25
profile_bins = 4
plots = false
[entropy]
dx = 0.1
dv = 0.5
EOF
"$ESUITE" run free.ini --output free --quiet 2>free.err
expect_true "collisionless run at T0 = 4 ($(cat free.err))" test -f free/summary.json
# spec gas.md 10.3 item 9: N_R/N = 0.199464 at t√T0/lx = 0.25, tol 3/√N + 0.002
expect_num "N_R/N at t = 0.25 sigma/sqrt(T0)" "$(json_get "$(cat free/summary.json)" n_right_fraction)" \
  0.199464 "$(awk 'BEGIN { print 3 / sqrt(20000) + 0.002 }')"
# u = dv·t/lx with dv in √T0 and t in σ/√T0: 0.5 · 0.25 / 1
expect_num "u_end = dv t / lx" "$(json_get "$(cat free/summary.json)" u_end)" 0.125 1e-15

cat > box.ini <<'EOF'
[run]
model = gas
seed = 3
[gas]
N = 500
packing_fraction = 0.01
box = periodic
temperature = 4
equilibration_collisions = 0
sampling = list
times = 1
profile_bins = 0
plots = false
[entropy]
dx = 0.1
dv = 0.5
EOF
"$ESUITE" run box.ini --output box --quiet 2>box.err
expect_true "periodic run at T0 = 4 ($(cat box.err))" test -f box/summary.json
sum=$(cat box/summary.json)
# Enskog ν = 2σn√(πT0)g(σ) in units √T0/σ, η = 0.01: 0.045850 (spec gas.md 10.2 item 5)
expect_num "Enskog collision frequency in sqrt(T0)/sigma" "$(json_get "$sum" collision_frequency_enskog)" 0.0458501 1e-6
expect_num "mean free time in sigma/sqrt(T0)" "$(json_get "$sum" mean_free_time)" "$(awk 'BEGIN { print 1 / 0.04585012 }')" 1e-4
expect_num "energy drift" "$(json_get "$sum" energy_drift)" 0 1e-12
finish
