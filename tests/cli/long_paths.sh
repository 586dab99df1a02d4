# A file or directory name longer than a path may be (PATH_MAX, 4096 bytes with its NUL) is refused by the
# option that got it, exit 2, nothing written: it was copied cut to 4095 bytes, so 'esuite run --output'
# of 5024 characters made the directory of its first 4095 and failed there with a message cut short
# over two lines ("cannot write 'DIR/DIR/.../dddd" and "DIR/.../dddddddd"). A run directory made of
# [run] output_dir and [run] name was cut the same way.
. "$(dirname "$0")/lib.bash"
cd "$TMP"

seg=$(printf 'd%.0s' $(seq 200))
long=""
for i in $(seq 25); do long="$long$seg/"; done
long=${long%/}   # 5024 characters
limit="5024 characters, longer than the 4095 a path may have (PATH_MAX): '$(printf 'd%.0s' $(seq 64))...'"

printf '[run]\nmodel = gas\n[gas]\nN = 200\nsamples = 3\nplots = false\n' > base.ini
expect_rc run-output-long 2 "esuite: error: run: --output: directory name of $limit" \
  "$ESUITE" run base.ini --output "$long" --quiet
expect_rc run-resume-long 2 "esuite: error: run: --resume: directory name of $limit" "$ESUITE" run --resume "$long"
printf '[sweep]\nbase = base.ini\nname = g\nvary gas.N = 200, 300\n' > s.ini
expect_rc sweep-dir-long 2 "esuite: error: sweep: --dir: directory name of $limit" \
  "$ESUITE" sweep s.ini --dir "$long" --scheduler local
expect_rc collect-dir-long 2 "esuite: error: collect: SWEEPDIR: directory name of $limit" "$ESUITE" collect "$long"
expect_true "nothing written" bash -c '! ls -a | grep -q "^d\\|^g$\\|part"'

# [run] output_dir of 4000 characters and a name of 100: 4101, cut to 4095
printf '[run]\nmodel = gas\noutput_dir = %s\nname = %s\n[gas]\nN = 200\nsamples = 3\nplots = false\n' \
  "${long:0:4000}" "$(printf 'n%.0s' $(seq 100))" > lo.ini
expect_rc run-output-dir-key-long 2 \
  "esuite: error: lo.ini:3: key 'run.output_dir': with [run] name, a run directory of 4101 characters, longer than the 4095 a path may have" \
  "$ESUITE" run lo.ini --quiet
expect_true "nothing written (output_dir)" test ! -e "$seg"

# ordinal --output and --plot: a 5029-character name failed with "cannot write 'DIR/.../dddd" (cut),
# and an empty one read "--output : the name must end in .h5, .hdf5 or .nc"
expect_rc ordinal-output-long 2 "esuite: error: ordinal: --output: file name of 5029 characters, longer than the 4095 a path may have (PATH_MAX): '$(printf 'd%.0s' $(seq 64))...'" \
  "$ESUITE" ordinal --output "$long/o.h5" gen:sine:300
expect_rc ordinal-plot-long 2 "esuite: error: ordinal: --plot: file name of 5030 characters, longer than the 4095 a path may have (PATH_MAX): '$(printf 'd%.0s' $(seq 64))...'" \
  "$ESUITE" ordinal --plot "$long/o.png" gen:sine:300
expect_rc ordinal-output-empty 2 "esuite: error: ordinal: --output: empty file name" "$ESUITE" ordinal --output= gen:sine:300
expect_rc ordinal-plot-empty 2 "esuite: error: ordinal: --plot: empty file name" "$ESUITE" ordinal --plot "" gen:sine:300

finish
