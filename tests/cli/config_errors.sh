# esuite run: every class of bad config input gives one clear line and a nonzero exit,
# and leaves no output directory behind.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
w() { printf '%b' "$2" > "$1"; }

w unknown_model.ini '[run]\nmodel = plasma\n'
expect_fail unknown-model "unknown_model.ini:2: key 'run.model': 'plasma' is not a valid choice (allowed: gas|school|orbits)" \
  "$ESUITE" run unknown_model.ini
w typo_key.ini '[run]\nmodel = gas\nsede = 4\n'
expect_fail unknown-key "typo_key.ini:3: unknown key 'run.sede' (did you mean 'run.seed'?)" "$ESUITE" run typo_key.ini
w typo_section.ini '[runn]\nmodel = gas\n'
expect_fail unknown-section "typo_section.ini:1: unknown section [runn] (did you mean [run]?)" "$ESUITE" run typo_section.ini
# an unknown section without keys is an error too (it was accepted: only key lines were checked)
w empty_section.ini '[run]\nmodel = orbits\n[orbit]\n[orbits]\nsystem = logistic\n'
expect_fail unknown-empty-section "empty_section.ini:3: unknown section [orbit] (did you mean [orbits]?)" \
  "$ESUITE" run empty_section.ini --check
w other_model_section.ini '[run]\nmodel = orbits\n[orbits]\nsystem = logistic\n[gas]\n'
expect_fail other-model-empty-section "other_model_section.ini:5: unknown section [gas]" \
  "$ESUITE" run other_model_section.ini --check
w malformed.ini '[run]\nmodel = gas\nthreads 4\n'
expect_fail malformed-line "malformed.ini:3: malformed line" "$ESUITE" run malformed.ini
w wrong_type.ini '[run]\nmodel = gas\nthreads = four\n'
expect_fail wrong-type "wrong_type.ini:3: key 'run.threads': expected an integer, got 'four' (allowed range 0 .. 4096)" \
  "$ESUITE" run wrong_type.ini
w range.ini '[run]\nmodel = gas\nthreads = 100000\n'
expect_fail out-of-range "range.ini:3: key 'run.threads': value 100000 is out of range (allowed range 0 .. 4096)" \
  "$ESUITE" run range.ini
# integer ranges print as exact integers (the seed's limit printed as 9.2e+18, 1e12 as 1e+12)
w seed_range.ini '[run]\nmodel = gas\nseed = 9223372036854775808\n'
expect_fail seed-out-of-range "seed_range.ini:3: key 'run.seed': value 9223372036854775808 is out of range (allowed range 0 .. 9223372036854775807)" \
  "$ESUITE" run seed_range.ini --output seed_range
expect_true "no run directory after the seed error" test ! -e seed_range
w seed_max.ini '[run]\nmodel = gas\nseed = 9223372036854775807\n[gas]\nN = 300\nsamples = 2\n'
expect_true "the largest seed is valid" "$ESUITE" run seed_max.ini --check
w steps_range.ini '[run]\nmodel = school\n[school]\nn_steps = 1000000000001\n'
expect_fail steps-out-of-range "steps_range.ini:4: key 'school.n_steps': value 1000000000001 is out of range (allowed range 0 .. 1000000000000)" \
  "$ESUITE" run steps_range.ini
expect_fail gas-N-out-of-range "--set gas.N=5.1e7: key 'gas.N': value 5.1e7 is out of range (allowed range 0 .. 50000000)" \
  "$ESUITE" run seed_max.ini --set gas.N=5.1e7
expect_fail missing-file "nope.ini: cannot open config file: No such file or directory" "$ESUITE" run nope.ini
w ok.ini '[run]\nmodel = gas\n'
expect_fail bad-set "--set run.thread=2: unknown key 'run.thread' (did you mean 'run.threads'?)" \
  "$ESUITE" run ok.ini --set run.thread=2
expect_fail bad-threads "--threads: key 'run.threads': value -3 is out of range (allowed range 0 .. 4096)" \
  "$ESUITE" run ok.ini --threads -3
