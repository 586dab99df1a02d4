#!/bin/bash
# What a gas (and a school) run leaves behind when it succeeds and when it fails late:
# the command line in the provenance, one message and no result files when
# the disk fills while gas.h5 is written (a file-size limit stands in for a
# full disk), and a stop signal honoured during a long equilibration.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
cat > small.ini <<'EOF2'
[run]
model = gas
seed = 7
[gas]
N = 500
packing_fraction = 0.01
aspect = 2
equilibration_collisions = 2
sampling = u
u_max = 1
samples = 6
realizations = 2
profile_bins = 10
plots = false
[entropy]
dx = 0.1, 0.25
dy = 0
dv = 0.5, 1.0
v_max = 6
EOF2

# 1. The provenance records the command that made the output.
"$ESUITE" run small.ini --output ok --quiet --threads 1 2>ok.err
expect_true "run succeeds ($(cat ok.err))" test -f ok/summary.json
cmdline=$(grep -o '"command_line": *"[^"]*"' ok/summary.json | sed 's/.*: *"//; s/"$//')
expect_true "command_line recorded ('$cmdline')" test "$cmdline" = "$ESUITE run small.ini --output ok --quiet --threads 1"

# 1b. Overwriting that run with one that fails (gas.h5 past a 16 KiB file-size
# limit; an impossible packing, used here before, is refused by the config
# check now, and an address-space limit, used after it, stops a sanitizer
# build before main) leaves none of the old results: a directory without
# summary.json must not hold them.
expect_fail overwrite-then-fail "cannot write 'ok/gas.h5': File too large" \
  bash -c 'trap "" XFSZ; ulimit -f 16; exec "$0" run small.ini --output ok --quiet --threads 1 --set output.overwrite=true' "$ESUITE"
expect_true "old gas.h5 removed by the overwrite" test ! -e ok/gas.h5
expect_true "no summary.json after the failed overwrite" test ! -e ok/summary.json

# 2. A full disk while gas.h5 is written: one message, nonzero exit, no gas.h5,
# no part file, no run directory (writes beyond the limit fail with EFBIG).
expect_fail disk-full "cannot write 'full/gas.h5': File too large" \
  bash -c 'trap "" XFSZ; ulimit -f 16; exec "$0" run small.ini --output full --quiet --threads 1' "$ESUITE"
expect_true "no run directory after a full disk" test ! -e full
expect_true "no part file left" test -z "$(find . -name '*.part-*')"

# 2b. summary.json, the completion marker, cannot be written (its temporary
# name, which carries the pid that exec keeps, is taken by a directory): the
# results written before it go too, for gas (gas.h5, figures) and school (school.nc).
mkdir late late_school
expect_fail summary-fails-gas "summary.json" \
  bash -c 'mkdir "late/.summary.json.part-$$"; exec "$0" run small.ini --output late --quiet --set gas.plots=true' "$ESUITE"
expect_true "no gas.h5 or figures after summary.json failed ($(ls late | tr '\n' ' '))" \
  test -z "$(ls late)"
cat > school.ini <<'EOF2'
[run]
model = school
seed = 3
[school]
n_fish = 10
n_steps = 20
EOF2
expect_fail summary-fails-school "summary.json" \
  bash -c 'mkdir "late_school/.summary.json.part-$$"; exec "$0" run school.ini --output late_school --quiet' "$ESUITE"
expect_true "no school.nc after summary.json failed ($(ls late_school | tr '\n' ' '))" \
  test -z "$(ls late_school)"
"$ESUITE" run school.ini --output school_ok --quiet
rm -r late/.summary.json.part-* late_school/.summary.json.part-*  # the test's own directories
# a full disc while school.nc is written: the message names school.nc where the user will
# look for it (not its temporary name), and nothing is left
expect_fail disk-full-school "cannot write 'school_full/school.nc': NetCDF: HDF error (in nc_" \
  bash -c 'trap "" XFSZ; ulimit -f 40; exec "$0" run school.ini --output school_full --quiet --set school.n_fish=50 --set school.n_steps=2000' "$ESUITE"
