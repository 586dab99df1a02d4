# esuite ordinal: exact values through the whole CLI path, JSON shape, formats, bad input.
. "$(dirname "$0")/lib.bash"
cd "$TMP"

# Bandt–Pompe worked example (n = 3): H = 0.588762, C = 0.289954 (spec §8 #8).
printf '4\n7\n9\n10\n6\n11\n3\n' > bp.txt
j=$("$ESUITE" ordinal --json --order 3 --allow-short bp.txt)
expect_num bp-H "$(json_get "$j" H)" 0.588762 1e-6
expect_num bp-C "$(json_get "$j" C)" 0.289954 1e-6
expect_num bp-total "$(json_get "$j" patterns_total)" 5 0
expect_num bp-observed "$(json_get "$j" patterns_observed)" 3 0
expect_num bp-forbidden "$(json_get "$j" forbidden)" 3 0
expect_true bp-class-key grep -q '"class": *"' <<<"$j"
# stdin gives the same numbers
j2=$("$ESUITE" ordinal --json --order 3 --allow-short - < bp.txt)
expect_true stdin-same test "$j" = "$j2"

# A ramp: one pattern, H = C = 0 exactly (spec §8 #1), also from a CSV column by name and number.
seq 0 999 > ramp.txt
expect_num ramp-H "$(json_get "$("$ESUITE" ordinal --json ramp.txt)" H)" 0 0
awk 'BEGIN { print "t,x,y"; for (i = 0; i < 1000; i++) printf "%d,%d,%.17g\n", i, i, sin(i * 0.37) }' > cols.csv
expect_num csv-name "$(json_get "$("$ESUITE" ordinal --json --column x cols.csv)" H)" 0 0
jy=$("$ESUITE" ordinal --json --column y cols.csv); jy3=$("$ESUITE" ordinal --json --column 3 cols.csv)
expect_true csv-number test "$jy" = "$jy3"

# n = 3: H_max,per = 1, so even white noise falls in the periodic band (docs/ordinal.md); n = 4
# calls it stochastic.
expect_true n3-white-periodic grep -q '"class": "periodic"' <<<"$("$ESUITE" ordinal --json --order 3 gen:white:100000)"
# ... and says so: one warning on stderr (none at n = 4, where white noise is 'stochastic')
"$ESUITE" ordinal --json --order 3 gen:white:100000 > /dev/null 2> n3.err
expect_true n3-warns test "$(cat n3.err)" = "esuite: warning: --order 3: H_max,per = log 6 / log 3! = 1, so the class cannot separate periodic from stochastic series (white noise reads 'periodic'); use --order 4 or more when the class matters"
n4=$("$ESUITE" ordinal --json --order 4 gen:white:100000 2> n4.err)
expect_true n4-white-stochastic-no-warning test -z "$(cat n4.err)" -a -n "$(grep '"class": "stochastic"' <<<"$n4")"
expect_true n4-white-stochastic grep -q '"class": "stochastic"' <<<"$("$ESUITE" ordinal --json --order 4 gen:white:100000)"

# --window text output: H in [min, max] over the windows (it printed the first and last H;
# for these 91 windows of the logistic map they are 0.6680 and 0.6781)
expect_true window-range grep -q "sliding window 200: 91 windows; H in \[0.6207, 0.6885\]" \
  <<<"$("$ESUITE" ordinal --window 200 gen:logistic:2000)"

# gen:lorenz is the package's Lorenz example (Euler, dt = 0.01, rho = 20, beta = 2.667, x series):
# 10001 samples = 10^4 steps; H, C from an independent Python computation on the same orbit
jl=$("$ESUITE" ordinal --json gen:lorenz:10001)
expect_num lorenz-H "$(json_get "$jl" H)" 0.208015120543770 1e-12
expect_num lorenz-C "$(json_get "$jl" C)" 0.186620642479380 1e-12
expect_num lorenz-observed "$(json_get "$jl" patterns_observed)" 21 0

