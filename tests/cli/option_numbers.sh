#!/bin/bash
# Number options take blanks at either end, as config lines and --set do: strtoll and strtod
# skipped those in front, so '--order " 4"' was 4 but '--order "4 "' was refused ("expected an
# integer, got '4 '"). A value of blanks only is still refused, naming the option.
. "$(dirname "$0")/lib.bash"
cd "$TMP"

plain=$("$ESUITE" ordinal --json --order 4 --dt 0.5 gen:logistic:1000)
plain_gen=$("$ESUITE" ordinal --json --order 4 gen:logistic:1000)
for v in ' 4' '4 ' ' 4 ' $'4\t'; do
  got=$("$ESUITE" ordinal --json --order "$v" --dt "$v" gen:logistic:1000 2>&1)
  want=$("$ESUITE" ordinal --json --order 4 --dt 4 gen:logistic:1000)
  expect_true "--order and --dt '$v' read as 4 ($got)" test "$got" = "$want"
done
expect_true "--dt '0.5 ' is 0.5" test "$("$ESUITE" ordinal --json --order 4 --dt '0.5 ' gen:logistic:1000)" = "$plain"
expect_true "--delays ' 1: 3 ' (parts trimmed) is 1:3" \
  test "$("$ESUITE" ordinal --json --delays ' 1: 3 ' gen:logistic:1000)" = "$("$ESUITE" ordinal --json --delays 1:3 gen:logistic:1000)"
expect_true "--seed '7 ' is 7" \
  test "$("$ESUITE" ordinal --json --seed '7 ' gen:white:1000)" = "$("$ESUITE" ordinal --json --seed 7 gen:white:1000)"
# LENGTH of a generated input gen:NAME:LENGTH likewise (strtoll skipped blanks in front only, so
# 'gen:logistic: 1000' was 1000 and 'gen:logistic:1000 ' "LENGTH must be an integer")
for v in ' 1000' '1000 ' ' 1000 ' $'1000\t'; do
  got=$("$ESUITE" ordinal --json --order 4 "gen:logistic:$v" 2>&1)
  expect_true "gen:logistic:'$v' is 1000 samples ($got)" test "$got" = "$plain_gen"
done
# and NAME (it was "unknown generator ' logistic'"; LENGTH took blanks since 9302857)
for v in ' logistic' 'logistic ' ' logistic ' $'\tlogistic'; do
  got=$("$ESUITE" ordinal --json --order 4 "gen:$v:1000" 2>&1)
  expect_true "gen:'$v':1000 is the logistic map ($got)" test "$got" = "$plain_gen"
done
expect_rc gen-name-inner-blank 2 "esuite: error: gen:logi stic:1000: unknown generator 'logi stic' (logistic, henon, tent, asymm_tent, sine, lorenz, white, pink, red, blue, violet)" \
  "$ESUITE" ordinal --json 'gen:logi stic:1000'
expect_rc gen-name-blank 2 "esuite: error: gen: :1000: unknown generator '' (logistic, henon, tent, asymm_tent, sine, lorenz, white, pink, red, blue, violet)" \
  "$ESUITE" ordinal --json 'gen: :1000'
# sweep reads its options before the sweep file: '2 ' now gets as far as the missing file
expect_rc sweep-jobs-trailing-blank 2 "esuite: error: nosuch.ini: cannot open sweep file: No such file or directory" \
  "$ESUITE" sweep nosuch.ini --jobs '2 ' --scheduler local

# Blanks only, or a blank inside, stay errors naming the option (--threads is run.threads, trimmed
# by the config module, hence its key and '').
expect_rc order-blank 2 "esuite: error: --order: expected an integer, got '  ' (allowed range 3 .. 10)" \
  "$ESUITE" ordinal --json --order '  ' gen:logistic:1000
expect_rc dt-blank 2 "esuite: error: --dt: expected a number, got ' ' (allowed range 1e-300 .. 1e+300)" \
  "$ESUITE" ordinal --json --dt ' ' gen:logistic:1000
expect_rc order-inner-blank 2 "esuite: error: --order: expected an integer, got '4 5' (allowed range 3 .. 10)" \
  "$ESUITE" ordinal --json --order '4 5' gen:logistic:1000
expect_rc gen-length-blank 2 "esuite: error: gen:logistic: : LENGTH must be an integer in 2 .. 4294967296" \
  "$ESUITE" ordinal --json 'gen:logistic: '
expect_rc gen-length-inner-blank 2 "esuite: error: gen:logistic:10 00: LENGTH must be an integer in 2 .. 4294967296" \
  "$ESUITE" ordinal --json 'gen:logistic:10 00'
expect_rc jobs-blank 2 "esuite: error: --jobs: expected an integer, got ' ' (allowed range 1 .. 4096)" \
  "$ESUITE" sweep nosuch.ini --jobs ' ' --scheduler local
expect_rc threads-blank 2 "esuite: error: --threads: key 'run.threads': expected an integer, got '' (allowed range 0 .. 4096)" \
  "$ESUITE" run "$ES_SOURCE_DIR/configs/gas_expansion.ini" --check --threads ' '
finish
