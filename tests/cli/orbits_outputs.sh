#!/bin/bash
# What an orbits run leaves behind when its inputs disagree or its outputs
# cannot be written: n_orbits against the rows of an ic_file; a full disc
# (a file-size limit stands in for one, as in gas_outputs.sh) while orbits.h5
# or a figure is written; summary.json, written last, failing. Every failure
# is one message naming the file the user asked for, a nonzero exit, and no
# results (nor temporary files) left in the run directory.
. "$(dirname "$0")/lib.bash"
cd "$TMP"

# 1. ic = file: the file's three rows are the orbits.
printf '# x y vx vy\n0 0.1 0.3 0\n0 0.2 0.25 0\n0 -0.1 0.3 0\n' >ic.txt
cat >ic.ini <<EOF2
[run]
model = orbits
[orbits]
system = henon_heiles
ic = file
ic_file = $TMP/ic.txt
t_end = 50
observables = x
EOF2
"$ESUITE" run ic.ini --output ic_ok --quiet 2>ic_ok.err
expect_true "ic = file without n_orbits runs ($(cat ic_ok.err))" test -f ic_ok/summary.json
expect_num "summary n_orbits = the file's rows" "$(json_get "$(cat ic_ok/summary.json)" n_orbits)" 3 0
# a config in a directory whose name is not UTF-8 (Latin-1 '\xB0'): summary.json keeps its
# config_path and command_line keys, the byte as \xB0 (json_string refused them: both keys missing)
lat=$(printf 'cfg\xb0')
mkdir "$lat"; cp ic.ini "$lat/"
"$ESUITE" run "$lat/ic.ini" --output ic_lat --quiet 2>/dev/null
expect_true summary-latin1-config-path grep -qF '"config_path": "cfg\\xB0/ic.ini"' ic_lat/summary.json
expect_true summary-latin1-command-line grep -qF '"command_line": ' ic_lat/summary.json
# and an override holding such a path stays in the overrides array (it was dropped: [])
cp ic.txt "$lat/"
"$ESUITE" run ic.ini --output ic_lat2 --quiet --set "orbits.ic_file=$TMP/$lat/ic.txt" 2>/dev/null
expect_true summary-latin1-override grep -qF "\"orbits.ic_file=$TMP/cfg\\\\xB0/ic.txt\"" ic_lat2/summary.json
expect_true "the resolved config in orbits.h5 records n_orbits = 3" \
  grep -aq "n_orbits = 3    ; the rows of ic_file" ic_ok/orbits.h5
expect_true "... and not the unused default" bash -c '! grep -aq "n_orbits = 100" ic_ok/orbits.h5'
# One orbit's series read back from orbits.h5 as FILE:/series/x[ROW] (0-based): its windows are
# the 1-D /time's, nout − (n − 1)·delay; the rows are different orbits; row 3 of 3 is refused.
nt=$(json_get "$("$ESUITE" ordinal ic_ok/orbits.h5:/time --order 3 --json)" patterns_total)
j0=$("$ESUITE" ordinal 'ic_ok/orbits.h5:/series/x[0]' --order 3 --delay 1 --json)
j2=$("$ESUITE" ordinal 'ic_ok/orbits.h5:/series/x[2]' --order 3 --delay 1 --json)
expect_num "row 2 of /series/x has /time's windows" "$(json_get "$j2" patterns_total)" "$nt" 0
expect_true "rows 0 and 2 are different orbits ($(json_get "$j0" H) vs $(json_get "$j2" H))" \
  test "$(json_get "$j0" H)" != "$(json_get "$j2" H)"
expect_fail series-row-out-of-range "ic_ok/orbits.h5:/series/x[3]: row 3 is out of range (3 rows, 0-based)" \
  "$ESUITE" ordinal 'ic_ok/orbits.h5:/series/x[3]'
cp ic.ini ic5.ini
echo "n_orbits = 5" >>ic5.ini
expect_fail ic-count-mismatch "ic5.ini:9: key 'orbits.n_orbits': n_orbits = 5, but ic_file $TMP/ic.txt holds 3 initial conditions" \
  "$ESUITE" run ic5.ini --output ic5 --quiet
expect_true "no run directory after the mismatch" test ! -e ic5
expect_fail ic-count-mismatch-set "--set orbits.n_orbits=4: key 'orbits.n_orbits': n_orbits = 4, but ic_file" \
  "$ESUITE" run ic.ini --output ic4 --quiet --set orbits.n_orbits=4
