#!/bin/bash
# Kill-and-resume of a real `esuite run` (gas model): gas.stop_after_samples
# acts like SIGUSR1 (what Slurm sends before a time limit) after that many
# samples, so the cut is deterministic: the run writes a checkpoint and exits
# 3; `esuite run --resume DIR` (here with another thread count) finishes it,
# and every summary.json number and (where h5dump exists) every gas.h5 dataset
# equal those of an uninterrupted run exactly. A real SIGUSR1 is tested too.
. "$(dirname "$0")/lib.bash"

cat >"$TMP/gas.ini" <<'EOF'
[run]
model = gas
seed = 21
[gas]
N = 2000
packing_fraction = 0
knudsen = 0.1
realizations = 2
samples = 10
u_max = 2
profile_bins = 10
plots = false
[entropy]
dx = 0.05
dv = 0.25
v_max = 5
EOF

# The numbers of summary.json: everything before the provenance block.
stats() { sed -n '1,/"provenance"/p' "$1" | grep -v '"provenance"'; }
# Every dataset of gas.h5 at full precision, without attributes: the root's and
# every /cells_c group's hold the provenance (times, command line, overrides).
h5data() {
  h5dump -A 0 -m %.17g -d /time -d /n_right -d /energy -d /collisions -d /virial_Z -d /Z_equilibration \
    -d /collision_frequency_equilibration -g /profiles -g /cells_0 "$1" | grep -v '^HDF5 "'
}

"$ESUITE" run "$TMP/gas.ini" --output "$TMP/ref" --quiet --threads 2 2>"$TMP/ref.err"
expect_true "uninterrupted run succeeds ($(cat "$TMP/ref.err"))" test -f "$TMP/ref/summary.json"

"$ESUITE" run "$TMP/gas.ini" --output "$TMP/cut" --threads 1 --set gas.stop_after_samples=4 \
  2>"$TMP/cut.err"
rc=$?
expect_true "interrupted run exits with status 3 (got $rc)" test $rc -eq 3
expect_true "checkpoint written" test -s "$TMP/cut/checkpoint.esck"
expect_true "no summary.json after the interruption" test ! -e "$TMP/cut/summary.json"
expect_true "no gas.h5 after the interruption" test ! -e "$TMP/cut/gas.h5"
# the log's last progress line gives how far it got (4 of 11 samples), not 100 %
expect_true "interrupted run's last progress line: 36.4% ($(grep 'done' "$TMP/cut.err" | tail -1))" \
  sh -c "grep 'done' '$TMP/cut.err' | tail -1 | grep -q ' 36.4% done'"
expect_true "resume hint printed" grep -q "esuite run --resume $TMP/cut" "$TMP/cut.err"

"$ESUITE" run --resume "$TMP/cut" --quiet --threads 2 2>"$TMP/resume.err"
rc=$?
expect_true "resumed run succeeds (rc $rc: $(cat "$TMP/resume.err"))" test $rc -eq 0
expect_true "checkpoint removed after completion" test ! -e "$TMP/cut/checkpoint.esck"

stats "$TMP/ref/summary.json" >"$TMP/ref.stats"
stats "$TMP/cut/summary.json" >"$TMP/cut.stats"
expect_true "summary.json statistics are non-empty" test "$(grep -c '' "$TMP/ref.stats")" -gt 20
expect_true "summary.json statistics identical" cmp -s "$TMP/ref.stats" "$TMP/cut.stats"
cpath=$(grep -o '"config_path": *"[^"]*"' "$TMP/cut/summary.json" | sed 's/.*: *"//; s/"$//')
expect_true "the resumed run records the original config ($cpath)" test "$cpath" = "$TMP/gas.ini"
# the first run's --set options stay in the provenance (config_path alone would not give them),
# and so does the reset of the stop knob by --resume (tests/cli/resume_recorded_config.sh)
ovs=$(sed -n '/"overrides"/,/\]/p' "$TMP/cut/summary.json" | grep -o '"[a-z_]*\.[a-z_]*=[^"]*"' | tr '\n' ' ')
expect_true "the resumed run lists the first run's overrides ($ovs)" \
  test "$ovs" = '"gas.stop_after_samples=4" "run.threads=1" "gas.stop_after_samples=0" "run.threads=2" '
kn=$(json_get "$(cat "$TMP/cut/summary.json")" knudsen)
expect_num "knudsen of the resumed run" "$kn" 0.1 1e-9
if command -v h5dump >/dev/null; then
  h5data "$TMP/ref/gas.h5" >"$TMP/ref.h5txt"
  h5data "$TMP/cut/gas.h5" >"$TMP/cut.h5txt"
  expect_true "gas.h5 dump non-empty" test "$(grep -c DATASET "$TMP/ref.h5txt")" -ge 20
  expect_true "every gas.h5 dataset identical to the uninterrupted run" cmp -s "$TMP/ref.h5txt" "$TMP/cut.h5txt"
