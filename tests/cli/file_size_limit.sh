#!/bin/bash
# A run that reaches a file-size limit (ulimit -f; batch systems set one) is a
# failed write like a full disc: one message naming the file, exit status 2,
# and nothing left behind. SIGXFSZ used to kill esuite mid-write (exit 153,
# no message, a .school.nc.part-PID file in the run directory).
. "$(dirname "$0")/lib.bash"
cd "$TMP"
printf '[run]\nmodel = gas\nseed = 7\n[gas]\nN = 300\nsamples = 2\nplots = false\n' > g.ini
# 20 KiB: gas.h5 of this run is about 60 KiB, written from memory in one go
expect_fail "gas.h5 past ulimit -f 20" "esuite: error: cannot write 'g/gas.h5': File too large" \
  bash -c 'ulimit -f 20; exec "$0" run g.ini --output g --quiet --threads 1 --set gas.realizations=2' "$ESUITE"
(ulimit -f 20; "$ESUITE" run g.ini --output g --quiet --threads 1 --set gas.realizations=2 2>/dev/null); rc=$?
expect_true "gas: exit status 2 (rc=$rc)" test "$rc" -eq 2
expect_true "gas: no run directory left" test ! -e g
# school.nc grows frame by frame (2.2 MB here) and crosses 100 KiB in a NetCDF write
expect_fail "school.nc past ulimit -f 100" "esuite: error: cannot write 's/school.nc': NetCDF: HDF error" \
  bash -c 'ulimit -f 100; exec "$0" run "$1" --output s --quiet --threads 1 --set school.n_steps=300' \
  "$ESUITE" "$ES_SOURCE_DIR/configs/school_case1_swarm.ini"
expect_true "school: no run directory left ($(ls -A s 2>&1))" test ! -e s
# esuite collect past the limit names the table it was asked for, as a run names its output
# (it named its staging file, 'S/.table.nc.part-PID: NetCDF: NetCDF: HDF error', gone by then)
printf '[sweep]\nbase = g.ini\nname = t\nvary gas.N = 200, 300\n' > t.ini
"$ESUITE" sweep t.ini --scheduler slurm --dir S >/dev/null 2>&1
for k in 0 1; do
  mkdir -p S/tasks/000$k/out && printf '{"a": %d}\n' $k > S/tasks/000$k/out/summary.json
  "$ESUITE" sweep S --finish-task $k --exit-code 0 --log x
done
expect_fail "table.nc past ulimit -f 4" "esuite: error: cannot write 'S/table.nc': NetCDF: HDF error" \
  bash -c 'ulimit -f 4; exec "$0" collect S --quiet' "$ESUITE"
expect_true "collect: nothing left ($(ls -A S | tr '\n' ' '))" bash -c '! ls -A S | grep -q "table\|part"'
finish
