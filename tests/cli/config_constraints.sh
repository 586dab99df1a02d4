# The rules between keys that docs/config.md states (the meaning column and its Rules) are
# enforced as written: each breach is one message naming file, line and key, exit 2, with
# `esuite run --check` as in a run. Rules already covered elsewhere (config_errors.sh,
# school_config_errors.sh, school_couzin.sh, test_*_config.c) are not repeated.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
w() { printf '%b' "$2" > "$1"; }

# gas
w dy.ini '[run]\nmodel = gas\n[entropy]\ndy = 0.3\n'
expect_fail dy-integer "dy.ini:4: key 'entropy.dy': dy = 0.3 (set 1): 1/dy must be an integer" \
  "$ESUITE" run dy.ini --check
# the t_end that sampling = u derives has the limit of t_end itself (u_max = 1000 in lx = 1e12
# gave t_end = 1e16, accepted)
w ulim.ini '[run]\nmodel = gas\n[gas]\nN = 10\ndiameter = 0\nlx = 1e12\nly = 1\nequilibration_collisions = 0\nu_max = 1000\n'
expect_fail gas-u-t-end-limit "ulim.ini:9: key 'gas.u_max': sampling = u: u_max = 1000, lx = 1e+12 and the smallest dv = 0.1 give t_end = u_max lx/dv = 1e+16, beyond the 1e+15 that t_end may have" \
  "$ESUITE" run ulim.ini --check
expect_true gas-u-t-end-at-limit "$ESUITE" run ulim.ini --check --set gas.u_max=100
# the partition rule (0.5/dx an integer) is an expansion's; a periodic box needs cells that tile it
w pdx.ini '[run]\nmodel = gas\n[gas]\nN = 300\nbox = periodic\n[entropy]\ndx = 0.2\n'
expect_true gas-periodic-dx-tiles "$ESUITE" run pdx.ini --check
expect_fail gas-expansion-dx-half "pdx.ini:7: key 'entropy.dx': dx = 0.2 (set 1): 0.5/dx = 2.5 must be an integer so that lx/2 lies on a cell boundary" \
  "$ESUITE" run pdx.ini --check --set gas.box=expansion
expect_fail gas-periodic-dx-integer "--set entropy.dx=0.3: key 'entropy.dx': dx = 0.3 (set 1): 1/dx = 3.33333 must be an integer so that the cells tile the periodic box" \
  "$ESUITE" run pdx.ini --check --set entropy.dx=0.3
w tmin.ini '[run]\nmodel = gas\n[gas]\nsampling = log\nt_min = 5\nt_end = 2\n'
expect_fail t-min-below-t-end "tmin.ini:5: key 'gas.t_min': log sampling needs t_min (5) < t_end (2)" \
  "$ESUITE" run tmin.ini --check
# one log sample is t_end: a t_min given for it would place nothing, so it is refused like
# every no-effect key, and the default t_min (0.1) above t_end does not block the one sample
w tmin1.ini '[run]\nmodel = gas\n[gas]\nsampling = log\nsamples = 1\nt_min = 3\nt_end = 10\n'
expect_fail gas-t-min-one-log-sample "tmin1.ini:6: key 'gas.t_min': t_min = 3 has no effect with sampling = log and samples = 1 (the one sample after t = 0 is at t_end)" \
  "$ESUITE" run tmin1.ini --check
w tmin1ok.ini '[run]\nmodel = gas\n[gas]\nN = 300\nsampling = log\nsamples = 1\nt_end = 0.05\n'
expect_true gas-one-log-sample-below-t-min "$ESUITE" run tmin1ok.ini --check
# 1000 log-spaced times in [1, 1 + 1e-13] are 451 distinct doubles: the 549 others were dropped
# silently (gas.h5 had 452 samples); now an error naming the grid key given last
w tmerge.ini '[run]\nmodel = gas\n[gas]\nN = 300\nsampling = log\nsamples = 1000\nt_min = 1\nt_end = 1.0000000000001\n'
expect_fail gas-log-times-merged "tmerge.ini:8: key 'gas.t_end': sampling = log: the 1000 times in [1, 1.0000000000001] are only 451 distinct doubles after t = 0 (549 would be merged, and gas.h5 would have fewer samples than asked for); give fewer samples or a wider range" \
  "$ESUITE" run tmerge.ini --check
