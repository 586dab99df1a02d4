#!/bin/bash
# configs/demo.sh (what './setup.sh demo' runs) fails whole: every part draws figures, so
# without gnuplot it exits nonzero before writing anything (it left an empty hc_plane.json
# behind, the first command's redirection), and a gnuplot that fails on the school figure
# leaves neither the figure nor its temporary (the figure was written in place, so a cut-off
# order_parameters.png stayed). The school figure's script plots the columns of metrics.txt
# that its titles name (1 time, 2 polarization, 3 rotation, 13 oceanic_schooling_index).
. "$(dirname "$0")/lib.bash"
demo="$ES_SOURCE_DIR/configs/demo.sh"

# a PATH with every command of this one except gnuplot
mkdir "$TMP/nogp"
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -d "$d" ] || continue
  for f in "$d"/*; do
    b=${f##*/}
    case "$b" in gnuplot*) continue ;; esac
    [ -x "$f" ] && [ ! -e "$TMP/nogp/$b" ] && ln -s "$f" "$TMP/nogp/$b"
  done
done
(cd "$ES_SOURCE_DIR" && PATH="$TMP/nogp" bash "$demo" "$ESUITE" "$TMP/d1" >"$TMP/d1.out" 2>"$TMP/d1.err")
rc=$?
expect_true "no gnuplot: nonzero exit (rc $rc)" test $rc -ne 0
expect_true "no gnuplot: says so ($(cat "$TMP/d1.err"))" grep -q "gnuplot is not installed" "$TMP/d1.err"
left=$(find "$TMP/d1" -type f 2>/dev/null | wc -l)
expect_num "no gnuplot: files left in the output directory" "$left" 0 0

# a stand-in gnuplot: esuite's script files get a minimal complete PNG; a script on stdin (the
# demo's own school figure) is kept, half a file is written to its output and it exits 1
mkdir "$TMP/bin" "$TMP/keep"
cat >"$TMP/bin/gnuplot" <<'EOF2'
#!/bin/bash
if [ $# -gt 0 ]; then
  out=$(sed -n "s/^set output '\(.*\)'$/\1/p" "$1")
  printf '\211PNG\r\n\032\n\000\000\000\000IEND\256B`\202' >"$out"
  exit 0
fi
cat >"$GP_KEEP/stdin.gp"
out=$(sed -n "s/^set output '\(.*\)'$/\1/p" "$GP_KEEP/stdin.gp")
printf '\211PNG\r\n' >"$out"
echo "gnuplot: cannot write" >&2
exit 1
EOF2
chmod +x "$TMP/bin/gnuplot"
(cd "$ES_SOURCE_DIR" && PATH="$TMP/bin:$PATH" GP_KEEP="$TMP/keep" bash "$demo" "$ESUITE" "$TMP/d2" \
  >"$TMP/d2.out" 2>"$TMP/d2.err")
rc=$?
expect_true "failing school figure: nonzero exit (rc $rc)" test $rc -ne 0
expect_true "failing school figure: says so ($(tail -1 "$TMP/d2.err"))" \
  grep -q "gnuplot failed to draw .*order_parameters.png" "$TMP/d2.err"
expect_true "failing school figure: no order_parameters.png" test ! -e "$TMP/d2/school/order_parameters.png"
left=$(find "$TMP/d2" -name '*.part*' | wc -l)
expect_num "failing school figure: temporaries left" "$left" 0 0
expect_true "the parts before it are complete" test -s "$TMP/d2/hc_plane.json" -a -s "$TMP/d2/sine_curve.json" \
  -a -f "$TMP/d2/gas_expansion/entropy.png" -a -s "$TMP/d2/school/metrics.txt"
# the script's columns are those its titles name in metrics.txt's header
header=$(grep '^# time ' "$TMP/d2/school/metrics.txt" | sed 's/^# //')
for pair in "2 polarisation P polarization" "3 rotation M rotation" "13 OSI oceanic_schooling_index"; do
  set -- $pair
  col=$1 name=${*: -1} title=${*:2:$#-2}
  expect_true "school figure: column $col is '$title'" grep -q "using 1:$col with lines lw 2 title '$title'" "$TMP/keep/stdin.gp"
  got=$(awk -v c="$col" '{print $c}' <<<"$header")
  expect_true "metrics.txt column $col is $name (got '$got')" test "$got" = "$name"
done
# the gas part names the cell set of each dS_MM_pooled it prints (two bare lines before),
# with the values of summary.json
sum="$TMP/d2/gas_expansion/summary.json"
mapfile -t want < <(grep -o '"dS_MM_pooled": [-0-9.eE+]*' "$sum" | sed 's/.*: //')
mapfile -t dxs < <(grep -o '"dx": [-0-9.eE+]*' "$sum" | sed 's/.*: //')
expect_num "gas: one line per cell set" "$(grep -c '^  cells dx = .*: dS_MM_pooled = ' "$TMP/d2.out")" "${#want[@]}" 0
for k in "${!want[@]}"; do
  line=$(grep '^  cells dx = ' "$TMP/d2.out" | sed -n "$((k + 1))p")
  expect_num "gas: cell set $k value" "${line##*= }" "${want[$k]}" 5e-6
  dx=$(sed 's/^  cells dx = \([^,]*\),.*/\1/' <<<"$line")
  expect_num "gas: cell set $k dx" "$dx" "${dxs[$k]}" 1e-3
done
finish