expect_fail bad-checkpoint-interval "key 'output.checkpoint_interval': value -5 is out of range (allowed range 0 .. 10000000)" \
  "$ESUITE" run ok.ini --set output.checkpoint_interval=-5
expect_fail resume-with-config "--resume DIR takes no CONFIG" "$ESUITE" run --resume somewhere ok.ini
expect_fail resume-missing-dir "nowhere" "$ESUITE" run --resume nowhere
expect_fail no-config "run: missing CONFIG file" "$ESUITE" run
expect_fail unknown-option "run: unknown option '--frobnicate'" "$ESUITE" run ok.ini --frobnicate
expect_fail unknown-command "unknown command 'rnu'" "$ESUITE" rnu
w bad_header.ini '[run]\nmodel = gas\n[gas\nN = 500\n'
expect_fail malformed-section-header "bad_header.ini:3: malformed section header '[gas' (expected '[section]')" \
  "$ESUITE" run bad_header.ini
mkdir -p dir.ini
expect_fail config-is-directory "dir.ini: cannot read config file: it is a directory" "$ESUITE" run dir.ini
# semantic errors found after loading also name the file, the line and the key
w one_disc.ini '[run]\nmodel = gas\n[gas]\nN = 1\nequilibration_collisions = 5\n'
expect_fail one-disc "one_disc.ini:5: key 'gas.equilibration_collisions': equilibration_collisions = 5 needs collisions, and a single disc (N = 1) has no other disc to collide with; give N >= 2, or equilibration_collisions = 0" \
  "$ESUITE" run one_disc.ini
# with the default equilibration_collisions (no line) the N = 1 that made it fail is named
w one_disc2.ini '[run]\nmodel = gas\n[gas]\npacking_fraction = 0.02\nN = 1\n'
expect_fail one-disc-default-equilibration "one_disc2.ini:5: key 'gas.N': equilibration_collisions = 10 needs collisions" \
  "$ESUITE" run one_disc2.ini --check
# one disc has no mean free path: a Knudsen number cannot give its box (N given, or derived)
w one_disc_kn.ini '[run]\nmodel = gas\n[gas]\nN = 1\npacking_fraction = 0\nknudsen = 0.5\nequilibration_collisions = 0\n'
expect_fail one-disc-knudsen "one_disc_kn.ini:6: key 'gas.knudsen': gas box: knudsen = 0.5 needs N >= 2: a single disc never collides, so it has no mean free path and no box gives it a Knudsen number; give N >= 2, or packing_fraction instead of knudsen" \
  "$ESUITE" run one_disc_kn.ini --check
w one_disc_kn2.ini '[run]\nmodel = gas\n[gas]\nN = 0\nequilibration_collisions = 0\nknudsen = 2.2\n'
expect_fail derived-one-disc-knudsen "one_disc_kn2.ini:6: key 'gas.knudsen': gas box: packing_fraction 0.01 and knudsen 2.2 give 0.983 discs; a Knudsen number needs N >= 2 (a single disc never collides, so it has no mean free path)" \
  "$ESUITE" run one_disc_kn2.ini --check
w huge_n.ini '[run]\nmodel = gas\n[gas]\nN = 0\nknudsen = 2e-4\n'
expect_fail derived-n-too-large "huge_n.ini:5: key 'gas.knudsen': packing_fraction = 0.01 and knudsen = 0.0002 give N =" \
  "$ESUITE" run huge_n.ini
w huger_n.ini '[run]\nmodel = gas\n[gas]\nN = 0\nknudsen = 1e-12\n'
expect_fail derived-n-beyond-engine "huger_n.ini:5: key 'gas.knudsen': gas box: packing_fraction 0.01 and knudsen 1e-12 give 4.76e+24 discs, more than the engine holds" \
  "$ESUITE" run huger_n.ini
w two_of_three.ini '[run]\nmodel = gas\n[gas]\nN = 500\nknudsen = 0.5\n'
expect_fail three-box-keys "two_of_three.ini:5: key 'gas.knudsen': gas box: give exactly two of N" \
  "$ESUITE" run two_of_three.ini
