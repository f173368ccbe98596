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
# fork to exit, taken by this script (date +%s%N around the run), its CPU
# time (user + system) and peak RSS from /usr/bin/time; not each program's
# own figure (the baselines report their event loop alone).  Both rates
# are printed: on an idle machine they agree, on a shared one the CPU
# rate is the less noisy (a program waiting for a core costs wall time,
# not CPU time), so the ratios use it.  Runs are interleaved (round r runs every
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
# target >= 1.0; large = kernel / the faster of the two baselines on large
# (by CPU rate), target >= 2.0.  PHOLD_ENGINES (space-separated phold engine arguments,
# default "cdnsim:ladder cdnsim:heap") picks the in-tree engines; add
# heap2 and heap4 for the in-tree re-implementations of the baselines.
# PHOLD_BEFORE adds another build's kernel (see below).
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
# PHOLD_BEFORE=path/to/another/phold: its ladder kernel too, as
# "before-ladder" (a before/after comparison of a kernel change, in the
# same rounds).  Its determinism line may differ (another generator), so
# it is checked only for the event count.
if [ -n "${PHOLD_BEFORE:-}" ]; then
    engines+=("before-ladder|$(realpath "$PHOLD_BEFORE") --engine cdnsim --queue ladder")
fi

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

# run_one LABEL CONFIG CMD...: appends "wall_s rss_mb cpu_s" to
# $work/CONFIG.LABEL
run_one() {
    local label=$1 config=$2 t0 t1 res
    shift 2
    t0=$(date +%s%N)
    /usr/bin/time -f '%M %U %S' -o "$work/res" "$@" >"$work/out" 2>"$work/err"
    t1=$(date +%s%N)
    res=$(tail -1 "$work/res")
    awk -v a="$t0" -v b="$t1" -v r="$res" 'BEGIN {split(r, x, " ")
        printf "%.4f %.1f %.2f\n", (b - a) / 1e9, x[1] / 1024, x[2] + x[3]}' \
        >>"$work/$config.$label"
    case $label in
    before-*)
        if ! grep -q "^phold-check $config $events $events " "$work/err"; then
            echo "run_phold: $label on $config did not handle $events events" >&2
            exit 1
        fi ;;
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

# median M events/s (wall) with min-max, median M events/s (CPU) with
# min-max, and median RSS, of one engine on one config
stats() {
    local wall cpu rss
    wall=$(awk -v k="$events" '{printf "%.6f\n", k / $1 / 1e6}' "$1" | sort -g | tr '\n' ' ')
    cpu=$(awk -v k="$events" '{printf "%.6f\n", k / ($3 > 0 ? $3 : 0.01) / 1e6}' "$1" |
        sort -g | tr '\n' ' ')
    rss=$(awk '{print $2}' "$1" | sort -g | tr '\n' ' ')
    awk -v w="$wall" -v c="$cpu" -v m="$rss" 'function med(a, n) {
            return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        BEGIN { n = split(w, x, " "); split(c, y, " "); split(m, z, " ")
            printf "%.2f %.2f %.2f %.2f %.2f %.2f %.0f\n",
                med(x, n), x[1], x[n], med(y, n), y[1], y[n], med(z, n) }'
}
declare -A wmed cmed
echo "M events/s = $events events / whole-process time; median (min-max) of $runs runs."
echo
echo "| engine | small: by wall | small: by CPU | small: RSS MB | large: by wall | large: by CPU | large: RSS MB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for e in "${engines[@]}"; do
    label=${e%%|*}
    row="| $label"
    for config in "${configs[@]}"; do
        read -r w wlo whi c clo chi rss < <(stats "$work/$config.$label")
        wmed[$config.$label]=$w
        cmed[$config.$label]=$c
        row+=" | $w ($wlo-$whi) | $c ($clo-$chi) | $rss"
    done
    echo "$row |"
done

# ratio NAME CONFIG BASELINE...: kernel / the best of the baselines, by
# CPU and by wall
ratio() {
    local name=$1 config=$2 best="" b
    shift 2
    for b in "$@"; do
        if [ -z "$best" ] || awk -v x="${cmed[$config.$b]}" -v y="${cmed[$config.$best]}" \
            'BEGIN {exit !(x > y)}'; then
            best=$b
        fi
    done
    awk -v kc="${cmed[$config.cdnsim-ladder]}" -v bc="${cmed[$config.$best]}" \
        -v kw="${wmed[$config.cdnsim-ladder]}" -v bw="${wmed[$config.$best]}" \
        -v c="$config" -v n="$name" -v b="$best" 'BEGIN {
        printf "%s: kernel / %s = %.2fx by CPU, %.2fx by wall (target >= %s)\n",
            c, b, kc / bc, kw / bw, n }'
}
if [ "$have_baselines" = 1 ] && [ -n "${cmed[small.cdnsim-ladder]:-}" ]; then
    echo
    ratio 1.0x small baseline-4heap
    ratio 2.0x large baseline-4heap baseline-binheap
fi