"$ESUITE" run ic.ini --output ic3 --quiet --set orbits.n_orbits=3 2>/dev/null
expect_true "n_orbits equal to the rows is accepted" test -f ic3/summary.json
# A row with more numbers than the system's phase space (a 3-D point for Hénon–Heiles) is
# refused with its line and column; it was cut to the first 4 numbers before. A '#' comment is
# not a number.
printf '0 0.1 0.3 0 # ok\n0 0.2 0.25 0 0.5\n' >ic_wide.txt
expect_fail ic-extra-column "ic_wide.txt:2: column 5: unexpected '0.5' after the 4 numbers of the phase-space point" \
  "$ESUITE" run ic.ini --output ic_wide --quiet --set orbits.ic_file=ic_wide.txt
expect_true "no run directory after the wide row" test ! -e ic_wide
printf '0, 0.1, 0.3, 0 # ok\n' >ic_one.txt
"$ESUITE" run ic.ini --output ic_one --quiet --set orbits.ic_file=ic_one.txt 2>/dev/null
expect_num "separators and a comment are accepted" "$(json_get "$(cat ic_one/summary.json)" n_orbits)" 1 0
# An empty field is refused with its line and column, like the config's lists: a trailing ',' (a
# fifth, empty CSV column) was dropped and ',,' read as one separator, so '0,,0.1,0.3,0' ran.
printf '0,0.1,0.3,0\n0,0.2,0.25,0,\n' >ic_trail.txt
expect_fail ic-trailing-comma "key 'orbits.ic_file': initial conditions (ic = file): ic_trail.txt:2: column 5 is empty (a trailing ',' after the 4 numbers of the phase-space point)" \
  "$ESUITE" run ic.ini --output ic_trail --quiet --set orbits.ic_file=ic_trail.txt
expect_true "no run directory after the trailing comma" test ! -e ic_trail
printf '0,0.1,0.3,0\n0,,0.1,0.3,0\n' >ic_gap.txt
expect_fail ic-empty-field "key 'orbits.ic_file': initial conditions (ic = file): ic_gap.txt:2: column 2 is empty (expected 4 numbers separated by blanks, ',' or ';')" \
  "$ESUITE" run ic.ini --output ic_gap --quiet --set orbits.ic_file=ic_gap.txt
printf '0,0.1,0.3,0\n0,0.1,0.3\n' >ic_short.txt
expect_fail ic-missing-column "key 'orbits.ic_file': initial conditions (ic = file): ic_short.txt:2: column 4: expected 4 finite numbers per line (the phase-space point)" \
  "$ESUITE" run ic.ini --output ic_short --quiet --set orbits.ic_file=ic_short.txt

# ic_file naming a directory: a read error, not "no initial conditions found"
mkdir ic_dir
expect_fail ic-file-directory "key 'orbits.ic_file': initial conditions (ic = file): ic_dir: cannot read initial conditions (Is a directory)" \
  "$ESUITE" run ic.ini --output ic_d --quiet --set orbits.ic_file=ic_dir

# median_mlce of two orbits is the mean of their exponents (it was the larger one); each orbit's
# exponent does not depend on the ensemble, so single-orbit runs give them.
printf '0 0.1 0.3 0\n' >ic_a.txt; printf '0 0.2 0.25 0\n' >ic_b.txt; cat ic_a.txt ic_b.txt >ic_ab.txt
for k in a b ab; do
  "$ESUITE" run ic.ini --output med_$k --quiet --set orbits.ic_file=ic_$k.txt 2>/dev/null
done
ma=$(json_get "$(cat med_a/summary.json)" median_mlce); mb=$(json_get "$(cat med_b/summary.json)" median_mlce)
expect_true "two exponents differ ($ma, $mb)" test "$ma" != "$mb"
expect_num "median_mlce of two orbits = their mean" "$(json_get "$(cat med_ab/summary.json)" median_mlce)" \
  "$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.17g", 0.5 * (a + b) }')" 1e-15

# 1b. An observable listed twice would name the same dataset twice: a config error before the
# run (it failed with an HDF5 error after the integration).
expect_fail observable-twice "--set orbits.observables=x,y,x: key 'orbits.observables': observable 'x' given twice" \
  "$ESUITE" run ic.ini --output obs2 --quiet --set orbits.observables=x,y,x
expect_true "no run directory after the repeated observable" test ! -e obs2

# 1c. ic = section in a point-mass potential: Φ → −∞ at the origin of the section, so the
# sampler cannot draw; the error says so and names ic (it claimed no point was accessible).
expect_fail section-pointmass "key 'orbits.ic': initial conditions (ic = section): orbits: ic = section needs a potential bounded below" \
  "$ESUITE" run ic.ini --output pm --quiet --set orbits.system=potential --set orbits.potential=pointmass \
  --set orbits.ic=section --set orbits.energy=-0.5 --set orbits.n_orbits=4