# warnings name their input, as errors do (with several inputs they did not say which one):
# the logistic map's t_nat = 3.02 samples rounds all three delays to 0; 900 samples of the sine
# hold t_dur/t_nat = 1.43
"$ESUITE" ordinal --auto --json gen:logistic:10000 gen:sine:900 > /dev/null 2> auto.err
expect_num warn-named-logistic "$(grep -c '^esuite: warning: gen:logistic:10000: ordinal: 0\.[345] t_nat.* rounds to 0; using 1' auto.err)" 3 0
expect_true warn-named-sine grep -q '^esuite: warning: gen:sine:900: ordinal: t_dur/t_nat = 1.43 is below the recommended 1.5' auto.err
expect_num warn-count "$(grep -c 'warning' auto.err)" 4 0
# the list keeps 32 warnings; the 8 more of 40 inputs are counted, not lost without a word
"$ESUITE" ordinal --auto $(for i in $(seq 40); do printf 'gen:sine:900 '; done) > /dev/null 2> many.err
expect_num warn-kept "$(grep -c 'recommended 1.5' many.err)" 32 0
expect_true warn-more grep -q '^esuite: warning: \.\.\. and 8 more warnings not shown (only the first 32 are kept)$' many.err

# --delays gives an array with one object per delay
arr=$("$ESUITE" ordinal --json --delays 1:9:2 gen:logistic:20000)
expect_num delays-count "$(grep -o '"delay"' <<<"$arr" | wc -l)" 5 0

# --auto on a sine: t_nat ~ 2*pi (maxavg), chosen delay = round(0.4 t_nat / (4 dt)) = 63
a=$("$ESUITE" ordinal --json --auto --dt 0.01 gen:sine:10000)
expect_num auto-tnat "$(json_get "$a" t_nat)" 6.2832 0.01
expect_num auto-delay "$(json_get "$a" delay)" 63 0

# A generator longer than the memory allowed: one "cannot allocate" line, exit 1 (it crashed before).
# An address-space limit makes the allocation fail on any machine; sanitizer builds reserve more
# address space than the limit allows, so they skip it.
if ! ldd "$ESUITE" | grep -q 'libasan\|libubsan'; then
  expect_fail gen-too-long "cannot allocate 1000000000 samples" \
    bash -c 'ulimit -v 2000000; exec "$0" ordinal --json gen:white:1000000000' "$ESUITE"
fi

# Output files: HDF5 and NetCDF with the curve and provenance, nothing left under temp names.
"$ESUITE" ordinal --delays 1:20 --output curve.h5 gen:henon:20000 > /dev/null
"$ESUITE" ordinal --delays 1:20 --output curve.nc gen:henon:20000 > /dev/null
expect_true h5-written test -s curve.h5
expect_true nc-written test -s curve.nc
expect_true no-temp-files test -z "$(ls -A | grep part || true)"
# The written series reads back through the HDF5/NetCDF readers: H(L=1) of the Hénon map.
h_direct=$(json_get "$("$ESUITE" ordinal --json gen:henon:20000)" H)
h_h5=$("$ESUITE" ordinal --json --order 3 --allow-short curve.h5:/series_0/H | grep -c H)
expect_num h5-readable "$h_h5" 1 0
# and holds the numbers: H(L = 1) is the direct run's H (h_direct was computed, never compared),
# and the 20 values are --json --delays 1:20's, to the last digit
if command -v h5dump > /dev/null; then
  h5dump -m '%.17g' -d /series_0/H -y -w 0 curve.h5 | sed -n '/DATA {/{n;p;q}' | tr -d ' ' | tr ',' '\n' > h5.txt
  "$ESUITE" ordinal --json --delays 1:20 gen:henon:20000 | grep -o '"H": *[-0-9.eE+]*' | sed 's/.*: *//' > json.txt
  expect_num h5-values "$(grep -c . h5.txt)" 20 0
  expect_num h5-H-delay-1 "$(head -1 h5.txt)" "$h_direct" 1e-15
  expect_true h5-values-equal-json awk 'NR == FNR { a[FNR] = $1; next } { d = $1 - a[FNR]; if (d < 0) d = -d; if (d > 1e-15) bad = 1; n++ }
    END { exit !(n == 20 && !bad) }' json.txt h5.txt
fi

