#!/bin/bash
# Kill-and-resume of a real `esuite run` (school model): SIGUSR1 — what Slurm
# sends before a time limit — makes the run write a checkpoint and exit 3;
# `esuite run --resume DIR` (here with another thread count) finishes it, and
# every per-frame metric (esuite school-metrics --json on school.nc, full
# double precision) and every summary.json statistic equal those of an
# uninterrupted run exactly.
. "$(dirname "$0")/lib.bash"

cat >"$TMP/school.ini" <<'EOF'
[run]
model = school
seed = 11
[school]
n_fish = 1000
box_size = 47
r_repulsion = 2
r_orientation = 3
r_attraction = 15
max_turn = 0.4
noise = 0.2
blind_angle = 30
n_steps = 1000
save_interval = 5
metrics_every = 5
EOF

# The statistics of summary.json: everything before wall time and provenance.
stats() { sed -n '1,/"wall_seconds"/p' "$1" | grep -v '"wall_seconds"'; }

"$ESUITE" run "$TMP/school.ini" --output "$TMP/ref" --quiet --threads 2 2>"$TMP/ref.err"
expect_true "uninterrupted run succeeds" test -f "$TMP/ref/summary.json"

# stop_after_steps in the last save interval: the run has made its last step
# and finishes (exit 0) with one thread and with two (then pipelined:
# N <= 1024), where it used to stop and exit 3; one interval earlier both stop.
for th in 1 2; do
  for stop in 46:0 44:3; do
    rm -rf "$TMP/hook"
    "$ESUITE" run "$TMP/school.ini" --output "$TMP/hook" --quiet --threads $th --set school.n_fish=100 \
      --set school.n_steps=50 --set school.stop_after_steps=${stop%:*} 2>/dev/null
    expect_num "stop_after_steps = ${stop%:*} of 50, $th thread(s): exit status" $? ${stop#*:} 0
  done
done

signal_run 0.5 "$TMP/cut.err" "$ESUITE" run "$TMP/school.ini" --output "$TMP/cut" --quiet --threads 1
rc=$RC
if [ $rc -eq 0 ]; then
  echo "SKIP: the run finished within 0.5 s, before the signal (machine too fast for this config)"
  finish
  exit
fi
expect_true "interrupted run exits with status 3 (got $rc)" test $rc -eq 3
expect_true "checkpoint written" test -s "$TMP/cut/checkpoint.esck"
expect_true "no summary.json after the interruption" test ! -e "$TMP/cut/summary.json"
expect_true "no school.nc after the interruption" test ! -e "$TMP/cut/school.nc"
expect_true "resume hint printed" grep -q "esuite run --resume $TMP/cut" "$TMP/cut.err"

"$ESUITE" run --resume "$TMP/cut" --quiet --threads 2 2>"$TMP/resume.err"
rc=$?
expect_true "resumed run succeeds (rc $rc: $(cat "$TMP/resume.err"))" test $rc -eq 0
# two threads: the output worker reopens school.nc; HDF5's error stack (netCDF probing
# for absent _Quantize* attributes) printed 6 HDF5-DIAG blocks there, 80 lines
expect_true "resumed run with 2 threads: stderr empty, no HDF5-DIAG ($(head -c 300 "$TMP/resume.err"))" \
  test ! -s "$TMP/resume.err"
expect_true "checkpoint removed after completion" test ! -e "$TMP/cut/checkpoint.esck"

"$ESUITE" school-metrics --json "$TMP/ref/school.nc" >"$TMP/ref.json"
"$ESUITE" school-metrics --json "$TMP/cut/school.nc" >"$TMP/cut.json"
expect_true "school-metrics of the two runs are non-empty" test -s "$TMP/ref.json"
# the trailing provenance object names the input file, which differs
sed -i 's/,"provenance":{[^}]*}}$/}/' "$TMP/ref.json" "$TMP/cut.json"
expect_true "per-frame metrics identical to the uninterrupted run" cmp -s "$TMP/ref.json" "$TMP/cut.json"
stats "$TMP/ref/summary.json" >"$TMP/ref.stats"
stats "$TMP/cut/summary.json" >"$TMP/cut.stats"
expect_true "summary.json statistics identical" cmp -s "$TMP/ref.stats" "$TMP/cut.stats"
frames=$(json_get "$(cat "$TMP/cut/summary.json")" frames)
expect_num "frames in the resumed run" "$frames" 201 0

# Resumed from another working directory with DIR as an absolute path: the checkpoint
# names the partial school.nc as the stopped run wrote it, relative to its working
# directory ('rel/.school.nc.part-N'), and the resume failed with exit status 2
# ("cannot take over the partial output"); now it finishes with the same numbers.
small=(--set school.n_fish=100 --set school.n_steps=60)
"$ESUITE" run "$TMP/school.ini" --output "$TMP/relref" --quiet --threads 1 "${small[@]}" 2>/dev/null
(cd "$TMP" && "$ESUITE" run "$TMP/school.ini" --output rel --quiet --threads 2 "${small[@]}" \
  --set school.stop_after_steps=23 2>/dev/null)
expect_num "relative --output, stopped: exit status" $? 3 0
mkdir -p "$TMP/elsewhere"
(cd "$TMP/elsewhere" && "$ESUITE" run --resume "$TMP/rel" --quiet --threads 1 2>"$TMP/rel.err")
rc=$? # before the message's $(cat ...), which sets $? itself
expect_num "resumed from another directory: exit status ($(cat "$TMP/rel.err"))" $rc 0 0
"$ESUITE" school-metrics --json "$TMP/relref/school.nc" | sed 's/,"provenance":{[^}]*}}$/}/' >"$TMP/relref.json"
"$ESUITE" school-metrics --json "$TMP/rel/school.nc" 2>/dev/null | sed 's/,"provenance":{[^}]*}}$/}/' >"$TMP/rel.json"
expect_true "resumed from another directory: per-frame metrics identical" \
  sh -c "test -s '$TMP/relref.json' && cmp -s '$TMP/relref.json' '$TMP/rel.json'"
stats "$TMP/relref/summary.json" >"$TMP/relref.stats"
stats "$TMP/rel/summary.json" >"$TMP/rel.stats" 2>/dev/null
expect_true "resumed from another directory: summary.json statistics identical" \
  cmp -s "$TMP/relref.stats" "$TMP/rel.stats"

# A resumed run killed without a signal (SIGKILL: a node failure, a hard time limit) before
# its own first checkpoint: the checkpoint still names the partial file it was stopped with,
# which the resume had renamed to its own temporary name, so the next resume failed
# ("cannot take over the partial output kill/.school.nc.part-N: No such file or directory",
# exit status 2); the file now keeps its name, and the next resume finishes the run.
long=(--set school.n_fish=150 --set school.n_steps=60000 --set school.save_interval=60 --set school.metrics_every=60)
"$ESUITE" run "$TMP/school.ini" --output "$TMP/killref" --quiet --threads 2 "${long[@]}" 2>/dev/null
"$ESUITE" run "$TMP/school.ini" --output "$TMP/kill" --quiet --threads 1 "${long[@]}" \
  --set school.stop_after_steps=600 2>/dev/null
expect_num "kill: stopped run's exit status" $? 3 0
timeout -s KILL 0.4 "$ESUITE" run --resume "$TMP/kill" --quiet --threads 1 2>/dev/null
rc=$?
if [ $rc -eq 0 ]; then
  echo "SKIP: the resumed run finished within 0.4 s, before SIGKILL (machine too fast for this config)"
else
  expect_num "kill: resumed run killed by SIGKILL" $rc 137 0
  "$ESUITE" run --resume "$TMP/kill" --quiet --threads 2 2>"$TMP/kill.err"
  rc=$? # before the message's $(cat ...), which sets $? itself
  expect_num "kill: second resume's exit status ($(cat "$TMP/kill.err"))" $rc 0 0
  "$ESUITE" school-metrics --json "$TMP/killref/school.nc" | sed 's/,"provenance":{[^}]*}}$/}/' >"$TMP/killref.json"
  "$ESUITE" school-metrics --json "$TMP/kill/school.nc" 2>/dev/null | sed 's/,"provenance":{[^}]*}}$/}/' >"$TMP/kill.json"
  expect_true "kill: per-frame metrics identical to the uninterrupted run" \
    sh -c "test -s '$TMP/killref.json' && cmp -s '$TMP/killref.json' '$TMP/kill.json'"
fi

# Resuming a directory without a checkpoint is refused with one message.
expect_fail "resume of a complete run" "run: --resume $TMP/ref: the run there is complete (summary.json, no checkpoint); nothing to resume" \
  "$ESUITE" run --resume "$TMP/ref" --quiet
mkdir -p "$TMP/empty"
expect_fail "resume without checkpoint" "$TMP/empty/checkpoint.esck: cannot open checkpoint" \
  "$ESUITE" run --resume "$TMP/empty" --quiet
# stop_after_steps: the log's last progress line gives how far it got, not 100 %
"$ESUITE" run "$TMP/school.ini" --output "$TMP/hookp" --threads 1 --set school.stop_after_steps=1 \
  2>"$TMP/hookp.err"
expect_true "stopped run's last progress line is not 100% ($(grep 'done' "$TMP/hookp.err" | tail -1))" \
  sh -c "grep 'done' '$TMP/hookp.err' | tail -1 | grep -vq ' 100.0% done'"
finish