expect_true "no run directory after the point-mass section" test ! -e pm

# 1d. chaos_indicator = none: no tangent vectors, so no verdict: class none, no median mLCE and
# no PECCARY agreement (every orbit was 'regular' with mLCE 0 and agreement was computed).
"$ESUITE" run ic.ini --output ci_none --quiet --set orbits.chaos_indicator=none 2>/dev/null
expect_num "chaos_indicator = none: fraction none" "$(json_get "$(cat ci_none/summary.json)" none)" 1 0
expect_num "chaos_indicator = none: fraction regular" "$(json_get "$(cat ci_none/summary.json)" regular)" 0 0
expect_true "chaos_indicator = none: median_mlce null" grep -q '"median_mlce": null' ci_none/summary.json
expect_true "chaos_indicator = none: agreement null" grep -q '"agreement": null' ci_none/summary.json

# 1e. t_end not a multiple of dt·output_every: the orbits end at the last output time below it
# (10.04 with outputs every 0.05: 10.0, 201 samples), as the t_end key's doc says.
"$ESUITE" run ic.ini --output tend --quiet --set orbits.t_end=10.04 --set orbits.dt=0.01 --set orbits.output_every=5 2>/dev/null
expect_num "t_end = 10.04: samples per orbit" "$(json_get "$(cat tend/summary.json)" samples_per_orbit)" 201 0

# 1f. plots = true on a run too short for any x = 0 crossing or analysed series: the figures are
# skipped with a warning each (gnuplot failed on the empty section data, and the whole run with it).
if command -v gnuplot >/dev/null; then
  "$ESUITE" run ic.ini --output noplot --quiet --set orbits.t_end=0.05 --set orbits.dt=0.01 \
    --set orbits.output_every=5 --set orbits.plots=true --set orbits.section_points=10 2>noplot.err
  expect_true "short run with plots succeeds ($(cat noplot.err))" test -f noplot/summary.json -a -f noplot/orbits.h5
  expect_true "no section.png, with a warning" \
    bash -c '! test -e noplot/section.png && grep -q "no orbit crossed x = 0 upwards: section.png not drawn" noplot.err'
  expect_true "no hc_plane.png, with a warning" \
    bash -c '! test -e noplot/hc_plane.png && grep -q "no '"'"'x'"'"' series could be analysed: hc_plane.png (which shows the first observable) not drawn" noplot.err'
fi

# 1f'. plots = true without gnuplot: a warning per figure, as in gas and school runs; the run used
# to exit 1 and discard the computed orbits.h5. (A gnuplot that fails, or a full disc, still fails
# the run: section 3.) PATH holds only a directory without gnuplot; popen runs /bin/sh.
mkdir -p nogp
PATH="$TMP/nogp" "$ESUITE" run ic.ini --output nogp_run --quiet --set orbits.plots=true \
  --set orbits.section_points=10 2>nogp.err; rc=$?
expect_num "no gnuplot: exit status ($(cat nogp.err))" "$rc" 0 0
expect_true "no gnuplot: orbits.h5 and summary.json kept" test -f nogp_run/orbits.h5 -a -f nogp_run/summary.json
expect_true "no gnuplot: hc_plane.png warning" grep -q "warning: orbits: hc_plane.png not drawn: gnuplot is not installed" nogp.err
expect_true "no gnuplot: section.png warning" grep -q "warning: orbits: section.png not drawn: gnuplot is not installed" nogp.err
expect_true "no gnuplot: no figure left" test ! -e nogp_run/hc_plane.png -a ! -e nogp_run/section.png
"$ESUITE" run ic.ini --output nogp_ref --quiet --set orbits.section_points=10 2>/dev/null
for ds in /insitu/x/H /insitu/x/C /orbits/mlce; do
  expect_true "no gnuplot: $ds as without figures" \
    cmp -s <(h5dump -d $ds nogp_run/orbits.h5 2>&1 | tail -n +2) <(h5dump -d $ds nogp_ref/orbits.h5 2>&1 | tail -n +2)
  expect_true "no gnuplot: $ds has data" grep -q 'DATA {' <(h5dump -d $ds nogp_run/orbits.h5)
done
# 1g. Tolerances no step can meet: every orbit's rk8pd step collapses (escaped = 2); the run says
# so instead of reporting an all-escaped ensemble without a word.
"$ESUITE" run ic.ini --output tol --quiet --set orbits.integrator=rk8pd --set orbits.eps_abs=1e-300 \
  --set orbits.eps_rel=0 2>tol.err
