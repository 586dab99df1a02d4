# An empty file or directory name ('--dir ""', '--dir=') is refused by the option that got it,
# exit 2, nothing written. A path built from it as "%s/manifest.json" is "/manifest.json":
# 'esuite sweep s.ini --dir= --scheduler local' wrote the sweep's tasks into the root directory
# and then failed with ": No such file or directory"; 'esuite sweep s.ini --dir "" --plan' exited 0;
# 'esuite collect ""' collected whatever sweep the root directory held.
. "$(dirname "$0")/lib.bash"
cd "$TMP"

cur="(the current directory is '.')"

printf '[run]\nmodel = gas\n[gas]\nN = 200\nsamples = 3\nplots = false\n' > base.ini
printf '[sweep]\nbase = base.ini\nname = g\nvary gas.N = 200, 300\n' > s.ini
expect_rc sweep-dir-empty 2 "esuite: error: sweep: --dir: empty directory name $cur" \
  "$ESUITE" sweep s.ini --dir "" --plan
expect_rc sweep-dir-equals 2 "esuite: error: sweep: --dir: empty directory name $cur" \
  "$ESUITE" sweep s.ini --dir= --plan
expect_rc sweep-target-empty 2 "esuite: error: sweep: SWEEP file or DIR: empty file name" "$ESUITE" sweep "" --status
expect_true "sweep: --dir . still is the current directory" \
  bash -c '"$0" sweep s.ini --dir . --plan | grep -q "^sweep .g.: 2 tasks"' "$ESUITE"

"$ESUITE" sweep s.ini --scheduler slurm --dir S >/dev/null 2>&1
expect_num sweep-written $? 0 0
expect_rc collect-dir-empty 2 "esuite: error: collect: SWEEPDIR: empty directory name $cur" "$ESUITE" collect ""
expect_rc collect-output-empty 2 "esuite: error: collect: --output: empty file name" \
  "$ESUITE" collect S --output ""
expect_rc collect-csv-empty 2 "esuite: error: collect: --csv: empty file name" "$ESUITE" collect S --csv=
expect_true "collect wrote nothing" test ! -e S/table.nc -a ! -e S/table.csv
expect_true "no staging file left" bash -c '! ls -a S | grep -q part'

expect_rc resume-empty 2 "esuite: error: run: --resume: empty directory name $cur" "$ESUITE" run --resume ""
# it said "empty output directory name", without the option
expect_rc output-empty 2 "esuite: error: run: --output: empty directory name $cur" \
  "$ESUITE" run "$ES_SOURCE_DIR/configs/orbits_lorenz.ini" --output ""
expect_rc validate-dir-empty 2 "esuite: error: validate: --dir: empty directory name $cur" \
  "$ESUITE" validate --dir ""
finish
