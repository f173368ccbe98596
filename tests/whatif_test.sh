#!/usr/bin/env bash
# End-to-end tests of the what-if options and of the provenance of results:
# run --strategy, --set on run/compare/sweep, `cdnsim show`, manifests.
# Run by CTest as:
#   whatif_test.sh CDNSIM_BINARY TESTS_SOURCE_DIR WORK_DIR
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testlib.sh" # pass, fail, check, run
bin=$1
src=$2
work=$3
scen_dir="$src/../scenarios"
ref="$scen_dir/cloudflare-2025-11-18.json"
small="$src/data/golden/small.json"

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

# json FILE EXPR: prints the Python expression EXPR over d = the file's JSON
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
same_files() { # same_files DIR1 DIR2 FILE...: every FILE byte-identical
    local a=$1 b=$2
    shift 2
    for f in "$@"; do cmp -s "$a/$f" "$b/$f" || return 1; done
}
outputs="timeline.csv timeline_regions.csv summary.json events.jsonl"

# ---- help lists the new options
for c in run compare sweep show; do
    "$bin" "$c" --help >"$work/help" 2>&1
    check "$c --help lists --set" grep -qF -- "--set PATH=VALUE" "$work/help"
done
"$bin" run --help >"$work/help" 2>&1
check "run --help lists --strategy" grep -qF -- "--strategy S" "$work/help"
"$bin" --help >"$work/help" 2>&1
check "the command list has show" grep -qE '^  show ' "$work/help"
for o in --set --strategy "cdnsim show" --assert --precision-metric; do
    check "README documents $o" grep -qF -- "$o" "$src/../README.md"
done

# ---- run --strategy: the same overlays as compare, replication 0
run "$bin" run "$ref" --strategy kill-switch -o ks --no-plot --quiet
check "run --strategy kill-switch exits 0" test "$rc" -eq 0
run "$bin" run "$ref" -o base --no-plot --quiet
check "and changes the run" test -n "$(cmp ks/timeline.csv base/timeline.csv 2>&1)"
run "$bin" compare "$ref" -S kill-switch -n 2 -o ksc --no-plot --quiet
check "compare kill-switch exits 0" test "$rc" -eq 0
rep0=$(awk -F, '$1 == "kill-switch" && $2 == 0 { print $3 }' ksc/replications.csv)
ran=$(json ks/summary.json "d['failed_requests']")
# replications.csv holds the exact double; summary.json is printed by
# cJSON, which keeps 15 significant digits when they read back within one
# DBL_EPSILON (relative): so the two agree to that, and no closer.
check "run --strategy kill-switch gives compare's replication 0 ($ran vs $rep0)" \
    python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 2.3e-16 * abs(b) or b == 0)" "$ran" "$rep0"
tl=$(python3 -c "import csv,sys; print(sum(float(r['err5xx_rps']) for r in csv.DictReader(open(sys.argv[1]))) * 60)" ks/timeline.csv)
check "and its timeline's 5xx integrate to those failed requests ($tl)" \
    python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-9 * abs(b))" "$tl" "$rep0"
run "$bin" run "$ref" --strategy no-such-strategy -o nope --quiet
check "an unknown strategy is a usage error (64)" test "$rc" -eq 64
check "and leaves no folder" test ! -e nope

# ---- --set
run "$bin" run "$small" --set '$.simulation.seed=43' -o set43 --no-plot --quiet
run "$bin" run "$small" --seed 43 -o seed43 --no-plot --quiet
check "--set \$.simulation.seed=43 is --seed 43" same_files set43 seed43 $outputs
run "$bin" run "$small" --set '$.simulation.seed=43' --set '$.simulation.seed=44' -o set44 --no-plot --quiet
run "$bin" run "$small" --seed 44 -o seed44 --no-plot --quiet
check "the last --set of a path wins" same_files set44 seed44 $outputs
run "$bin" run "$small" --set 'simulation.seed=1' -o bad1 --quiet
check "a path without \$ is a usage error (64)" test "$rc" -eq 64
check "naming --set" grep -qF -- "--set" "$work/err"
run "$bin" run "$small" --set '$.simulation.seed' -o bad2 --quiet
check "--set without = is a usage error (64)" test "$rc" -eq 64
run "$bin" run "$small" --set '$.simulation.seed=-1' -o bad3 --quiet
check "an out-of-range --set value is invalid data (65)" test "$rc" -eq 65
check "naming the JSON path" grep -qF '$.simulation.seed' "$work/err"
run "$bin" run "$small" --set '$.nothing[*].x=1' -o bad4 --quiet
check "a --set path that selects nothing is invalid data (65)" test "$rc" -eq 65
check "no folder for a bad --set" test ! -e bad1 -a ! -e bad2 -a ! -e bad3 -a ! -e bad4
# compare and sweep apply --set to every arm
run "$bin" compare "$small" -S baseline --set '$.simulation.seed=43' -n 2 -o cset --no-plot --quiet
run "$bin" compare "$small" -S baseline --seed 43 -n 2 -o cseed --no-plot --quiet
check "compare --set applies to the reference" same_files cset cseed replications.csv comparison.csv
run "$bin" sweep "$small" --param '$.traffic.max_retries=0,1' --set '$.traffic.max_retries=3' \
    -n 2 -o sset --no-plot --quiet
