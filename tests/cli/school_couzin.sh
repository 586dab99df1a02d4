# couzin2002 runs from the command line: [ramp] and init = file. Bad input →
# one message naming file, line and key, nonzero exit, no output; a short
# ramp run writes school.nc and a summary whose holds follow the plan (values
# up, then down); a run started from its final frame starts where it ended.
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
# --check says what the run will be: 4 holds x 40 steps = 160 steps of 20 fish (3200 fish-steps),
# 160/10 + 1 = 17 frames of positions and velocities, 17 x 20 x 6 doubles = 16320 bytes
"$ESUITE" run ok.ini --check > okcheck.out
expect_true ramp-check-holds grep -qx 'school: ramp of noise over 4 holds of 40 steps' okcheck.out
expect_true ramp-check-steps grep -qx 'school: 20 fish, mode couzin2002, 160 steps of dt = 0.1 (t = 0 .. 16), 3200 fish-steps' okcheck.out
expect_true ramp-check-frames grep -qx 'school: 17 frames (every 10 steps); positions and velocities 0.01632 MB uncompressed' okcheck.out
if command -v ncdump > /dev/null; then
  expect_num ramp-check-frames-file "$(ncdump -h ok/school.nc | sed -n 's/^\t*time = \([0-9]*\) ;.*/\1/p')" 17 0
fi
expect_true ramp-check-metrics-only grep -qx 'school: 17 frames of metrics (every 10 steps), no positions or velocities' \
  <("$ESUITE" run ok.ini --check --set school.metrics_only=true)
# a plain run ends at its last saved frame: n_steps = 52, save_interval = 5 makes 50 steps
# (t = 0 .. 5, 11 frames); --check used to say '52 steps of dt = 0.1 (t = 0 .. 5.2), 1040 fish-steps'
printf '[run]\nmodel = school\n[school]\nn_fish = 20\nentropy = false\nn_steps = 52\nsave_interval = 5\nmetrics_every = 5\n' > plain52.ini
"$ESUITE" run plain52.ini --check > plain52.out
expect_true plain-check-steps-made grep -qx 'school: 20 fish, mode dewi-kadita, 50 steps of dt = 0.1 (t = 0 .. 5), 1000 fish-steps (n_steps = 52: the run ends at the last saved frame)' plain52.out
expect_true plain-check-frames grep -qx 'school: 11 frames (every 5 steps); positions and velocities 0.01056 MB uncompressed' plain52.out
# frames sparser than the whole ramp (160 steps) would record t = 0 only: an error, as in a plain run
expect_fail ramp-save-interval-too-long "key 'school.save_interval': save_interval = 200 exceeds the ramp's 160 steps (holds × ramp.hold_steps): only the frame at step 0 would be recorded" \
  "$ESUITE" run ok.ini --check --set school.save_interval=200
expect_true ramp-save-interval-whole-ramp "$ESUITE" run ok.ini --check --set school.save_interval=160
# a ramp makes every step of its holds, so save_interval must divide them: 160 steps with
# frames every 15 steps ran and saved frames up to step 150 only (t = 0 .. 15), the final
# state of step 160 was lost (an init = file chain started from step 150)
printf '%s\nparameter = noise\nvalues = 0.05, 0.3\nhold_steps = 40\nsample_every = 2\nplots = false\n' "$base" |
  sed 's/^save_interval = 10/save_interval = 15/' > odd.ini
expect_fail ramp-save-interval-divides "odd.ini:14: key 'ramp.hold_steps': save_interval = 15 does not divide the ramp's 160 steps (4 holds × ramp.hold_steps = 40): its last frame would be step 150, and the final state (step 160) would not be in school.nc; make ramp.hold_steps a multiple of save_interval" \
  "$ESUITE" run odd.ini --output odd
expect_true ramp-save-interval-divides-no-output test ! -e odd/school.nc -a ! -e odd/summary.json
expect_fail ramp-save-interval-divides-set "--set school.save_interval=15: key 'school.save_interval': save_interval = 15 does not divide" \
  "$ESUITE" run ok.ini --check --set school.save_interval=15
# 160 steps with frames every 20: the last frame is the final state (t = 16)
expect_true ramp-check-steps-all grep -qx 'school: 20 fish, mode couzin2002, 160 steps of dt = 0.1 (t = 0 .. 16), 3200 fish-steps' \
  <("$ESUITE" run ok.ini --check --set school.save_interval=20)
if command -v ncdump > /dev/null; then
  "$ESUITE" run ok.ini --output ok20 --quiet --set school.save_interval=20 2> ok20.err
  expect_true ramp-last-frame-final test "$(ncdump -v time ok20/school.nc | tr -d ' \n' | sed 's/.*time=//')" = "0,2,4,6,8,10,12,14,16;}"
fi
# a sweep over the ramp config: every task runs its resolved config, which lists
# every key with its default (n_steps, values = 0 next to from/to/step): not errors
printf '[sweep]\nbase = ok.ini\nname = rs\nmode = cartesian\nreplicas = 1\nvary school.noise = 0.05:0.1:0.05\n' > rs.ini
"$ESUITE" sweep rs.ini --scheduler local --jobs 1 --dir rs --quiet 2> rs.err
expect_true ramp-sweep-tasks test -s rs/tasks/0000/out/summary.json -a -s rs/tasks/0001/out/summary.json
holds=$(tr -d '\n ' < rs/tasks/0001/out/summary.json | grep -o '"direction":' | grep -c '')
expect_num ramp-sweep-holds "$holds" 4 0
# the [school] value of the ramped key is replaced by the ramp's values: given (not at its
# default) and unlike the first value, a warning names its line (before: not a word); the
# same value as the ramp's first, or the key's default, gives none
printf '%s\nparameter = dr_orientation\nvalues = 0, 1\nhold_steps = 40\nsample_every = 2\nplots = false\n' "$base" |
  sed 's/^init_size = 3/init_size = 3\ndr_orientation = 3/' > over.ini
