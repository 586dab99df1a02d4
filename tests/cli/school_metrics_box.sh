# esuite school-metrics and the box: periodic metrics need every coordinate in [0, L]. A wrong
# --box, or an open-space couzin2002 file read without --open, used to give other numbers
# silently (k-NN images, the depth histogram); now one error names frame, fish and coordinate.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
if ! "$ESUITE" info | grep '^models:' | grep -qw school || "$ESUITE" info | grep -q 'school (not'; then
  echo "school model not built: skipped"; exit 77
fi
printf '[run]\nmodel = school\nseed = 11\n[school]\nn_fish = 60\nbox_size = 15\nn_steps = 20\nsave_interval = 10\nmetrics_every = 10\n' > dk.ini
"$ESUITE" run dk.ini --output dk --quiet
"$ESUITE" school-metrics dk/school.nc > own.txt 2> own.err
expect_num own-box-rc $? 0 0
expect_num own-box-rows "$(grep -vc '^#' own.txt)" 3 0
expect_num own-box-no-warning "$(wc -c < own.err)" 0 0
x=$("$ESUITE" school-metrics --json dk/school.nc | grep -o '"polarization":\[[-0-9.eE+]*' | sed 's/.*\[//')
expect_true own-box-polarization test -n "$x"
# the table's numbers are the run's: its last row's P is the summary's final polarization (as
# for couzin2002 below), and its first the --json array's first
p_tab=$(tail -1 own.txt | awk '{ print $2 }')
p_sum=$(sed -n '/"polarization": {/,/}/p' dk/summary.json | json_get "$(cat)" final)
expect_num own-box-final-P "$p_tab" "$p_sum" 1e-9
expect_num own-box-first-P "$(grep -v '^#' own.txt | head -1 | awk '{ print $2 }')" "$x" 1e-9
# a box smaller than the positions: an error (the positions reach beyond 5 in a 15 box)
expect_fail small-box "dk/school.nc: frame 0: fish" "$ESUITE" school-metrics --box 5 dk/school.nc
"$ESUITE" school-metrics --box 5 dk/school.nc 2>&1 >/dev/null | grep -q "outside the periodic box \[0, 5\] of --box (pass the file's box, or --open for open space)"
expect_true small-box-message test $? -eq 0
# a larger box passes the check but is named in a warning
"$ESUITE" school-metrics --box 1000 dk/school.nc > big.txt 2> big.err
expect_num big-box-rc $? 0 0
expect_true big-box-warning grep -qx "esuite: warning: dk/school.nc: --box 1000 differs from the file's box_size = 15" big.err
# couzin2002: the school swims out of [0, L]; periodic metrics refuse, --open reads it
printf '[run]\nmodel = school\nseed = 11\n[school]\nmode = couzin2002\nn_fish = 60\nbox_size = 15\nn_steps = 300\nsave_interval = 100\nmetrics_every = 100\n' > cz.ini
"$ESUITE" run cz.ini --output cz --quiet
expect_fail couzin-without-open "(an open-space couzin2002 file needs --open)" "$ESUITE" school-metrics cz/school.nc
p_open=$("$ESUITE" school-metrics --open cz/school.nc | tail -1 | awk '{ print $2 }')
p_run=$(sed -n '/"polarization": {/,/}/p' cz/summary.json | json_get "$(cat)" final)
expect_num couzin-open-final-P "$p_open" "$p_run" 1e-9
# --periodic-centroid belongs to the periodic box, as periodic_centroid = true to dewi-kadita runs
expect_fail open-periodic-centroid "school-metrics: --periodic-centroid (a circular mean over the periodic box) has no meaning with --open (open space)" \
  "$ESUITE" school-metrics --open --periodic-centroid cz/school.nc
finish
