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
finish