# the third value came from the default, not the file: the message says where it came from
expect_fail three-box-keys-default "two_of_three.ini:5: key 'gas.knudsen': gas box: give exactly two of N (500), packing_fraction (0.01) and knudsen (0.5); the others must be 0 (packing_fraction is 0.01 by default: set packing_fraction = 0 to give the box by the other two)" \
  "$ESUITE" run two_of_three.ini --check
expect_true three-box-keys-default-fixed "$ESUITE" run two_of_three.ini --check --set gas.packing_fraction=0
w two_of_three_n.ini '[run]\nmodel = gas\n[gas]\npacking_fraction = 0.02\nknudsen = 0.5\n'
expect_fail three-box-keys-default-n "two_of_three_n.ini:5: key 'gas.knudsen': gas box: give exactly two of N (2000), packing_fraction (0.02) and knudsen (0.5); the others must be 0 (N is 2000 by default: set N = 0 to give the box by the other two)" \
  "$ESUITE" run two_of_three_n.ini --check
# a positive diameter so small that squares of lengths underflow: 1e-300 hung in the
# equilibration, 1e-160 drifted the energy by 1e-3; refused at --check, naming the key
w tiny_disc.ini '[run]\nmodel = gas\n[gas]\nN = 300\ndiameter = 1e-160\n'
expect_fail tiny-diameter "tiny_disc.ini:5: key 'gas.diameter': diameter = 1e-160 is below 1e-100: squares of lengths this small underflow double precision, and collisions are missed; give diameter >= 1e-100 (diameter 1 in a box scaled to match is the same gas in other units), or 0 for a collisionless gas" \
  "$ESUITE" run tiny_disc.ini --check
expect_fail tiny-diameter-run "tiny_disc.ini:5: key 'gas.diameter': diameter = 1e-160 is below 1e-100" \
  "$ESUITE" run tiny_disc.ini --output tiny_out --quiet
expect_true tiny-diameter-no-dir test ! -e tiny_out
expect_true smallest-diameter "$ESUITE" run tiny_disc.ini --check --set gas.diameter=1e-100
# an explicit box side so small that its cell widths' reciprocals overflow (lx = 1e-310 ran and
# wrote infinite densities) is refused like a tiny diameter
w tiny_box.ini '[run]\nmodel = gas\n[gas]\nN = 10\ndiameter = 0\nlx = 1e-310\nly = 1\nequilibration_collisions = 0\n'
expect_fail tiny-box "tiny_box.ini:6: key 'gas.lx': lx = 1e-310 is below 1e-100: cells of such a box have widths whose reciprocals overflow double precision; give lx, ly >= 1e-100 (and lengths in larger units)" \
  "$ESUITE" run tiny_box.ini --check
expect_fail tiny-box-ly "--set gas.ly=1e-200: key 'gas.ly': ly = 1e-200 is below 1e-100" \
  "$ESUITE" run tiny_box.ini --check --set gas.lx=1 --set gas.ly=1e-200
# --check: the same checks as a run, nothing written
w check_ok.ini '[run]\nmodel = gas\noutput_dir = chk_out\n[gas]\nN = 500\npacking_fraction = 0.05\n'
expect_num check-ok-rc "$("$ESUITE" run check_ok.ini --check >check.txt 2>&1; echo $?)" 0 0
expect_true check-ok-says grep -qx 'check_ok.ini: valid gas config' check.txt
expect_fail check-cross-key "two_of_three.ini:5: key 'gas.knudsen': gas box: give exactly two of N" \
  "$ESUITE" run two_of_three.ini --check
expect_fail check-override "--set gas.packing_fraction=2: key 'gas.packing_fraction'" \
  "$ESUITE" run check_ok.ini --check --set gas.packing_fraction=2
expect_true check-nothing-written test ! -e chk_out
expect_fail check-with-resume "run: --resume DIR takes no CONFIG, --set, --output or --check" \
  "$ESUITE" run --resume chk_out --check
expect_fail check-unknown-option "run: unknown option '--checks'" "$ESUITE" run check_ok.ini --checks
w times.ini '[run]\nmodel = gas\n[gas]\nsampling = list\ntimes = 5, 1, 3\n'
expect_fail times-decreasing "times.ini:5: key 'gas.times': the list must be increasing (1 after 5)" \
  "$ESUITE" run times.ini