run "$bin" sweep "$small" --param '$.traffic.max_retries=0,1' -n 2 -o snoset --no-plot --quiet
check "sweep: --param wins over --set of the same path" same_files sset snoset sweep.csv replications.csv
run "$bin" sweep "$small" --param '$.traffic.max_retries=0,1' --set '$.simulation.seed=43' \
    -n 2 -o sset43 --no-plot --quiet
check "sweep: --set changes every point" test -n "$(cmp sset43/replications.csv snoset/replications.csv 2>&1)"

# ---- show: the effective scenario, defaults filled in
run "$bin" show "$ref" --strategy kill-switch
check "show exits 0" test "$rc" -eq 0
cp out ks.json
check "show fills a default the file leaves out (traffic.base_latency_ms)" \
    test "$(json ks.json "d['traffic']['base_latency_ms']")" = 50
check "show fills a missing metrics object" \
    test "$(json ks.json "d['metrics']['resolved_threshold_frac']")" = 0.002
run "$bin" validate ks.json
check "show's output validates" test "$rc" -eq 0
run "$bin" run ks.json -o ks-shown --no-plot --quiet
check "show's output reproduces run --strategy byte for byte" same_files ks ks-shown $outputs
"$bin" show "$small" --strategy fail-open --set '$.traffic.max_retries=2' --set '$.simulation.seed=7' >w.json
run "$bin" run "$small" --strategy fail-open --set '$.traffic.max_retries=2' --set '$.simulation.seed=7' \
    -o w-opts --no-plot --quiet
