# Shared helpers for the CLI tests (sourced). ESUITE is the binary under test.
set -u
: "${ESUITE:?ESUITE must point at the esuite binary}"
TMP=$(mktemp -d /tmp/esuite-cli-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

# expect_fail NAME "stderr needle" CMD... : nonzero exit, exactly one stderr line containing needle, no stdout.
expect_fail() {
  local name=$1 needle=$2; shift 2
  local out err rc
  out=$("$@" 2>"$TMP/err"); rc=$?
  err=$(cat "$TMP/err")
  local lines
  lines=$(printf '%s' "$err" | grep -c '' || true)
  if [ $rc -ne 0 ] && [ -z "$out" ] && [ "$lines" -eq 1 ] && [[ "$err" == *"$needle"* ]]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: rc=$rc stdout='${out:0:200}' stderr($lines lines)='$err' (wanted '$needle')"
  fi
}

# expect_rc NAME WANT-RC "stderr" CMD... : exit status WANT-RC and stderr exactly as given, no stdout
expect_rc() {
  local name=$1 want=$2 msg=$3; shift 3
  local out rc
  out=$("$@" 2>"$TMP/err"); rc=$?
  if [ "$rc" -eq "$want" ] && [ -z "$out" ] && [ "$(cat "$TMP/err")" = "$msg" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: rc=$rc (wanted $want) stdout='${out:0:120}' stderr='$(cat "$TMP/err")' (wanted '$msg')"
  fi
}

# expect_num NAME GOT WANT TOL : |GOT - WANT| <= TOL
expect_num() {
  if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $1: got '$2', wanted $3 ± $4"
  fi
}

expect_true() { # NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi
}

# json_get FILE-OR-STRING KEY : a top-level number from a one-object JSON line.
json_get() { printf '%s' "$1" | grep -o "\"$2\": *[-0-9.eE+]*" | head -1 | sed 's/.*: *//'; }

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}

# signal_run SECONDS ERRFILE CMD... : start CMD in the background (stderr to ERRFILE), send it
# SIGUSR1 (what Slurm sends before a time limit) after SECONDS, wait; sets RC to its exit status.
signal_run() {
  local delay=$1 errfile=$2; shift 2
  "$@" 2>"$errfile" &
  local pid=$!
  sleep "$delay"
  kill -USR1 "$pid" 2>/dev/null
  wait "$pid"
  RC=$?
}

# interrupt NAME ERRFILE CMD...: run CMD in the background and send it SIGUSR1 once it has
# written a timed checkpoint (output.checkpoint_interval = 0.05 s) newer than the call; RC
# is its exit status.
interrupt() {
  local name=$1 errfile=$2; shift 2
  touch "$name.mark"
  sleep 0.05
  "$@" 2>"$errfile" &
  local pid=$! i
  for i in $(seq 1 600); do [ "$name/checkpoint.esck" -nt "$name.mark" ] && break; sleep 0.025; done
  kill -USR1 $pid 2>/dev/null
  wait $pid
  RC=$?
}
