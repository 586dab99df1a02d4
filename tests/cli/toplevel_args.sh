# esuite --version, --help and help take what their usage says and nothing more: an extra word
# is a usage error (one line, exit 2, nothing on stdout) as for every command, not ignored with
# exit 0; and their output to a full disc fails as a command's does.
. "$(dirname "$0")/lib.bash"

expect_rc version-extra 2 "esuite: error: --version takes no argument, got 'extra' (usage: esuite --version)" \
  "$ESUITE" --version extra
expect_rc V-extra 2 "esuite: error: -V takes no argument, got 'run' (usage: esuite -V)" "$ESUITE" -V run x.ini
expect_rc help-extra 2 "esuite: error: --help: unknown command 'extra' (see 'esuite --help')" "$ESUITE" --help extra
expect_rc h-extra 2 "esuite: error: -h: unknown command 'extra' (see 'esuite --help')" "$ESUITE" -h extra
expect_rc help-cmd-extra 2 \
  "esuite: error: help: expected one COMMAND, got an extra argument 'extra' (usage: esuite help [COMMAND])" \
  "$ESUITE" help run extra
expect_rc dashhelp-cmd-extra 2 \
  "esuite: error: --help: expected one COMMAND, got an extra argument 'x' (usage: esuite --help [COMMAND])" \
  "$ESUITE" --help info x
expect_rc help-unknown 2 "esuite: error: help: unknown command 'rnu' (see 'esuite --help')" "$ESUITE" help rnu

# commands with one positional argument name the extra one, as run and info do (they said
# "expected one SWEEPDIR" and left the user to find which word was too many)
expect_rc collect-extra 2 \
  "esuite: error: collect: expected one SWEEPDIR, got an extra argument 'b' (see 'esuite collect --help')" \
  "$ESUITE" collect a --strict b
expect_rc collect-missing 2 "esuite: error: collect: missing SWEEPDIR (see 'esuite collect --help')" \
  "$ESUITE" collect --strict
expect_rc sweep-extra 2 \
  "esuite: error: sweep: expected one SWEEP file or sweep DIR, got an extra argument 'x' (see 'esuite sweep --help')" \
  "$ESUITE" sweep s.ini x --plan
if "$ESUITE" info | grep -q '^models:.* school\( \|$\)'; then
  expect_rc school-metrics-extra 2 "esuite: error: school-metrics: expected one FILE.nc, got an extra argument 'b.nc'" \
    "$ESUITE" school-metrics a.nc b.nc
fi

# what stays accepted
expect_true "--version alone: exit 0, one line" \
  bash -c '[ "$("$0" --version | grep -c "^esuite [0-9][^ ]* (git [^)]*)$")" -eq 1 ]' "$ESUITE"
expect_true "--help COMMAND is the command's help, as help COMMAND" \
  bash -c 'diff <("$0" --help run) <("$0" help run) >/dev/null && "$0" --help run | head -1 | grep -q "^usage: esuite run "' "$ESUITE"
expect_true "--help alone: the usage, exit 0" bash -c '"$0" --help | head -1 | grep -q "^usage: esuite "' "$ESUITE"

# standard output on a full disc: exit 2, not 0 (checked for commands only before)
if [ -w /dev/full ]; then
  expect_rc version-full 2 "esuite: error: cannot write to standard output: No space left on device" \
    bash -c '"$0" --version >/dev/full' "$ESUITE"
  expect_rc help-cmd-full 2 "esuite: error: cannot write to standard output: No space left on device" \
    bash -c '"$0" help collect >/dev/full' "$ESUITE"
  # every command's --help (ordinal's left with exit(0), past the check)
  for cmd in run ordinal school-metrics bench sweep collect validate info; do
    expect_rc "$cmd-help-full" 2 "esuite: error: cannot write to standard output: No space left on device" \
      bash -c '"$0" "$1" --help >/dev/full' "$ESUITE" "$cmd"
  done
fi
finish