run "$bin" run w.json -o w-shown --no-plot --quiet
check "show --strategy --set reproduces run --strategy --set" same_files w-opts w-shown $outputs
for f in "$scen_dir"/*.json "$scen_dir"/examples/*.json "$small"; do
    name=$(basename "$f" .json)
    "$bin" show "$f" >"shown-$name.json" 2>"$work/err"
    check "show $name exits 0" test $? -eq 0
    run "$bin" validate "shown-$name.json"
    check "show $name re-validates" test "$rc" -eq 0
    "$bin" show "shown-$name.json" >"shown2-$name.json"
    check "show of show $name is the same text" cmp -s "shown-$name.json" "shown2-$name.json"
done
for f in "$small" "$scen_dir"/examples/*.json; do
    name=$(basename "$f" .json)
    "$bin" run "$f" -o "orig-$name" --no-plot --quiet
    "$bin" run "shown-$name.json" -o "via-$name" --no-plot --quiet
    check "show $name reproduces its run byte for byte" same_files "orig-$name" "via-$name" $outputs
done
"$bin" show "$small" >/dev/full 2>"$work/err"
check "show to a full disk exits 74" test $? -eq 74
run "$bin" show "$work/missing.json"
check "show of a missing file exits 66" test "$rc" -eq 66
run "$bin" show "$src/data/bad/unknown_key.json"
check "show of an invalid file exits 65" test "$rc" -eq 65
check "and prints nothing on stdout" test ! -s "$work/out"

# ---- manifests: every results folder, checkable by sha256sum
# sums DIR: the manifest's inputs as sha256sum lines
sums() { python3 -c "import json,sys; [print(e['sha256'] + '  ' + e['path']) for e in json.load(open(sys.argv[1]))['inputs']]" "$1/manifest.json"; }
cp "$small" "my scenario's.json"
cp "$scen_dir/strategies/fail-open.json" ./fo.json
run "$bin" run "my scenario's.json" --strategy staged-rollout+./fo.json --set '$.traffic.max_retries=2' \
    -o "run dir" -n 3 -j 2 --no-plot --quiet
check "run with a strategy file exits 0" test "$rc" -eq 0
check "run writes manifest.json" test -s "run dir/manifest.json"
sums "run dir" >run.sums
check "run manifest lists scenario and both strategy files" test "$(wc -l <run.sums)" -eq 3
check "sha256sum -c checks the run manifest" sha256sum --quiet -c run.sums
check "run manifest records seed, replication, replications, threads, ranks" \
    test "$(json "run dir/manifest.json" "(d['seed'], d['replication'], d['replications'], d['jobs'], d['mpi_ranks'])")" = "(42, 0, 3, 2, 1)"
check "run manifest records --strategy and --set" \
    test "$(json "run dir/manifest.json" "(d['strategy'], d['set'])")" = "('staged-rollout+fail-open', ['\$.traffic.max_retries=2'])"
check "the command line, shell-quoted, splits back into argv" \
    python3 -c "import json,shlex,sys; d=json.load(open(sys.argv[1])); sys.exit(shlex.split(d['command_line']) != d['argv'] or d['argv'][1:3] != ['run', sys.argv[2]])" \
    "run dir/manifest.json" "my scenario's.json"
check "git_describe is recorded" test -n "$(json "run dir/manifest.json" "d['git_describe']")"
if git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
    described=$(json "run dir/manifest.json" "d['git_describe']")
    # the build's commit: HEAD when just built, an ancestor after later commits
    check "git_describe names a commit of the source tree ($described)" \
        git -C "$src" merge-base --is-ancestor "${described%-dirty}" HEAD
fi
echo "tampered" >>fo.json
check "sha256sum -c fails on a changed input" test -n "$(sha256sum --quiet -c run.sums 2>&1)"
run "$bin" compare "$small" -S baseline,fail-open --set '$.traffic.max_retries=2' -n 2 -o cmp --no-plot --quiet
sums cmp >cmp.sums
check "compare manifest lists the scenario and the strategy files" test "$(wc -l <cmp.sums)" -eq 3
check "sha256sum -c checks the compare manifest" sha256sum --quiet -c cmp.sums
check "compare manifest records --set" test "$(json cmp/manifest.json "d['set']")" = "['\$.traffic.max_retries=2']"
run "$bin" sweep "$small" --param '$.traffic.max_retries=0,1' -n 2 -o swp --no-plot --quiet
sums swp >swp.sums
check "sha256sum -c checks the sweep manifest" sha256sum --quiet -c swp.sums
check "sweep manifest keeps the parameter path" \
    test "$(json swp/manifest.json "d['parameters'][0]['path']")" = '$.traffic.max_retries'
check "sweep manifest records the command line" test "$(json swp/manifest.json "d['argv'][1]")" = sweep

# ---- --assert: SLO checks, exit 1 when one fails, verdicts in the manifest
verdicts() { json "$1/manifest.json" "[(v['expr'], v['holds']) for v in d['assertions']]"; }
run "$bin" run "$ref" -o as-ok --no-plot --quiet --assert 'failed_requests > 0' --assert 'peak_err5xx_frac<=1'
check "run: assertions that hold exit 0" test "$rc" -eq 0
check "run: the manifest has the verdicts" \
    test "$(verdicts as-ok)" = "[('failed_requests > 0', True), ('peak_err5xx_frac<=1', True)]"
run "$bin" run "$ref" -o as-bad --no-plot --quiet --assert 'peak_err5xx_frac < 0.05' --assert 'failed_requests > 0'
check "run: a failed assertion exits 1" test "$rc" -eq 1
check "and says which, with the value" grep -qE 'assert peak_err5xx_frac < 0.05: FAILED \(0\.6[0-9]' "$work/err"
check "and still writes the results" test -s as-bad/timeline.csv -a -s as-bad/manifest.json
check "run: the manifest records the failure" \
    test "$(verdicts as-bad)" = "[('peak_err5xx_frac < 0.05', False), ('failed_requests > 0', True)]"
run "$bin" run "$ref" --strategy validate-on-ingest -o as-vi --no-plot --quiet --assert 'peak_err5xx_frac < 0.05'
check "run --strategy validate-on-ingest meets peak_err5xx_frac < 0.05" test "$rc" -eq 0
for e in 'peak_err5xx_frac' 'peak_err5xx_frac < x' 'nope < 1' 'kill-switch:failed_requests < 1' \
    'failed_requests.diff_rel < 0'; do
    run "$bin" run "$ref" -o as-usage --no-plot --quiet --assert "$e"
    check "run --assert '$e' is a usage error (64)" test "$rc" -eq 64
done
check "no folder for a bad --assert" test ! -e as-usage
run "$bin" compare "$ref" -S kill-switch,validate-on-ingest -n 2 -o cas --no-plot --quiet \
    --assert 'failed_requests.diff_rel < -0.5' --assert 'validate-on-ingest:peak_err5xx_frac.ci95_hi < 0.05'
check "compare: assertions that hold exit 0" test "$rc" -eq 0
check "compare: a strategy-less diff assertion is judged on every strategy but the reference" \
    test "$(json cas/manifest.json "[x['strategy'] for x in d['assertions'][0]['values']]")" = "['kill-switch', 'validate-on-ingest']"
run "$bin" compare "$ref" -S kill-switch,validate-on-ingest -n 2 -o cas-bad --no-plot --quiet \
    --assert 'failed_requests.diff_rel < -0.95'
check "compare: a failed assertion exits 1" test "$rc" -eq 1
check "naming the strategy that fails it" grep -qF 'FAILED (kill-switch -0.9' "$work/err"
check "compare: results written, verdict recorded" test -s cas-bad/comparison.csv -a "$(verdicts cas-bad)" = "[('failed_requests.diff_rel < -0.95', False)]"
for e in 'nope:failed_requests < 1' 'baseline:failed_requests.diff_rel < 0' 'nope < 1'; do
    run "$bin" compare "$ref" -S kill-switch -n 2 -o cas-usage --no-plot --quiet --assert "$e"
    check "compare --assert '$e' is a usage error (64)" test "$rc" -eq 64
done
check "no folder or lock for a bad compare --assert" test -z "$(ls -A | grep cas-usage || true)"

echo "whatif: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