expect_fail gas-log-times-merged-run "--set gas.samples=2000: key 'gas.samples': sampling = log: the 2000 times" \
  "$ESUITE" run tmerge.ini --output tmerge_out --quiet --set gas.samples=2000
expect_true gas-log-times-merged-no-dir test ! -e tmerge_out
expect_true gas-log-times-distinct "$ESUITE" run tmerge.ini --check --set gas.samples=300
w box.ini '[run]\nmodel = gas\n[gas]\nN = 0\nlx = 10\nly = 10\n'
expect_fail explicit-box-N "box.ini:5: key 'gas.lx': an explicit box needs lx > 0, ly > 0 and N >= 1 (got lx = 10, ly = 10, N = 0)" \
  "$ESUITE" run box.ini --check
# a cell set too fine for 64-bit cell keys (10^6 x 10^6 x 12000^2 > 2^64): found by --check,
# naming file, line and key, not by the run after its equilibration without them
w gcells.ini '[run]\nmodel = gas\n[entropy]\ndx = 1e-6\ndy = 1e-6\ndv = 0.1, 1e-3\n'
expect_fail gas-cells-too-many "gcells.ini:6: key 'entropy.dv': set 2: entropy cells: 1000000×1000000×12000² cells do not fit a 64-bit key" \
  "$ESUITE" run gcells.ini --check

# a derived box beyond the 1e12 sigma an explicit one may have (packing fraction 1e-300 gave
# lx = 2.8e151: squared distances overflow and the run never ended)
w gtiny.ini '[run]\nmodel = gas\n[gas]\nN = 500\npacking_fraction = 1e-300\n'
expect_fail gas-derived-box-too-large "gtiny.ini:5: key 'gas.packing_fraction': the derived box lx = 2.8e+151, ly = 2.8e+151 is larger than the 1e+12 sigma an explicit box may have" \
  "$ESUITE" run gtiny.ini --check

# gas keys the run would not read, given a value other than the default (they were ignored)
w gsamp.ini '[run]\nmodel = gas\n[gas]\nsampling = u\ntimes = 1, 2\n'
expect_fail gas-times-with-u "gsamp.ini:5: key 'gas.times': times = 1, 2 has no effect with sampling = u" \
  "$ESUITE" run gsamp.ini --check
expect_fail gas-t-end-with-list "--set gas.t_end=5: key 'gas.t_end': t_end = 5 has no effect with sampling = list" \
  "$ESUITE" run gsamp.ini --check --set gas.sampling=list --set gas.t_end=5
w gbox.ini '[run]\nmodel = gas\n[gas]\nN = 100\nlx = 100\nly = 50\npacking_fraction = 0.2\n'
expect_fail gas-eta-explicit-box "gbox.ini:7: key 'gas.packing_fraction': packing_fraction = 0.2 has no effect with an explicit box" \
  "$ESUITE" run gbox.ini --check
expect_fail gas-walls-periodic "--set gas.walls=rim: key 'gas.walls': walls = rim has no effect with box = periodic" \
  "$ESUITE" run gsamp.ini --check --set gas.times=1 --set gas.box=periodic --set gas.walls=rim
w gfree.ini '[run]\nmodel = gas\n[gas]\nN = 100\nlx = 1\nly = 1\ndiameter = 0\nequilibration_collisions = 5\n'
expect_fail gas-equilibration-collisionless "gfree.ini:8: key 'gas.equilibration_collisions': equilibration_collisions = 5 has no effect with diameter = 0" \
  "$ESUITE" run gfree.ini --check
# rim walls and the cell list's occupancy change nothing for points (they were ignored)
expect_fail gas-rim-collisionless "--set gas.walls=rim: key 'gas.walls': walls = rim has no effect with diameter = 0 (a point's rim is its centre)" \
  "$ESUITE" run gfree.ini --check --set gas.equilibration_collisions=0 --set gas.walls=rim
expect_fail gas-occupancy-collisionless "--set gas.cell_occupancy=2: key 'gas.cell_occupancy': cell_occupancy = 2 has no effect with diameter = 0 (no collisions to find)" \
  "$ESUITE" run gfree.ini --check --set gas.equilibration_collisions=0 --set gas.cell_occupancy=2