# --plot: a real PNG of the stated size (pngcairo 900 x 700), written atomically.
if command -v gnuplot > /dev/null; then
  "$ESUITE" ordinal --plot hc.png gen:logistic:20000 gen:white:20000 > /dev/null
  expect_true png-signature test "$(head -c 8 hc.png | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a"
  expect_num png-width "$((16#$(od -An -tx1 -j16 -N4 hc.png | tr -d ' \n')))" 900 0
  expect_num png-height "$((16#$(od -An -tx1 -j20 -N4 hc.png | tr -d ' \n')))" 700 0
  # one series near H = 1 (its label goes left of the point; gnuplot 5.4 crashed on the empty
  # right-label set before) and one near H = 0: each alone gives a PNG
  for gen in white logistic; do
    rm -f one.png
    "$ESUITE" ordinal --plot one.png "gen:$gen:20000" > /dev/null
    expect_num "png-one-series-$gen" "$?" 0 0
    expect_num "png-one-series-$gen-width" "$((16#$(od -An -tx1 -j16 -N4 one.png | tr -d ' \n')))" 900 0
  done
  # n = 10: the y range came from the package's getMaxC over (10! − 1)·1000 points, about two
  # minutes before gnuplot started (13 s at n = 9); it is the exact C_max's maximum now
  rm -f n10.png
  timeout 30 "$ESUITE" ordinal --order 10 --allow-short --plot n10.png gen:white:20000 > /dev/null
  expect_num png-order10-in-time "$?" 0 0
  expect_num png-order10-width "$((16#$(od -An -tx1 -j16 -N4 n10.png | tr -d ' \n')))" 900 0
  # a PNG that cannot be created: gnuplot's complaint in one line, without the script echo and
  # the temporary PNG name it printed over five lines before
  # (gnuplot 5.4 words it 'cannot open file; output not changed (No such file or directory)')
  expect_fail png-no-dir "error: gnuplot failed while drawing nodir/hc.png: " \
    "$ESUITE" ordinal --plot nodir/hc.png gen:white:20000
  expect_true "png-no-dir: no temporary name in the message ($(cat "$TMP/err"))" \
    bash -c "! grep -q 'part-' '$TMP/err'"
  # --plot with --output: a failed command leaves neither (curve.h5 was left behind when the
  # plot failed after it; the plot is now drawn first, and removed when --output then fails)
  expect_fail plot-fails-no-output "error: gnuplot failed while drawing nodir/hc.png" \
    "$ESUITE" ordinal --output both.h5 --plot nodir/hc.png gen:white:20000
  expect_true plot-fails-left-no-h5 test ! -e both.h5
  expect_fail output-fails-no-plot "cannot write 'nodir/both.h5'" \
    "$ESUITE" ordinal --output nodir/both.h5 --plot both.png gen:white:20000
  expect_true output-fails-left-no-png test ! -e both.png
  "$ESUITE" ordinal --delays 1:6 --output both.h5 --plot both.png gen:henon:20000 > /dev/null
  expect_num both-png-width "$((16#$(od -An -tx1 -j16 -N4 both.png | tr -d ' \n')))" 900 0
  # the stored delays 1..6 read back as a ramp: 4 windows of n = 3, one pattern, H = 0
  jd=$("$ESUITE" ordinal --json --order 3 --allow-short both.h5:/series_0/delay)
  expect_num both-h5-delays-total "$(json_get "$jd" patterns_total)" 4 0
  expect_num both-h5-delays-H "$(json_get "$jd" H)" 0 0
else
  echo "note: gnuplot not installed, --plot not checked"
fi

# A dataset whose own name ends in "[N]" is selected by that name (the suffix was taken as a row
# of a dataset "T" that does not exist); the Bandt-Pompe data give H = 0.588762 as above.
if command -v h5import > /dev/null; then
  printf '4 7 9 10 6 11 3\n' > bp_values.txt
  printf 'PATH T[0]\nINPUT-CLASS TEXTFP\nRANK 1\nDIMENSION-SIZES 7\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' > bp_h5import.cfg
  h5import bp_values.txt -c bp_h5import.cfg -o brackets.h5
  expect_num bracket-name-H "$(json_get "$("$ESUITE" ordinal --json --order 3 --allow-short 'brackets.h5:T[0]')" H)" 0.588762155916294 1e-12
  expect_fail bracket-name-missing "error: brackets.h5: no dataset '/T[1]', nor a 2-D '/T' to take row 1 from (1-D numeric datasets: /T[0])" \
    "$ESUITE" ordinal --order 3 --allow-short 'brackets.h5:T[1]'
