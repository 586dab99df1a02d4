# Error messages naming long paths are printed whole, ending with their reason. A message was cut
# at 1024 bytes (and copies of it at 512 or 1024 before a prefix was added), so with a path of
# ~2800 characters (an HPC scratch directory) 'esuite ordinal' of a missing file printed
# "cannot open 'DIR/.../pppp" with no "No such file or directory", a config error lost its line,
# key and reason, and a validate case's failed run kept only the last 1023-byte piece of the
# child's error line.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
here=$(pwd -P)

seg=$(printf 'p%.0s' $(seq 200))
deep=""
for i in $(seq 14); do deep="$deep$seg/"; done
deep=${deep%/}   # 2813 characters
mkdir -p "$deep"
expect_true "deep path of 2813 characters" test "${#deep}" -eq 2813

# a missing input file of 'esuite ordinal'
expect_rc ordinal-missing-deep 2 "esuite: error: cannot open '$deep/missing.txt': No such file or directory" \
  "$ESUITE" ordinal "$deep/missing.txt"

# a config error at a deep path: file, line, key and reason
printf '[run]\nmodel = gas\n[gas]\nN = abc\nsamples = 3\nplots = false\n' > "$deep/bad.ini"
expect_rc config-error-deep 2 \
  "esuite: error: $deep/bad.ini:4: key 'gas.N': expected an integer, got 'abc' (allowed range 0 .. 50000000)" \
  "$ESUITE" run "$deep/bad.ini" --quiet

# run --output into a deep directory that cannot be made (the path twice in one message)
printf '[run]\nmodel = gas\n[gas]\nN = 200\nsamples = 3\nplots = false\n' > ok.ini
touch "$deep/afile"
expect_rc run-output-deep 2 \
  "esuite: error: cannot create output directory '$deep/afile/out': '$deep/afile' exists and is not a directory" \
  "$ESUITE" run ok.ini --output "$deep/afile/out" --quiet
expect_true "nothing written (run --output)" test ! -e "$deep/afile/out"

# a validate case at a deep path with a bad key
printf '[case]\ndescription = x\nsource = y\nconfig = ok.ini\nquantity = final.P\nexpected = 1\ntolerance = 0.1\nbogus = 3\n' \
  > "$deep/bad_case.ini"
expect_rc validate-bad-key-deep 2 \
  "esuite: error: validate: $deep/bad_case.ini:8: unknown key 'case.bogus' (did you mean 'case.args'?)" \
  "$ESUITE" validate "$deep/bad_case.ini"

# two long paths in one message: a sweep at a deep path whose base config (made absolute) has a bad key
printf '[run]\nmodel = gas\n[gas]\nN = 200\nsamples = 3\nplots = false\nbogus = 1\n' > "$deep/base.ini"
printf '[sweep]\nbase = base.ini\nname = g\nvary gas.N = 200, 300\n' > "$deep/s.ini"
expect_rc sweep-base-deep 2 \
  "esuite: error: $deep/s.ini:2: base config: $here/$deep/base.ini:7: unknown key 'gas.bogus' (did you mean 'gas.box'?)" \
  "$ESUITE" sweep "$deep/s.ini" --dir "$deep/sw" --scheduler local
expect_true "nothing written (sweep)" test ! -e "$deep/sw"

# a validate case whose run fails with an error line longer than 1024 bytes: the FAIL line has it whole
mid=""
for i in $(seq 9); do mid="$mid$seg/"; done
mid=${mid%/}
mkdir -p "$mid"
touch "$mid/afile"
printf '[case]\ndescription = x\nsource = y\nargs = ordinal --output %s/afile/o.h5 gen:sine:300\nquantity = final.P\nexpected = 1\ntolerance = 0.1\n' \
  "$here/$mid" > "$mid/child_case.ini"
"$ESUITE" validate "$mid/child_case.ini" > out.txt 2> err.txt
rc=$?
expect_num "validate child failure: exit status" "$rc" 1 0
expect_true "validate child failure: whole reason" \
  grep -qF "esuite ordinal exited with status 2: error: cannot write '$here/$mid/afile/o.h5': Not a directory" out.txt

finish
