# README.md's quick start works verbatim from a build: every command of the block
# (indented lines starting with 'build/esuite', 'awk' or 'configs/') runs from a
# directory laid out like the repository root (configs/, validation/, build/esuite, outputs/)
# and exits 0 (3 where its comment says "exit 3": the stop that the resume after it
# continues), except the three long ones (bench, validate of all cases, the 5-minute figure
# script), which are left out by name. The block must hold 18 + 3 commands, so
# a command dropped or added without this test is noticed.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
ln -s "$ES_SOURCE_DIR/configs" configs
ln -s "$ES_SOURCE_DIR/validation" validation
mkdir -p build outputs
ln -s "$ESUITE" build/esuite
sed -n '/^## Quick start/,/^## /p' "$ES_SOURCE_DIR/README.md" |
  grep -E '^    (build/esuite|awk|configs/)' | sed 's/^    //' > commands.txt
ran=0
skipped=0
no_gnuplot=0
while IFS= read -r cmd; do
  case "$cmd" in
    *"esuite bench"* | *"esuite validate "*"# every published value"* | *gas_figures.sh*) skipped=$((skipped + 1)); continue ;;
  esac
  if [[ "$cmd" == *--plot* ]] && ! command -v gnuplot > /dev/null; then
    echo "note: gnuplot not installed, not run: $cmd"
    no_gnuplot=$((no_gnuplot + 1))
    continue
  fi
  want=0
  case "$cmd" in *"(exit 3)"*) want=3 ;; esac
  bash -c "$cmd" > out.txt 2> err.txt < /dev/null
  rc=$?
  ran=$((ran + 1))
  if [ $rc -eq $want ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL README command (exit $rc, wanted $want): $cmd"
    tail -3 err.txt
  fi
done < commands.txt
expect_num commands-run "$((ran + no_gnuplot))" 18 0
expect_num commands-skipped "$skipped" 3 0
# what the commands promise: the runs completed, the sweep was collected, the figure drawn
for f in outputs/gas_expansion/summary.json outputs/case1_swarm/summary.json \
         outputs/couzin_hysteresis/summary.json outputs/henon_heiles_e1_8/summary.json \
         outputs/logistic_r/table.nc outputs/logistic_r/table.csv; do
  expect_true "wrote-$f" test -s "$f"
done
[ "$no_gnuplot" -gt 0 ] || expect_true wrote-outputs/hc.png test -s outputs/hc.png
expect_num collected-rows "$(grep -vc '^#' outputs/logistic_r/table.csv)" 19 0
finish
