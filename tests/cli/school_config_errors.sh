# esuite run on bad school configs, INI and flat reference format: one line naming
# file, line and key, a nonzero exit, and no run directory left behind.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
w() { printf '%b' "$2" > "$1"; }
# no_output NAME: the failed runs above wrote no outputs/ directory
no_output() { expect_true "$1: no output written" test ! -e outputs; }

# flat files: a line that is not key = value, comment or blank, at its own line
w case.txt '# Case\nn_fish = 20\n\nn_steps 5\nspeed = 1\n'
expect_fail flat-garbage-line "case.txt:4: malformed line 'n_steps 5' (expected 'key = value'" \
  "$ESUITE" run case.txt
# a duplicate key, at the flat file's line (not the translated INI text's)
w case.txt '# Case\nn_fish = 20\nspeed = 1\n# again\nn_fish = 30\n'
expect_fail flat-duplicate-key "case.txt:5: key 'n_fish' is given twice (first at line 2)" \
  "$ESUITE" run case.txt
# an error found after the translation also names the flat file's line
w case.txt '# Case\nscenario_name = z\nn_fish = 20\n\nr_repulsion = 6\n'
expect_fail flat-model-error "case.txt:5: key 'school.r_repulsion': zone radii must satisfy" \
  "$ESUITE" run case.txt
no_output flat
# integral-valued reals are integers in both formats (flat files used to refuse 'n_fish = 150.0');
# a fraction is refused with the same words and range in both
w case.txt 'n_fish = 150.0\nn_steps = 2\nseed = 42.0\n'
w same.ini '[run]\nmodel = school\nseed = 42.0\n[school]\nn_fish = 150.0\nn_steps = 2\n'
for f in case.txt same.ini; do
  "$ESUITE" run $f --output "int-$f" --quiet 2>/dev/null
  expect_num "integral-real-rc-$f" $? 0 0
  expect_num "integral-real-n_fish-$f" "$(json_get "$(tr -d '\n' < "int-$f/summary.json")" n_fish)" 150 0
done
w case.txt 'n_fish = 150.5\n'
expect_fail flat-fractional-int "case.txt:1: key 'n_fish': expected an integer, got '150.5' (allowed range 2 .. 100000000)" \
  "$ESUITE" run case.txt
w frac.ini '[run]\nmodel = school\n[school]\nn_fish = 150.5\n'
expect_fail ini-fractional-int "frac.ini:4: key 'school.n_fish': expected an integer, got '150.5' (allowed range 2 .. 100000000)" \
  "$ESUITE" run frac.ini

# school.noise_seed takes any 64-bit seed, as run.seed does; the limit prints exactly
w ns.ini '[run]\nmodel = school\n[school]\nnoise_seed = 9223372036854775808\n'
expect_fail noise-seed-range "ns.ini:4: key 'school.noise_seed': value 9223372036854775808 is out of range (allowed range -1 .. 9223372036854775807)" \
  "$ESUITE" run ns.ini
# cross-key checks name the later key and its line
w zones.ini '[run]\nmodel = school\n[school]\nr_attraction = 3\nn_fish = 10\nr_orientation = 4\n'
expect_fail zone-order "zones.ini:6: key 'school.r_orientation': zone radii must satisfy 0 < r_r < r_o <= r_a, got r_r = 1, r_o = 4, r_a = 3" \
  "$ESUITE" run zones.ini
# a negative zone width other than -1 ("not set") was ignored: dr_attraction = -0.5 ran with
# r_a = 15 (r_attraction), rc 0; now an error at its line
w width.ini '[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 2\ndr_attraction = -0.5\n'
expect_fail dr-attraction-negative "width.ini:6: key 'school.dr_attraction': dr_attraction = -0.5: a zone width must be >= 0 (-1: not set, r_attraction is used)" \
  "$ESUITE" run width.ini
w width2.ini '[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 2\ndr_orientation = -0.25\n'
expect_fail dr-orientation-negative "width2.ini:6: key 'school.dr_orientation': dr_orientation = -0.25: a zone width must be >= 0 (-1: not set, r_orientation is used)" \
  "$ESUITE" run width2.ini --check
w width3.ini '[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 2\ndr_orientation = -1\ndr_attraction = 0\n'
expect_true dr-unset-and-zero "$ESUITE" run width3.ini --check
w every.ini '[run]\nmodel = school\n[school]\nsave_interval = 3\nn_fish = 10\nmetrics_every = 4\n'
expect_fail metrics-every "every.ini:6: key 'school.metrics_every': metrics_every = 4 must be a multiple of save_interval = 3" \
  "$ESUITE" run every.ini
# without entropies metrics_every is not read: save_interval = 3 with its default 1 is no error
# (was 'metrics_every = 1 must be a multiple of save_interval = 3'); the run writes frames 0, 3, 6
w every2.ini '[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 6\nsave_interval = 3\nentropy = false\n'
expect_true metrics-every-unread-without-entropy "$ESUITE" run every2.ini --check
expect_true metrics-every-unread-run "$ESUITE" run every2.ini --output every2 --quiet
if command -v ncdump > /dev/null; then
  expect_true metrics-every-unread-frames test "$(ncdump -v time every2/school.nc | tr -d ' \n' | sed 's/.*time=//')" = "0,0.3,0.6;}"
fi
# a cadence beyond the run: only step 0 would be recorded (summary "final" = the initial state)
w late.ini '[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 50\nsave_interval = 5\nmetrics_every = 100\n'
expect_fail metrics-every-beyond-run "late.ini:7: key 'school.metrics_every': metrics_every = 100 exceeds n_steps = 50: the entropies and OSI would be computed at step 0 only" \
  "$ESUITE" run late.ini
