#!/bin/bash
# The recorded config of a run stopped by a testing stop knob ([gas]
# stop_after_samples, [school] stop_after_steps, also over a [ramp]) and
# finished by `esuite run --resume DIR` reproduces the finished run: fed back to
# `esuite run` (docs/config.md promises it can be), it runs to the end (exit 0,
# where it used to stop again with exit 3, the knob still recorded) and every
# summary.json number equals the resumed run's. The interruption stays in the
# provenance: the overrides list the first run's knob, then its reset by --resume.
. "$(dirname "$0")/lib.bash"
cd "$TMP"

# The numbers of summary.json: everything before wall time and provenance.
stats() { sed -n '1,/"wall_seconds"\|"provenance"/p' "$1/summary.json" | grep -v '"wall_seconds"\|"provenance"'; }
# The config recorded in an output file, as `esuite info FILE` prints it last.
recorded() { "$ESUITE" info "$1" | sed -n '/^config:$/,$p' | sed 1d; }
ovs() { sed -n '/"overrides"/,/\]/p' "$1/summary.json" | grep -o '"[a-z_]*\.[a-z_]*=[^"]*"' | tr '\n' ' '; }

# check NAME OUTPUT KNOB WANT_OVERRIDES INI ARGS...: stopped, resumed, fed back
check() {
  local name=$1 out=$2 knob=$3 want=$4 ini=$5
  shift 5
  "$ESUITE" run "$ini" --output "$name" --quiet --threads 1 "$@" 2>"$name.err"
  rc=$?
  expect_true "$name: stopped by $knob (exit 3, got $rc: $(cat "$name.err"))" test $rc -eq 3
  "$ESUITE" run --resume "$name" --quiet --threads 1 2>"$name.resume.err"
  rc=$?
  expect_true "$name: resumed run finishes (rc $rc: $(cat "$name.resume.err"))" test $rc -eq 0
  recorded "$name/$out" >"$name.rec.ini"
  expect_true "$name: recorded config non-empty" test "$(grep -c ' = ' "$name.rec.ini")" -gt 20
  expect_true "$name: recorded $knob is 0 ($(grep "^${knob#*.} " "$name.rec.ini"))" \
    grep -q "^${knob#*.} = 0\( \|$\)" "$name.rec.ini"
  expect_true "$name: overrides keep the interruption and its reset ($(ovs "$name"))" test "$(ovs "$name")" = "$want"
  if [ "$out" = school.nc ]; then # reopened by the resumed run: its attributes are this run's
    hist=$("$ESUITE" info "$name/$out" | sed -n '/^history /,/^[a-z]/p' | sed '$d')
    expect_true "$name: $out history: the stopped run's line, then the resumed run's ($hist)" \
      test "$(grep -c 'stop_after_steps=[1-9].* (esuite ' <<< "$hist"):$(grep -n 'esuite run --resume' <<< "$hist" | cut -d: -f1)" = 1:2
    expect_true "$name: $out command_line is the resumed run's" \
      grep -q "^command_line  *.*esuite run --resume $name --quiet --threads 1$" <("$ESUITE" info "$name/$out")
  fi
  "$ESUITE" run "$name.rec.ini" --output "$name.again" --quiet --threads 1 2>"$name.again.err"
  rc=$?
  expect_true "$name: the recorded config runs to the end (rc $rc: $(cat "$name.again.err"))" test $rc -eq 0
  stats "$name" >"$name.stats"
  stats "$name.again" >"$name.again.stats"
  expect_true "$name: summary.json numbers non-empty" test "$(grep -c '' "$name.stats")" -gt 10
  expect_true "$name: the recorded config's summary.json numbers equal the resumed run's" \
    cmp -s "$name.stats" "$name.again.stats"
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
samples = 10
u_max = 2
profile_bins = 10
plots = false
EOF
check gas gas.h5 gas.stop_after_samples \
  '"gas.stop_after_samples=5" "run.threads=1" "gas.stop_after_samples=0" "run.threads=1" ' \
  gas.ini --set gas.stop_after_samples=5

cat >school.ini <<'EOF'
[run]
model = school
seed = 11
[school]
n_fish = 100
box_size = 20
n_steps = 200
save_interval = 5
metrics_every = 5
EOF
check school school.nc school.stop_after_steps \
  '"school.stop_after_steps=60" "run.threads=1" "school.stop_after_steps=0" "run.threads=1" ' \
  school.ini --set school.stop_after_steps=60

CFG="${ES_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/configs/school_couzin_hysteresis.ini"
check ramp school.nc school.stop_after_steps \
  '"school.n_fish=40" "ramp.from=1" "ramp.to=2" "ramp.step=1" "ramp.hold_steps=60" "ramp.average_steps=30" "ramp.sample_every=5" "school.save_interval=10" "ramp.plots=false" "school.stop_after_steps=100" "run.threads=1" "school.stop_after_steps=0" "run.threads=1" ' \
  "$CFG" --set school.n_fish=40 --set ramp.from=1 --set ramp.to=2 --set ramp.step=1 \
  --set ramp.hold_steps=60 --set ramp.average_steps=30 --set ramp.sample_every=5 \
  --set school.save_interval=10 --set ramp.plots=false --set school.stop_after_steps=100
# A resumed run interrupted again (SIGUSR1: a checkpoint, exit 3) and resumed
# once more: school.nc's history keeps a line for each of the three runs (the
# second run's line was lost: it was written only when a run finished).
"$ESUITE" run school.ini --output twice --quiet --threads 1 --set school.n_steps=120000 \
  --set school.save_interval=100 --set school.metrics_every=100 --set school.stop_after_steps=50 \
  --set output.checkpoint_interval=0.05 2>/dev/null
expect_num "twice: stopped by the knob" $? 3 0
# signalled once it is running (its first timed checkpoint is written), not after a fixed delay
interrupt twice twice.err "$ESUITE" run --resume twice --quiet --threads 1
rc=$RC
expect_true "twice: the resumed run is interrupted by SIGUSR1 (rc $rc: $(cat twice.err))" test $rc -eq 3
"$ESUITE" run --resume twice --quiet --threads 1
expect_num "twice: the third run finishes" $? 0 0
hist=$("$ESUITE" info twice/school.nc | sed -n '/^history /,/^[a-z]/p' | sed '$d')
expect_true "twice: school.nc history has the stopped run's line, then both resumed runs' ($hist)" \
  test "$(grep -c 'stop_after_steps=50 .*(esuite ' <<< "$hist"):$(grep -c 'esuite run --resume twice --quiet --threads 1 (esuite ' <<< "$hist"):$(grep -c '' <<< "$hist")" = 1:2:3
finish
