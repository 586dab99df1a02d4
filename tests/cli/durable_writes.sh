#!/bin/bash
# Every file esuite renames into place is durable: its data were flushed
# (fsync) before the rename and the directory holding it after, so that a
# node crash cannot leave a renamed but empty file or bring back the old one.
# Read from the system calls (strace). Before: the checkpoint and resume.ini
# renames were not followed by a directory fsync, and collect's table.nc was
# renamed without its data being flushed.
. "$(dirname "$0")/lib.bash"
check="$(cd "$(dirname "$0")" && pwd)/durable_writes.awk"
cd "$TMP"
if ! command -v strace >/dev/null || ! strace -o /dev/null true 2>/dev/null; then
  echo "SKIP: strace missing or not permitted here"; exit 77
fi
traced() { # TRACE CMD... : run CMD under strace, keep its rc in RC
  local trace=$1; shift
  # LeakSanitizer cannot run under ptrace (the sanitizer build of .ci/run): leaks are checked elsewhere
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -e trace=openat,fsync,close,rename -o "$trace" "$@" >/dev/null 2>&1; RC=$?
}
expect_durable() { # NAME TRACE RENAMES : RENAMES renames, each flushed before and after
  local got; got=$(awk -f "$check" "$2")
  expect_true "$1: $got" test "$got" = "renames=$3 durable=$3"
}

printf '[run]\nmodel = gas\nseed = 7\n[gas]\nN = 300\nsamples = 8\nplots = false\nstop_after_samples = 3\n' > g.ini
traced g1.trace "$ESUITE" run g.ini --output g --quiet --threads 1
expect_num gas-stop-rc "$RC" 3 0
expect_durable gas-checkpoint g1.trace 1
traced g2.trace "$ESUITE" run --resume g --quiet --threads 1
expect_num gas-resume-rc "$RC" 0 0
expect_durable gas-resume g2.trace 3 # resume.ini, gas.h5, summary.json

traced s.trace "$ESUITE" run "$ES_SOURCE_DIR/configs/school_case1_swarm.ini" --output s --quiet \
  --threads 1 --set school.n_steps=20
expect_num school-rc "$RC" 0 0
expect_durable school s.trace 2 # school.nc, summary.json

printf '[run]\nmodel = orbits\nseed = 3\n[orbits]\nsystem = logistic\nmap_r = 4\nmap_x0 = 0.1\nmap_length = 2000\nn_orbits = 1\ntnat = maxavg\n' > o.ini
printf '[sweep]\nbase = o.ini\nname = s\nvary orbits.map_r = 3.8, 4\n' > sw.ini
"$ESUITE" sweep sw.ini --scheduler local --jobs 1 --dir sw >/dev/null 2>&1
expect_num sweep-rc $? 0 0
traced c.trace "$ESUITE" collect sw
expect_num collect-rc "$RC" 0 0
expect_durable collect c.trace 4 # table.nc and table.csv, each through a second temporary name
finish
