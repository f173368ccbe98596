#!/usr/bin/env bash
# Studies, whole process, side by side with an older build (issue 14 item
# 4): the README's comparison (9 strategies x R replications of the
# reference scenario on 2 threads) and one full-scale replication
# (scenarios/scale/full.json, --no-plot, as docs/performance.md measures
# it), each run N times, interleaved, medians printed with their ranges
# and the ratio old / new.
#
#   bench/run_studies.sh [runs] [replications] [old-commit]
#
# Defaults: 3 runs, 100 replications, commit d4b4043.  The old commit is
# exported with `git archive` into a temporary folder and built there
# (Release, no tests); this tree is built in build-studies/.  Each build
# runs from its own source tree, with its own scenarios and strategies,
# so each side runs the command as its README gave it.  Round r runs old
# then new in odd rounds and new then old in even ones, so a slow spell
# on the machine (other users) hits both alike; the load average is
# printed before and after.  A run that fails stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-3}
reps=${2:-100}
old_commit=${3:-d4b4043}
strategies=baseline,validate-on-ingest,fail-open,staged-rollout,kill-switch,fast-diagnosis,multi-cdn,break-circular-deps,error-report-cap

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build() { # SRC BUILD_DIR
    cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DCDNSIM_TESTS=OFF -DCDNSIM_WERROR=OFF >/dev/null
    cmake --build "$2" --target cdnsim -j2 >/dev/null
}
echo "# building $old_commit and this tree (Release)..." >&2
mkdir -p "$work/old"
git archive "$old_commit" | tar -x -C "$work/old"
build "$work/old" "$work/old/build"
build "$root" "$root/build-studies"

# side NAME -> the source tree it runs in, and its binary
tree_of() { if [ "$1" = old ]; then echo "$work/old"; else echo "$root"; fi; }
bin_of() { if [ "$1" = old ]; then echo "$work/old/build/cdnsim"; else echo "$root/build-studies/cdnsim"; fi; }

# one whole-process run; appends its wall seconds to $work/BENCH.SIDE
timed() { # BENCH SIDE ARGS...
    local bench=$1 side=$2
    shift 2
    local out="$work/out-$bench-$side"
    rm -rf "$out"
    local t0 t1
    t0=$(date +%s.%N)
    (cd "$(tree_of "$side")" && "$(bin_of "$side")" "$@" -o "$out" -q >/dev/null)
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >>"$work/$bench.$side"
}

one_round() { # SIDE
    timed compare "$1" compare scenarios/cloudflare-2025-11-18.json -n "$reps" -j 2 \
        --strategies "$strategies"
    timed full "$1" run scenarios/scale/full.json --no-plot
}

echo "# studies, whole process, median of $runs runs (interleaved), $old_commit against $(git describe --always --dirty)"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores," \
    "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$runs"); do
    if [ $((r % 2)) -eq 1 ]; then
        one_round old
        one_round new
    else
        one_round new
        one_round old
    fi
    echo "# round $r of $runs done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g "$1" | awk '{v[NR] = $1} END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'; }
range() { sort -g "$1" | awk '{v[NR] = $1} END { printf "%.2f-%.2f", v[1], v[NR] }'; }
echo
echo "| benchmark | $old_commit: s | now: s | speed-up |"
echo "|---|---:|---:|---:|"
for b in compare full; do
    case $b in
    compare) what="compare, 9 strategies x $reps replications, -j 2" ;;
    full) what="run scenarios/scale/full.json --no-plot (1 replication)" ;;
    esac
    mo=$(median "$work/$b.old")
    mn=$(median "$work/$b.new")
    echo "| $what | $mo ($(range "$work/$b.old")) | $mn ($(range "$work/$b.new")) |" \
        "$(awk -v o="$mo" -v n="$mn" 'BEGIN { printf "%.2fx", o / n }') |"
done
