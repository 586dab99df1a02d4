#!/usr/bin/env bash
# esuite set-up on Debian 12: installs what is missing, builds, then
#   ./setup.sh demo   runs the demo (figures under outputs/demo/)
#   ./setup.sh test   runs the whole test suite (Release -Werror build, then unit tests under ASan+UBSan)
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-}
case "$mode" in demo|test) ;; *) echo "usage: ./setup.sh demo|test" >&2; exit 2 ;; esac

packages="build-essential cmake pkgconf git libgsl-dev libhdf5-dev libnetcdf-dev libinih-dev
          libjansson-dev libcmocka-dev gnuplot-nox hdf5-tools netcdf-bin strace"
# hdf5-tools/netcdf-bin: h5dump and ncdump, with which the resume and sweep tests compare whole files;
# strace: the durable-writes test reads the system calls of a run
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

jobs=$(nproc 2>/dev/null || echo 2)
build() { # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

if [ "$mode" = demo ]; then
  build build
  bash configs/demo.sh build/esuite outputs/demo
  exit 0
fi

# test: the Release build with warnings as errors runs everything (unit, cli, release, validation);
# the sanitizer build runs the unit and CLI tests again under ASan+UBSan.
build build -DESUITE_WERROR=ON
ctest --test-dir build --output-on-failure -j "$jobs"
build build-asan -DESUITE_WERROR=ON -DESUITE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -L 'unit|cli'