expect_true "no school run directory after a full disc" test ! -e school_full
expect_true "the same school run writes school.nc when nothing fails" test -s school_ok/school.nc

# 2c. A figure cut off by a full disc (gnuplot exits 0 all the same) is not kept:
# gas.h5 (≈ 35 kB) and entropy.png (≈ 48 kB) fit under the 60 kB limit, profiles.png
# (≈ 68 kB) does not.
bash -c 'trap "" XFSZ; ulimit -f 60; exec "$0" run small.ini --output cut --quiet --set gas.plots=true --set gas.N=200' \
  "$ESUITE" 2>cut.err
expect_true "a cut-off figure is reported ($(cat cut.err))" grep -q "incomplete image" cut.err
for png in cut/*.png; do
  expect_true "$png is a whole PNG (ends with IEND)" \
    test "$(tail -c 12 "$png" | od -An -tx1 | tr -d ' \n')" = "0000000049454e44ae426082"
done
expect_true "no part file left after the cut-off figure" test -z "$(find . -name '*.part-*')"

# 3. SIGTERM during a long equilibration stops the run at once (no checkpoint
# exists yet): one message, nonzero exit, no run directory.
cat > long.ini <<'EOF2'
[run]
model = gas
[gas]
N = 20000
packing_fraction = 0.05
equilibration_collisions = 100000
[entropy]
dx = 0.25
dv = 1
EOF2
"$ESUITE" run long.ini --output long --quiet --threads 1 2>long.err &
pid=$!
sleep 2
kill -TERM "$pid"
start=$(date +%s)
wait "$pid"
rc=$?
took=$(( $(date +%s) - start ))
expect_true "stopped by SIGTERM with a nonzero exit (rc=$rc)" test "$rc" -ne 0
expect_true "stopped within 10 s of the signal (took ${took} s)" test "$took" -le 10
expect_true "one message naming the equilibration ($(cat long.err))" grep -q "during the equilibration" long.err
expect_true "no run directory after the stop" test ! -e long

# 3b. The same in a very dilute gas (packing fraction 1e-14, Kn ~ 1e5): ~1e5 wall and cell
# events per collision, so a stop check every N/2 collisions came minutes apart; it comes
# every 2^14 events now.
"$ESUITE" run long.ini --output dilute --quiet --threads 1 --set gas.N=500 \
  --set gas.packing_fraction=1e-14 --set gas.equilibration_collisions=2 2>dilute.err &
pid=$!
sleep 2
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
alive=no
kill -0 "$pid" 2>/dev/null && { alive=yes; kill -KILL "$pid"; }
wait "$pid"
rc=$?
expect_true "dilute: stopped within 10 s of SIGTERM (still running: $alive)" test "$alive" = no
expect_true "dilute: stopped by SIGTERM with a nonzero exit (rc=$rc)" test "$rc" -ne 0
expect_true "dilute: one message naming the equilibration ($(cat dilute.err))" grep -q "during the equilibration" dilute.err
expect_true "dilute: no run directory after the stop" test ! -e dilute

# 3c. Discs beyond ±v_max: summary.json's out_of_range_fraction is the largest fraction over the
# samples, for a Maxwellian 1 − erf(v_max/√2)² = 0.8534 at v_max = 0.5 (N = 2000: σ ≈ 0.008),
# and 0 at v_max = 6; the small v_max is warned about, the large one is not.
printf '[run]\nmodel = gas\n[gas]\nN = 2000\nsamples = 3\nplots = false\n[entropy]\ndx = 0.25\ndv = 0.5\nv_max = 0.5, 6\n' > vmax.ini
"$ESUITE" run vmax.ini --output vmax --quiet 2>vmax.err
f=$(grep -o '"out_of_range_fraction": [0-9.e-]*' vmax/summary.json | sed 's/.*: //')
expect_num "out_of_range_fraction at v_max = 0.5" "$(echo "$f" | sed -n 1p)" 0.8534 0.04
expect_num "out_of_range_fraction at v_max = 6" "$(echo "$f" | sed -n 2p)" 0 0
# numbered as config errors number the sets (1 = the first list value), with its gas.h5 group
expect_true "one warning, for cell set 1 = /cells_0 ($(cat vmax.err))" \
  test "$(grep -c 'warning: gas: cell set 1 (dv = 0.5, v_max = 0.5; /cells_0 in gas.h5): up to' vmax.err)" -eq 1 -a "$(grep -c 'cell set 2' vmax.err)" -eq 0
expect_true "the warning gives the grid's edge +-0.5 ($(cat vmax.err))" grep -q "beyond the grid's +-0.5 and" vmax.err
# The edge is K dv with the grid's own K: v_max = 2.1, dv = 0.3 is K = 7 (+-2.1, where
# ceil(2.1/0.3) = 8 said +-2.4); about 7 % of the discs are beyond it.
"$ESUITE" run vmax.ini --output vmax7 --quiet --set gas.N=300 --set entropy.dv=0.3 --set entropy.v_max=2.1 2>vmax7.err
expect_true "v_max = 2.1, dv = 0.3: the grid's edge +-2.1 ($(cat vmax7.err))" \
  grep -q "warning: gas: cell set 1 (dv = 0.3, v_max = 2.1; /cells_0 in gas.h5): up to .* beyond the grid's +-2.1 and" vmax7.err
f=$(grep -o '"out_of_range_fraction": [0-9.e-]*' vmax7/summary.json | sed 's/.*: //')
# 1 − erf(2.1/√2)² = 0.0701 per sample; the largest over 4 samples of N = 300
expect_num "out_of_range_fraction beyond 2.1" "$f" 0.085 0.05

# 3d. /time's long_name says what t = 0 is: the partition removal (expansion), or the end of the
# equilibration in a periodic box, which has no partition (it said "after the partition removal"
# there too). Read with h5dump where it is installed, else from the file's bytes (the global heap
# holds variable-length strings as they are).
time_label() {
  if command -v h5dump > /dev/null; then
    h5dump -a /time/long_name "$1" | sed -n 's/^ *(0): "\(.*\)"$/\1/p'
  else
    grep -aoE 'sampling time after the [a-z]+[ a-z(),]*' "$1" | sed -n 1p
  fi
}
printf '[run]\nmodel = gas\n[gas]\nN = 300\nbox = periodic\nsamples = 2\nplots = false\n' > periodic.ini
"$ESUITE" run periodic.ini --output periodic --quiet 2>periodic.err
expect_true "periodic run succeeds ($(cat periodic.err))" test -f periodic/summary.json
label=$(time_label periodic/gas.h5)
expect_true "periodic box: /time is after the equilibration ('$label')" \
  test "$label" = "sampling time after the equilibration (periodic box, no partition)"
expect_true "periodic box: no 'partition removal' in gas.h5" test "$(grep -ac 'partition removal' periodic/gas.h5)" -eq 0
label=$(time_label vmax/gas.h5)
expect_true "expansion box: /time is after the partition removal ('$label')" \
  test "$label" = "sampling time after the partition removal"

# 4. Batch progress covers the equilibration: its own log lines (fraction of all
# realizations' equilibration collisions, nondecreasing, ending at 100 %) come
# before the run's, which end at 100 % once.
"$ESUITE" run small.ini --output prog --threads 2 --set gas.N=20000 --set gas.equilibration_collisions=60 \
  --set gas.realizations=2 --set gas.u_max=0.2 --set output.log_interval=0.1 2>prog.err
eq=$(sed -n 's/.* gas equilibration: \([0-9.]*\)% done.*/\1/p' prog.err)
expect_true "equilibration: several progress lines ($(grep -c 'gas equilibration' prog.err))" \
  test "$(printf '%s\n' "$eq" | grep -c .)" -ge 3