expect_num "impossible tolerances: escaped fraction" "$(json_get "$(cat tol/summary.json)" escaped)" 1 0
expect_true "impossible tolerances: warning ($(head -1 tol.err))" \
  grep -q "orbits: 3 of 3 orbits stopped on a non-finite state or a collapsed integrator step" tol.err
"$ESUITE" run ic.ini --output tol_ok --quiet 2>tol_ok.err
expect_true "bound orbits: no such warning" bash -c '! grep -q "collapsed integrator step" tol_ok.err'

# 2. A full disc while orbits.h5 is written (16 kB limit; the series need
# ~3 MB): the message names DIR/orbits.h5, not its temporary name.
cat >hh.ini <<'EOF2'
[run]
model = orbits
seed = 2
[orbits]
system = henon_heiles
n_orbits = 64
ic = section
t_end = 200
observables = x, y
EOF2
expect_fail disk-full-h5 "cannot write 'full/orbits.h5': File too large (dataset '/" \
  bash -c 'trap "" XFSZ; ulimit -f 16; exec "$0" run hh.ini --output full --quiet --threads 1' "$ESUITE"
expect_true "the message does not name the part file ($(cat "$TMP/err"))" bash -c "! grep -q part '$TMP/err'"
expect_true "no run directory after a full disc" test ! -e full
expect_true "no part file left" test -z "$(find . -name '*.part-*')"

# 3. orbits.h5 fits under a 60 kB limit, hc_plane.png does not: the figure
# fails after orbits.h5 was committed, and orbits.h5 goes too.
small="--set orbits.n_orbits=16 --set orbits.observables=x --set orbits.store_series=false --set orbits.plots=true"
"$ESUITE" run hh.ini --output fig_ok --quiet $small 2>/dev/null
h5_kb=$(( $(stat -c %s fig_ok/orbits.h5) / 1024 )); png_kb=$(( $(stat -c %s fig_ok/hc_plane.png) / 1024 ))
expect_true "orbits.h5 (${h5_kb} kB) < 60 kB < hc_plane.png (${png_kb} kB)" test $h5_kb -lt 60 -a $png_kb -ge 60
expect_fail disk-full-png "cannot write 'fig/hc_plane.png': gnuplot left an incomplete image" \
  bash -c 'trap "" XFSZ; ulimit -f 60; exec "$0" run hh.ini --output fig --quiet $1' "$ESUITE" "$small"
expect_true "no run directory (orbits.h5 removed) after the figure failed" test ! -e fig
expect_true "no part file left" test -z "$(find . -name '*.part-*')"

# 4. summary.json cannot be written (its temporary name, with the pid exec
# keeps, is taken by a directory): orbits.h5, hc_plane.png and section.png,
# all written before it, go too.
mkdir late
expect_fail summary-fails "cannot write 'late/summary.json'" \
  bash -c 'mkdir "late/.summary.json.part-$$"; exec "$0" run hh.ini --output late --quiet --set orbits.plots=true --set orbits.section_points=20' "$ESUITE"
expect_true "no orbits.h5 or figures after summary.json failed ($(ls late | tr '\n' ' '))" \
  test -z "$(ls late)"
rm -r late/.summary.json.part-*  # the test's own directory
expect_true "no other hidden leftovers ($(ls -A late | tr '\n' ' '))" test -z "$(ls -A late)"
"$ESUITE" run hh.ini --output late_ok --quiet --set orbits.plots=true --set orbits.section_points=20 2>/dev/null
expect_true "the same run writes orbits.h5, hc_plane.png, section.png when nothing fails" \
  test -s late_ok/orbits.h5 -a -s late_ok/hc_plane.png -a -s late_ok/section.png

# Per-series sampling warnings are summarised in one line per observable, also after an earlier
# warning (ic = grid rounds 200 orbits to 14 x 15 = 210). They were dropped only from an empty
# list: here 31 'ordinal: ... rounds to 0' lines were printed, the list then filled up, 63 orbits
# read warned = 0, and the two summary lines were lost.
cat >warn.ini <<EOF2
[run]
model = orbits
[orbits]
system = henon_heiles
ic = grid
x_min = 0.1
x_max = 0.3
v_min = 0.1
v_max = 0.3
n_orbits = 200
t_end = 100
output_every = 100
EOF2
"$ESUITE" run warn.ini --output warn_out --threads 2 --quiet 2>warn.err
expect_true "grid rounding warned ($(cat warn.err))" grep -q "n_orbits = 200 rounded to 210" warn.err
expect_true "no per-series ordinal warning on stderr" bash -c "! grep -q 'esuite: warning: ordinal:' warn.err"
expect_true "the sampling-rule summary counts all 210" grep -q "210 of 210 'x' series broke the sampling rule" warn.err
expect_true "the too-short summary is there" grep -qxF "esuite: warning: orbits: 210 of 210 'x' series were not analysed (/insitu/x/status = 4, series too short): too few samples for order 5, or too few extrema or crossings for tnat = maxavg; a longer t_end or a smaller output_every helps a series that is merely short" warn.err
expect_num "stderr has exactly these three warnings" "$(grep -c 'esuite: warning:' warn.err)" 3 0