else
  echo "note: h5import not installed, dataset names ending in [N] not checked"
fi

# Bad input: one line, nonzero, names what is wrong.
printf '1\n2\nnan\n4\n' > nan.txt
expect_fail nan "nan.txt:3" "$ESUITE" ordinal nan.txt
printf '1\n2\nabc\n4\n' > text.txt
expect_fail garbage "text.txt:3" "$ESUITE" ordinal text.txt
expect_fail too-short "error: bp.txt: series too short: Ptot = 5 windows is less than n! = 6" "$ESUITE" ordinal --order 3 bp.txt
expect_fail too-short-option "or esuite ordinal --allow-short)" "$ESUITE" ordinal --order 3 bp.txt
printf '1\n2\n3\n' > three.txt
expect_fail too-short-hard "error: three.txt: series too short: 3 samples, order n = 5 with delay 1 needs at least 6" \
  "$ESUITE" ordinal --allow-short three.txt
expect_fail missing "missing.txt" "$ESUITE" ordinal missing.txt
expect_fail plot-not-png "--plot fig.jpg: the figure is a PNG, so the name must end in .png" "$ESUITE" ordinal --plot fig.jpg ramp.txt
expect_true plot-not-png-nothing-written test ! -e fig.jpg
expect_fail output-bad-suffix "--output out.txt: the name must end in .h5, .hdf5 or .nc" "$ESUITE" ordinal --output out.txt ramp.txt
# ... and found before any input is read (it was found after the whole analysis, so a long
# series was read and analysed for nothing; a missing input then hid it): the input here does not exist
expect_fail output-suffix-before-input "error: --output out.txt: the name must end in .h5, .hdf5 or .nc" \
  "$ESUITE" ordinal --output out.txt no_such_input.txt
expect_fail output-window-before-input "error: --output is not available with --window (use --json)" \
  "$ESUITE" ordinal --window 200 --output w.h5 no_such_input.txt
expect_true output-window-no-file test ! -e w.h5
"$ESUITE" ordinal --output UPPER.H5 ramp.txt > /dev/null
expect_true output-suffix-any-case test -s UPPER.H5
# quoted numbers (csv.QUOTE_ALL, R's write.csv) are the numbers: same result as unquoted
printf 't,x\n"0","4"\n"1","7"\n"2","9"\n"3","10"\n"4","6"\n"5","11"\n"6","3"\n' > quoted.csv
printf 't,x\n0,4\n1,7\n2,9\n3,10\n4,6\n5,11\n6,3\n' > unquoted.csv
expect_true quoted-numbers-read test "$("$ESUITE" ordinal --order 3 --allow-short --column x --json quoted.csv)" = \
  "$("$ESUITE" ordinal --order 3 --allow-short --column x --json unquoted.csv)"
