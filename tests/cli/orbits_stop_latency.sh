#!/bin/bash
# A stop signal is honoured within about a second even while one chunk of
# orbits integrates for many seconds: the step loops poll the signal flag,
# the unfinished chunk is abandoned and recomputed whole by --resume, which
# then gives the uninterrupted run's numbers exactly.
#
# 64 orbits start beyond escape_radius (they escape after the first output
# interval: the first chunk takes milliseconds); orbit 65, bound, alone in
# the second chunk, takes 1e8 leapfrog steps (several seconds).
. "$(dirname "$0")/lib.bash"

for i in $(seq 64); do echo "11 0 0 0"; done >"$TMP/ic.txt"
echo "0 0.1 0.3 0" >>"$TMP/ic.txt"
cat >"$TMP/long.ini" <<EOF2
[run]
model = orbits
seed = 3
[orbits]
system = henon_heiles
integrator = leapfrog
dt = 0.01
t_end = 1000000
output_every = 2000
escape_radius = 10
ic = file
ic_file = $TMP/ic.txt
chaos_indicator = sali
observables = x
store_series = false
EOF2

stats() { sed '/"provenance"/,$d' "$1" | grep -v '"seconds"'; }
now() { date +%s.%N; }

"$ESUITE" run "$TMP/long.ini" --output "$TMP/ref" --quiet --threads 2 2>"$TMP/ref.err"
expect_true "uninterrupted run succeeds ($(cat "$TMP/ref.err"))" test -f "$TMP/ref/summary.json"
ref_s=$(json_get "$(cat "$TMP/ref/summary.json")" seconds)

"$ESUITE" run "$TMP/long.ini" --output "$TMP/cut" --quiet --threads 1 2>"$TMP/cut.err" &
pid=$!
sleep 1
t0=$(now)
kill -TERM "$pid"
wait "$pid"
rc=$?
lat=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "chunk of the uninterrupted run: ${ref_s} s; exit ${lat} s after SIGTERM"
expect_true "interrupted run exits with status 3 (got $rc)" test $rc -eq 3
# The bound: 2 s, and well below the time the chunk needs (so the signal
# was not merely waited out); the poll itself acts in milliseconds.
expect_true "exit ${lat} s after SIGTERM (< 2 s and < a third of the ${ref_s} s run)" \
  awk -v l="$lat" -v r="$ref_s" 'BEGIN { exit !(l < 2 && l < r / 3) }'
expect_true "checkpoint written" test -s "$TMP/cut/checkpoint.esck"
expect_true "no summary.json or orbits.h5 after the interruption" \
  test ! -e "$TMP/cut/summary.json" -a ! -e "$TMP/cut/orbits.h5"
expect_true "resume hint printed" grep -q "esuite run --resume $TMP/cut" "$TMP/cut.err"
# The checkpoint's "orbits_done" section (name, u64 size, u64 n, u64 done):
# the finished first chunk is kept, the abandoned second is not.
off=$(grep -obUa orbits_done "$TMP/cut/checkpoint.esck" 2>/dev/null | head -1 | cut -d: -f1)
done_n=$(od -An -t u8 -j $((off + 11 + 8)) -N 16 "$TMP/cut/checkpoint.esck" 2>/dev/null | tr -s ' ')
expect_true "checkpoint holds 64 of 65 orbits (got '$done_n')" test "$done_n" = " 65 64"

# The ICs are read again on resume: an ic_file edited since the checkpoint is refused (the
# output mixed the two ensembles before), and the checkpoint stays for the real resume.
cp "$TMP/ic.txt" "$TMP/ic.orig"
sed -i '1s/.*/12 0 0 0/' "$TMP/ic.txt"
expect_fail resume-ic-changed "cut/checkpoint.esck: orbit 1 of ic_file $TMP/ic.txt differs from the interrupted run's (the file changed since the checkpoint)" \
  "$ESUITE" run --resume "$TMP/cut" --quiet
expect_true "checkpoint kept after the refused resume" test -s "$TMP/cut/checkpoint.esck"
expect_true "no resume.ini left after the refused resume ($(ls -A "$TMP/cut" | tr '\n' ' '))" \
  test ! -e "$TMP/cut/resume.ini"
mv "$TMP/ic.orig" "$TMP/ic.txt"

"$ESUITE" run --resume "$TMP/cut" --quiet --threads 2 2>"$TMP/resume.err"
rc=$?
expect_true "resumed run succeeds (rc $rc: $(cat "$TMP/resume.err"))" test $rc -eq 0
stats "$TMP/ref/summary.json" >"$TMP/ref.stats"
stats "$TMP/cut/summary.json" >"$TMP/cut.stats"
expect_true "summary.json has the mLCE" grep -q '"median_mlce"' "$TMP/ref.stats"
expect_true "summary.json identical to the uninterrupted run" cmp -s "$TMP/ref.stats" "$TMP/cut.stats"
expect_num "orbits" "$(json_get "$(cat "$TMP/cut/summary.json")" n_orbits)" 65 0
# 64 of 65 escaped, the bound one integrated to the end after the resume
expect_true "escaped fraction 64/65" grep -q '"escaped": 0.98461538461538' "$TMP/cut.stats"
finish
