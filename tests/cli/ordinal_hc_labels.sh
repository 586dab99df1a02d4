#!/bin/bash
# The region names of the HC-plane figure (esuite ordinal --plot, the orbits' hc_plane.png) lie
# inside the regions that the classifier (docs/ordinal.md) gives those names, read from the
# gnuplot script and its envelope data (a stand-in gnuplot on PATH keeps both). They were at
# fixed places: at n = 5 'regular' at (0.298, 0.175) and 'stochastic' at (0.80, 0.03), below
# C_min, where no distribution lies, and 'complex' at (0.611, 0.310), below the
# complex/stochastic divide (0.344 there: the classifier calls that point stochastic). The divide
# itself is drawn too (it was not), from the envelope data's 4th column.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
mkdir bin keep
cat >bin/gnuplot <<'EOF2'
#!/bin/bash
cp "$1" "$GP_KEEP/hc.gp"
cp "$(sed -n "s/^plot '\([^']*bounds.dat\)'.*/\1/p" "$1")" "$GP_KEEP/bounds.dat"
out=$(sed -n "s/^set output '\(.*\)'$/\1/p" "$1")
printf '\211PNG\r\n\032\n\000\000\000\000IEND\256B`\202' >"$out"
EOF2
chmod +x bin/gnuplot

# label NAME: "H C" of the region name NAME in the kept script (empty if none)
label() { sed -n "s/^set label '$1' at \([-0-9.e]*\),\([-0-9.e]*\) .*/\1 \2/p" keep/hc.gp; }

PATH="$TMP/bin:$PATH" GP_KEEP="$TMP/keep" "$ESUITE" ordinal --order 5 --plot hc5.png gen:white:20000 \
  >/dev/null 2>err5.txt
expect_true "n = 5 plot drawn ($(cat err5.txt))" test -f hc5.png -a -s keep/bounds.dat
h1=$(awk 'BEGIN { printf "%.10f", log(2) / log(120) }')
h2=$(awk 'BEGIN { printf "%.10f", log(14) / log(120) }')
# check NAME H C: prints "ok" when (H, C) is inside region NAME at n = 5. C_min and C_max
# interpolated in bounds.dat (H, C_min, C_max on 401 points); the chord joins C_max at
# H_min,per and H_max,per; the divide is halfway between the n = 5 noise locus and C_max.
check() {
  awk -v name="$1" -v H="$2" -v C="$3" -v h1="$h1" -v h2="$h2" '
    function interp(x, col,   i) {
      for (i = 1; i < nb; i++)
        if (bh[i] >= x) return b[col, i - 1] + (b[col, i] - b[col, i - 1]) * (x - bh[i - 1]) / (bh[i] - bh[i - 1])
      return b[col, nb - 1]
    }
    function locus(x,   i) { # n = 5: (H, C) of f^-k noise, k = 3 .. 0, then (1, 0)
      if (x <= LH[0]) return LC[0]
      for (i = 1; i < 8; i++)
        if (x <= LH[i]) return LC[i - 1] + (LC[i] - LC[i - 1]) * (x - LH[i - 1]) / (LH[i] - LH[i - 1])
      return 0
    }
    { bh[nb] = $1; b[2, nb] = $2; b[3, nb] = $3; nb++ }
    END {
      split("0.4883 0.7580 0.8797 0.9426 0.9772 0.9948 0.9999 1.0", a); for (i = 0; i < 8; i++) LH[i] = a[i + 1]
      split("0.2807 0.2460 0.1623 0.0895 0.0384 0.0091 0.0002 0.0", a); for (i = 0; i < 8; i++) LC[i] = a[i + 1]
      cmin = interp(H, 2); cmax = interp(H, 3)
      chord = interp(h1, 3) + (interp(h2, 3) - interp(h1, 3)) * (H - h1) / (h2 - h1)
      div = locus(H) + 0.5 * (cmax - locus(H))
      if (name == "regular") ok = H > h1 && H < h2 && C > cmin && C < chord
      if (name == "complex") ok = H > h2 && H < 0.9948 && C > div && C < cmax
      if (name == "stochastic") ok = H > h2 && C > cmin && (C < div || H >= 0.9948)
      printf "%s (C_min %.4f, chord %.4f, divide %.4f, C_max %.4f)", ok ? "ok" : "outside", cmin, chord, div, cmax
    }' keep/bounds.dat
}
for name in regular complex stochastic; do
  at=$(label $name)
  expect_true "n = 5: there is a '$name' label" test -n "$at"
  res=$(check $name $at)
  expect_true "n = 5: '$name' at ($at) lies in its region: $res" test "${res%% *}" = ok
done

# the complex/stochastic divide, bounds.dat's 4th column: halfway between the noise locus and
# C_max for H_max,per < H < 0.9948 (the k = 0.5 locus point; stochastic beyond), NaN elsewhere
div=$(awk -v h2="$h2" '
  function locus(x,   i) {
    if (x <= LH[0]) return LC[0]
    for (i = 1; i < 8; i++)
      if (x <= LH[i]) return LC[i - 1] + (LC[i] - LC[i - 1]) * (x - LH[i - 1]) / (LH[i] - LH[i - 1])
    return 0
  }
  BEGIN {
    split("0.4883 0.7580 0.8797 0.9426 0.9772 0.9948 0.9999 1.0", a); for (i = 0; i < 8; i++) LH[i] = a[i + 1]
    split("0.2807 0.2460 0.1623 0.0895 0.0384 0.0091 0.0002 0.0", a); for (i = 0; i < 8; i++) LC[i] = a[i + 1]
  }
  $1 > h2 && $1 < 0.9948 { n++; d = $4 - (locus($1) + 0.5 * ($3 - locus($1))); if (d < 0) d = -d; if (d > w) w = d; next }
  $4 != "NaN" { bad++ }
  END { printf "%d %.3g %d", n, w, bad }' keep/bounds.dat)
set -- $div
expect_num "n = 5: divide points between H_max,per and 0.9948" "$1" 177 0
expect_num "n = 5: divide = locus + (C_max - locus)/2 (largest difference)" "$2" 0 1e-6
expect_num "n = 5: divide NaN elsewhere (rows that are not)" "$3" 0 0
expect_true "n = 5: the divide is drawn" grep -q "using 1:4 with lines .* title 'complex/stochastic'" keep/hc.gp

# n = 3: H_max,per = 1, the classifier never says complex or stochastic, so neither name is drawn
PATH="$TMP/bin:$PATH" GP_KEEP="$TMP/keep" "$ESUITE" ordinal --order 3 --plot hc3.png gen:white:20000 \
  >/dev/null 2>err3.txt
expect_true "n = 3 plot drawn ($(tail -1 err3.txt))" test -f hc3.png
expect_true "n = 3: no 'complex' label ($(label complex))" test -z "$(label complex)"
expect_true "n = 3: no 'stochastic' label ($(label stochastic))" test -z "$(label stochastic)"
expect_num "n = 3: no divide (rows with one)" "$(awk '$4 != "NaN"' keep/bounds.dat | wc -l)" 0 0
finish