expect_true "equilibration: nondecreasing to 100.0 ($(echo $eq))" \
  awk 'NR > 1 && $1 < prev { exit 1 } { prev = $1 } END { exit !(prev == 100.0) }' <<< "$eq"
expect_true "equilibration lines before the run's" \
  awk '/ gas equilibration: / { if (run) exit 1 } / gas: [0-9.]*% done/ { run = 1 } END { exit !run }' prog.err
expect_true "run: one 100.0 % line" test "$(grep -c ' gas: 100.0% done' prog.err)" -eq 1
# 6. --check says what the run will be, from kinetic theory (spec §5–6), computed here
# independently: small.ini's 500 discs at eta = 0.01 fill the left half ly x ly of a 2:1 box,
# n = N/ly^2 = 0.01*4/pi, g = (1 - 7 eta/16)/(1 - eta)^2, lambda = 1/(2 sqrt2 n g),
# nu = 2 n sqrt(pi) g, t_end = u_max lx/dv = 2 lx; equilibration 2 x 500/2 = 500 collisions;
# run collisions N nu t_end / 2 at n (upper bound) and at n/2 (the expanded gas).
"$ESUITE" run small.ini --check > check.out 2> check.err
expect_true "check passes ($(cat check.err))" test -s check.out
eval "$(awk 'BEGIN { pi = atan2(0, -1); N = 500; eta = 0.01; n = eta * 4 / pi; ly = sqrt(N / n);
  lx = 2 * ly; g = (1 - 7 * eta / 16) / (1 - eta)^2; lam = 1 / (2 * sqrt(2) * n * g);
  nu = 2 * n * sqrt(pi) * g; t = 2 * lx; e2 = eta / 2; g2 = (1 - 7 * e2 / 16) / (1 - e2)^2;
  printf "w_ly=%.15g w_lam=%.15g w_tau=%.15g w_kn=%.15g w_t=%.15g w_hi=%.15g w_lo=%.15g\n",
    ly, lam, 1 / nu, lam / lx, t, N * nu * t / 2, N * (2 * (n / 2) * sqrt(pi) * g2) * t / 2 }')"
