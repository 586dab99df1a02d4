# A stop signal that arrives after the integration, during the in-situ analysis (64 logistic
# series of 30000 points with H(ℓ), C(ℓ) curves up to ℓ = 3000: the maps take milliseconds, the
# curves seconds), stops the run there with exit 3, a checkpoint of all 64 series and no
# orbits.h5 or summary.json; it used to be acted on only after the analysis and the output.
# The resumed run's summary equals an uninterrupted run's (only provenance and timing differ).
. "$(dirname "$0")/lib.bash"
cd "$TMP"
printf '[run]\nmodel = orbits\n[orbits]\nsystem = logistic\nmap_r = 4\nmap_length = 30000\nn_orbits = 64\ncurve_max_delay = 3000\n' > a.ini
"$ESUITE" run a.ini --output ref --quiet 2> /dev/null
"$ESUITE" run a.ini --output cut --quiet 2> cut.err &
pid=$!
for i in $(seq 100); do [ -d cut ] && break; sleep 0.05; done
sleep 0.7
kill -USR1 "$pid"
wait "$pid"
expect_num stop-rc $? 3 0
expect_true stop-message grep -q "^esuite: error: orbits: interrupted by signal 10 in the analysis, after all 64 orbits were integrated (checkpoint written); continue with 'esuite run --resume cut'$" cut.err
expect_true stop-checkpoint test -f cut/checkpoint.esck
expect_true stop-no-output test ! -e cut/orbits.h5 -a ! -e cut/summary.json
"$ESUITE" run --resume cut --quiet 2> /dev/null
expect_num resume-rc $? 0 0
expect_true resume-checkpoint-removed test ! -e cut/checkpoint.esck
strip() { sed -n '/"provenance"/q;p' "$1" | grep -v '"seconds"'; }
expect_true resume-summary-identical cmp -s <(strip ref/summary.json) <(strip cut/summary.json)
expect_num resume-analysed "$(grep -c '"analysed": 64' cut/summary.json)" 1 0
finish