# t = 0 (always sampled) may open the list, but a repeated or late 0 is an error, not dropped
w times0.ini '[run]\nmodel = gas\n[gas]\nsampling = list\ntimes = 0, 0, 1\n'
expect_fail times-repeated-zero "times0.ini:5: key 'gas.times': the list must be increasing (0 after 0)" \
  "$ESUITE" run times0.ini --check
w times1.ini '[run]\nmodel = gas\n[gas]\nsampling = list\ntimes = 1, 0, 2\n'
expect_fail times-late-zero "times1.ini:5: key 'gas.times': the list must be increasing (0 after 1)" \
  "$ESUITE" run times1.ini --check
w times2.ini '[run]\nmodel = gas\n[gas]\nN = 200\nsampling = list\ntimes = 0, 0.5, 1\n'
expect_true times-leading-zero-ok "$ESUITE" run times2.ini --check
w no_key.ini '[run]\nmodel = gas\n= 4\n'
expect_fail malformed-no-key "no_key.ini:3: malformed line: no key before '='" "$ESUITE" run no_key.ini
# a packing below the densest one but beyond what random insertion reaches is refused by
# --check and by the run, naming the key that set the density (the run used to fail in the
# insertion: 'realization 0: impossible packing: placed ...'), and leaves no run directory
w packing.ini '[run]\nmodel = gas\n[gas]\nN = 60\nlx = 10\nly = 10\n'
packing_msg="packing.ini:6: key 'gas.ly': gas: impossible packing: 60 discs of diameter 1 (packing fraction 0.9425) would cover 0.9425 of the 5 x 10 their bodies can reach less sigma/2 at each wall, more than the 0.4813 = 0.52 - 0.3/sqrt(N) that random sequential insertion reaches (discs jam at 0.547, and its 100000 tries a disc gave out at 0.526 for N = 10^6; docs/gas.md)"
expect_fail impossible-packing-insertion-check "$packing_msg" "$ESUITE" run packing.ini --check
expect_fail impossible-packing "$packing_msg" "$ESUITE" run packing.ini --output packing_run --quiet
expect_true packing-run-dir-removed test ! -e packing_run
# a fully periodic box at packing_fraction 0.54 passed --check, and then insertion stopped at
# 0.537 ('placed 995 of 1000 discs'): 0.54 is beyond the key's limit, 0.52
w periodic54.ini '[run]\nmodel = gas\n[gas]\nbox = periodic\nN = 1000\npacking_fraction = 0.54\n'
expect_fail periodic-eta-054 "periodic54.ini:6: key 'gas.packing_fraction': value 0.54 is out of range (allowed range 0 .. 0.52)" \
  "$ESUITE" run periodic54.ini --check
# just above the limit for N = 200, 0.52 - 0.3/sqrt(200) = 0.4988 (few discs jam earlier) ...
w periodic50.ini '[run]\nmodel = gas\n[gas]\nbox = periodic\nN = 200\npacking_fraction = 0.5\n'
expect_fail periodic-eta-above-limit "periodic50.ini:6: key 'gas.packing_fraction': gas: impossible packing: 200 discs of diameter 1 (packing fraction 0.5) would cover 0.5 of the 17.7245 x 17.7245 periodic box, more than the 0.4988 = 0.52 - 0.3/sqrt(N) that random sequential insertion reaches (discs jam at 0.547, and its 100000 tries a disc gave out at 0.526 for N = 10^6; docs/gas.md)" \
  "$ESUITE" run periodic50.ini --check
# ... and just below it prepared and run (60 seeds of it were, at 100000 tries a disc)
w periodic498.ini '[run]\nmodel = gas\n[gas]\nbox = periodic\nN = 200\npacking_fraction = 0.498\nequilibration_collisions = 1\nsampling = linear\nt_end = 0.1\nsamples = 1\nplots = false\n[entropy]\ndx = 0.5\n'
"$ESUITE" run periodic498.ini --output p498 --quiet 2>p498.err
expect_true "periodic N = 200 at 0.498 runs ($(cat p498.err))" \
  grep -q '"eta": 0.4979999' p498/summary.json