"$ESUITE" run over.ini --output over --quiet 2> over.err
expect_true ramp-override-warning grep -qx "esuite: warning: over.ini:9: key 'school.dr_orientation': dr_orientation = 3 is replaced by the \[ramp\] values hold by hold (first value 0); it only sets the Δr_a the ramp keeps, r_attraction − r_r − dr_orientation = 6 (give dr_attraction to set Δr_a)" over.err
expect_num ramp-override-warning-once "$(grep -c '' over.err)" 1 0
# --check warns as the run would, before it starts (it printed no warning)
"$ESUITE" run over.ini --check > over-check.out 2> over-check.err
expect_true ramp-override-warning-check grep -qx "esuite: warning: over.ini:9: key 'school.dr_orientation': dr_orientation = 3 is replaced by the \[ramp\] values hold by hold (first value 0); it only sets the Δr_a the ramp keeps, r_attraction − r_r − dr_orientation = 6 (give dr_attraction to set Δr_a)" over-check.err
"$ESUITE" run over.ini --output over2 --quiet --set school.dr_attraction=7 --set school.dr_orientation=2 2> over2.err
expect_true ramp-override-warning-set grep -qx "esuite: warning: --set school.dr_orientation=2: key 'school.dr_orientation': dr_orientation = 2 is replaced by the \[ramp\] values hold by hold (first value 0)" over2.err
"$ESUITE" run over.ini --output over3 --quiet --set school.dr_orientation=0 2> over3.err
expect_true ramp-override-same-silent test ! -s over3.err -a -s over3/summary.json
"$ESUITE" run ok.ini --output over4 --quiet --set school.noise=0.1 2> over4.err
expect_true ramp-override-default-silent test ! -s over4.err -a -s over4/summary.json
# configs/school_couzin_hysteresis.ini: dr_orientation = 0 and a ramp from 0 (shortened holds)
"$ESUITE" run "$ES_SOURCE_DIR/configs/school_couzin_hysteresis.ini" --output hyst --quiet \
  --set ramp.hold_steps=20 --set ramp.average_steps=10 --set school.save_interval=20 --set ramp.plots=false 2> hyst.err
expect_true ramp-override-hysteresis-silent test ! -s hyst.err -a -s hyst/summary.json
# SIGTERM stops a ramp after writing a checkpoint: exit status 3 ("resume"), a message
# naming the signal, step and hold, and no school.nc or summary.json (resumed:
# tests/cli/school_ramp_resume.sh)
printf '%s\nparameter = noise\nvalues = 0.05, 0.3\nhold_steps = 1000000\nplots = false\n' "$base" > long.ini
"$ESUITE" run long.ini --output long --quiet 2> long.err &
pid=$!
for i in $(seq 100); do [ -n "$(ls -A long 2>/dev/null)" ] && break; sleep 0.1; done # running
sleep 0.2
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
expect_num ramp-signal-exit "$rc" 3 0
expect_true ramp-signal-message grep -q "school ramp: interrupted by signal 15 at step [0-9]* of 4000000, hold 1 of 4 (checkpoint written); continue with 'esuite run --resume long'" long.err
expect_true ramp-signal-checkpoint test -s long/checkpoint.esck
expect_true ramp-signal-no-output test ! -e long/school.nc -a ! -e long/summary.json
# init = file (plain runs: metrics every frame)
plain() { printf '%s\n' "$base" | sed '$d' | sed 's/^save_interval = 10/save_interval = 10\nmetrics_every = 10/'; }
{ plain; printf '[ramp]\nvalues = 1, 2\n'; } > orphan.ini
expect_fail ramp-no-parameter "orphan.ini:13: key 'ramp.values': set, but ramp.parameter = none" \
  "$ESUITE" run orphan.ini --output orphan
expect_true ramp-no-parameter-no-output test ! -e orphan/summary.json -a ! -e orphan/school.nc
plain | sed 's/^init = sphere/init = file/' > nofile.ini
expect_fail init-no-file "nofile.ini:7: key 'school.init': init = file needs [school] init_file" \
  "$ESUITE" run nofile.ini --output nofile
plain | sed 's|^init = sphere|init = file\ninit_file = ok/school.nc|' |
  sed 's/^n_fish = 20/n_fish = 21/' > wrongn.ini
expect_fail init-wrong-n "wrongn.ini:8: key 'school.init_file': 'ok/school.nc' has 20 fish, [school] n_fish = 21" \
  "$ESUITE" run wrongn.ini --output wrongn
expect_true init-wrong-n-no-output test ! -e wrongn/summary.json
plain | sed 's|^init = sphere|init = file\ninit_file = ok/school.nc\nn_steps = 0|' > chain.ini
"$ESUITE" run chain.ini --output chain --quiet 2> chain.err
# the last frame of ok (after the way down) is frame 0 of chain: same P
p_ok=$("$ESUITE" school-metrics --open ok/school.nc | tail -1 | awk '{ print $2 }')
p_chain=$("$ESUITE" school-metrics --open chain/school.nc | tail -1 | awk '{ print $2 }')
expect_num init-chain-P "$p_chain" "$p_ok" 1e-9
finish
