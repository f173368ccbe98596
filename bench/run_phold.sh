#!/usr/bin/env bash
# PHOLD side by side: the kernel against the plain-C baselines of the
# project's shared notes, median of N runs (default 5), printed as a
# Markdown table (the one in docs/performance.md) with the target ratios.
#
#   bench/run_phold.sh [path/to/phold] [runs]
#
# Without a path it builds a Release phold in build-bench/.  When the
# shared baselines exist (../shared/bench/baseline/ beside the repository,
# or $PHOLD_BASELINE_DIR), it compiles phold_heap4.c and phold_heap.c there
# exactly as their README says (cc -O2 ... -lm) into build-bench/baseline/
# and runs them in the same rounds as the kernel; without them it runs the
# kernel only and prints no ratios.
#
# Timing is the same for every program: wall time of the whole process,
# fork to exit, taken by this script (date +%s%N around the run), and peak
# RSS from /usr/bin/time; not each program's own figure (the baselines
# report their event loop alone).  Runs are interleaved (round r runs every
# engine once, config by config) so that a slow spell on a shared machine
# hits all engines alike; the load average is printed before and after.
#
# Checks: every in-tree engine run prints the same determinism line (per-LP
# counters, last event time) for a config, or the script fails; every
# baseline run must report check_sum = the event count.  The baselines draw
# from their own splitmix64 streams, so their event order differs from the
# kernel's; only the counts are comparable.
#
# Ratios (issue 14's targets): small = kernel (ladder) / the 4-ary baseline,
# target >= 1.0; large = kernel / the faster of the two baselines on large,
# target >= 2.0.  PHOLD_ENGINES (space-separated phold engine arguments,
# default "cdnsim:ladder cdnsim:heap") picks the in-tree engines; add
# heap2 and heap4 for the in-tree re-implementations of the baselines.
# PHOLD_EVENTS overrides the 10,000,000 events (for a quick try).
set -euo pipefail
cd "$(dirname "$0")/.."

phold=${1:-}
runs=${2:-5}
if [ -z "$phold" ]; then
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCDNSIM_TESTS=OFF >/dev/null
    cmake --build build-bench --target phold -j2 >/dev/null
    phold=build-bench/bench/phold
fi
phold=$(realpath "$phold")

# The engines: "label|command ...".  In-tree ones first.
engines=()
for e in ${PHOLD_ENGINES:-cdnsim:ladder cdnsim:heap}; do
    case $e in
    cdnsim:*) engines+=("cdnsim-${e#cdnsim:}|$phold --engine cdnsim --queue ${e#cdnsim:}") ;;
    *) engines+=("$e|$phold --engine $e") ;;
    esac
done
nintree=${#engines[@]}

basedir=${PHOLD_BASELINE_DIR:-../shared/bench/baseline}
have_baselines=0
if [ -f "$basedir/phold_heap4.c" ] && [ -f "$basedir/phold_heap.c" ]; then
    mkdir -p build-bench/baseline
    cc -O2 -o build-bench/baseline/phold_heap4 "$basedir/phold_heap4.c" -lm
    cc -O2 -o build-bench/baseline/phold_heap "$basedir/phold_heap.c" -lm
    engines+=("baseline-4heap|$PWD/build-bench/baseline/phold_heap4")
    engines+=("baseline-binheap|$PWD/build-bench/baseline/phold_heap")
    have_baselines=1
fi

# config -> (phold --config, baseline arguments)
declare -A lps=([small]=1024 [large]=65536)
configs=(small large)
events=${PHOLD_EVENTS:-10000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "# PHOLD, median of $runs runs per engine and config, whole process"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores," \
    "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "# compiler: $(cc --version | head -1)"
[ "$have_baselines" = 1 ] && echo "# baselines: $(realpath "$basedir")" ||
    echo "# baselines: not found at $basedir (kernel only, no ratios)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# run_one LABEL CONFIG CMD...: appends "seconds rss_mb" to $work/CONFIG.LABEL
run_one() {
    local label=$1 config=$2 t0 t1 rss
    shift 2
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$work/out" 2>"$work/err"
    t1=$(date +%s%N)
    rss=$(tail -1 "$work/rss")
    awk -v a="$t0" -v b="$t1" -v r="$rss" 'BEGIN {printf "%.4f %.1f\n", (b - a) / 1e9, r / 1024}' \
        >>"$work/$config.$label"
    case $label in
    baseline-*)
        if ! grep -q "check_sum=$events\b" "$work/out"; then
            echo "run_phold: $label on $config did not handle $events events:" >&2
            cat "$work/out" >&2
            exit 1
        fi ;;
    *) cat "$work/err" >>"$work/$config.check" ;;
    esac
}

for config in "${configs[@]}"; do
    for _ in $(seq "$runs"); do
        for e in "${engines[@]}"; do
            label=${e%%|*}
            read -r -a cmd <<<"${e#*|}"
            case $label in
            baseline-*) cmd+=("--lps=${lps[$config]}" "--epl=16" "--events=$events") ;;
            *) cmd+=(--config "$config" --events "$events") ;;
            esac
            run_one "$label" "$config" "${cmd[@]}"
        done
    done
    if [ "$nintree" -gt 0 ] && [ "$(sort -u "$work/$config.check" | wc -l)" -ne 1 ]; then
        echo "run_phold: in-tree engines disagree on $config:" >&2
        sort -u "$work/$config.check" >&2
        exit 1
    fi
done

echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$nintree" -gt 0 ]; then
    echo "# in-tree check line: small: $(head -1 "$work/small.check")"
    echo "#                     large: $(head -1 "$work/large.check")"
fi
echo

# median M events/s with min-max, and median RSS, of one engine on one config
stats() {
    local rates rss
    rates=$(awk -v k="$events" '{printf "%.6f\n", k / $1 / 1e6}' "$1" | sort -g | tr '\n' ' ')
    rss=$(awk '{print $2}' "$1" | sort -g | tr '\n' ' ')
    awk -v r="$rates" -v m="$rss" 'function med(a, n) {
            return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        BEGIN { n = split(r, x, " "); split(m, y, " ")
            printf "%.2f %.2f %.2f %.0f\n", med(x, n), x[1], x[n], med(y, n) }'
}
declare -A med
echo "| engine | small: M events/s | small: peak RSS MB | large: M events/s | large: peak RSS MB |"
echo "|---|---:|---:|---:|---:|"
for e in "${engines[@]}"; do
    label=${e%%|*}
    row="| $label"
    for config in "${configs[@]}"; do
        read -r m lo hi rss < <(stats "$work/$config.$label")
        med[$config.$label]=$m
        row+=" | $m ($lo-$hi) | $rss"
    done
    echo "$row |"
done

if [ "$have_baselines" = 1 ] && [ -n "${med[small.cdnsim-ladder]:-}" ]; then
    echo
    awk -v k="${med[small.cdnsim-ladder]}" -v b="${med[small.baseline-4heap]}" 'BEGIN {
        printf "small: kernel / 4-ary baseline = %.2fx (target >= 1.0x)\n", k / b }'
    awk -v k="${med[large.cdnsim-ladder]}" -v b4="${med[large.baseline-4heap]}" \
        -v b2="${med[large.baseline-binheap]}" 'BEGIN {
        b = b4 > b2 ? b4 : b2; name = b4 > b2 ? "4-ary" : "binary"
        printf "large: kernel / better baseline (%s heap) = %.2fx (target >= 2.0x)\n", name, k / b }'
fi
