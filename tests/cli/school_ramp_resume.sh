#!/bin/bash
# Checkpoint/restart of a [ramp] run (configs/school_couzin_hysteresis.ini scaled
# down: 2 values up and back = 4 holds). A ramp stopped by the stop_after_steps
# hook (which counts the steps of all holds) inside a hold's averaging window
# or exactly at a hold boundary exits with status 3 and a checkpoint; `esuite
# run --resume` with another thread count finishes it, and every dataset of
# school.nc (h5dump at full precision, attributes — the provenance — left out)
# and every summary.json statistic equal those of an uninterrupted run. So do a
# run checkpointing after every piece of a hold, one stopped at its last step
# (nothing left: it finishes, exit status 0) and one stopped by a real SIGUSR1.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
CFG="${ES_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/configs/school_couzin_hysteresis.ini"

# 40 fish; holds of 60 steps (steps 0-60, 60-120, 120-180, 180-240), P and M
# sampled every 5 steps over the last 30 of each, a frame every 10 steps.
small=(--set school.n_fish=40 --set ramp.from=1 --set ramp.to=2 --set ramp.step=1
  --set ramp.hold_steps=60 --set ramp.average_steps=30 --set ramp.sample_every=5
  --set school.save_interval=10 --set ramp.plots=false)
# 1100 fish (above 1024 a ramp shares each step among the threads), holds of 20 steps
big=(--set school.n_fish=1100 --set school.init_size=30 --set ramp.from=1 --set ramp.to=2
  --set ramp.step=1 --set ramp.hold_steps=20 --set ramp.average_steps=10 --set ramp.sample_every=2
  --set school.save_interval=4 --set ramp.plots=false)

# The numbers of summary.json: everything before wall time and provenance.
stats() { sed -n '1,/"wall_seconds"/p' "$1/summary.json" | grep -v '"wall_seconds"'; }
# Every dataset of school.nc at full precision, without attributes (the
# provenance: times, command line, overrides, threads).
ncdata() { h5dump -A 0 -m %.17g "$1/school.nc" | grep -v '^HDF5 "'; }
# same_as REF DIR NAME: DIR's outputs equal REF's
same_as() {
  if command -v h5dump >/dev/null; then
    ncdata "$1" >"$1.nctxt"
    ncdata "$2" >"$2.nctxt"
    expect_true "$3: school.nc datasets identical to $1" cmp -s "$1.nctxt" "$2.nctxt"
  else
    echo "note: h5dump not found, school.nc of $2 not compared (summary.json is)"
  fi
  stats "$1" >"$1.stats"
  stats "$2" >"$2.stats"
  expect_true "$3: summary.json statistics identical to $1" cmp -s "$1.stats" "$2.stats"
}

"$ESUITE" run "$CFG" --output ref --quiet --threads 1 "${small[@]}" 2>ref.err
expect_true "uninterrupted ramp succeeds ($(cat ref.err))" test -s ref/summary.json -a -s ref/school.nc
expect_num "holds in the summary" "$(grep -c '"direction"' ref/summary.json)" 4 0
expect_num "n_steps of the ramp" "$(json_get "$(cat ref/summary.json)" n_steps)" 240 0
if command -v h5dump >/dev/null; then
  expect_true "school.nc dump lists the hold and frame datasets" \
    test "$(ncdata ref | grep -c -e 'DATASET "hold_' -e 'DATASET "positions"')" -eq 9
fi
"$ESUITE" run "$CFG" --output ref2 --quiet --threads 2 "${small[@]}" 2>/dev/null
same_as ref ref2 "2 threads"

# stop_resume NAME STOP T_STOP T_RESUME HOLD ARGS...: stopped at step STOP (in
# hold HOLD of 4) on T_STOP threads, resumed on T_RESUME
stop_resume() {
  local name=$1 stop=$2 ts=$3 tr=$4 hold=$5 rc
  shift 5
  "$ESUITE" run "$CFG" --output "$name" --threads "$ts" "$@" --set school.stop_after_steps="$stop" \
    2>"$name.err"
  rc=$?
  expect_num "$name: stopped run's exit status" $rc 3 0
  expect_true "$name: checkpoint written" test -s "$name/checkpoint.esck"
  expect_true "$name: no summary.json or school.nc after the stop" \
    test ! -e "$name/summary.json" -a ! -e "$name/school.nc"
  expect_true "$name: message names step and hold ($(cat "$name.err"))" \
    grep -q "school ramp: interrupted by stop_after_steps = $stop at step $stop of [0-9]*, hold $hold of 4 (checkpoint written); continue with 'esuite run --resume $name'" "$name.err"
  "$ESUITE" run --resume "$name" --quiet --threads "$tr" 2>"$name.resume.err"
  rc=$?
  expect_true "$name: resumed run succeeds (rc $rc: $(cat "$name.resume.err"))" test $rc -eq 0
  expect_true "$name: checkpoint removed after completion" test ! -e "$name/checkpoint.esck"
}

