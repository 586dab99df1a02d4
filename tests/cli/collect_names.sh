#!/bin/bash
# esuite collect: a summary.json key named like one of collect's own columns (seed, task, status,
# replica, exit_code, task_seed, a swept key such as gas.N) gave the CSV two columns of that name
# ("seed" twice: pandas reads the second as "seed.1", a script asking for "seed" got the task's
# seed), while the NetCDF file called the same field "seed" or "replica_2". Such a field is now
# "summary.NAME" in the CSV and summary_NAME in NetCDF; names stay unique and values in place.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
printf '[run]\nmodel = gas\nseed = 5\n[gas]\nN = 200\nsamples = 3\nplots = false\n[entropy]\ndx = 0.1\ndv = 0.5\n' > base.ini
printf '[sweep]\nbase = base.ini\nname = g\nvary gas.N = 200, 300\n' > s.ini
"$ESUITE" sweep s.ini --scheduler local --jobs 1 --dir S >/dev/null 2>&1
expect_num sweep-rc $? 0 0
# task 1's summary: every own name, and "summary.seed" itself (so "seed" becomes summary.summary.seed)
printf '{"N": 11, "seed": 7, "task": 3, "status": 1, "replica": 2, "exit_code": 4, "task_seed": 6,
 "gas": {"N": 9}, "gas_N": 10, "summary": {"seed": 8}}\n' > S/tasks/0001/out/summary.json
"$ESUITE" sweep S --finish-task 1 --exit-code 0 --log x
"$ESUITE" collect S 2>/dev/null
expect_num collect-rc $? 0 0
header() { grep -v '^#' S/table.csv | head -1 | tr ',' '\n'; }
expect_true "CSV header names are unique (duplicates: $(header | sort | uniq -d | tr '\n' ' '))" \
  test -z "$(header | sort | uniq -d)"
cell() { # TASK NAME : the CSV value
  local c; c=$(header | grep -nxF "$2" | cut -d: -f1)
  [ -n "$c" ] && grep -v '^#' S/table.csv | awk -F, -v r=$(($1 + 2)) -v c="$c" 'NR == r { print $c }'
}
expect_num own-seed "$(cell 1 seed)" 5 0
expect_num own-task "$(cell 1 task)" 1 0
expect_true own-status test "$(cell 1 status)" = complete
expect_num own-replica "$(cell 1 replica)" 0 0
expect_num own-swept-key "$(cell 1 gas.N)" 300 0
expect_num summary-N "$(cell 1 N)" 11 0
expect_num summary-seed-nested "$(cell 1 summary.seed)" 8 0
expect_num summary-seed "$(cell 1 summary.summary.seed)" 7 0
expect_num summary-task "$(cell 1 summary.task)" 3 0
expect_num summary-status "$(cell 1 summary.status)" 1 0
expect_num summary-replica "$(cell 1 summary.replica)" 2 0
expect_num summary-exit-code "$(cell 1 summary.exit_code)" 4 0
expect_num summary-task-seed "$(cell 1 summary.task_seed)" 6 0
expect_num summary-gas.N "$(cell 1 summary.gas.N)" 9 0
expect_num summary-gas_N "$(cell 1 summary.gas_N)" 10 0
expect_true "task 0 has no summary.seed" test -z "$(cell 0 summary.summary.seed)"
expect_num csv-columns "$(header | grep -c '^summary\.')" 9 0
if command -v ncdump >/dev/null; then
  vars() { ncdump -h S/table.nc | sed -n 's/^\t[a-z0-9]* \([A-Za-z0-9_]*\)(.*/\1/p'; }
  expect_true "NetCDF variable names are unique (duplicates: $(vars | sort | uniq -d | tr '\n' ' '))" \
    test -z "$(vars | sort | uniq -d)"
  ncval() { # VAR : its values, one line, blanks squeezed
    ncdump -v "$1" S/table.nc | awk -v v=" $1 =" '/^data:/ { d = 1 } d && index($0, v) == 1 { on = 1 }
      on { printf "%s", $0 } on && /;/ { exit }' | tr -d '; ' | sed "s/^$1=//"
  }
  expect_true "nc summary_summary_seed ($(ncval summary_summary_seed))" test "$(ncval summary_summary_seed)" = "_,7"
  expect_true "nc summary_seed ($(ncval summary_seed))" test "$(ncval summary_seed)" = "_,8"
  expect_true "nc summary_replica ($(ncval summary_replica))" test "$(ncval summary_replica)" = "_,2"
  expect_true "nc summary_gas_N ($(ncval summary_gas_N))" test "$(ncval summary_gas_N)" = "_,9"
  expect_true "nc summary_gas_N_2 ($(ncval summary_gas_N_2))" test "$(ncval summary_gas_N_2)" = "_,10"
  expect_true "nc task_seed ($(ncval task_seed))" test "$(ncval task_seed)" = "5,5"
  expect_true "nc replica is the dimension" test "$(ncval replica)" = "0"
  expect_true nc-long-name grep -qF 'summary_summary_seed:long_name = "summary.summary.seed"' <(ncdump -h S/table.nc)
fi

# --output onto the sweep's own manifest wrote the table over it (exit 0), and S was no sweep
# directory any more ('S/manifest.json:1: unable to decode byte 0x89: not a sweep manifest')
man_before=$(cksum < S/manifest.json)
expect_fail output-onto-manifest "esuite: error: collect: --output 'S/./manifest.json' would replace the sweep's own manifest.json: nothing written" \
  "$ESUITE" collect S --output S/./manifest.json --quiet
expect_true "manifest left as it was" test "$(cksum < S/manifest.json)" = "$man_before"
expect_fail csv-into-tasks "esuite: error: collect: --csv 'S/tasks/0000/out/t.csv' lies in the sweep's own tasks/ directory: nothing written" \
  "$ESUITE" collect S --csv S/tasks/0000/out/t.csv --quiet
expect_true "nothing written into the task" test ! -e S/tasks/0000/out/t.csv

# more fields than a table holds: refused before anything is written, naming the sweep directory
# (the message named the NetCDF writer's temporary file, S/.table.nc.part-PID, gone by then)
sum_before=$(cksum < S/table.csv)
seq 0 1000 | awk 'BEGIN { printf "{" } { printf "%s\"k%d\": %d", (NR > 1 ? ", " : ""), $1, $1 } END { print "}" }' \
  > S/tasks/0001/out/summary.json
printf '{"a": 1}\n' > S/tasks/0000/out/summary.json  # task 0's one field comes first
for k in 0 1; do "$ESUITE" sweep S --finish-task $k --exit-code 0 --log x; done
expect_fail too-many-fields "esuite: error: collect: S: the summaries have 1002 numeric fields, more than the 1000 a table holds (field 1001 is 'k999'); nothing written" \
  "$ESUITE" collect S --quiet
expect_true "table left as it was" test "$(cksum < S/table.csv)" = "$sum_before"
expect_true "no staging file left" bash -c '! ls -a S | grep -q part'

finish
