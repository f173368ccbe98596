#!/usr/bin/env bash
# PHOLD, median of N runs (default 5) for every engine on small and large,
# printed as a Markdown table (the one in docs/performance.md).
#
#   bench/run_phold.sh [path/to/phold] [runs]
#
# Without a path it builds a Release phold in build-bench/.  Runs are
# interleaved (round r runs every engine once) so that a slow spell on the
# machine hits all engines alike; the load average is printed before and
# after, because other work on the machine skews the figures.  Every run's
# determinism line (per-LP counters, last event time) must match the other
# engines' for the same config, or the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."

phold=${1:-}
runs=${2:-5}
if [ -z "$phold" ]; then
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCDNSIM_TESTS=OFF >/dev/null
    cmake --build build-bench --target phold -j"$(nproc)" >/dev/null
    phold=build-bench/bench/phold
fi

engines=("cdnsim --queue ladder" "cdnsim --queue heap" "heap2" "heap4")
configs=(small large)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "# PHOLD, median of $runs runs per engine and config"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores," \
    "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

for config in "${configs[@]}"; do
    for _ in $(seq "$runs"); do
        for i in "${!engines[@]}"; do
            # shellcheck disable=SC2086
            set -- ${engines[$i]}
            engine_args=("--engine" "$1" "${@:2}")
            "$phold" --config "$config" "${engine_args[@]}" \
                >>"$work/$config.$i.out" 2>>"$work/$config.$i.check"
        done
    done
    # Determinism: every run of every engine printed the same check line.
    if [ "$(cat "$work/$config".*.check | sort -u | wc -l)" -ne 1 ]; then
        echo "run_phold: engines disagree on $config:" >&2
        sort -u "$work/$config".*.check >&2
        exit 1
    fi
done

echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# check line (identical for all): small: $(head -1 "$work/small.0.check")"
echo "#                                 large: $(head -1 "$work/large.0.check")"
echo
echo "| engine | small: M events/s | small: peak RSS MB | large: M events/s | large: peak RSS MB |"
echo "|---|---:|---:|---:|---:|"
# median of column $1 of a file, and its min-max range
median() {
    sort -g -k"$2","$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%s %s %s\n", m, v[1], v[NR] }'
}
for i in "${!engines[@]}"; do
    name=$(awk 'NR == 1 {print $1}' "$work/small.$i.out")
    row="| $name"
    for config in "${configs[@]}"; do
        read -r rate lo hi < <(median "$work/$config.$i.out" 5)
        read -r rss _ _ < <(median "$work/$config.$i.out" 6)
        row+=$(awk -v m="$rate" -v a="$lo" -v b="$hi" -v r="$rss" \
            'BEGIN {printf " | %.2f (%.2f-%.2f) | %.0f", m / 1e6, a / 1e6, b / 1e6, r}')
    done
    echo "$row |"
done