num() { grep -o "$1 [-0-9.e+]*" check.out | head -1 | awk '{ print $NF }'; }
expect_num check-ly "$(grep -o 'x [0-9.e+]* box' check.out | awk '{ print $2 }')" "$w_ly" "$(awk -v w="$w_ly" 'BEGIN { print w * 1e-5 }')"
expect_num check-eta "$(num 'eta =')" 0.01 1e-9
expect_num check-mfp "$(num 'mean free path')" "$w_lam" "$(awk -v w="$w_lam" 'BEGIN { print w * 1e-5 }')"
expect_num check-mft "$(num 'mean free time')" "$w_tau" "$(awk -v w="$w_tau" 'BEGIN { print w * 1e-5 }')"
expect_num check-kn "$(num 'Kn =')" "$w_kn" "$(awk -v w="$w_kn" 'BEGIN { print w * 1e-5 }')"
expect_num check-tend "$(num 't_end =')" "$w_t" "$(awk -v w="$w_t" 'BEGIN { print w * 1e-5 }')"
expect_num check-eq "$(grep -o '[0-9.e+]* equilibration' check.out | awk '{ print $1 }')" 500 0
range=$(grep -o 'and [0-9.e+]* \.\. [0-9.e+]* run' check.out)
lo=$(echo "$range" | awk '{ print $2 }'); hi=$(echo "$range" | awk '{ print $4 }')
expect_num check-lo "$lo" "$w_lo" "$(awk -v w="$w_lo" 'BEGIN { print w * 2e-3 }')"
expect_num check-hi "$hi" "$w_hi" "$(awk -v w="$w_hi" 'BEGIN { print w * 2e-3 }')"
# a non-quiet run starts its log with the same lines 
"$ESUITE" run small.ini --output loud --threads 1 --set gas.plots=false 2> loud.err > /dev/null
expect_true "the run's log starts with the check's lines" \
  test "$(head -4 loud.err)" = "$(tail -n +2 check.out)"
