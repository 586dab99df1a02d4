#!/bin/bash
# The gnuplot scripts of a gas run's figures (a stand-in gnuplot on PATH keeps
# each script and writes a minimal complete PNG): profiles.png is normalised by
# the initial region's density N/(lx ly/2), so that the t = 0 profile of an
# expansion sums to B/2 over its B bins whatever B is. With 5 bins (the middle
# one straddles lx/2) it was divided by the mean over the 3 occupied bins and
# summed to 3, the left half reading 1.2. The entropy figure's curves end at summary.json's
# values and its legends, like the profiles', state their units.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
mkdir bin scripts
cat >bin/gnuplot <<'EOF2'
#!/bin/bash
n=$(ls "$GP_KEEP" | wc -l)
cp "$1" "$GP_KEEP/$n.gp"
out=$(sed -n "s/^set output '\(.*\)'$/\1/p" "$1")
printf '\211PNG\r\n\032\n\000\000\000\000IEND\256B`\202' >"$out"
EOF2
chmod +x bin/gnuplot
cat >p.ini <<'EOF2'
[run]
model = gas
seed = 5
[gas]
N = 400
packing_fraction = 0.01
equilibration_collisions = 1
sampling = u
u_max = 1
samples = 2
profile_bins = 5
plots = true
[entropy]
dx = 0.1
dv = 0.5
v_max = 6
EOF2
# the t = 0 block ($p0) of the profiles script: the sum of its n/n_initial column
p0_sum() { awk '/^\$p0 << EOD/ {on = 1; next} /^EOD/ {on = 0} on {s += $2} END {printf "%.12g", s}' "$1"; }

for bins in 5 4 1; do
  rm -f scripts/*
  PATH="$TMP/bin:$PATH" GP_KEEP="$TMP/scripts" "$ESUITE" run p.ini --output b$bins --quiet \
    --set gas.profile_bins=$bins 2>b$bins.err
  expect_true "run with $bins bins succeeds ($(cat b$bins.err))" test -f b$bins/summary.json -a -f b$bins/profiles.png
  gp=$(grep -l "Density profiles" scripts/*.gp)
  expect_num "$bins bins: the t = 0 profile n/n_initial sums to $bins/2" "$(p0_sum "$gp")" "$(awk -v b=$bins 'BEGIN {print b / 2}')" 1e-9
done
# a periodic box: the initial region is the whole box, the profile sums to B
rm -f scripts/*
PATH="$TMP/bin:$PATH" GP_KEEP="$TMP/scripts" "$ESUITE" run p.ini --output per --quiet --set gas.box=periodic \
  --set gas.profile_bins=5 2>per.err
gp=$(grep -l "Density profiles" scripts/*.gp)
expect_num "periodic box, 5 bins: the t = 0 profile sums to 5" "$(p0_sum "$gp")" 5 1e-9
# entropy.png: the last point of each cell set's curve is summary.json's dS_MM_pooled, and the
# legends carry units (they read 'Δx = 25.1, Δv = 0.5' and 't = 0': σ, √T0 and σ/√T0 unsaid)
rm -f scripts/*
PATH="$TMP/bin:$PATH" GP_KEEP="$TMP/scripts" "$ESUITE" run p.ini --output leg --quiet 2>leg.err
ent=$(grep -l "Coarse-grained Boltzmann entropy" scripts/*.gp)
prof=$(grep -l "Density profiles" scripts/*.gp)
last=$(awk '/^\$s0 << EOD/ {on = 1; next} /^EOD/ {on = 0} on {v = $2} END {print v}' "$ent")
want=$(grep -o '"dS_MM_pooled": *[-0-9.eE+]*' leg/summary.json | head -1 | sed 's/.*: *//')
expect_num "entropy.png: last point = summary dS_MM_pooled" "$last" "$want" 1e-9
lx=$(json_get "$(cat leg/summary.json)" lx)
dxs=$(awk -v lx="$lx" 'BEGIN { printf "%.4g", 0.1 * lx }')
expect_true "entropy.png legend: 'Δx = 0.1 L_x = $dxs σ, Δv = 0.5 √T_0'" \
  grep -qF "t '{/Symbol D}x = 0.1 L_x = $dxs σ, {/Symbol D}v = 0.5 √T_0'" "$ent"
expect_true "entropy.png ylabel: ΔS/(N k_B)" grep -qF "set ylabel '{/Symbol D}S/(N k_B)" "$ent"
expect_true "profiles.png legend: 't = 0 σ/√T_0'" grep -qF "t 't = 0 σ/√T_0'" "$prof"
finish
