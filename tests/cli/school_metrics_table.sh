# esuite school-metrics' table says where it comes from: after the file line, a '#' line with
# the esuite that made the table and the esuite, model, run name and seed that wrote the input
# (read from its provenance attributes), then the column names and one row per frame; --json
# carries the same as a trailing "provenance" object.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
printf '[run]\nmodel = school\nname = tiny\nseed = 77\n[school]\nn_fish = 20\nn_steps = 10\n' > s.ini
"$ESUITE" run s.ini --output run --quiet
ver=$("$ESUITE" --version | sed -n 's/^esuite \([^ ]*\) (git \([^)]*\)).*/\1 \2/p')
set -- $ver
"$ESUITE" school-metrics run/school.nc > table.txt
expect_true table-line-1 test "$(sed -n 1p table.txt)" = "# run/school.nc: 11 frames, 20 fish, box 25"
want="# esuite school-metrics $1 (git $2); input written by esuite $1 (git $2), model school, run 'tiny', seed 77; its config: the input's attribute 'config'"
got=$(sed -n 2p table.txt)
if [ "$got" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL provenance-line: '$got'"; fi
expect_true table-line-3 grep -q '^# time polarization rotation ' <(sed -n 3p table.txt)
expect_num table-rows "$(grep -vc '^#' table.txt)" 11 0
# --json ends with the same facts as a "provenance" object
"$ESUITE" school-metrics --json run/school.nc > table.json
want="\"provenance\":{\"esuite_version\":\"$1\",\"git_revision\":\"$2\",\"input\":\"run/school.nc\",\"input_esuite_version\":\"$1\",\"input_git_revision\":\"$2\",\"input_model\":\"school\",\"input_run_name\":\"tiny\",\"input_seed\":77}}"
got=$(grep -o '"provenance":.*' table.json)
if [ "$got" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL json-provenance: '$got'"; fi
expect_num json-polarization-frames "$(grep -o '"polarization":\[[^]]*\]' table.json | tr ',' '\n' | wc -l)" 11 0
# a run name that is not UTF-8 (Latin-1 '\xB0') keeps its input_run_name key, the byte as \xB0
# (json_string refused it and the key was missing)
"$ESUITE" run s.ini --output run_lat --quiet --set run.name="$(printf 't\xb0')"
expect_true json-latin1-run-name grep -qF '"input_run_name":"t\\xB0"' <("$ESUITE" school-metrics --json run_lat/school.nc)
# a school.nc cut short is named as damaged (it said only 'cannot open as NetCDF: NetCDF: HDF error')
head -c 3000 run/school.nc > cut.nc
expect_fail truncated "error: cut.nc: cannot open as NetCDF (corrupt or truncated HDF5 file?): NetCDF: " \
  "$ESUITE" school-metrics cut.nc
# an empty name or file is named as such (they were 'cannot open as NetCDF: NetCDF: Malformed URL'
# and '... NetCDF: Unknown file format')
expect_rc empty-name 2 "esuite: error: school-metrics: empty FILE.nc name" "$ESUITE" school-metrics ''
: > empty.nc
expect_rc empty-file 2 "esuite: error: empty.nc: empty file (0 bytes), not a NetCDF file" "$ESUITE" school-metrics --json empty.nc
# a directory is named as one (it was 'cannot open as NetCDF: NetCDF: Unknown file format'); a
# run's directory points at its school.nc
mkdir plain
expect_fail directory "error: plain: is a directory, not a NetCDF file" "$ESUITE" school-metrics plain
expect_fail run-directory "error: run/: is a directory, not a NetCDF file (its run's output: esuite school-metrics run/school.nc)" \
  "$ESUITE" school-metrics run/
# a table that cannot be written (a full disc) is an error, exit status 2; it was exit 0
for form in "" --json; do
  "$ESUITE" school-metrics $form run/school.nc > /dev/full 2> full.err
  rc=$?
  expect_num "full-disc-rc${form}" "$rc" 2 0
  what=table; [ -n "$form" ] && what=JSON
  expect_true "full-disc-message${form}" grep -qx "esuite: error: run/school.nc: cannot write its $what to standard output: No space left on device" full.err
done
finish
