#!/usr/bin/env bash
# Fuzzes the scenario loader, the strategy overlays and the --param value
# paths with libFuzzer (clang, AddressSanitizer, UndefinedBehaviorSanitizer).
#
#   scripts/fuzz.sh SECONDS [HARNESS...]
#
# HARNESS is fuzz_scenario, fuzz_overlay or fuzz_param (default: all three,
# one after the other, SECONDS each).  Builds into build-fuzz/ (CC=clang);
# the corpus grows in build-fuzz/corpus/HARNESS/, seeded from the
# repository's scenarios, strategies and tests/data; a crash, leak, timeout
# or contract violation is written to build-fuzz/crashes/HARNESS/ and ends
# the script with exit 1.  A crash found becomes a regression file under
# tests/data/bad/ (scenario) or a test in tests/test_overlay.c.
# For a long campaign: scripts/fuzz.sh 3600 fuzz_scenario (the corpus is
# kept between runs, so campaigns add up).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:?usage: scripts/fuzz.sh SECONDS [HARNESS...]}
shift
if [ "$#" -gt 0 ]; then harnesses=("$@"); else harnesses=(fuzz_scenario fuzz_overlay fuzz_param); fi
command -v clang >/dev/null || { echo "fuzz: clang is not installed (scripts/deps.sh)" >&2; exit 69; }

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCDNSIM_FUZZ=ON \
    -DCDNSIM_TESTS=OFF -DCDNSIM_MPI=OFF -DCDNSIM_WERROR=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${harnesses[@]}" >/dev/null

status=0
for h in "${harnesses[@]}"; do
    case $h in
    fuzz_scenario) seeds=(scenarios tests/data/good tests/data/bad tests/data/golden) ;;
    fuzz_overlay) seeds=(scenarios/strategies) ;;
    fuzz_param) seeds=(tests/fuzz/param-seeds) ;;
    *) echo "fuzz: unknown harness '$h'" >&2; exit 64 ;;
    esac
    corpus=build-fuzz/corpus/$h
    crashes=build-fuzz/crashes/$h
    mkdir -p "$corpus" "$crashes"
    log=build-fuzz/$h.log
    if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "build-fuzz/tests/fuzz/$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" \
        "$corpus" "${seeds[@]}" >"$log" 2>&1; then
        result=ok
    else
        result="FOUND A PROBLEM (see $log and $crashes/)"
        status=1
    fi
    execs=$(grep -aoE 'stat::number_of_executed_units: *[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || echo "?")
    cov=$(grep -aoE 'cov: [0-9]+' "$log" | tail -1 || true)
    echo "fuzz: $h: $execs executions in ${secs} s, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) files: $result"
    [ "$result" = ok ] || tail -30 "$log" >&2
done
exit "$status"
