# esuite bench --json: every record carries, after the keys the issues name (outside checks read
# them), the provenance every output carries: the esuite version and git revision of the
# binary, the host and when it ran (UTC, start <= end).
. "$(dirname "$0")/lib.bash"
cd "$TMP"
ver=$("$ESUITE" --version | sed -n 's/^esuite \([^ ]*\) (git \([^)]*\)).*/\1 \2/p')
set -- $ver
"$ESUITE" bench ordinal --json --quick > b.json
n=$(grep -c '"area": "ordinal"' b.json)
expect_num bench-records "$n" 4 100
expect_num bench-version "$(grep -c "\"esuite_version\": \"$1\"" b.json)" "$n" 0
expect_num bench-revision "$(grep -c "\"git_revision\": \"$2\"" b.json)" "$n" 0
expect_num bench-host "$(grep -c "\"host\": \"$(hostname)\"" b.json)" "$n" 0
expect_num bench-samples-per-second "$(grep -c '"samples_per_second": ' b.json)" 2 100
# getMaxC at n = 9: the full scan's value (tests/unit/test_ordinal_exact.c; JSON keeps 10 digits), with its time
expect_num bench-max-c "$(sed -n 's/.*"max_c": \([0-9.e+-]*\).*/\1/p' b.json)" 0.6570554689387984 1e-9
expect_num bench-max-c-seconds "$(grep -c '"max_c_seconds": ' b.json)" 1 0
stamp='"20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z"'
expect_num bench-start "$(grep -Ec "\"start_time\": $stamp" b.json)" "$n" 0
expect_num bench-end "$(grep -Ec "\"end_time\": $stamp" b.json)" "$n" 0
start=$(sed -n 's/.*"start_time": "\(.*\)".*/\1/p' b.json | head -1)
end=$(sed -n 's/.*"end_time": "\(.*\)".*/\1/p' b.json | head -1)
expect_true bench-start-before-end test ! "$start" \> "$end"
# the text form stays one line of the area's own keys per record
"$ESUITE" bench ordinal --quick > b.txt
expect_num bench-text-no-provenance "$(grep -c git_revision b.txt)" 0 0
# ... and is not JSON, so 'esuite --help' may not call the bench output JSON without --json
expect_num bench-text-not-json "$(grep -c '^[[{]' b.txt)" 0 0
expect_num help-bench-line-names-json-option "$("$ESUITE" --help | grep -c '^  bench .*--json')" 1 0
finish