# a stop hook the run never reaches (41 samples after t = 0 are 42 in all) did nothing
expect_fail gas-stop-after-never "--set gas.stop_after_samples=42: key 'gas.stop_after_samples': stop_after_samples = 42 would never stop this run of 42 samples (t = 0 included): give 1 .. 41, or 0 for none" \
  "$ESUITE" run gfree.ini --check --set gas.equilibration_collisions=0 --set gas.stop_after_samples=42
expect_true gas-stop-after-last "$ESUITE" run gfree.ini --check --set gas.equilibration_collisions=0 --set gas.stop_after_samples=41
# the same keys at their defaults (as a resolved config lists them), or 0 where 0 means none, pass
w gok.ini '[run]\nmodel = gas\n[gas]\nN = 100\nlx = 1\nly = 1\ndiameter = 0\nequilibration_collisions = 0\nwalls = centre\ncell_occupancy = 0\npacking_fraction = 0\naspect = 1.0\nsampling = u\ntimes = 1\nt_end = 100\n'
expect_true gas-defaults-accepted "$ESUITE" run gok.ini --check

# school: init = file and init_file go together, found by --check too (only a run found them)
w initf.ini '[run]\nmodel = school\n[school]\ninit = file\n'
expect_fail init-file-needs-path "initf.ini:4: key 'school.init': init = file needs [school] init_file" \
  "$ESUITE" run initf.ini --check
w initf2.ini '[run]\nmodel = school\n[school]\ninit_file = a.nc\n'
expect_fail init-file-needs-init "initf2.ini:4: key 'school.init_file': needs init = file" \
  "$ESUITE" run initf2.ini --check
expect_fail init-file-needs-init-run "initf2.ini:4: key 'school.init_file': needs init = file" \
  "$ESUITE" run initf2.ini --output out2
expect_true init-file-run-wrote-nothing test ! -e out2
# couzin2002 allows r_r = r_o (Δr_o = 0), dewi-kadita does not
w rr.ini '[run]\nmodel = school\n[school]\nr_repulsion = 2\nr_orientation = 2\nr_attraction = 5\n'
expect_fail zones-dewi "rr.ini:5: key 'school.r_orientation': zone radii must satisfy 0 < r_r < r_o <= r_a, got r_r = 2, r_o = 2, r_a = 5" \
  "$ESUITE" run rr.ini --check
w rrc.ini '[run]\nmodel = school\n[school]\nmode = couzin2002\nr_repulsion = 2\nr_orientation = 2\nr_attraction = 5\n'
expect_true zones-couzin-equal "$ESUITE" run rrc.ini --check
w ramp.ini '[run]\nmodel = school\n[school]\nentropy = false\n[ramp]\nparameter = noise\nfrom = 0\nto = 10\nstep = 1e-5\n'
expect_fail ramp-too-many-values "ramp.ini:9: key 'ramp.step': 1e-05 gives 1000001 values (at most 100000)" \
  "$ESUITE" run ramp.ini --check

# gas: results held in memory beyond the machine's (24 TB here) are found by --check
w mem.ini '[run]\nmodel = gas\n[gas]\nN = 500\nsamples = 1000000\nprofile_bins = 1000000\n'
expect_fail gas-results-memory "mem.ini:6: key 'gas.profile_bins': 1 realizations of 500 discs (at least 300 bytes each) and the results of 1000001 sampling times x (1000000 profile bins, 1 cell sets) need 2.4e+04 GB, more than this machine's" \
  "$ESUITE" run mem.ini --check
# the engines count too (at least 300 bytes a disc with one cell set): R x 5e7 discs with R
# chosen for this machine need about 3x its memory, though their snapshots fit 3 times over
phys=$(awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo)
R=$(awk -v p="$phys" 'BEGIN { r = int(p / 5e9) + 1; print r }')
w mem2.ini "[run]\nmodel = gas\n[gas]\nN = 50000000\nsamples = 2\nprofile_bins = 0\nrealizations = $R\n"
expect_fail gas-engine-memory "mem2.ini:7: key 'gas.realizations': $R realizations of 50000000 discs (at least 300 bytes each) and the results of 3 sampling times x (0 profile bins, 1 cell sets) need" \
  "$ESUITE" run mem2.ini --check
