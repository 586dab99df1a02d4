#!/bin/bash
# esuite collect keeps the numbers inside short arrays of summary.json: a gas
# sweep's entropies live in its cells[] array (one object per cell set), which
# collect used to leave out, so the table of a gas sweep had no entropy column.
# Elements are named "cells[1].dS_MM" (CSV; NetCDF variable cells_1_dS_MM);
# arrays of more than 64 elements are still left out.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
printf '[run]\nmodel = gas\nseed = 5\n[gas]\nN = 300\nsamples = 3\nplots = false\n[entropy]\ndx = 0.1, 0.25\ndv = 0.5\n' > base.ini
printf '[sweep]\nbase = base.ini\nname = g\nvary gas.N = 200, 300\n' > s.ini
"$ESUITE" sweep s.ini --scheduler local --jobs 1 --dir S >/dev/null 2>&1
expect_num sweep-rc $? 0 0
"$ESUITE" collect S 2>/dev/null
expect_num collect-rc $? 0 0
col() { # NAME : 1-based column of NAME in S/table.csv
  grep -v '^#' S/table.csv | head -1 | tr ',' '\n' | grep -nxF "$1" | cut -d: -f1
}
cell() { # TASK NAME : the CSV value
  local c; c=$(col "$2")
  [ -n "$c" ] && grep -v '^#' S/table.csv | awk -F, -v r=$(($1 + 2)) -v c="$c" 'NR == r { print $c }'
}
# the k-th value of KEY in a task's summary.json (one "KEY": value per line)
summary() { grep -o "\"$2\": [-0-9.eE+]*" S/tasks/000$1/out/summary.json | sed -n "$3p" | sed 's/.*: //'; }
for task in 0 1; do
  for set in 0 1; do
    for key in dS_MM dS_MM_pooled dS_position_MM occupied_fraction; do
      want=$(summary $task $key $((set + 1)))
      expect_num "task$task-cells[$set].$key" "$(cell $task "cells[$set].$key")" "$want" 1e-15
    done
  done
done
expect_num csv-columns "$(grep -v '^#' S/table.csv | head -1 | tr ',' '\n' | grep -c '^cells\[')" 22 0
if command -v ncdump >/dev/null; then
  expect_true nc-variable ncdump -h S/table.nc -v cells_1_dS_MM
  expect_true nc-long-name grep -qF 'cells_1_dS_MM:long_name = "cells[1].dS_MM"' <(ncdump -h S/table.nc)
fi
# A task whose summary.json has a 3-element list of numbers, a nested list and
# a 65-element list: the first two become columns, the long one does not.
long=$(seq -s, 65)
printf '{"N": 7, "x": [1.5, null, 2.5], "m": [[1, 2], {"a": 3}], "long": [%s]}\n' "$long" \
  > S/tasks/0001/out/summary.json
"$ESUITE" sweep S --finish-task 1 --exit-code 0 --log x
"$ESUITE" collect S 2>/dev/null
expect_num fabricated-x0 "$(cell 1 'x[0]')" 1.5 0
expect_true fabricated-x1-null test "$(cell 1 'x[1]')" = ""
expect_num fabricated-x2 "$(cell 1 'x[2]')" 2.5 0
expect_num fabricated-nested "$(cell 1 'm[0][1]')" 2 0
expect_num fabricated-nested-object "$(cell 1 'm[1].a')" 3 0
expect_true fabricated-long-left-out test -z "$(col 'long[0]')"
expect_true task0-keeps-cells test -n "$(cell 0 'cells[0].dS_MM')"
finish