# and the run made that many collisions: each realization's count at t_end
# lies in the range (4507 .. 9086; 4720 and 4891 with seed 7)
if command -v h5dump > /dev/null; then
  counts=$(h5dump -y -w 0 -d /collisions loud/gas.h5 | sed -n '/DATA {/,/}/p' | grep , | sed 's/, *$//' | awk -F', *' '{ print $NF }')
  expect_true "two realizations' counts ($counts)" test "$(echo $counts | wc -w)" -eq 2
  for c in $counts; do
    expect_true "run collisions $c within $lo .. $hi" awk -v c="$c" -v l="$lo" -v h="$hi" 'BEGIN { exit !(c >= l && c <= h) }'
  done
fi

# A periodic box runs at the equilibrium Enskog rate: the check prints one number, N nu t_end/2
# (N = 2000, eta = 0.05: 12229.3, printed 1.223e+04), and the run's count (12296 with seed 1) is within 5 % of it.
cat > per.ini <<'EOF2'
[run]
model = gas
seed = 1
[gas]
N = 2000
packing_fraction = 0.05
knudsen = 0
aspect = 1
box = periodic
sampling = linear
t_end = 50
samples = 5
plots = false
[entropy]
dx = 0.1
dy = 0.1
dv = 0.5
v_max = 6
EOF2
w_per=$(awk 'BEGIN { pi = atan2(0, -1); eta = 0.05; n = eta * 4 / pi; g = (1 - 7 * eta / 16) / (1 - eta)^2;
  printf "%.10g", 2000 * 2 * n * sqrt(pi) * g * 50 / 2 }')
per=$("$ESUITE" run per.ini --check | grep -o 'and [0-9.e+]* run collisions' | awk '{ print $2 }')
expect_num check-periodic "$per" "$w_per" "$(awk -v w="$w_per" 'BEGIN { print w * 2e-3 }')"
"$ESUITE" run per.ini --output per --quiet
if command -v h5dump > /dev/null; then
  got=$(h5dump -y -w 0 -d /collisions per/gas.h5 | sed -n '/DATA {/,/}/p' | grep , | awk -F', *' '{ print $NF }')
  expect_num periodic-run-collisions "$got" "$w_per" "$(awk -v w="$w_per" 'BEGIN { print w * 0.05 }')"
fi

# The provenance's start_time is when the run began, not when its results were written
# (it was stamped after the run: equal to end_time, later than the run's own first log line).
# The run lasts over a second (~3.7 s on 2 loaded cores), so its log spans two clock seconds.
sed 's/^t_end = 50/t_end = 20000/; s/^samples = 5/samples = 2/' per.ini > long.ini
"$ESUITE" run long.ini --output long --set output.log_interval=0.5 2> long.err > /dev/null
first=$(grep -o '^\[[0-9T:Z-]*\]' long.err | head -1 | tr -d '[]')
last=$(grep -o '^\[[0-9T:Z-]*\]' long.err | tail -1 | tr -d '[]')
t0=$(sed -n 's/.*"start_time": *"\([^"]*\)".*/\1/p' long/summary.json)
t1=$(sed -n 's/.*"end_time": *"\([^"]*\)".*/\1/p' long/summary.json)
expect_true "start_time $t0 <= first log line $first" test -n "$first" -a ! "$t0" \> "$first"
expect_true "end_time $t1 >= last log line $last, after the start" test ! "$t1" \< "$last" -a "$t1" \> "$t0"

finish