expect_num quoted-numbers-bandt-pompe-H "$(json_get "$("$ESUITE" ordinal --order 3 --allow-short --column x --json quoted.csv)" H)" 0.588762155916294 1e-12
# CR-only line ends (Excel's "CSV (Macintosh)"): the same numbers (the file read as one line of
# fields before, and --column x was "no column 'x'": the names were t, x0, 14, ...)
printf 't,x\r0,4\r1,7\r2,9\r3,10\r4,6\r5,11\r6,3\r' > mac.csv
expect_num cr-line-ends-bandt-pompe-H "$(json_get "$("$ESUITE" ordinal --order 3 --allow-short --column x --json mac.csv)" H)" 0.588762155916294 1e-12
printf 'x\n"1.5"\n"2.5\n' > badquote.csv
expect_fail unterminated-quote "badquote.csv:3: column 'x': cannot parse '\"2.5' as a number" "$ESUITE" ordinal badquote.csv
expect_fail stdin-twice "ordinal: '-' (standard input) given 2 times; it can be read once" "$ESUITE" ordinal - - < ramp.txt
expect_fail text-row "'ramp.txt:x[1]': VARIABLE[ROW] selects a row of a 2-D HDF5 or NetCDF variable; for text, choose a column instead" "$ESUITE" ordinal 'ramp.txt:x[1]'
# a text column named x[1] is selected by FILE:x[1], as by --column 'x[1]' (it was the error above)
printf 't,x[1]\n0,4\n1,7\n2,9\n3,10\n4,6\n5,11\n6,3\n' > rowname.csv
expect_num text-column-named-like-row-H "$(json_get "$("$ESUITE" ordinal --order 3 --allow-short --json 'rowname.csv:x[1]')" H)" 0.588762155916294 1e-12
expect_fail text-row-no-column "'rowname.csv:x[2]': VARIABLE[ROW] selects a row of a 2-D HDF5 or NetCDF variable; for text, choose a column instead (no column 'x[2]'; columns: t, x[1])" "$ESUITE" ordinal 'rowname.csv:x[2]'
mkdir -p dir_out.h5
expect_fail output-is-directory "error: cannot write 'dir_out.h5': Is a directory" "$ESUITE" ordinal --output dir_out.h5 ramp.txt
expect_true output-is-directory-leaves-nothing test -z "$(ls -A dir_out.h5; ls -d .dir_out.h5.part-* 2>/dev/null)"
expect_fail order-range "--order: value 11 is out of range (allowed range 3 .. 10)" "$ESUITE" ordinal --order 11 ramp.txt
expect_fail delay-zero "--delay: value 0 is out of range" "$ESUITE" ordinal --delay 0 ramp.txt
expect_fail delays-bad "--delays: expected A:B or A:B:STEP" "$ESUITE" ordinal --delays 5 ramp.txt
# four parts, an empty part, a trailing ':': errors (strtok took 1:5:2:3 for the curve 1, 3, 5 and
# 1::5 for 1:5, exit 0)
for d in 1:5:2:3 1::5 1:5: 1:5:2:; do
  expect_fail "delays-malformed-$d" "error: --delays: expected A:B or A:B:STEP, got '$d'" "$ESUITE" ordinal --delays "$d" ramp.txt
done
expect_fail both-modes "only one of --delay, --delays, --auto" "$ESUITE" ordinal --delay 2 --auto ramp.txt
expect_fail tnat-method "--tnat-method: 'fourier' is not one of ncross, maxavg, minavg" "$ESUITE" ordinal --auto --tnat-method fourier ramp.txt
# options of another mode were ignored without a word (--step without --window gave the whole-series
# H; --tnat-method without --auto did nothing)
expect_fail step-no-window "--step is the step of --window; give --window W too" "$ESUITE" ordinal --step 5 ramp.txt
expect_fail tnat-no-auto "--tnat-method chooses the t_nat estimate of --auto; give --auto too" \
  "$ESUITE" ordinal --tnat-method ncross ramp.txt
# with --auto it applies: 32 crossings of the mean over t = 99.99 give t_nat = 99.99/16 = 6.249375,
# delay round(0.4 * 6.249375 / 0.04) = 62 (independent count in Python)
a=$("$ESUITE" ordinal --json --auto --tnat-method ncross --dt 0.01 gen:sine:10000)
expect_num auto-ncross-tnat "$(json_get "$a" t_nat)" 6.249375 1e-9
expect_num auto-ncross-delay "$(json_get "$a" delay)" 62 0
expect_fail dt-zero "--dt: value 0 is out of range" "$ESUITE" ordinal --dt 0 ramp.txt
expect_fail dt-text "--dt: expected a number, got 'fast'" "$ESUITE" ordinal --dt fast ramp.txt
# --dt is the unit of t_pat = delay·dt·(n − 1) in every JSON result (it changed nothing without --auto)
jd=$("$ESUITE" ordinal --json --dt 0.5 --delays 3:3 gen:logistic:2000)
expect_num dt-tpat "$(json_get "$jd" t_pat)" 6 0
expect_num dt-default-tpat "$(json_get "$("$ESUITE" ordinal --json --order 4 --delay 7 gen:logistic:2000)" t_pat)" 21 0
expect_fail dt-window "--dt is the time unit of t_pat and t_nat, which --window does not report" \
  "$ESUITE" ordinal --window 500 --dt 2 gen:logistic:2000
