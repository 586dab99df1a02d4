#!/bin/bash
# `esuite info` says which build this is, as the build directory configured it:
# version and git revision of the source tree, build type with its flags and the
# ESUITE_* options (a Debug or sanitizer build's timings mean something else).
. "$(dirname "$0")/lib.bash"
: "${ES_BUILD_DIR:?ES_BUILD_DIR must point at the build directory}" "${ES_SOURCE_DIR:?}"
out=$("$ESUITE" info); rc=$?
expect_true "info exits 0 (rc=$rc)" test "$rc" -eq 0
cache() { sed -n "s/^$1:[A-Z]*=//p" "$ES_BUILD_DIR/CMakeCache.txt"; }
type=$(cache CMAKE_BUILD_TYPE)
expect_true "build line names type '$type', flags and options ($out)" \
  grep -qx "build: $type (.*), ESUITE_WERROR=$(cache ESUITE_WERROR) ESUITE_SANITIZE=$(cache ESUITE_SANITIZE)" <<< "$out"
flags=$(cache "CMAKE_C_FLAGS_$(tr a-z A-Z <<< "$type")")
expect_true "build flags are the cache's ($flags)" grep -qF "($flags)" <<< "$out"
version=$(sed -n 's/^project(esuite VERSION \([0-9.]*\).*/\1/p' "$ES_SOURCE_DIR/CMakeLists.txt")
# the revision is the tree's at build time (HEAD may have moved since): its form only
expect_true "first line: version $version and a revision ($out)" \
  grep -Eq "^esuite $version \(git ([0-9a-f]{12}(-dirty)?|unknown)\)$" <<< "$out"

# esuite info FILE: the provenance a run's outputs carry, with the config last.
cd "$TMP"
printf '[run]\nmodel = gas\nseed = 7\n[gas]\nN = 300\nsamples = 2\nplots = false\n' > g.ini
"$ESUITE" run g.ini --output g --quiet --threads 1 --set gas.realizations=2
rev=$(sed -n 's/^esuite [^ ]* (git \(.*\))$/\1/p' <<< "$out")
for f in g/gas.h5 g/summary.json; do
  i=$("$ESUITE" info "$f"); rc=$?
  expect_true "info $f exits 0 (rc=$rc)" test "$rc" -eq 0
  expect_true "info $f: seed 7 ($i)" grep -qx 'seed  *7' <<< "$i"
  expect_true "info $f: threads 1" grep -qx 'threads  *1' <<< "$i"
  expect_true "info $f: model gas" grep -qx 'model  *gas' <<< "$i"
  expect_true "info $f: the build's git revision $rev" grep -qx "git_revision  *$rev" <<< "$i"
  expect_true "info $f: the command line" grep -q "^command_line  *.*esuite run g.ini --output g --quiet --threads 1 --set gas.realizations=2$" <<< "$i"
done
# overrides one per line, aligned, in gas.h5 and in summary.json alike (the JSON
# array printed as ["gas.realizations=2","run.threads=1"])
ovs() { "$ESUITE" info "$1" | sed -n '/^overrides /,/^[a-z]/p' | sed '$d'; }
want=$(printf 'overrides          gas.realizations=2\n                   run.threads=1')
for f in g/gas.h5 g/summary.json; do
  expect_true "info $f: overrides one per line ($(ovs "$f"))" test "$(ovs "$f")" = "$want"
done
i=$("$ESUITE" info g/gas.h5)
expect_true "info gas.h5: the resolved config comes last, with its values" \
  test "$(sed -n '/^config:$/,$p' <<< "$i" | grep -cE '^(N = 300|seed = 7|realizations = 2)( |$)')" -eq 3
expect_true "info gas.h5: realizations attribute 2" grep -qx 'realizations  *2' <<< "$i"
# a 64-bit seed beyond 2^53 (where a double rounds it) is printed exactly
printf '[run]\nmodel = gas\nseed = 9007199254740993\n[gas]\nN = 300\nsamples = 2\nplots = false\n' > big.ini
"$ESUITE" run big.ini --output big --quiet --threads 1
for f in big/gas.h5 big/summary.json; do
  i=$("$ESUITE" info "$f")
  expect_true "info $f: seed 9007199254740993 exactly ($(grep '^seed' <<< "$i"))" grep -qx 'seed  *9007199254740993' <<< "$i"
