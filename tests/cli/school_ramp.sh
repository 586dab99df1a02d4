# [ramp] from the command line: bad input → one message naming file, line and
# key, nonzero exit, no output directory contents; a short ramp run writes
# school.nc and a summary whose holds follow the plan (values up, then down).
. "$(dirname "$0")/lib.bash"
cd "$TMP"
base='[run]
model = school
[school]
mode = couzin2002
n_fish = 20
box_size = 50
init = sphere
init_size = 3
entropy = false
save_interval = 10
[ramp]'
printf '%s\nparameter = dr_orientation\nvalues = 0, -2\n' "$base" > neg.ini
expect_fail ramp-negative "neg.ini:13: key 'ramp.values': value -2 is negative" "$ESUITE" run neg.ini --output neg
expect_true ramp-negative-no-output test ! -e neg/summary.json -a ! -e neg/school.nc
printf '%s\nparameter = dr_orientation\nfrom = 1\nto = 0\n' "$base" > desc.ini
expect_fail ramp-descending "desc.ini:14: key 'ramp.to': 0 is below ramp.from = 1" "$ESUITE" run desc.ini --output desc
printf '%s\nparameter = noise\nhold_steps = 100\naverage_steps = 200\n' "$base" > win.ini
expect_fail ramp-window "win.ini:14: key 'ramp.average_steps': 200 exceeds ramp.hold_steps = 100" \
  "$ESUITE" run win.ini --output win
printf '%s\nparameter = sigma\n' "$base" > enum.ini
expect_fail ramp-enum "enum.ini:12: key 'ramp.parameter': 'sigma' is not a valid choice" "$ESUITE" run enum.ini --output enum
printf '%s\nparameter = noise\nvalues = 0.1, 0.3\n' "$base" | sed 's/^entropy = false/n_steps = 50/' > nsteps.ini
expect_fail ramp-n-steps "nsteps.ini:9: key 'school.n_steps': not used by a ramp run" "$ESUITE" run nsteps.ini --output nsteps
# a valid ramp: 2 values up and back = 4 holds of 40 steps, frames every 10 steps
printf '%s\nparameter = noise\nvalues = 0.05, 0.3\nhold_steps = 40\nsample_every = 2\nplots = false\n' "$base" > ok.ini
"$ESUITE" run ok.ini --output ok --quiet 2> ok.err
expect_true ramp-ok-files test -s ok/school.nc -a -s ok/summary.json
sum=$(tr -d '\n ' < ok/summary.json)
expect_num ramp-ok-steps "$(json_get "$sum" n_steps)" 160 0
vals=$(printf '%s' "$sum" | grep -o '"value":[-0-9.eE+]*' | sed 's/.*://' | tr '\n' ' ')
expect_true ramp-ok-plan test "$vals" = "0.050000000000000003 0.29999999999999999 0.29999999999999999 0.050000000000000003 "
finish