expect_fail window-one "--window: value 1 is out of range" "$ESUITE" ordinal --window 1 ramp.txt
expect_fail window-delays "--window works with one --delay" "$ESUITE" ordinal --window 100 --delays 1:5 ramp.txt
expect_fail window-short "error: ramp.txt: ordinal: sliding window of 5 samples is too short: order n = 5 with delay 1 needs windows of at least 6 samples" "$ESUITE" ordinal --window 5 ramp.txt
expect_fail window-short-nfact "sliding window of 100 samples is too short: 96 patterns per window is less than n! = 120" "$ESUITE" ordinal --window 100 ramp.txt
# --delays whose largest delay is too long for the series: the length error, before 10^9 results are
# allocated (it exited 1 with 'cannot allocate 1000000000 delays')
expect_fail delays-huge "error: ramp.txt: series too short: 1000 samples, order n = 5 with delay 1000000000 needs at least 4000000002" "$ESUITE" ordinal --delays 1:1000000000 ramp.txt
expect_fail delays-step-last "Ptot = 100 windows is less than n! = 120 for n = 5, delay = 225" "$ESUITE" ordinal --delays 1:230:8 ramp.txt
# --column with only generated series was ignored without a word (FILE:VARIABLE with --column is
# an error); with a CSV input among them it selects that file's column
expect_fail column-gen "error: ordinal: --column x selects a column of a text/CSV input; generated (gen:) series have none" "$ESUITE" ordinal --column x gen:logistic:1000 gen:white:1000
jm=$("$ESUITE" ordinal --json --column x cols.csv gen:logistic:1000)
expect_num column-csv-and-gen "$(grep -o '"source"' <<<"$jm" | wc -l)" 2 0
expect_fail window-long "error: ramp.txt: --window 5000 is longer than the series (1000 samples)" "$ESUITE" ordinal --window 5000 ramp.txt
expect_fail column-missing "column" "$ESUITE" ordinal --column zz cols.csv
# a name past the 4096-column limit is not "no column": the header has it, the reader stops short
awk 'BEGIN { for (r = 0; r < 3; r++) { for (i = 0; i < 4100; i++) printf "%s%s", (i ? "," : ""), (r ? i : "c" i); print "" } }' > wide.csv
expect_fail column-past-limit "error: wide.csv: no column 'c4099' among the first 4096 of its 4100 columns (at most 4096 columns are supported)" \
  "$ESUITE" ordinal --column c4099 wide.csv
expect_fail gen-unknown "unknown generator 'chaos'" "$ESUITE" ordinal gen:chaos
# A bad LENGTH is one line naming the input (a second 'unknown error' line followed before).
expect_fail gen-length-zero "error: gen:sine:0: LENGTH must be an integer in 2 .. 4294967296" "$ESUITE" ordinal gen:sine:0
expect_fail gen-length-text "error: gen:white:1e5: LENGTH must be an integer in 2 .. 4294967296" "$ESUITE" ordinal gen:white:1e5
expect_fail gen-length-second "error: gen:white:1: LENGTH must be" "$ESUITE" ordinal --json gen:white:1000 gen:white:1
expect_fail auto-no-period "ramp.txt" "$ESUITE" ordinal --auto ramp.txt
expect_fail no-input "missing INPUT" "$ESUITE" ordinal --order 5
printf '\x89HDF\r\n\x1a\ngarbage garbage garbage' > corrupt.h5
expect_fail corrupt-h5 "corrupt.h5" "$ESUITE" ordinal corrupt.h5
expect_fail bad-output-name "--output out.txt" "$ESUITE" ordinal --output out.txt ramp.txt
expect_fail failed-no-output "nan.txt:3" "$ESUITE" ordinal --output failed.h5 nan.txt
# a file name that is not UTF-8 (Latin-1 '\xB0') keeps its "source" key, the byte written as \xB0
# (json_string refused it and the first object had no "source")
cp ramp.txt "$(printf 'ramp\xb0.txt')"
js=$("$ESUITE" ordinal --json "$(printf 'ramp\xb0.txt')" ramp.txt)
expect_num latin1-source-keys "$(grep -o '"source"' <<<"$js" | wc -l)" 2 0
expect_true latin1-source-value grep -qF '"source": "ramp\\xB0.txt"' <<<"$js"
# --output naming the file an input is read from: refused before anything is read, the input kept
# (it was replaced by the curve: 1000 samples of ramp.h5 became one value, exit 0)
"$ESUITE" ordinal --delays 1:1000 --allow-short --order 3 --output ramp_in.h5 gen:sine:3000 > /dev/null
expect_fail output-is-input "error: ordinal: --output ./ramp_in.h5 is the file of input 'ramp_in.h5:series_0/H': writing it would replace the data it reads; choose another name" \
  "$ESUITE" ordinal --allow-short --output ./ramp_in.h5 ramp_in.h5:series_0/H
