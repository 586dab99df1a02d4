#!/bin/bash
# The `history` of every output of a run finished by `esuite run --resume DIR`
# has one line per run, the stopped run's first (docs/output-format.md), as
# school.nc's has (tests/cli/resume_recorded_config.sh): gas.h5 and orbits.h5,
# written whole at the end, had the resumed run's line only, the earlier runs'
# are now carried in the checkpoint ("history" section). Stopped by the knob
# (gas) or SIGUSR1, resumed, interrupted again by SIGUSR1, resumed: 3 lines;
# and the data stay bit-identical to an uninterrupted run's.
. "$(dirname "$0")/lib.bash"
cd "$TMP"

# The history attribute of FILE, one line per run, as `esuite info` prints it.
hist() { "$ESUITE" info "$1" | sed -n '/^history /,/^[a-z]/p' | sed '$d' | sed 's/^history  *//; s/^  *//'; }
# Every group, dataset and attribute of an HDF5 file at full precision, but the
# provenance attributes (times, command line, overrides, history differ) and the
# storage offsets (which move with the attributes' lengths).
PROV='Conventions|title|source|esuite_version|git_revision|model|run_name|seed|threads|host|start_time|end_time|config_path|config|overrides|command_line|history'
h5data() {
  h5dump -p -m %.17g "$1" | grep -v '^HDF5 "\|^ *OFFSET [0-9]*$' | awk -v re="^ *ATTRIBUTE \"($PROV)\" \\\\{\$" '
    skip && $0 == ind "}" { skip = 0; next }
    skip { next }
    $0 ~ re { skip = 1; ind = $0; sub(/ATTRIBUTE.*/, "", ind); next }
    { print }'
}

cat >gas.ini <<'EOF'
[run]
model = gas
seed = 21
[gas]
N = 500
packing_fraction = 0
knudsen = 0.1
realizations = 2
samples = 4000
u_max = 2
profile_bins = 10
plots = false
[output]
checkpoint_interval = 0.05
EOF

# gas: stopped by the knob, resumed (2 lines)
"$ESUITE" run gas.ini --output once --quiet --threads 1 --set gas.stop_after_samples=5 --set gas.samples=10 2>/dev/null
expect_num "once: stopped by the knob" $? 3 0
"$ESUITE" run --resume once --quiet --threads 1 2>once.err
expect_num "once: the resumed run finishes ($(cat once.err))" $? 0 0
h=$(hist once/gas.h5)
expect_true "once: gas.h5 history has the stopped run's line, then the resumed run's ($h)" \
  test "$(grep -c '' <<< "$h"):$(sed -n 1p <<< "$h" | grep -c ': .*esuite run gas.ini --output once --quiet --threads 1 --set gas.stop_after_samples=5 --set gas.samples=10 (esuite '):$(sed -n 2p <<< "$h" | grep -c ': .*esuite run --resume once --quiet --threads 1 (esuite ')" = 2:1:1
# every cell-set group carries the provenance too
expect_true "once: /cells_0 history equals the file's" \
  test "$(h5dump -a /cells_0/history once/gas.h5 | grep -c 'esuite run')" = 2

# gas: stopped by the knob, resumed and interrupted by SIGUSR1, resumed again (3 lines)
"$ESUITE" run gas.ini --output ref --quiet --threads 2 2>ref.err
expect_true "ref: the uninterrupted run finishes ($(cat ref.err))" test -s ref/summary.json
"$ESUITE" run gas.ini --output twice --quiet --threads 1 --set gas.stop_after_samples=5 2>/dev/null
expect_num "twice: stopped by the knob" $? 3 0
interrupt twice twice.err "$ESUITE" run --resume twice --quiet --threads 2
expect_true "twice: the resumed run is interrupted by SIGUSR1 (rc $RC: $(cat twice.err))" test $RC -eq 3
"$ESUITE" run --resume twice --quiet --threads 1 2>twice2.err
expect_num "twice: the third run finishes ($(cat twice2.err))" $? 0 0
h=$(hist twice/gas.h5)
expect_true "twice: gas.h5 history has the stopped run's line, then both resumed runs' ($h)" \
  test "$(grep -c '' <<< "$h"):$(sed -n 1p <<< "$h" | grep -c 'stop_after_samples=5 (esuite '):$(sed -n 2p <<< "$h" | grep -c 'esuite run --resume twice --quiet --threads 2 (esuite '):$(sed -n 3p <<< "$h" | grep -c 'esuite run --resume twice --quiet --threads 1 (esuite ')" = 3:1:1:1
expect_true "twice: gas.h5 command_line is the last run's" \
  grep -q "^command_line  *.*esuite run --resume twice --quiet --threads 1$" <("$ESUITE" info twice/gas.h5)
h5data ref/gas.h5 >ref.h5txt
h5data twice/gas.h5 >twice.h5txt
expect_true "twice: gas.h5 dump has the datasets and their units, not the provenance" \
  test "$(grep -c DATASET ref.h5txt)" -ge 20 -a "$(grep -c 'ATTRIBUTE "units"' ref.h5txt)" -ge 20 \
  -a "$(grep -c 'ATTRIBUTE "history"' twice.h5txt)" -eq 0
expect_true "twice: every gas.h5 number identical to the uninterrupted run's" cmp -s ref.h5txt twice.h5txt

# orbits: interrupted by SIGUSR1, resumed and interrupted again, resumed (3 lines)
cat >hh.ini <<'EOF'
[run]
model = orbits
seed = 5
[orbits]
system = henon_heiles
integrator = leapfrog
dt = 0.01
t_end = 400
output_every = 5
n_orbits = 256
ic = section
energy = 0.125
chaos_indicator = sali
observables = x, y
order = 5
tnat = maxavg
[output]
checkpoint_interval = 0.05
EOF
"$ESUITE" run hh.ini --output oref --quiet --threads 2 2>oref.err
expect_true "oref: the uninterrupted run finishes ($(cat oref.err))" test -s oref/summary.json
interrupt orb orb1.err "$ESUITE" run hh.ini --output orb --quiet --threads 1
expect_true "orb: the first run is interrupted by SIGUSR1 (rc $RC: $(cat orb1.err))" test $RC -eq 3
interrupt orb orb2.err "$ESUITE" run --resume orb --quiet --threads 1
expect_true "orb: the resumed run is interrupted by SIGUSR1 (rc $RC: $(cat orb2.err))" test $RC -eq 3
"$ESUITE" run --resume orb --quiet --threads 2 2>orb3.err
expect_num "orb: the third run finishes ($(cat orb3.err))" $? 0 0
h=$(hist orb/orbits.h5)
expect_true "orb: orbits.h5 history has the first run's line, then both resumed runs' ($h)" \
  test "$(grep -c '' <<< "$h"):$(sed -n 1p <<< "$h" | grep -c 'esuite run hh.ini --output orb --quiet --threads 1 (esuite '):$(sed -n 2p <<< "$h" | grep -c 'esuite run --resume orb --quiet --threads 1 (esuite '):$(sed -n 3p <<< "$h" | grep -c 'esuite run --resume orb --quiet --threads 2 (esuite ')" = 3:1:1:1
h5data oref/orbits.h5 >oref.h5txt
h5data orb/orbits.h5 >orb.h5txt
expect_true "orb: orbits.h5 dump non-empty" test "$(grep -c DATASET oref.h5txt)" -ge 3
expect_true "orb: every orbits.h5 number identical to the uninterrupted run's" cmp -s oref.h5txt orb.h5txt
finish