# orbits
w obs.ini '[run]\nmodel = orbits\n[orbits]\nsystem = potential\nobservables = x, y, z, vx, vy, vz, R, r, Lz\n'
expect_fail at-most-8-observables "obs.ini:5: key 'orbits.observables': at most 8 observables" \
  "$ESUITE" run obs.ini --check
w ic.ini '[run]\nmodel = orbits\n[orbits]\nic = file\n'
expect_fail ic-file-needs-path "ic.ini:4: key 'orbits.ic': ic = file needs [orbits] ic_file" \
  "$ESUITE" run ic.ini --check
w lf.ini '[run]\nmodel = orbits\n[orbits]\nsystem = lorenz\nic = grid\n'
expect_fail leapfrog-potentials-only "lf.ini:4: key 'orbits.system': integrator = leapfrog (the default) integrates motion in a potential; set integrator = rk8pd or rk4 for the double pendulum and Lorenz" \
  "$ESUITE" run lf.ini --check
w lf2.ini '[run]\nmodel = orbits\n[orbits]\nintegrator = leapfrog\nsystem = lorenz\nic = grid\n'
expect_fail leapfrog-given "lf2.ini:5: key 'orbits.system': integrator = leapfrog integrates motion in a potential" \
  "$ESUITE" run lf2.ini --check
# initial conditions that the config alone rules out are found by --check (and so by a sweep's
# plan), as the run finds them: --check said "valid orbits config", exit 0, for all four
w icpm.ini '[run]\nmodel = orbits\n[orbits]\nsystem = potential\npotential = pointmass\nndim = 2\nic = section\nenergy = -0.5\n'
expect_fail check-section-pointmass "icpm.ini:7: key 'orbits.ic': initial conditions (ic = section): orbits: ic = section needs a potential bounded below on the section x = 0" \
  "$ESUITE" run icpm.ini --check
w iclz.ini '[run]\nmodel = orbits\n[orbits]\nsystem = lorenz\nintegrator = rk8pd\nic = energy\n'
expect_fail check-energy-lorenz "iclz.ini:6: key 'orbits.ic': initial conditions (ic = energy): orbits: ic = energy is not available for this system (use grid or file)" \
  "$ESUITE" run iclz.ini --check
w icdp.ini '[run]\nmodel = orbits\n[orbits]\nsystem = double_pendulum\nintegrator = rk8pd\nic = section\n'
expect_fail check-section-pendulum "icdp.ini:6: key 'orbits.ic': initial conditions (ic = section): orbits: ic = section is not available for this system (use grid or file)" \
  "$ESUITE" run icdp.ini --check
w iche.ini '[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\nic = section\nenergy = -1\n'
expect_fail check-section-below-energy "iche.ini:6: key 'orbits.energy': initial conditions (ic = section): orbits: energy = -1 is below the potential on the section x = 0" \
  "$ESUITE" run iche.ini --check
expect_true check-section-above-energy "$ESUITE" run iche.ini --check --set orbits.energy=0.125
# the same at a sweep's plan: task 1 failed only when it ran
w icsw.ini '[sweep]\nbase = iche.ini\nname = s\nvary orbits.energy = 0.125, -1\n'
expect_fail plan-section-below-energy "icsw.ini:4: task 1 (orbits.energy=-1 replica 0): --set orbits.energy=-1: key 'orbits.energy': initial conditions (ic = section): orbits: energy = -1 is below the potential" \
  "$ESUITE" sweep icsw.ini --plan
# keys that must agree, both from --set: the error names the one given last on the command line
# (docs/config.md Rules); it named n_steps in both orders (the last of the model's key list)
w sch.ini '[run]\nmodel = school\n[school]\nn_fish = 20\n'
expect_fail blame-last-set-metrics "--set school.metrics_every=20: key 'school.metrics_every': metrics_every = 20 exceeds n_steps = 10" \
  "$ESUITE" run sch.ini --check --set school.n_steps=10 --set school.metrics_every=20
expect_fail blame-last-set-steps "--set school.n_steps=10: key 'school.n_steps': metrics_every = 20 exceeds n_steps = 10" \
  "$ESUITE" run sch.ini --check --set school.metrics_every=20 --set school.n_steps=10
finish