expect_true "all 200 discs placed" grep -q '"N": 200,' p498/summary.json
# more disc area than the densest packing of the region allows: found by --check too (it said
# 'valid gas config' for 1000 discs in a 5 x 10 left half)
w packing2.ini '[run]\nmodel = gas\n[gas]\nN = 1000\nlx = 10\nly = 10\n'
expect_fail impossible-packing-check "packing2.ini:6: key 'gas.ly': gas: impossible packing: 1000 discs of diameter 1 (packing fraction 15.71) would cover 13.09 of the 6 x 10 their bodies can reach at t = 0, more than the densest packing pi/(2 sqrt 3) = 0.9069 allows" \
  "$ESUITE" run packing2.ini --check
# orbits: errors of the [orbits] keys found when the run starts name file, line and key too
w orb_term.ini '[run]\nmodel = orbits\n[orbits]\nsystem = potential\npotential = plumer\n'
expect_fail orbits-potential-term "orb_term.ini:5: key 'orbits.potential': unknown term 'plumer'" \
  "$ESUITE" run orb_term.ini --output orb_run --quiet
w orb_obs.ini '[run]\nmodel = orbits\n[orbits]\nobservables = x, q\n'
expect_fail orbits-observable "orb_obs.ini:4: key 'orbits.observables': unknown observable 'q'" \
  "$ESUITE" run orb_obs.ini --output orb_run --quiet
# an empty list element was skipped silently ('valid orbits config' for x,,z and plummer++nfw)
w orb_obs_empty.ini '[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\nobservables = x,,y\n'
expect_fail orbits-observable-empty "orb_obs_empty.ini:5: key 'orbits.observables': element 2 of 'x,,y' is empty" \
  "$ESUITE" run orb_obs_empty.ini --check
w orb_term_empty.ini '[run]\nmodel = orbits\n[orbits]\nsystem = potential\npotential = plummer + + nfw\n'
expect_fail orbits-potential-term-empty "orb_term_empty.ini:5: key 'orbits.potential': term 2 of 'plummer + + nfw' is empty" \
  "$ESUITE" run orb_term_empty.ini --check
w orb_lf.ini '[run]\nmodel = orbits\n[orbits]\nsystem = lorenz\nobservables = x\n'
expect_fail orbits-default-integrator "orb_lf.ini:4: key 'orbits.system': integrator = leapfrog (the default)" \
  "$ESUITE" run orb_lf.ini --output orb_run --quiet
w orb_ic.ini '[run]\nmodel = orbits\n[orbits]\nic = file\nic_file = nope.txt\n'
expect_fail orbits-ic-file "orb_ic.ini:5: key 'orbits.ic_file': initial conditions (ic = file): nope.txt: cannot open" \
  "$ESUITE" run orb_ic.ini --output orb_run --quiet
w orb_short.ini '[run]\nmodel = orbits\n[orbits]\ndt = 0.01\nt_end = 0.01\n'
expect_fail orbits-few-samples "orb_short.ini:5: key 'orbits.t_end': t_end = 0.01, dt = 0.01 and output_every = 5 give fewer than 2" \
  "$ESUITE" run orb_short.ini --output orb_run --quiet
expect_true orbits-run-dir-removed test ! -e orb_run
# 1e24 samples per orbit: too many, not "fewer than 2" (the count overflowed size_t)
w orb_many.ini '[run]\nmodel = orbits\n[orbits]\ndt = 1e-12\noutput_every = 1\nt_end = 1e12\n'
expect_fail orbits-too-many-samples "orb_many.ini:6: key 'orbits.t_end': t_end = 1e+12, dt = 1e-12 and output_every = 1 give 1e+24 output samples per orbit (at most 2^53)" \
  "$ESUITE" run orb_many.ini --output orb_run --quiet
# series too large to hold: the message names file, line and key (it said '[orbits]:'), and a
# map is not told to set store_series = false, which does not apply to maps
w orb_bigmap.ini '[run]\nmodel = orbits\n[orbits]\nsystem = logistic\nn_orbits = 1000000000\nmap_length = 1000000000\n'
expect_fail orbits-map-too-large "orb_bigmap.ini:6: key 'orbits.map_length': n_orbits × map_length = 1e+18 doubles (8e+09 GB) is too large; reduce n_orbits or map_length" \
  "$ESUITE" run orb_bigmap.ini --output orb_run --quiet