# A conserved observable (L_z in a Plummer sphere: the leapfrog keeps it to rounding) is not
# analysed: its ordinal patterns are rounding errors, and these regular orbits read 100%
# 'stochastic' (H = 0.81), i.e. chaotic. x is analysed as before.
cat >lz.ini <<EOF2
[run]
model = orbits
[orbits]
system = potential
potential = plummer
ndim = 2
ic = grid
n_orbits = 4
x_min = 0.5
x_max = 1.0
v_min = 0.3
v_max = 0.6
t_end = 200
observables = x, Lz
EOF2
"$ESUITE" run lz.ini --output lz_out --quiet 2>lz.err
expect_true "the constant series are named ($(cat lz.err))" \
  grep -q "4 of 4 'Lz' series are constant to rounding (a conserved quantity) and were not analysed (/insitu/Lz/status = 8)" lz.err
expect_true "no Lz series analysed" \
  bash -c "grep -A1 '\"Lz\": {' lz_out/summary.json | grep -q '\"analysed\": 0,'"
expect_true "x: all 4 analysed, PECCARY calls none chaotic" \
  bash -c "grep -A8 '\"x\": {' lz_out/summary.json | tr -d '\n ' | grep -q '\"analysed\":4,.*\"peccary_chaotic\":0.0'"
# A map series too short for the analysis (logistic map, map_length = 5 < the 6 samples order 5
# needs) gets /insitu/x/status = 4 (ES_ESHORT), which the warning names and explains, as the
# dataset's long_name does; it was "could not be analysed (escaped, too short or no t_nat)", and
# 4 was listed neither there nor in the long_name (only 5 and 8).
printf '[run]\nmodel = orbits\n[orbits]\nsystem = logistic\nmap_length = 5\nn_orbits = 2\n' >short.ini
expect_rc map-too-short 0 "esuite: warning: orbits: 2 of 2 'x' series were not analysed (/insitu/x/status = 4, series too short): too few samples for order 5, or too few extrema or crossings for tnat = maxavg; a longer map_length helps a series that is merely short" \
  "$ESUITE" run short.ini --output short_out --quiet
if command -v h5dump > /dev/null; then
  expect_true "status 4 in /insitu/x/status" grep -qx ' *(0): 4, 4' <(h5dump -d /insitu/x/status short_out/orbits.h5)
  expect_true "the long_name explains 4" grep -qF '"0 analysed, else the esuite status why not (4 too short or no t_nat, 5 escaped or no orbital period, 8 constant to rounding)"' \
    <(h5dump -a /insitu/x/status/long_name short_out/orbits.h5)
fi
# start_time is the run's start, not the time orbits.h5 was written (it equalled end_time): not
# after the start of the integration, whose last progress line gives its stamp and elapsed time.
cat >hh.ini <<'EOF2'
[run]
model = orbits
[orbits]
system = henon_heiles
ic = section
energy = 0.125
n_orbits = 400
t_end = 1000
observables = x
plots = false
EOF2
"$ESUITE" run hh.ini --output hh_out --threads 1 2>hh.err
line=$(grep '] orbits: 100.0% done' hh.err | tail -1)
stamp=$(sed -n 's/^\[\([^]]*\)\].*/\1/p' <<< "$line")
el=$(sed -n 's/.*elapsed \([0-9]*\)s,.*/\1/p' <<< "$line") # under a minute
start=$(sed -n 's/.*"start_time": "\(.*\)".*/\1/p' hh_out/summary.json)
expect_true "start_time $start not after the integration's start ($line)" \
  test -n "$el" -a "$(date -u -d "$start" +%s)" -le $(($(date -u -d "$stamp" +%s) + 1 - ${el:-0}))
expect_true "orbits.h5 start_time = summary.json's" \
  test "$(h5dump -a start_time hh_out/orbits.h5 | sed -n 's/.*(0): "\(.*\)"/\1/p')" = "$start"
finish
