#!/usr/bin/env bash
# Full-scale results do not depend on the number of threads: two
# replications of scenarios/scale/full.json compared on 1 and on 2 threads
# must give byte-identical files (all but manifest.json, which records the
# thread count, and the header and manifest section of report.html, which
# show it).  Run by CTest in non-sanitizer builds (a few seconds).
#   full_scale_threads.sh CDNSIM_BINARY SCENARIOS_DIR WORK_DIR
set -u
bin=$1
scen=$2/scale/full.json
work=$3
rm -rf "$work"
mkdir -p "$work"
pass=0
fail=0
strip_manifest() { sed '/<header>/,/<\/header>/d; /<section id="manifest"/,/<\/section>/d' "$1"; }
"$bin" compare "$scen" --strategies baseline -n 2 --jobs 1 -o "$work/j1" --no-plot --quiet || fail=$((fail + 1))
"$bin" compare "$scen" --strategies baseline -n 2 --jobs 2 -o "$work/j2" --no-plot --quiet || fail=$((fail + 1))
for f in "$work"/j1/*; do
    name=$(basename "$f")
    [ "$name" = manifest.json ] && continue
    if [ "$name" = report.html ]; then
        same=0
        cmp -s <(strip_manifest "$f") <(strip_manifest "$work/j2/$name") && same=1
    else
        same=0
        cmp -s "$f" "$work/j2/$name" && same=1
    fi
    if [ "$same" -eq 1 ]; then
        pass=$((pass + 1))
    else
        echo "FAIL: $name differs between 1 and 2 threads"
        fail=$((fail + 1))
    fi
done
[ "$pass" -ge 3 ] || { echo "FAIL: expected at least 3 result files, compared $pass"; fail=$((fail + 1)); }
echo "full_scale_threads: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
