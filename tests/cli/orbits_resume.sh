#!/bin/bash
# Kill-and-resume of a real `esuite run` (orbits model, Hénon–Heiles ensemble):
# SIGUSR1 makes the run checkpoint and exit 3; `esuite run --resume DIR` with
# another thread count finishes it, and summary.json (class fractions, SALI and
# PECCARY agreement, drifts) equals an uninterrupted run's number for number.
. "$(dirname "$0")/lib.bash"

cat >"$TMP/hh.ini" <<'EOF2'
[run]
model = orbits
seed = 5
[orbits]
system = henon_heiles
integrator = leapfrog
dt = 0.01
t_end = 1000
output_every = 5
n_orbits = 384
ic = section
energy = 0.125
chaos_indicator = sali
observables = x, y
order = 5
tnat = maxavg
EOF2

# Everything of summary.json but wall time and provenance.
stats() { sed '/"provenance"/,$d' "$1" | grep -v '"seconds"'; }

"$ESUITE" run "$TMP/hh.ini" --output "$TMP/ref" --quiet --threads 2 2>"$TMP/ref.err"
expect_true "uninterrupted run succeeds" test -f "$TMP/ref/summary.json"

signal_run 0.5 "$TMP/cut.err" "$ESUITE" run "$TMP/hh.ini" --output "$TMP/cut" --threads 1
rc=$RC
if [ $rc -eq 0 ]; then
  echo "SKIP: the run finished within 0.5 s, before the signal"
  finish
  exit
fi
expect_true "interrupted run exits with status 3 (got $rc)" test $rc -eq 3
expect_true "checkpoint written" test -s "$TMP/cut/checkpoint.esck"
expect_true "no summary.json after the interruption" test ! -e "$TMP/cut/summary.json"
expect_true "resume hint printed" grep -q "esuite run --resume $TMP/cut" "$TMP/cut.err"
# The last progress line gives the orbits done before the dropped chunk, not 100% (it did).
expect_true "progress line printed" grep -q "orbits: [0-9.]*% done" "$TMP/cut.err"
expect_true "progress is below 100% when interrupted ($(grep '% done' "$TMP/cut.err"))" \
  bash -c "! grep -q '100.0% done' '$TMP/cut.err'"

"$ESUITE" run --resume "$TMP/cut" --quiet --threads 2 2>"$TMP/resume.err"
rc=$?
expect_true "resumed run succeeds (rc $rc: $(cat "$TMP/resume.err"))" test $rc -eq 0
expect_true "checkpoint removed after completion" test ! -e "$TMP/cut/checkpoint.esck"
stats "$TMP/ref/summary.json" >"$TMP/ref.stats"
stats "$TMP/cut/summary.json" >"$TMP/cut.stats"
expect_true "summary.json has the class fractions" grep -q '"regular"' "$TMP/ref.stats"
expect_true "summary.json identical to the uninterrupted run" cmp -s "$TMP/ref.stats" "$TMP/cut.stats"
expect_num "orbits analysed" "$(json_get "$(cat "$TMP/cut/summary.json")" n_orbits)" 384 0

# Noise series (system = noise): SIGUSR1 during the generation checkpoints too (its default
# action killed the run, exit 138, leaving an empty run directory); the resumed run with
# another thread count equals the uninterrupted one.
cat >"$TMP/noise.ini" <<'EOF2'
[run]
model = orbits
seed = 9
[orbits]
system = noise
noise_alpha = -0.5
n_orbits = 70
map_length = 200000
EOF2
"$ESUITE" run "$TMP/noise.ini" --output "$TMP/nref" --quiet --threads 2 2>/dev/null
signal_run 0.2 "$TMP/ncut.err" "$ESUITE" run "$TMP/noise.ini" --output "$TMP/ncut" --quiet --threads 1
if [ $RC -eq 0 ]; then
  echo "SKIP: the noise series were generated within 0.2 s, before the signal"
else
  expect_true "noise run interrupted with status 3 (got $RC: $(cat "$TMP/ncut.err"))" test $RC -eq 3
  expect_true "noise checkpoint written" test -s "$TMP/ncut/checkpoint.esck"
  "$ESUITE" run --resume "$TMP/ncut" --quiet --threads 2 2>/dev/null
  expect_true "resumed noise run succeeds" test -f "$TMP/ncut/summary.json"
  stats "$TMP/nref/summary.json" >"$TMP/nref.stats"
  stats "$TMP/ncut/summary.json" >"$TMP/ncut.stats"
  expect_true "noise summary.json identical to the uninterrupted run" cmp -s "$TMP/nref.stats" "$TMP/ncut.stats"
  expect_true "noise summary has the PECCARY means" grep -q '"mean_H"' "$TMP/ncut.stats"
fi
finish
