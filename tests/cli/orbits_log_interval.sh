#!/bin/bash
# An orbits run honours [output] log_interval in its batch log (stderr not a
# terminal), as gas and school runs do; the last line says 100.0% with ETA 0s.
# Before, the orbits progress never read the key: a 2 s run with
# log_interval = 0.2 logged its final line only.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
run() { # OUT LOG_INTERVAL: stderr of a 1-thread, 400-orbit Hénon–Heiles run (about 2 s)
  "$ESUITE" run "$ES_SOURCE_DIR/configs/orbits_henon_heiles.ini" --output "$1" --threads 1 \
    --set orbits.n_orbits=400 --set orbits.plots=false --set output.log_interval="$2" 2>&1 >/dev/null
}
start=$(date +%s.%N)
log=$(run o1 0.2); rc=$?
wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
expect_true "run exits 0 (rc=$rc)" test "$rc" -eq 0
lines=$(grep -c '\] orbits: .*% done, elapsed ' <<< "$log")
# one line per 0.2 s at most, and at least one per 0.2 s + one chunk (64 orbits, < 0.5 s)
expect_true "log_interval 0.2 over ${wall}s: $lines progress lines, not 1 ($log)" \
  awk -v n="$lines" -v w="$wall" 'BEGIN { exit !(n >= 2 && n <= w / 0.2 + 1) }'
expect_true "last line: 100.0% done, ETA 0s ($log)" \
  grep -Eq '\] orbits: 100\.0% done, elapsed [0-9]+s, ETA 0s$' <<< "$(grep '% done' <<< "$log" | tail -1)"
log=$(run o2 30)
lines=$(grep -c '% done' <<< "$log")
expect_true "log_interval 30: the final line only ($log)" test "$lines" -eq 1
finish