else
  echo "note: h5dump not found, gas.h5 datasets not compared (summary.json was)"
fi

# [gas] temperature = 4: a checkpoint of this build (gas format 2) resumes, and
# as T0 is only the unit, every number equals the T0 = 1 run's. (A format-1
# checkpoint, from a build before the T0 unit fix, is refused at T0 != 1:
# tests/unit/test_gas_resume.c fabricates one.)
"$ESUITE" run "$TMP/gas.ini" --output "$TMP/t4" --quiet --threads 1 --set gas.temperature=4 \
  --set gas.stop_after_samples=4 2>"$TMP/t4.err"
rc=$?
expect_true "T0 = 4: interrupted run exits with status 3 (got $rc)" test $rc -eq 3
"$ESUITE" run --resume "$TMP/t4" --quiet --threads 2 2>"$TMP/t4resume.err"
rc=$?
expect_true "T0 = 4: resumed run succeeds (rc $rc: $(cat "$TMP/t4resume.err"))" test $rc -eq 0
stats "$TMP/t4/summary.json" >"$TMP/t4.stats"
expect_true "T0 = 4: resumed summary.json statistics identical to the T0 = 1 run's" \
  cmp -s "$TMP/ref.stats" "$TMP/t4.stats"

# A real SIGUSR1: a longer run (many samples) stopped while it runs.
signal_run 1 "$TMP/sig.err" "$ESUITE" run "$TMP/gas.ini" --output "$TMP/sig" --quiet --threads 1 \
  --set gas.samples=4000 --set gas.u_max=40
rc=$RC
if [ $rc -eq 0 ]; then
  echo "SKIP: the signalled run finished within 1 s (machine too fast for this config)"
else
  expect_true "signalled run exits with status 3 (got $rc)" test $rc -eq 3
  expect_true "signalled run wrote a checkpoint" test -s "$TMP/sig/checkpoint.esck"
  expect_true "signalled run prints the resume hint" grep -q "esuite run --resume $TMP/sig" "$TMP/sig.err"
  expect_true "no summary.json after the signal" test ! -e "$TMP/sig/summary.json"
fi

# A real SIGUSR1 inside one long sampling interval (a single interval of
# u = 0 .. 4000 would take minutes): the run stops within a fraction of a
# second where it is, writes a checkpoint and says so, instead of running on
# to the next sample, which a batch system's time limit would not wait for.
start=$(date +%s)
signal_run 1 "$TMP/mid.err" "$ESUITE" run "$TMP/gas.ini" --output "$TMP/mid" --quiet --threads 2 \
  --set gas.samples=1 --set gas.u_max=4000
rc=$RC
expect_true "signal in mid-interval: exit status 3 (got $rc: $(cat "$TMP/mid.err"))" test $rc -eq 3
expect_true "signal in mid-interval: stopped after sample 1 of 2, on the way to the next" \
  grep -q "after sample 1 of 2, on the way to the next (checkpoint written)" "$TMP/mid.err"
expect_true "signal in mid-interval: checkpoint written" test -s "$TMP/mid/checkpoint.esck"
expect_true "signal in mid-interval: stopped within 30 s ($(($(date +%s) - start)) s)" \
  test $(($(date +%s) - start)) -lt 30

# A fresh run into that directory would delete the checkpoint when it ends:
# refused (nothing touched) unless output.overwrite asks to start again.
expect_fail "fresh run over a checkpoint" "holds the checkpoint of an interrupted run; continue it with 'esuite run --resume $TMP/mid'" \
  "$ESUITE" run "$TMP/gas.ini" --output "$TMP/mid" --quiet
expect_true "the refused run left the checkpoint" test -s "$TMP/mid/checkpoint.esck"
"$ESUITE" run "$TMP/gas.ini" --output "$TMP/mid" --quiet --set output.overwrite=true 2>"$TMP/over.err"
expect_true "overwrite = true starts again and finishes ($(cat "$TMP/over.err"))" test -s "$TMP/mid/summary.json"
expect_true "... and the finished run removed the old checkpoint" test ! -e "$TMP/mid/checkpoint.esck"

# Resuming a directory without a checkpoint is refused with one message
# (a changed config is refused by the hash check: tests/unit/test_gas_resume.c).
expect_fail "resume without checkpoint" "checkpoint" "$ESUITE" run --resume "$TMP/ref" --quiet
finish