expect_num output-is-input-kept "$(json_get "$("$ESUITE" ordinal --json --allow-short ramp_in.h5:series_0/delay)" patterns_total)" 996 0
expect_true failed-left-nothing test ! -e failed.h5
# standard output on a full disc: exit 2 and a message, for any command (exit 0
# said a cut-short table was complete)
if [ -w /dev/full ]; then
  for cmd in "ordinal ramp.txt" "ordinal --json ramp.txt" "info --config-doc"; do
    "$ESUITE" $cmd > /dev/full 2> full.err; rc=$?
    expect_num "full-disc-rc ($cmd)" "$rc" 2 0
    expect_true "full-disc message ($cmd): $(cat full.err)" grep -q '^esuite: error: cannot write to standard output: ' full.err
  done
fi

# A deep input path is named whole: es_series kept 512 bytes, so a file three
# 200-character directories down was 'DIR/DIR/DIR...: 500 samples' (and the same
# "source" in --json and the HDF5/NetCDF output), its file name gone.
seg=$(printf 'd%.0s' $(seq 200))
deep="$TMP/$seg/$seg/$seg"
mkdir -p "$deep"
seq 1 500 | awk '{ print sin($1 * 1.3) }' > "$deep/x.txt"
expect_true "long-path-source-text" bash -c '[ "$("$0" ordinal "$1" | head -1)" = "$1: 500 samples" ]' "$ESUITE" "$deep/x.txt"
expect_true "long-path-source-json" bash -c '"$0" ordinal --json "$1" gen:sine:300 | grep -qF "\"source\": \"$1\""' "$ESUITE" "$deep/x.txt"


# --column drops blanks at both ends, as the number options do: ' 2' read
# "no column ' 2'", 'b ' "no column 'b '"; an empty value is refused naming the
# option (it was taken as no --column, and the first column read without a word).
printf 'a,b\n' > "$TMP/col.csv"
seq 1 300 | awk '{ print $1 % 5 "," sin($1) }' >> "$TMP/col.csv"
expect_true column-blank-number bash -c '[ "$("$0" ordinal --column " 2" "$1" | head -1)" = "$1:2: 300 samples" ]' "$ESUITE" "$TMP/col.csv"
expect_true column-blank-name bash -c '[ "$("$0" ordinal --column "b	 " "$1" | head -1)" = "$1:b: 300 samples" ]' "$ESUITE" "$TMP/col.csv"
expect_true column-blank-same-H bash -c '[ "$("$0" ordinal --json --column " b " "$1")" = "$("$0" ordinal --json --column 2 "$1")" ]' "$ESUITE" "$TMP/col.csv"
for v in "" " " "	"; do
  expect_rc "column-empty '$v'" 2 "esuite: error: ordinal: --column: empty column name (give a header name or a 1-based number)" \
    "$ESUITE" ordinal --column "$v" "$TMP/col.csv"
done
expect_rc "column-empty =" 2 "esuite: error: ordinal: --column: empty column name (give a header name or a 1-based number)" \
  "$ESUITE" ordinal --column= --output "$TMP/col.h5" "$TMP/col.csv"
expect_true "column-empty wrote nothing" test ! -e "$TMP/col.h5"

finish