expect_true orbits-map-too-large-no-dir test ! -e orb_run
w orb_big.ini '[run]\nmodel = orbits\n[orbits]\nn_orbits = 100000\nt_end = 1e9\n'
expect_fail orbits-too-large "orb_big.ini:5: key 'orbits.t_end': n_orbits × observables × samples = 2e+15 doubles" \
  "$ESUITE" run orb_big.ini --output orb_run --quiet
# a map has no radial or azimuthal period (the run went ahead and analysed no series)
w orb_map_tnat.ini '[run]\nmodel = orbits\n[orbits]\nsystem = logistic\nn_orbits = 1\ntnat = radial\n'
expect_fail orbits-map-radial "orb_map_tnat.ini:6: key 'orbits.tnat': radial/azimuthal periods need a potential system" \
  "$ESUITE" run orb_map_tnat.ini --output orb_run --quiet
expect_true orbits-map-radial-no-dir test ! -e orb_run
# keys that must agree are checked before the output directory is touched: an overwrite
# with such an error keeps the previous results
w orb_ok.ini '[run]\nmodel = orbits\n[orbits]\nsystem = logistic\nmap_length = 1000\nn_orbits = 1\n'
"$ESUITE" run orb_ok.ini --output kept --quiet 2>/dev/null
expect_fail overwrite-config-error "key 'orbits.t_end': t_end = 0.01" "$ESUITE" run orb_short.ini --output kept \
  --quiet --set output.overwrite=true
expect_true "previous results kept after a config error" test -f kept/summary.json -a -f kept/orbits.h5
mkdir -p vcases
expect_fail validate-no-case "validate: no case in vcases matches 'nosuch'" "$ESUITE" validate --dir vcases --case nosuch
# a broken validation case is bad input (exit 2) named with its file, line and key
mkdir -p vbad && printf '[case]\nsource = s\nquantity = Z\nexpected = abc\ntolerance = 1\nconfig = x.ini\n' > vbad/c.ini
expect_rc validate-case-error 2 \
  "esuite: error: validate: vbad/c.ini:4: key 'case.expected': expected a number, got 'abc' (allowed range -1e+300 .. 1e+300)" \
  "$ESUITE" validate --dir vbad
expect_fail validate-dir-no-value "validate: option --dir needs a value" "$ESUITE" validate --dir
# --json: a case that cannot be evaluated has "got": null and its error, not a number
mkdir -p vnull && printf '[case]\nsource = s\nquantity = nosuch\nexpected = 0\ntolerance = 1\nargs = ordinal --json gen:sine\n' > vnull/c.ini
"$ESUITE" validate --dir vnull --json > vnull.json 2>/dev/null
expect_true "validate --json: null and error for an unevaluated case ($(tr -d '\n' < vnull.json))" \
  bash -c 'grep -q "\"got\": null" vnull.json && grep -q "\"error\": \"quantity .nosuch. not found" vnull.json'
# help: 'esuite help' is the usage, 'esuite help CMD' the command's help; the usage lists exit statuses
expect_true "esuite help prints the usage" bash -c '"$0" help | grep -q "^usage: esuite"' "$ESUITE"
expect_true "esuite help run" bash -c '"$0" help run | grep -q "^usage: esuite run"' "$ESUITE"
expect_fail help-unknown "help: unknown command 'rnu'" "$ESUITE" help rnu
expect_true "usage lists exit statuses" bash -c '"$0" --help | grep -q "^exit status: 0 success"' "$ESUITE"
expect_true no-output-dir-left test ! -e outputs

# A run that fails after start-up (here: out of memory for 5e7 discs under a 2 GB address-space
# limit) reports it in one line and leaves no run directory behind. Sanitizer builds reserve more
# address space than the limit allows, so they skip it.
if ! ldd "$ESUITE" | grep -q 'libasan\|libubsan'; then
  cat > big.ini <<'EOF2'
