#!/usr/bin/env bash
# The whole test suite: a Release build with warnings as errors, then an
# ASan+UBSan Debug build, each running every CTest test (Check unit tests
# and the command-line end-to-end tests); a short libFuzzer run of each
# harness (scripts/fuzz.sh; CDNSIM_FUZZ_SECONDS sets its length); then an
# install into a scratch prefix that must run the default scenario from
# anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== Release build, warnings as errors"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCDNSIM_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== ASan + UBSan build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCDNSIM_SANITIZE=ON -DCDNSIM_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j"$jobs")

echo "== fuzz smoke: libFuzzer, ${CDNSIM_FUZZ_SECONDS:-30} s per harness"
scripts/fuzz.sh "${CDNSIM_FUZZ_SECONDS:-30}"

echo "== install"
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install build --prefix "$prefix" >/dev/null
(cd "$prefix" && "$prefix/bin/cdnsim" run --no-plot -o "$prefix/out" >/dev/null 2>"$prefix/log" &&
    grep -qF "from $prefix/bin/../share/cdnsim/scenarios/" "$prefix/log" &&
    test -s "$prefix/out/summary.json" &&
    test -s "$prefix/share/doc/cdnsim/docs/scenario-format.md" &&
    test -s "$prefix/share/man/man1/cdnsim.1" &&
    test -s "$prefix/share/man/man5/cdnsim-scenario.5" &&
    test -s "$prefix/share/bash-completion/completions/cdnsim")
echo "install: 1 passed, 0 failed"