w late2.ini '[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 50\nsave_interval = 60\nmetrics_every = 60\nentropy = false\n'
expect_fail save-interval-beyond-run "late2.ini:6: key 'school.save_interval': save_interval = 60 exceeds n_steps = 50: only the frame at step 0 would be recorded" \
  "$ESUITE" run late2.ini
w late3.ini '[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 50\nsave_interval = 5\nmetrics_every = 100\nentropy = false\n'
# without entropies metrics_every is not read: another value than save_interval silently did
# nothing (--check passed; the run wrote the polarization of metrics_every = 5, bit for bit)
expect_fail metrics-every-without-entropy "late3.ini:8: key 'school.entropy': metrics_every = 100 has no effect with entropy = false (it sets the cadence of the entropies and OSI; P and M are recorded at every saved frame, save_interval = 5)" \
  "$ESUITE" run late3.ini --output late3
expect_true metrics-every-without-entropy-no-output test ! -e late3
expect_fail metrics-every-without-entropy-set "--set school.metrics_every=7: key 'school.metrics_every': metrics_every = 7 has no effect with entropy = false" \
  "$ESUITE" run late3.ini --check --set school.metrics_every=7
# equal to save_interval it says what happens (configs/school_couzin_*.ini); a ramp refuses it itself
expect_true metrics-every-without-entropy-equal "$ESUITE" run late3.ini --check --set school.metrics_every=5
w zero.ini '[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 0\nsave_interval = 5\nmetrics_every = 100\n'
expect_true n-steps-zero-any-cadence "$ESUITE" run zero.ini --check
w numpy.ini '[run]\nmodel = school\nseed = 5000000000\n[school]\nn_fish = 10\ninit_rng = numpy\n'
expect_fail numpy-seed "numpy.ini:6: key 'school.init_rng': init_rng = numpy needs a seed in [0, 2^32-1], got 5000000000" \
  "$ESUITE" run numpy.ini
no_output cross-key

# a ramp value outside the range of the [school] key it sets (noise: 0 .. 10)
w ramp.ini '[run]\nmodel = school\n[school]\nmode = couzin2002\nn_fish = 10\nentropy = false\n[ramp]\nparameter = noise\nfrom = 0\nto = 12\nstep = 4\n'
expect_fail ramp-range "ramp.ini:10: key 'ramp.to': noise = 12 is outside the range of school.noise (0 .. 10)" \
  "$ESUITE" run ramp.ini
no_output ramp

# a key the selected mode does not read, given a value, is an error at its line
w inert.ini '[run]\nmodel = school\n[school]\nmode = couzin2002\nn_fish = 10\nblind_angle = 40\n'
expect_fail inert-blind-angle "inert.ini:6: key 'school.blind_angle': blind_angle = 40 has no effect with mode = couzin2002 (dewi-kadita only)" \
  "$ESUITE" run inert.ini
w inert2.ini '[run]\nmodel = school\n[school]\nn_fish = 10\nfov = 300\n'
expect_fail inert-fov "inert2.ini:5: key 'school.fov': fov = 300 has no effect with mode = dewi-kadita (couzin2002 only)" \
  "$ESUITE" run inert2.ini
expect_fail inert-set "--set school.periodic_centroid=true: key 'school.periodic_centroid': periodic_centroid = true has no effect with mode = couzin2002" \
  "$ESUITE" run inert2.ini --set school.mode=couzin2002 --set school.periodic_centroid=true
no_output inert
# init_size with init = box would be ignored: an error; the flat torus_radius
# without torus_init is ignored with a warning, as the reference does
w box.ini '[run]\nmodel = school\n[school]\nn_fish = 10\ninit = box\ninit_size = 5\n'
expect_fail init-size-box "box.ini:6: key 'school.init_size': init_size = 5 has no effect with init = box (sphere, cube and torus only)" \
  "$ESUITE" run box.ini
w radius.txt 'n_fish = 10\ntorus_radius = 5\nn_steps = 0\n'
"$ESUITE" run radius.txt --output radius --quiet 2> radius.err
expect_num flat-radius-runs $? 0 0
expect_true flat-radius-warning grep -qx "esuite: warning: radius.txt:2: torus_radius ignored without torus_init = true, as the reference does" radius.err
# a flat line over 4094 characters is an error at its own line (its tail was
# read as line 2: here the key 'xxx… n_fish')
{ printf '# %04092d\n' 0; printf '# %04093d n_fish = 5\n' 0; printf 'n_steps = 0\n'; } > long.txt
expect_fail flat-long-line "long.txt:2: line longer than 4094 characters" "$ESUITE" run long.txt
{ printf '# %04092d\n' 0; printf 'n_steps = 0\n'; } > long_ok.txt
expect_true flat-4094-characters "$ESUITE" run long_ok.txt --check
# a UTF-8 byte-order mark (Windows editors) is skipped, as the INI reader does:
# a flat file's first key and an INI file's first [section] are read as such
printf '\xef\xbb\xbfn_fish = 12\nn_steps = 0\n' > bom.txt
"$ESUITE" run bom.txt --output bom --quiet 2>/dev/null
expect_num flat-bom-n-fish "$(json_get "$(tr -d '\n' < bom/summary.json)" n_fish)" 12 0
printf '\xef\xbb\xbf[run]\nmodel = school\n' > bom.ini
expect_true ini-bom-one-section "$ESUITE" run bom.ini --check
finish
