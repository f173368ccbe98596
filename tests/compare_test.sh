#!/usr/bin/env bash
# End-to-end tests of `cdnsim compare` and `cdnsim sweep`: usage and data
# errors with their exit codes (and never a partial results folder), the
# files written, the reference added when not listed, exactly zero paired
# differences between identical strategies, byte-identical outputs for any
# number of threads, adaptive precision, results-folder safety, sweeps.
# Run by CTest as:
#   compare_test.sh CDNSIM_BINARY TESTS_SOURCE_DIR WORK_DIR
# Small scenario, few replications: a few seconds in all.
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testlib.sh" # pass, fail, check, run
bin=$1
src=$2
work=$3
small="$src/data/golden/small.json"
lib="$src/../scenarios/strategies"

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

no_trace() { # no_trace NAME: neither the folder nor a temporary sibling exists
    test ! -e "$work/$1" && test -z "$(ls -A "$work" | grep -F ".$1." || true)"
}
# every file of two folders is identical, manifest.json excepted
# report.html without its header (the command line) and its manifest section
strip_manifest() { sed '/<header>/,/<\/header>/d; /<section id="manifest"/,/<\/section>/d' "$1"; }
same_files() {
    local a=$1 b=$2 f
    [ "$(ls "$a" | grep -v manifest.json)" = "$(ls "$b" | grep -v manifest.json)" ] || return 1
    for f in "$a"/*; do
        [ "$(basename "$f")" = manifest.json ] && continue
        if [ "$(basename "$f")" = report.html ]; then # it shows the manifest and command line
            cmp -s <(strip_manifest "$f") <(strip_manifest "$b/report.html") || { echo "differs: report.html"; return 1; }
            continue
        fi
        cmp -s "$f" "$b/$(basename "$f")" || { echo "differs: $(basename "$f")"; return 1; }
    done
}

# ---- usage errors: 64, nothing written
expect() { # expect CODE NAME ARGS...: exit code and no folder "$NAME"
    local code=$1 name=$2
    shift 2
    run "$bin" "$@" -o "$work/$name" -q
    check "$name exits $code (got $rc)" test "$rc" -eq "$code"
    check "$name leaves no folder" no_trace "$name"
}
expect 64 no-strategies compare "$small"
expect 64 unknown-strategy compare "$small" --strategies baseline,no-such-strategy
check "unknown strategy message lists the library" grep -qF "the library has: baseline" "$work/err"
expect 64 bad-name compare "$small" --strategies 'bad name'
expect 64 empty-in-list compare "$small" --strategies baseline,,fail-open
expect 64 empty-in-sum compare "$small" --strategies baseline+
expect 64 listed-twice compare "$small" --strategies fail-open,fail-open
expect 64 one-replication compare "$small" --strategies baseline -n 1
expect 64 max-n-alone compare "$small" --strategies baseline --max-n 5
expect 64 bad-precision compare "$small" --strategies baseline --precision 2
expect 64 zero-jobs compare "$small" --strategies baseline -j 0
expect 64 unknown-option compare "$small" --strategies baseline --frobnicate

# one limit for -j in every command (1 to 1024), with the same message as run
expect 64 too-many-jobs compare "$small" --strategies baseline -j 1025
check "compare -j 1025 says the limit" grep -qF -- "-j needs a number of threads from 1 to 1024" "$work/err"
expect 64 too-many-jobs-long compare "$small" --strategies baseline --jobs=4096
check "compare --jobs=4096 says the limit" grep -qF -- "--jobs needs a number of threads from 1 to 1024" "$work/err"
expect 64 sweep-too-many-jobs sweep "$small" --param '$.traffic.retry_frac=0' -j 1025
check "sweep -j 1025 says the limit" grep -qF -- "-j needs a number of threads from 1 to 1024" "$work/err"

# ---- per-command help, generated from the option table
run "$bin" compare --help
check "compare --help exits 0" test "$rc" -eq 0
check "compare --help is compare's usage" grep -q '^usage: cdnsim compare ' "$work/out"
check "compare --help lists --strategies" grep -qF -- "--strategies LIST" "$work/out"
check "compare --help lists no option of sweep or run" \
    test -z "$(grep -E -- '--(param|metric|strategy |replication )' "$work/out")"
cp "$work/out" "$work/compare-help"
run "$bin" help compare
check "'cdnsim help compare' is 'cdnsim compare --help'" cmp -s "$work/out" "$work/compare-help"
run "$bin" sweep -h
check "sweep -h lists --param2 and not --strategies" \
    test -n "$(grep -F -- '--param2' "$work/out")" -a -z "$(grep -F -- '--strategies' "$work/out")"
# every option the help of compare and sweep lists is one they accept
for cmd in compare sweep; do
    "$bin" $cmd --help >"$work/help-$cmd"
    for opt in $(grep -oE '^  (-[A-Za-z], |    )--[a-z0-9-]+' "$work/help-$cmd" | grep -oE -- '--[a-z0-9-]+'); do
        [ "$opt" = --help ] && continue
        run "$bin" $cmd "$small" "$opt" -o "$work/opt-$cmd" -q
        check "$cmd accepts $opt from its help" test -z "$(grep -F 'unknown option' "$work/err")"
    done
done

# ---- data errors: 66 missing files, 65 invalid ones
expect 66 missing-scenario compare "$work/nope.json" --strategies baseline
expect 66 missing-strategy-file compare "$small" --strategies "$work/nope.json"
check "missing strategy file is named" grep -qF "nope.json: cannot read" "$work/err"
printf '{"name": "x", "set": [{"path": "$.artifacts[*].validate_on_ingest"}]}' >"$work/novalue.json"
expect 65 invalid-strategy compare "$small" --strategies "$work/novalue.json"
check "invalid strategy message names file and JSON path" \
    grep -qF 'novalue.json: $.set[0]: missing required key "value"' "$work/err"
printf '{"name": "typo", "set": [{"path": "$.proxies[name=nwe].on_bad_artifact", "value": "none"}]}' >"$work/typo.json"
expect 65 path-selects-nothing compare "$small" --strategies "baseline,$work/typo.json"
check "selects-nothing message names file, operation and path" \
    grep -qF "typo.json: \$.set[0]: path '\$.proxies[name=nwe].on_bad_artifact' selects nothing" "$work/err"
expect 65 library-strategy-not-applicable compare "$small" --strategies break-circular-deps
printf '{"name": "bad-value", "set": [{"path": "$.proxies[0].on_bad_artifact", "value": "explode"}]}' >"$work/badvalue.json"
expect 65 invalid-after-overlay compare "$small" --strategies "$work/badvalue.json"
check "invalid result names the strategy and the JSON path" \
    grep -qF "(with bad-value): \$.proxies[0].on_bad_artifact" "$work/err"

# ---- a comparison: files, reference added, ranking
run "$bin" compare "$small" --strategies validate-on-ingest,fail-open -n 4 -o "$work/c1" --no-plot -q
check "compare exits 0" test "$rc" -eq 0
check "quiet compare prints nothing" test ! -s "$work/out"
for f in comparison.csv comparison.json comparison.md replications.csv timeline_quantiles.csv \
    compare_timeline.gp compare_metrics.gp manifest.json; do
    check "compare wrote $f" test -s "$work/c1/$f"
done
nmetrics=$(head -1 "$work/c1/replications.csv" | tr ',' '\n' | tail -n +3 | wc -l)
check "comparison.csv: one row per strategy x metric (3 x $nmetrics)" \
    test "$(($(wc -l <"$work/c1/comparison.csv") - 1))" -eq $((3 * nmetrics))
check "replications.csv: one row per strategy x replication" \
    test "$(($(wc -l <"$work/c1/replications.csv") - 1))" -eq 12
check "baseline added first as the reference" \
    test "$(sed -n 2p "$work/c1/replications.csv" | cut -d, -f1)" = baseline
check "comparison.md says the reference was added" grep -qF "(added as the reference)" "$work/c1/comparison.md"
check "comparison.md ranks baseline last" \
    grep -qE '^\| 3 \| baseline \|' "$work/c1/comparison.md"
check "comparison.json is JSON with rows" grep -qF '"diff_vs_reference"' "$work/c1/comparison.json"
check "manifest records the strategy files' hashes" grep -qF '"sha256"' "$work/c1/manifest.json"
run "$bin" compare "$small" --strategies baseline -n 3 -o "$work/c2" --no-plot
check "compare prints the ranked table" grep -qE '^\| 1 \| baseline \|' "$work/out"

# ---- identical strategies: exactly zero paired differences (same streams)
printf '{"name": "same-as-baseline", "set": [{"path": "$.traffic.baseline_err5xx_frac", "value": 0.001}]}' \
    >"$work/same.json"
run "$bin" compare "$small" --strategies "baseline,$work/same.json" -n 5 -o "$work/same" --no-plot -q
check "identical-strategy compare exits 0" test "$rc" -eq 0
check "identical strategies: every paired difference and its interval is exactly 0" \
    awk -F, 'NR > 1 && $1 == "same-as-baseline" && $10 > 0 { n++; if ($11 != "0" || $12 != "0" || $13 != "0") bad++ }
             END { exit !(n > 10 && bad == 0) }' "$work/same/comparison.csv"
check "identical strategies: identical replications" \
    test "$(grep '^baseline,' "$work/same/replications.csv" | cut -d, -f2-)" = \
    "$(grep '^same-as-baseline,' "$work/same/replications.csv" | cut -d, -f2-)"

# ---- byte-identical for any number of threads (plots included)
have_gnuplot=0
command -v gnuplot >/dev/null 2>&1 && have_gnuplot=1
run "$bin" compare "$small" --strategies baseline,validate-on-ingest,fail-open+validate-on-ingest -n 6 -j 1 -o "$work/j1" -q
check "jobs 1 exits 0" test "$rc" -eq 0
run "$bin" compare "$small" --strategies baseline,validate-on-ingest,fail-open+validate-on-ingest -n 6 -j 2 -o "$work/j2" -q
check "jobs 2 exits 0" test "$rc" -eq 0
check "--jobs 1 and --jobs 2 give identical files" same_files "$work/j1" "$work/j2"
check "manifests record the jobs" grep -qE '"jobs":[[:space:]]*2' "$work/j2/manifest.json"
check "composed strategy is labelled a+b" grep -qF "fail-open+validate-on-ingest," "$work/j1/comparison.csv"
# getopt_long spellings: --seed=7, -j1 and a cluster -qn3 mean the same as
# --seed 7 -j 1 -q -n 3, in either order around the scenario
run "$bin" compare --seed=7 -qn3 -j1 --strategies=baseline,fail-open --no-plot "$small" -o "$work/sp1"
check "compare --seed=7 -qn3 -j1 exits 0 (got $rc)" test "$rc" -eq 0
check "compare -qn3 is quiet" test ! -s "$work/out"
run "$bin" compare "$small" --seed 7 -q -n 3 -j 2 --strategies baseline,fail-open --no-plot -o "$work/sp2"
check "--seed=7 -qn3 -j1 gives the files of --seed 7 -q -n 3 -j 2" same_files "$work/sp1" "$work/sp2"
check "manifest records seed 7" grep -qE '"seed":[[:space:]]*7[,}]?' "$work/sp1/manifest.json"
# ---- the figures' scripts (#12): small multiples, steps, marks, n/a, no empty series
check "compare_timeline: one panel per strategy" \
    test "$(grep -c '^  set title' "$work/j1/compare_timeline.gp")" -eq 3
check "compare_timeline draws bins as steps, never as lines between bin starts" \
    test -n "$(grep -F 'with steps' "$work/j1/compare_timeline.gp")" -a \
    -z "$(grep -F 'with lines' "$work/j1/compare_timeline.gp" | grep -vF keyentry || true)"
check "compare_timeline marks the operator actions" grep -qF "set arrow 1 from T0+" "$work/j1/compare_timeline.gp"
# the SVG pass begins in the PNG pass's last state: the legend panel must
# clear the last panel's title, marks and key position before it draws
check "compare_timeline's legend panel starts from a clean state (title, marks, key)" \
    test "$(awk '/set key horizontal center center/ { print p4 "|" p3 "|" p2 "|" p1; exit }
                { p4 = p3; p3 = p2; p2 = p1; p1 = $0 }' "$work/j1/compare_timeline.gp" |
            tr -s ' ')" = " unset title| unset arrow| unset label| set key default"
check "compare_timeline lists the actions under the figure" grep -qF "Actions (dotted" "$work/j1/compare_timeline.gp"
check "compare_timeline draws the blocked share when something is blocked" \
    grep -qF "falsely blocked" "$work/j1/compare_timeline.gp"
check "compare_metrics writes n/a for a missing value" grep -qF "'n/a'" "$work/j1/compare_metrics.gp"
run "$bin" compare "$src/../scenarios/examples/oneshot-cpu-kill-switch.json" --strategies baseline -n 2 \
    -j 2 -o "$work/noblock" -q
check "compare of a scenario that blocks nothing exits 0" test "$rc" -eq 0
check "and draws no blocked share" test -z "$(grep -F 'falsely blocked' "$work/noblock/compare_timeline.gp" || true)"
check "(nothing was blocked)" test -z "$(awk -F, 'NR > 1 && $9 > 0' "$work/noblock/timeline_quantiles.csv")"
check "a metric that is 0 for every strategy gets no panel, only a mention" \
    test -n "$(grep -F 'Not drawn, 0 for every strategy: blocked requests' "$work/noblock/compare_metrics.gp")" -a \
    -z "$(grep -F "set title 'blocked requests" "$work/noblock/compare_metrics.gp" || true)"
if [ "$have_gnuplot" -eq 1 ]; then
    for f in compare_timeline.png compare_timeline.svg compare_metrics.png compare_metrics.svg; do
        check "compare drew $f" test -s "$work/j1/$f"
    done
    check "gnuplot printed no warnings" test ! -s "$work/err"
fi

# ---- adaptive precision: deterministic batches, recorded in the manifest
run "$bin" compare "$small" --strategies baseline,validate-on-ingest -n 3 --precision 0.3 --max-n 9 -j 1 -o "$work/p1" --no-plot -q
check "precision run exits 0" test "$rc" -eq 0
run "$bin" compare "$small" --strategies baseline,validate-on-ingest -n 3 --precision 0.3 --max-n 9 -j 2 -o "$work/p2" --no-plot -q
check "precision runs are identical for any jobs" same_files "$work/p1" "$work/p2"
reps=$(grep -oE '"replications":[[:space:]]*[0-9]+' "$work/p1/manifest.json" | grep -oE '[0-9]+$')
check "precision adds batches of n up to max-n (got $reps)" test "$reps" -ge 3 -a "$reps" -le 9 -a $((reps % 3)) -eq 0
check "manifest records the precision" grep -qF '"precision_reached"' "$work/p1/manifest.json"
# --precision-metric: only that metric decides when to stop (default the
# primary one, failed_requests): sites_affected_frac barely varies on the
# small scenario, failed requests vary by half
nreps() { grep -oE '"replications":[[:space:]]*[0-9]+' "$1/manifest.json" | grep -oE '[0-9]+$'; }
run "$bin" compare "$small" --strategies baseline -n 3 --precision 0.05 --max-n 9 -o "$work/pm1" --no-plot -q
check "the default precision metric (failed_requests) needs more batches (got $(nreps "$work/pm1"))" \
    test "$(nreps "$work/pm1")" -gt 3
check "manifest names the precision metric" grep -qE '"precision_metric":[[:space:]]*"failed_requests"' "$work/pm1/manifest.json"
run "$bin" compare "$small" --strategies baseline -n 3 --precision 0.05 --max-n 9 \
    --precision-metric sites_affected_frac -o "$work/pm2" --no-plot -q
check "--precision-metric sites_affected_frac stops after the first batch (got $(nreps "$work/pm2"))" \
    test "$(nreps "$work/pm2")" -eq 3
check "and the manifest says so" grep -qE '"precision_metric":[[:space:]]*"sites_affected_frac"' "$work/pm2/manifest.json"
expect 64 pm-unknown compare "$small" --strategies baseline --precision 0.05 --precision-metric nope
expect 64 pm-alone compare "$small" --strategies baseline --precision-metric failed_requests
run "$bin" sweep "$small" --param '$.traffic.max_retries=0,1' -n 3 --precision 0.05 --max-n 9 \
    --precision-metric sites_affected_frac -o "$work/pm3" --no-plot -q
check "sweep takes --precision-metric" test "$rc" -eq 0 -a "$(nreps "$work/pm3")" -eq 3

# ---- ties: strategies with identical values in every replication share a rank
sed 's/"name": "baseline"/"name": "baseline-twin"/' "$src/../scenarios/strategies/baseline.json" >"$work/twin.json"
run "$bin" compare "$small" --strategies baseline,validate-on-ingest,"$work/twin.json" -n 3 -o "$work/tie" --no-plot
check "tie compare exits 0" test "$rc" -eq 0
check "tied strategies share a rank with '=' (baseline)" grep -qE '^\| 2= \| baseline \|' "$work/tie/comparison.md"
check "tied strategies share a rank with '=' (twin)" grep -qE '^\| 2= \| baseline-twin \|' "$work/tie/comparison.md"
check "an untied one has a plain rank" grep -qE '^\| 1 \| validate-on-ingest \|' "$work/tie/comparison.md"
check "the terminal table shows the tie too" grep -qE '^\| 2= \| baseline-twin \|' "$work/out"
check "comparison.json marks the tie" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s={x['name']: (x['rank'], x['tied']) for x in d['strategies']}; sys.exit(s != {'baseline': (2, True), 'baseline-twin': (2, True), 'validate-on-ingest': (1, False)})" "$work/tie/comparison.json"

# ---- results folders: never replace what is not ours
mkdir -p "$work/precious"
echo keep >"$work/precious/file.txt"
run "$bin" compare "$small" --strategies baseline -n 2 -o "$work/precious" --no-plot -q
check "compare refuses a foreign folder (73)" test "$rc" -eq 73
check "foreign folder untouched" grep -qx keep "$work/precious/file.txt"
run "$bin" run "$small" -o "$work/arun" --no-plot -q
run "$bin" compare "$small" --strategies baseline -n 2 -o "$work/arun" --no-plot -q
check "compare refuses a run's folder (73)" test "$rc" -eq 73
mkdir -p "$work/fake"
echo precious >"$work/fake/paper.tex"
echo '{"program":"cdnsim","command":"compare"}' >"$work/fake/manifest.json"
run "$bin" compare "$small" --strategies baseline -n 2 -o "$work/fake" --no-plot -q
check "compare refuses a hand-written manifest without the marker (73)" test "$rc" -eq 73
check "the user's file next to it is kept" grep -qx precious "$work/fake/paper.tex"
# regression (#10): a FIFO where a manifest or the marker would be never blocks
mkdir -p "$work/fifo"
mkfifo "$work/fifo/manifest.json" "$work/fifo/.cdnsim-results"
run timeout 20 "$bin" compare "$small" --strategies baseline -n 2 -o "$work/fifo" --no-plot -q
check "compare on a folder with FIFOs is refused at once (73)" test "$rc" -eq 73
rm -r "$work/fifo"
run "$bin" compare "$small" --strategies baseline,fail-open -n 2 -o "$work/cplot" --no-plot -q
run "$bin" plot "$work/cplot"
check "plot draws a compare folder's figures" test "$rc" -eq 0 -a -s "$work/cplot/compare_timeline.png" \
    -a -s "$work/cplot/compare_metrics.svg"
run "$bin" compare "$small" --strategies baseline,fail-open -n 2 -o "$work/cplot" --no-plot -q
check "a plotted compare folder is still replaceable" test "$rc" -eq 0
run "$bin" compare "$small" --strategies baseline,fail-open -n 2 -o "$work/c1" --no-plot -q
check "compare replaces its own previous folder" test "$rc" -eq 0 -a \
    "$(($(wc -l <"$work/c1/replications.csv") - 1))" -eq 4
check "no temporary folders left" test -z "$(ls -A "$work" | grep -E '^\..*\.(tmp|old)-' || true)"
run "$bin" compare "$small" --strategies baseline -n 2 --no-plot -q
check "default folder is results/<scenario>-compare" test -s "$work/results/golden-small-compare/manifest.json"

# ---- without gnuplot everything else is written
run env PATH=/nonexistent "$bin" compare "$small" --strategies baseline -n 2 -o "$work/nognuplot"
check "compare without gnuplot exits 0" test "$rc" -eq 0
check "compare without gnuplot keeps the scripts" test -s "$work/nognuplot/compare_metrics.gp"
check "compare without gnuplot says how to draw" grep -qF "gnuplot" "$work/err"

# ---- sweep
run "$bin" sweep "$small" --param '$.artifacts[*].cluster.migration_step_s=300,1800' -n 3 -o "$work/s1" -q
check "sweep exits 0" test "$rc" -eq 0
for f in sweep.csv replications.csv sweep.gp manifest.json; do
    check "sweep wrote $f" test -s "$work/s1/$f"
done
[ "$have_gnuplot" -eq 1 ] && check "sweep drew sweep.png" test -s "$work/s1/sweep.png"
check "numeric sweep values are spaced by value (#12)" grep -qF "set xtics (300, 1800)" "$work/s1/sweep.gp"
check "and plotted at their values" grep -qF "using 4:(\$11" "$work/s1/sweep.gp"
check "sweep.csv: one row per point x metric" \
    test "$(($(wc -l <"$work/s1/sweep.csv") - 1))" -eq $((2 * nmetrics))
run "$bin" sweep "$small" --param '$.artifacts[*].cluster.migration_step_s=300,1800' \
    --param2 '$.proxies[name=new].on_bad_artifact=panic,none' --strategy validate-on-ingest \
    --metric user_minutes_lost -n 2 -o "$work/s2" --no-plot -q
check "two-parameter sweep exits 0" test "$rc" -eq 0
check "two-parameter sweep has 4 points" \
    test "$(cut -d, -f1 "$work/s2/sweep.csv" | tail -n +2 | sort -u | wc -l)" -eq 4
check "heat map script" grep -qF "with image" "$work/s2/sweep.gp"
check "heat map cells say mean and half-width, light on dark" grep -qF "with labels tc rgb variable" "$work/s2/sweep.gp"
run "$bin" sweep "$small" --param '$.proxies[name=new].on_bad_artifact=panic,none' -n 2 -o "$work/s3" -q
check "a sweep over names exits 0" test "$rc" -eq 0
check "and keeps the names as categories, not joined by a line" \
    test -n "$(grep -F "set xtics ('panic' 0, 'none' 1)" "$work/s3/sweep.gp")" -a \
    -n "$(grep -F 'with points' "$work/s3/sweep.gp")"
[ "$have_gnuplot" -eq 1 ] && check "and draws it" test -s "$work/s3/sweep.png"
# a strategy of 16 composed parts plus two parameters: 18 overlays per point
s16=baseline$(printf '+baseline%.0s' $(seq 15))
run "$bin" sweep "$small" --strategy "$s16" --param '$.traffic.baseline_err5xx_frac=0' \
    --param2 '$.traffic.retry_frac=0' -n 2 -o "$work/s16" -q --no-plot
check "sweep with a 16-part strategy and two parameters exits 0 (got $rc)" test "$rc" -eq 0
expect 64 sweep-no-param sweep "$small"
expect 64 sweep-bad-param sweep "$small" --param 'novalues'
expect 64 sweep-bad-path sweep "$small" --param 'artifacts.x=1,2'
expect 64 sweep-unknown-metric sweep "$small" --param '$.traffic.baseline_err5xx_frac=0,0.01' --metric nope
expect 65 sweep-selects-nothing sweep "$small" --param '$.nope.x=1,2'
check "sweep selects-nothing names --param" grep -qF -- "--param: path '\$.nope.x' selects nothing" "$work/err"
expect 65 sweep-invalid-value sweep "$small" --param '$.traffic.baseline_err5xx_frac=0.1,7'

echo "compare: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