[run]
model = gas
[gas]
N = 50000000
EOF2
  # "out of memory" here; "... more than this machine's N GB of memory" where 5e7 discs (15 GB) do not fit
  expect_fail gas-out-of-memory "memory" \
    bash -c 'ulimit -v 2000000; exec "$0" run big.ini --output big_run --quiet' "$ESUITE"
  expect_true failed-run-dir-removed test ! -e big_run
fi
# --set values must read back from the resolved config (resume.ini, sweep tasks, provenance):
# a ';' after a blank starts a comment there; blanks around the value and the '=' are dropped,
# as on a config line (--set 'run.name = ab' is run.name=ab; it was the unknown key 'run.name ')
expect_fail set-semicolon "--set run.name=a ;b: key 'run.name': 'a ;b' has a ';' after a blank, which a config file reads as the start of a comment" \
  "$ESUITE" run "$ES_SOURCE_DIR/configs/school_case1_swarm.ini" --check --set 'run.name=a ;b'
expect_fail set-blank-named "--set school.n_fish=0: key 'school.n_fish': value 0 is out of range" \
  "$ESUITE" run "$ES_SOURCE_DIR/configs/school_case1_swarm.ini" --check --set ' school.n_fish = 0 '
"$ESUITE" run "$ES_SOURCE_DIR/configs/school_case1_swarm.ini" --output set_blank --quiet \
  --set 'run.name = ab ' --set 'school.n_steps = 2' --set school.save_interval=1 --set school.metrics_every=1
expect_true set-blank-trimmed bash -c '"$0" info set_blank/summary.json | grep -qx "overrides          run.name=ab"' "$ESUITE"
expect_true set-semicolon-inside "$ESUITE" run "$ES_SOURCE_DIR/configs/school_case1_swarm.ini" --check --set 'run.name=a;b' --set 'school.n_fish= 20'
# the model a blank-spaced --set run.model names is the one whose keys are read
# (it was the file's: 'valid orbits config', run.model = school in the record)
w run_only.ini "[run]\nmodel = orbits\n"
expect_true set-blank-model bash -c '"$0" run run_only.ini --check --set " run.model = school " | grep -qx "run_only.ini: valid school config"' "$ESUITE"
expect_fail set-blank-model-keys "/configs/orbits_lorenz.ini:7: unknown section [orbits]" \
  "$ESUITE" run "$ES_SOURCE_DIR/configs/orbits_lorenz.ini" --check --set 'run.model = school'
# A list element longer than 255 characters was cut to 255 (a 256-byte copy): 0.<300 zeros>1e300
# (0.1) read as 0.000... = 0, out of range; and a --set value longer than a config line was cut
# to 4095 characters without a word (observables 'x<5000 blanks>,q' read as x and passed --check)
zeros=$(printf '0%.0s' $(seq 300))
w long_element.ini "[run]\nmodel = gas\n[gas]\nN = 300\nsamples = 2\n[entropy]\ndx = 0.${zeros}1e300\n"
expect_true long-list-element bash -c '"$0" run long_element.ini --check | grep -qx "long_element.ini: valid gas config"' "$ESUITE"
w long_element2.ini "[run]\nmodel = gas\n[gas]\nN = 300\nsamples = 2\n[entropy]\ndx = 0.${zeros}1e301\n"
expect_fail long-list-element-range "long_element2.ini:7: key 'entropy.dx': element 1: value 0.${zeros}1e301 is out of range (allowed range 1e-09 .. 0.5)" \
  "$ESUITE" run long_element2.ini --check
w hh.ini '[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\n'
expect_fail set-long-value "...: key 'orbits.observables': the value is 5003 characters long (at most 4094, the longest config line)" \
  "$ESUITE" run hh.ini --check --set "orbits.observables=x$(printf '%*s' 5000 ''),q"
# a long value that a config file cannot hold: the reason was cut off the message
# (the value was quoted whole into a 1024-byte message)
long=$(printf 'x%.0s' $(seq 1 1000))
expect_fail set-long-semicolon "...: key 'run.name': 'a${long:0:199}...' has a ';' after a blank (character 1003), which a config file reads as the start of a comment" \
  "$ESUITE" run hh.ini --check --set "run.name=a$long ;b"
finish