done
# school.nc carries the model's parameters as attributes too: the provenance comes first,
# multi-line values (overrides) stay aligned under their name
printf '[run]\nmodel = school\nseed = 5\n[school]\nn_fish = 20\nn_steps = 5\n' > s.ini
"$ESUITE" run s.ini --output s --quiet --set school.speed=1.5 --set school.noise=0.1
i=$("$ESUITE" info s/school.nc)
expect_true "info school.nc: model before the model's parameters ($i)" \
  awk '/^model  *school$/ { m = NR } /^speed / { p = NR } END { exit !(m && p && m < p) }' <<< "$i"
expect_true "info school.nc: speed 1.5 recorded" grep -qx 'speed  *1.5' <<< "$i"
expect_true "info school.nc: overrides one per line, aligned" \
  grep -qxE 'overrides  +school.(speed=1.5|noise=0.1)' <<< "$i"
expect_true "info school.nc: second override aligned under the first" \
  grep -qxE ' {19}school.(speed=1.5|noise=0.1)' <<< "$i"
# attributes with several values (string lists, numeric arrays), which no esuite output
# has and nothing here can write from the shell: tests/unit/test_info_file.c
expect_fail info-missing "info: cannot open 'nope.h5': No such file or directory" "$ESUITE" info nope.h5
printf 'x\n' > t.txt
expect_fail info-not-output "info: t.txt: cannot read it as HDF5, NetCDF or JSON" "$ESUITE" info t.txt
# an output cut short (a copy interrupted) is named as a damaged HDF5 / NetCDF file, not as
# something that is neither ("cannot read it as HDF5, NetCDF or JSON: NetCDF: HDF error")
head -c 2000 g/gas.h5 > cut.h5
expect_fail info-truncated-h5 "info: cut.h5: an HDF5 file that cannot be opened (corrupt or truncated file?): NetCDF: " \
  "$ESUITE" info cut.h5
printf 'CDF\001' > cut.nc
expect_fail info-truncated-nc "info: cut.nc: a NetCDF file that cannot be opened (corrupt or truncated file?): NetCDF: " \
  "$ESUITE" info cut.nc
echo '{"a": 1}' > other.json
expect_fail info-json-without-provenance "info: other.json: no \"provenance\" object" "$ESUITE" info other.json
# a directory, and JSON that is not an object, say what they are (they got the generic
# "cannot read it as HDF5, NetCDF or JSON")
mkdir empty_dir
expect_fail info-directory "info: empty_dir: is a directory, not an output file" "$ESUITE" info empty_dir
expect_fail info-run-directory \
  "info: g: is a directory, not an output file (its run's provenance: esuite info g/summary.json)" \
  "$ESUITE" info g
printf ' [{"provenance": {"model": "gas"}}]\n' > list.json
expect_fail info-json-array "info: list.json: is JSON but not an esuite summary (top level is an array)" \
  "$ESUITE" info list.json
# argument errors are usage errors (exit status 2, as for every command): --config-doc
# took no notice of a FILE, and a second FILE was 'unknown argument' (the first one)
usage='(usage: esuite info [--config-doc | FILE])'
expect_fail info-config-doc-with-file "info: --config-doc takes no FILE, got 'x' $usage" \
  "$ESUITE" info --config-doc x
expect_fail info-file-then-config-doc "info: --config-doc takes no FILE, got 'g/gas.h5' $usage" \
  "$ESUITE" info g/gas.h5 --config-doc
expect_fail info-two-files "info: expected one FILE, got an extra argument 'b' $usage" "$ESUITE" info a b
expect_fail info-unknown-option "info: unknown option '--frobnicate' (see 'esuite info --help')" \
  "$ESUITE" info --frobnicate
for args in "--config-doc x" "a b" "--frobnicate" "empty_dir" "list.json"; do
  # shellcheck disable=SC2086
  "$ESUITE" info $args >/dev/null 2>&1; rc=$?
  expect_true "info $args: exit status 2 (rc=$rc)" test "$rc" -eq 2
done
finish