# mid-hold: step 103 of hold 2 (60-120) is inside its averaging window (90-120)
# and neither a frame (every 10) nor a sample (every 5) step
stop_resume mid 103 1 2 2 "${small[@]}"
same_as ref mid "stopped at step 103, resumed"
# exactly at the end of hold 2 (its sums complete, its results not yet taken)
stop_resume edge 120 2 1 2 "${small[@]}"
same_as ref edge "stopped at the hold boundary 120, resumed"
# in the first hold, before its averaging window (30-60)
stop_resume early 7 1 1 1 "${small[@]}"
same_as ref early "stopped at step 7, resumed"

# resumed from another working directory, DIR given as an absolute path: the
# checkpoint names the partial school.nc as the stopped run wrote it (relative to its
# working directory), which failed there ("cannot take over the partial output
# away/.school.nc.part-N: No such file or directory", exit status 2)
"$ESUITE" run "$CFG" --output away --threads 1 "${small[@]}" --set school.stop_after_steps=103 2>/dev/null
expect_num "away: stopped run's exit status" $? 3 0
mkdir -p elsewhere
(cd elsewhere && "$ESUITE" run --resume "$TMP/away" --quiet --threads 2 2>"$TMP/away.resume.err")
rc=$? # before the message's $(cat ...), which sets $? itself
expect_num "away: resumed from another directory: exit status ($(cat away.resume.err))" $rc 0 0
same_as ref away "resumed from another working directory"

# a ramp config without `entropy = false` (a ramp does not read it): its resume read the
# resolved config, which lists the default `entropy = true`, and refused it ("resume.ini:41:
# key 'school.entropy': a ramp run records P and M only", exit status 2); now it finishes
grep -v '^entropy' "$CFG" > noent.ini
"$ESUITE" run noent.ini --output noent --quiet --threads 1 "${small[@]}" --set school.stop_after_steps=103 2>/dev/null
expect_num "no entropy key: stopped run's exit status" $? 3 0
"$ESUITE" run --resume noent --quiet --threads 2 2>noent.resume.err
rc=$?
expect_num "no entropy key: resumed run's exit status ($(cat noent.resume.err))" $rc 0 0
same_as ref noent "a ramp config without entropy = false, stopped and resumed"

# at the last step nothing is left to resume: the run finishes
"$ESUITE" run "$CFG" --output last --quiet --threads 1 "${small[@]}" --set school.stop_after_steps=240 2>last.err
expect_num "stop_after_steps = 240 of 240: exit status" $? 0 0
expect_true "stop at the last step: no checkpoint left" test ! -e last/checkpoint.esck
same_as ref last "stop_after_steps at the last step"

# a checkpoint after every piece of a hold (interval 1 µs) changes no number
"$ESUITE" run "$CFG" --output per --quiet --threads 2 "${small[@]}" --set output.checkpoint_interval=1e-6 \
  2>per.err
rc=$? # before the message's $(cat ...), which sets $? itself (the check always saw 0)
expect_num "checkpoint_interval = 1e-6: exit status ($(cat per.err))" $rc 0 0
same_as ref per "a checkpoint after every piece"

# 1100 fish: the step shared among 2 threads, stopped, resumed on 1 (and the reverse)
"$ESUITE" run "$CFG" --output bref --quiet --threads 1 "${big[@]}" 2>/dev/null
expect_true "uninterrupted 1100-fish ramp succeeds" test -s bref/summary.json
stop_resume big2to1 33 2 1 2 "${big[@]}"
same_as bref big2to1 "1100 fish, stopped on 2 threads, resumed on 1"
stop_resume big1to2 60 1 2 3 "${big[@]}"
same_as bref big1to2 "1100 fish, stopped at a hold boundary on 1 thread, resumed on 2"

# A real SIGUSR1 while the ramp runs (holds long enough to last about a second).
sig=(--set school.n_fish=40 --set ramp.from=1 --set ramp.to=2 --set ramp.step=1
  --set ramp.hold_steps=20000 --set school.save_interval=1000 --set ramp.plots=false)
"$ESUITE" run "$CFG" --output sref --quiet --threads 1 "${sig[@]}" 2>/dev/null
signal_run 0.3 sig.err "$ESUITE" run "$CFG" --output sig --quiet --threads 1 "${sig[@]}"
if [ "$RC" -eq 0 ]; then
  echo "SKIP: the ramp finished within 0.3 s, before the signal (machine too fast for this config)"
else
  expect_num "SIGUSR1: exit status" "$RC" 3 0
  expect_true "SIGUSR1: message names the signal ($(cat sig.err))" \
    grep -q "school ramp: interrupted by signal 10 at step [0-9]* of 80000, hold [1-4] of 4 (checkpoint written)" sig.err
  expect_true "SIGUSR1: no summary.json or school.nc" test ! -e sig/summary.json -a ! -e sig/school.nc
  "$ESUITE" run --resume sig --quiet --threads 2 2>sig.resume.err
  rc=$? # as above: read before $(cat ...)
  expect_num "SIGUSR1: resumed run's exit status ($(cat sig.resume.err))" $rc 0 0
  same_as sref sig "stopped by SIGUSR1, resumed"
fi
finish
