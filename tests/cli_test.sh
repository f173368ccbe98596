#!/usr/bin/env bash
# End-to-end tests of the cdnsim command line: exit codes, error messages,
# bad input never crashing, atomic results folders, the golden run and
# determinism.  Run by CTest as:
#   cli_test.sh CDNSIM_BINARY TESTS_SOURCE_DIR WORK_DIR
# With --update-golden as a fourth argument it rewrites the committed
# expectations of the golden run instead of checking them (review the diff!).
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testlib.sh" # pass, fail, check, run
bin=$1
src=$2
work=$3
update=${4:-}
scen_dir="$src/../scenarios"
golden="$src/data/golden"

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1


# ---- usage, help, version
run "$bin" --help
check "help exits 0 and shows usage" test "$rc" -eq 0 -a -n "$(grep -F 'usage: cdnsim' "$work/out")"
run "$bin" --version
check "version" test "$rc" -eq 0 -a -n "$(grep -E '^cdnsim [0-9]+\.[0-9]+\.[0-9]+$' "$work/out")"
run "$bin"
check "no command exits 64" test "$rc" -eq 64
run "$bin" frobnicate
check "unknown command exits 64" test "$rc" -eq 64
run "$bin" run --seed abc "$golden/small.json"
check "bad seed exits 64" test "$rc" -eq 64
run "$bin" run --bogus
check "unknown option exits 64" test "$rc" -eq 64
run "$bin" validate
check "validate without file exits 64" test "$rc" -eq 64

# ---- the README's exit-code table states the error map that --help prints
help_codes=$("$bin" --help | awk '/^exit codes/ { on = 1; next }
    on && NF { st = $1; nm = $2; $1 = ""; $2 = ""; sub(/^ +/, ""); print st "|" nm "|" $0 }')
readme_codes=$(awk -F'|' '/^\| *[0-9]+ *\| *`/ {
    for (i = 2; i <= 5; i++) { gsub(/^ +| +$|`/, "", $i) } print $2 "|" $3 "|" $5 }' "$src/../README.md")
check "help prints the exit-code table" test "$(printf '%s\n' "$help_codes" | wc -l)" -ge 7
check "README's exit-code table is the error map" test "$help_codes" = "$readme_codes"

# ---- validation errors
run "$bin" validate "$work/does-not-exist.json"
check "missing file exits 66" test "$rc" -eq 66
check "missing file message names the file" grep -qF "does-not-exist.json" "$work/err"

for f in "$scen_dir"/*.json "$scen_dir"/examples/*.json "$golden/small.json"; do
    run "$bin" validate "$f"
    check "valid scenario $(basename "$f") validates" test "$rc" -eq 0
    check "valid scenario $(basename "$f") has no warning" test ! -s "$work/err"
done

# a semantic warning: the good file pushed (4000 s) before generation stops (4200 s)
sed 's/"at_s": 4500, "artifact": "features", "label": "good file"/"at_s": 4000, "artifact": "features", "label": "good file"/' \
    "$golden/small.json" >"$work/lkg-early.json"
run "$bin" validate "$work/lkg-early.json"
check "a push before the stop validates (exit 0, got $rc)" test "$rc" -eq 0
check "a push before the stop is warned with file and path" \
    grep -qF 'cdnsim: warning: '"$work"'/lkg-early.json: $.operators.actions[label=good file]: push_last_known_good' "$work/err"
check "validate says the file has warnings" grep -qF "with warnings" "$work/out"
run "$bin" run "$work/lkg-early.json" -o "$work/lkg-early" --no-plot
check "run prints the warning too" grep -qF "cdnsim: warning: " "$work/err"
run "$bin" run "$work/lkg-early.json" -o "$work/lkg-early-q" --no-plot --quiet
check "run --quiet prints no warning" test ! -s "$work/err"
# --strict: warnings are errors (exit 2, the `warning` code), after every
# file for validate, before anything is written for run
run "$bin" validate --strict "$work/lkg-early.json" "$golden/small.json"
check "validate --strict with a warning exits 2 (got $rc)" test "$rc" -eq 2
check "validate --strict still checks the next file" grep -qF "small.json: ok" "$work/out"
run "$bin" validate --strict "$golden/small.json"
check "validate --strict without a warning exits 0 (got $rc)" test "$rc" -eq 0
run "$bin" run --strict --quiet "$work/lkg-early.json" -o "$work/lkg-strict" --no-plot
check "run --strict with a warning exits 2 (got $rc)" test "$rc" -eq 2
check "run --strict prints the warning even with --quiet" grep -qF "cdnsim: warning: " "$work/err"
check "run --strict with a warning writes nothing" test ! -e "$work/lkg-strict"
# validate --strategy: a strategy that changes nothing in the scenario is warned
printf '{"name": "noop", "set": [{"path": "$.artifacts[*].period_s", "value": 300}]}' >"$work/noop.json"
run "$bin" validate --strategy "$work/noop.json" "$golden/small.json"
check "a strategy that changes nothing validates (exit 0, got $rc)" test "$rc" -eq 0
check "a strategy that changes nothing is warned" \
    grep -qF 'small.json: $: strategy noop changes nothing in this scenario' "$work/err"
run "$bin" validate --strict --strategy "$work/noop.json" "$golden/small.json"
check "... and is an error with --strict (got $rc)" test "$rc" -eq 2
run "$bin" validate --strategy baseline "$golden/small.json"
check "baseline (no operation) is not warned" test ! -s "$work/err"

nbad=0
for f in "$src"/data/bad/*.json; do
    [ -e "$f" ] || continue
    nbad=$((nbad + 1))
    name=$(basename "$f" .json)
    run "$bin" validate "$f"
    check "validate $name exits 65 or 66 (got $rc)" test "$rc" -eq 65 -o "$rc" -eq 66
    check "validate $name names the file" grep -qF "$(basename "$f")" "$work/err"
    if [ "$rc" -eq 65 ]; then
        # a JSON path ($ or $.x) or, for syntax errors, line:column
        check "validate $name names a JSON path or line:col" \
            grep -qE '(: \$(\.|\[|:)|:[0-9]+:[0-9]+: )' "$work/err"
    fi
    run "$bin" run "$f" -o "$work/bad-$name" --quiet
    check "run $name exits 65 or 66, no crash (got $rc)" test "$rc" -eq 65 -o "$rc" -eq 66
    check "run $name leaves no results folder" test ! -e "$work/bad-$name"
done
check "there are bad scenario files to test" test "$nbad" -gt 5
check "no temporary folders left behind" test -z "$(ls -A "$work" | grep -E '^\.bad-.*\.(tmp|old)-' || true)"

# ---- golden run (committed expectations; tolerance-free: fixed formats)
run "$bin" run "$golden/small.json" -o "$work/g1" --no-plot --quiet
check "golden run exits 0" test "$rc" -eq 0
check "quiet run prints nothing" test -z "$out"
for f in timeline.csv timeline_regions.csv summary.json events.jsonl timeline.gp; do
    check "golden run wrote $f" test -s "$work/g1/$f"
done
if [ "$update" = "--update-golden" ]; then
    mkdir -p "$golden/expected"
    for f in timeline.csv timeline_regions.csv events.jsonl; do cp "$work/g1/$f" "$golden/expected/$f"; done
    grep -v '"version"' "$work/g1/summary.json" >"$golden/expected/summary.json"
    echo "golden expectations rewritten in $golden/expected"
else
    for f in timeline.csv timeline_regions.csv events.jsonl; do
        check "golden $f matches" cmp -s "$work/g1/$f" "$golden/expected/$f"
    done
    grep -v '"version"' "$work/g1/summary.json" >"$work/g1.summary"
    check "golden summary.json matches" cmp -s "$work/g1.summary" "$golden/expected/summary.json"
fi

# ---- determinism: same seed -> identical bytes; another seed -> different
run "$bin" run "$golden/small.json" -o "$work/g2" --no-plot --quiet
for f in timeline.csv timeline_regions.csv summary.json events.jsonl timeline.gp; do
    check "same seed gives identical $f" cmp -s "$work/g1/$f" "$work/g2/$f"
done
run "$bin" run "$golden/small.json" -o "$work/g3" --seed 43 --no-plot --quiet
check "another seed gives another timeline" test -n "$(cmp "$work/g1/timeline.csv" "$work/g3/timeline.csv" 2>&1)"

# ---- regressions (#10): seeds are one range (files and --seed) and are
# recorded exactly
run "$bin" run "$golden/small.json" -o "$work/bigseed1" --seed 9007199254740991 --no-plot --quiet
check "the largest seed runs" test "$rc" -eq 0
run "$bin" run "$golden/small.json" -o "$work/bigseed0" --seed 9007199254740990 --no-plot --quiet
check "summary.json records the largest seed exactly" \
    grep -qE '"seed":[[:space:]]*9007199254740991,' "$work/bigseed1/summary.json"
check "and its neighbour as another seed" \
    grep -qE '"seed":[[:space:]]*9007199254740990,' "$work/bigseed0/summary.json"
run "$bin" run "$golden/small.json" -o "$work/negseed" --seed " -1" --no-plot --quiet
check "--seed ' -1' is a usage error (64)" test "$rc" -eq 64
run "$bin" run "$golden/small.json" -o "$work/bigseed2" --seed 9007199254740992 --no-plot --quiet
check "--seed 2^53 is a usage error (64), like the file's range" test "$rc" -eq 64
check "the message gives the range" grep -qF "from 0 to 9007199254740991" "$work/err"

# ---- a path with a line break still gives a one-line message (#10 review)
run "$bin" validate "$work/no
such.json"
check "validate on a missing path with a line break exits 66" test "$rc" -eq 66
check "and says so on one line" test "$(wc -l <"$work/err")" -eq 1
run "$bin" "ru
n"
check "an unknown command with a line break exits 64" test "$rc" -eq 64
check "and is two lines: the message and the hint" test "$(wc -l <"$work/err")" -eq 2

# ---- names with a comma or a quote are quoted in the CSV files (#11)
run "$bin" run "$src/data/good/csv_names.json" -o "$work/csvnames" --no-plot --quiet
check "a region name with a comma and quotes is one quoted CSV field" \
    grep -qE '^0,[^,]*,"eu, ""west""",[0-9]' "$work/csvnames/timeline_regions.csv"
check "a service name with a comma is one quoted header field" \
    grep -qF ',"svc_kv, store_avail",' "$work/csvnames/timeline.csv"
# read back with Python's csv module: every row as long as the header, the
# names exactly as in the scenario
check "timeline_regions.csv round-trips through Python's csv module" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert all(len(r) == len(rows[0]) for r in rows), "ragged rows"
assert {r[2] for r in rows[1:]} == {"eu, \"west\"", "us", "asia"}, {r[2] for r in rows[1:]}
' "$work/csvnames/timeline_regions.csv"
check "timeline.csv round-trips through Python's csv module" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert all(len(r) == len(rows[0]) for r in rows), "ragged rows"
assert "svc_kv, store_avail" in rows[0], rows[0]
' "$work/csvnames/timeline.csv"

# ---- getopt_long spellings: --seed=7, -s7, -j1 and clusters such as -qn3
run "$bin" run "$golden/small.json" -o "$work/eq1" --seed=7 --no-plot --quiet
check "run --seed=7 exits 0" test "$rc" -eq 0
run "$bin" run --no-plot -q -s 7 -o "$work/eq2" "$golden/small.json"
check "--seed=7 is --seed 7 (options before or after the scenario)" \
    cmp -s "$work/eq1/timeline.csv" "$work/eq2/timeline.csv"
check "summary records seed 7" grep -qE '"seed":[[:space:]]*7,' "$work/eq1/summary.json"
run "$bin" run "$golden/small.json" -qn3 -j1 --seed=7 --no-plot -o "$work/qn3"
check "run -qn3 -j1 exits 0" test "$rc" -eq 0
check "run -qn3 is quiet" test -z "$out$errout"
check "run -qn3 writes the calibration report" test -s "$work/qn3/calibration.csv"
check "run -qn3 -j1 gives the same timeline" cmp -s "$work/eq1/timeline.csv" "$work/qn3/timeline.csv"
run "$bin" run "$golden/small.json" -q --replications=3 --jobs=2 --seed=7 --no-plot -o "$work/qn3b"
check "calibration of -qn3 -j1 is that of --replications=3 --jobs=2" \
    cmp -s "$work/qn3/calibration.csv" "$work/qn3b/calibration.csv"
run "$bin" run "$golden/small.json" -o "$work/eq3" -- --seed
check "-- ends the options (--seed is then a second scenario: 64)" test "$rc" -eq 64
run "$bin" run --seed
check "an option without its value exits 64" test "$rc" -eq 64 -a -n "$(grep -F -- '--seed needs' "$work/err")"
run "$bin" run --quiet=1
check "a flag given a value exits 64" test "$rc" -eq 64

# ---- one limit for -j, the same in run as in compare and sweep
run "$bin" run "$golden/small.json" -j 1025 -o "$work/j1025" -q
check "run -j 1025 exits 64" test "$rc" -eq 64 -a ! -e "$work/j1025"
check "run -j 1025 says the limit" grep -qF -- "-j needs a number of threads from 1 to 1024" "$work/err"
run_msg=$errout
run "$bin" compare "$golden/small.json" --strategies baseline -j 1025 -o "$work/cj1025" -q
check "compare -j 1025 is refused as run's is" test "$rc" -eq 64 -a "$errout" = "$run_msg"
run "$bin" run "$golden/small.json" -j1024 -o "$work/j1024" --no-plot -q
check "run -j1024 is accepted" test "$rc" -eq 0

# ---- per-command help: that command's usage and options only
run "$bin" run --help
check "run --help exits 0" test "$rc" -eq 0
check "run --help is run's usage" grep -q '^usage: cdnsim run ' "$work/out"
check "run --help lists --replication" grep -qF -- "-r, --replication R" "$work/out"
check "run --help lists no compare or sweep option" \
    test -z "$(grep -E -- '--(strategies|param|precision)' "$work/out")"
check "run --help has no other command's usage" test "$(grep -c '^usage:' "$work/out")" -eq 1
run "$bin" validate --help
check "validate --help is validate's usage" grep -q '^usage: cdnsim validate \[--strategy S\] \[--strict\] FILE' "$work/out"
run "$bin" plot -h
check "plot -h is plot's usage" grep -q '^usage: cdnsim plot DIR' "$work/out"
run "$bin" --help
for c in run validate plot compare sweep; do
    check "--help lists the command $c" grep -qE "^  $c( |\$)" "$work/out"
done

# ---- example scenarios, end to end: each shows what its notes claim
csvcol() { # csvcol FILE NAME T [REGION]: column NAME of the row at t_s T (and region)
    awk -F, -v n="$2" -v t="$3" -v r="${4-}" 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == n) c = i; if ($i == "region") g = i }; next }
        $1 == t && (r == "" || $g == r) { print $c; exit }' "$1"
}
num() { # num FILE KEY: a number from summary.json ("null" stays "null")
    awk -F: -v k="\"$2\"" '$1 ~ k {gsub(/[ \t,]/, "", $2); print $2; exit}' "$1"
}
ex="$src/../scenarios/examples"
run "$bin" run "$ex/oneshot-cpu-kill-switch.json" -o "$work/ex1" --no-plot --quiet
check "example oneshot-cpu-kill-switch runs" test "$rc" -eq 0
first=$(num "$work/ex1/summary.json" first_error_s)
main=$(num "$work/ex1/summary.json" main_impact_resolved_s)
check "kill switch ends the CPU exhaustion within 20 minutes" \
    awk -v a="$first" -v b="$main" 'BEGIN { exit !(a != "null" && b != "null" && b - a <= 1200) }'
check "CPU exhaustion raises latency" \
    awk -v l="$(num "$work/ex1/summary.json" peak_latency_ms)" 'BEGIN { exit !(l > 100) }'
run "$bin" run "$ex/tiered-staged-rollout.json" -o "$work/ex2" --no-plot --quiet
check "example tiered-staged-rollout runs" test "$rc" -eq 0
check "the small tier's three regions are drained" \
    test "$(grep -c '"event":"region_drained"' "$work/ex2/events.jsonl")" -eq 3
check "no rollout halt (the gate is too loose for one tier)" \
    test "$(grep -c '"event":"rollout_halted"' "$work/ex2/events.jsonl")" -eq 0
check "the drained traffic overloads the neighbours" \
    awk -v p="$(num "$work/ex2/summary.json" peak_err5xx_frac)" 'BEGIN { exit !(p > 0.1) }'
run "$bin" run "$ex/crash-manual-repair.json" -o "$work/ex3" --no-plot --quiet
check "example crash-manual-repair runs" test "$rc" -eq 0
check "hand repairs take hours after the 05:27 revert" \
    awk -v m="$(num "$work/ex3/summary.json" main_impact_resolved_s)" 'BEGIN { exit !(m > 6 * 3600) }'
run "$bin" run "$ex/restart-herd.json" -o "$work/ex4" --no-plot --quiet
check "example restart-herd runs" test "$rc" -eq 0
# recovery: end of the last bin with a server out of service, from the end
# of the restarts (660 s); its notes compute 404 s by hand
herd_end=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "servers_out_frac") c = i; next }
                    $c > 0 { last = $1 } END { print last + 10 }' "$work/ex4/timeline.csv")
check "restart-herd: the region recovers within 10% of the hand-computed 404 s ($((herd_end - 660)) s)" \
    awk -v d="$((herd_end - 660))" 'BEGIN { exit !(d >= 0.9 * 404 && d <= 1.1 * 404) }'
run "$bin" run "$ex/regional-revert.json" -o "$work/ex5" --no-plot --quiet
check "example regional-revert runs" test "$rc" -eq 0
check "the revert reaches island, north, south, core at 1800, 2400, 3000, 3600 s" \
    test "$(grep '"event":"action_region"' "$work/ex5/events.jsonl" |
        sed -E 's/^\{"t_s":([0-9]+)\.000,.*"region":"([a-z]+)".*/\1 \2/' | tr '\n' ' ')" = \
    "1800 island 2400 north 3000 south 3600 core "
check "the largest region, reverted last, ends the main impact at 10:00 (3600 s)" \
    test "$(num "$work/ex5/summary.json" main_impact_resolved_s)" = 3600
# load-proportional CPU (#9 item 6): the 5xx share follows each region's
# daily curve; the notes compute x = 1 - C / (c L) by hand
run "$bin" run "$ex/pathological-rule-cpu.json" -o "$work/ex6" --no-plot --quiet
check "example pathological-rule-cpu runs" test "$rc" -eq 0
rcol() { csvcol "$work/ex6/timeline_regions.csv" "$3" "$1" "$2"; } # rcol T_S REGION COLUMN
near() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = a - b; exit !(d <= tol && -d <= tol) }'; }
check "pathological-rule-cpu: americas at its peak fails 1 - 1.6/2.625 = 0.3905 ($(rcol 43200 americas err5xx_frac))" \
    near "$(rcol 43200 americas err5xx_frac)" 0.3905 0.0005
check "pathological-rule-cpu: asia at its trough then fails nothing" near "$(rcol 43200 asia err5xx_frac)" 0 0
check "pathological-rule-cpu: asia's trough latency 50 x 1.75 / (1 - 0.547) = 193 ms ($(rcol 43200 asia latency_ms))" \
    near "$(rcol 43200 asia latency_ms)" 193.1 0.2
check "pathological-rule-cpu: twelve hours later the roles swap" \
    near "$(rcol 86400 asia err5xx_frac)" 0.3905 0.0005
check "pathological-rule-cpu: no errors in the hour from 13:00 local (L = 871 k < 914 k), errors from 14:00" \
    awk -v a="$(rcol 18000 americas err5xx_frac)" -v b="$(rcol 21600 americas err5xx_frac)" \
    'BEGIN { exit !(a == 0 && b > 0) }'
# withdrawal of one proxy's routes (#9 item 7): the resolver's queries stop
# arriving; the notes compute the shares by hand
run "$bin" run "$ex/resolver-withdrawn.json" -o "$work/ex7" --no-plot --quiet
check "example resolver-withdrawn runs" test "$rc" -eq 0
gcol() { csvcol "$work/ex7/timeline.csv" "$2" "$1"; } # gcol T_S COLUMN
check "resolver-withdrawn: 0.15 x 0.6 = 9% of requests fail fast at 10:30 ($(gcol 3600 err5xx_frac))" \
    near "$(gcol 3600 err5xx_frac)" 0.09 0.000001
check "resolver-withdrawn: 0.15 x 0.4 = 6% fall back to another resolver ($(gcol 3600 failover_frac))" \
    near "$(gcol 3600 failover_frac)" 0.06 0.000001
check "resolver-withdrawn: no retries: attempts stay 1,000,000/s ($(gcol 3600 offered_rps))" \
    near "$(gcol 3600 offered_rps)" 1000000 0.1
check "resolver-withdrawn: no server out of service" near "$(gcol 3600 servers_out_frac)" 0 0
check "resolver-withdrawn: the resolver is down and the API up" \
    test "$(gcol 3600 svc_resolver_avail) $(gcol 3600 svc_api_avail)" = "0.000000 1.000000"
check "resolver-withdrawn: nothing fails a minute after the 11:00 revert" near "$(gcol 5460 err5xx_frac)" 0 0

# ---- customer features and regional sites (#9 items 5, 7): the examples'
# notes compute the numbers checked here by hand
named_down() { # named_down FILE SITE: downtime_s of a named site in summary.json
    python3 -c 'import json, sys; print(next(n["downtime_s"] for n in json.load(open(sys.argv[1]))["named_sites"] if n["name"] == sys.argv[2]))' "$1" "$2"
}
run "$bin" run "$ex/feature-scoped.json" -o "$work/ex6" --no-plot --quiet
check "example feature-scoped runs" test "$rc" -eq 0
check "feature-scoped: only edge-compute traffic fails (5xx share in (0.25, 0.6))" \
    awk -v p="$(num "$work/ex6/summary.json" peak_err5xx_frac)" 'BEGIN { exit !(p > 0.25 && p < 0.6) }'
check "feature-scoped: api.example (edge_compute) is down 10:10-10:40, www.example never" \
    awk -v a="$(named_down "$work/ex6/summary.json" api.example)" -v b="$(named_down "$work/ex6/summary.json" www.example)" \
    'BEGIN { exit !(a > 1790 && a <= 1800 && b == 0) }'
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s["sites"]["plans"][1]["features"]["edge_compute"] = 0; json.dump(s, open(sys.argv[2], "w"))' \
    "$ex/feature-scoped.json" "$work/feature-workers-only.json"
run "$bin" run "$work/feature-workers-only.json" -o "$work/ex6b" --no-plot --quiet
check "feature-scoped with edge compute on plan workers only: 5xx share 0.25 exactly" \
    awk -v p="$(num "$work/ex6b/summary.json" peak_err5xx_frac)" 'BEGIN { exit !(p > 0.25 - 1e-9 && p < 0.25 + 1e-9) }'
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s["proxies"][0]["scope"] = "bot_management"; del s["proxies"][0]["scope_feature"]; s["sites"]["plans"][0]["bot_management_frac"] = 1; json.dump(s, open(sys.argv[2], "w"))' \
    "$ex/feature-scoped.json" "$work/feature-legacy.json"
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s["proxies"][0]["scope_feature"] = "bot_management"; s["sites"]["plans"][0]["features"] = {"bot_management": 1}; json.dump(s, open(sys.argv[2], "w"))' \
    "$ex/feature-scoped.json" "$work/feature-as-feature.json"
run "$bin" run "$work/feature-legacy.json" -o "$work/ex6c" --no-plot --quiet
run "$bin" run "$work/feature-as-feature.json" -o "$work/ex6d" --no-plot --quiet
check "bot_management as a feature gives the same bytes as bot_management_frac and scope" \
    cmp "$work/ex6c/timeline.csv" "$work/ex6d/timeline.csv"
run "$bin" run "$ex/regional-sites.json" -o "$work/ex7" --no-plot --quiet
check "example regional-sites runs" test "$rc" -eq 0
check "regional-sites: the 5xx share is region eu's 0.4" \
    awk -v p="$(num "$work/ex7/summary.json" peak_err5xx_frac)" 'BEGIN { exit !(p > 0.4 - 1e-9 && p < 0.4 + 1e-9) }'
check "regional-sites: the eu-shops sites (about 0.3 of all) are down, the global ones not" \
    awk -v p="$(num "$work/ex7/summary.json" peak_sites_down_frac)" 'BEGIN { exit !(p > 0.28 && p < 0.32) }'
check "regional-sites: news.example (users in eu) is down 12:10-12:50, app.example never" \
    awk -v a="$(named_down "$work/ex7/summary.json" news.example)" -v b="$(named_down "$work/ex7/summary.json" app.example)" \
    'BEGIN { exit !(a > 2390 && a <= 2400 && b == 0) }'
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); del s["sites"]["plans"][0]["regions"]; del s["sites"]["named"][0]["regions"]; json.dump(s, open(sys.argv[2], "w"))' \
    "$ex/regional-sites.json" "$work/regional-none.json"
run "$bin" run "$work/regional-none.json" -o "$work/ex7b" --no-plot --quiet
check "regional-sites without regions: every site is served 60%, none is down" \
    test "$(num "$work/ex7b/summary.json" peak_sites_down_frac)" = 0

# ---- issue #9 item 8: diagnosis lengthened only by conditions present
run "$bin" run "$ex/diagnosis-flapping.json" -o "$work/ex6" --no-plot --quiet
check "example diagnosis-flapping runs" test "$rc" -eq 0
dflap=$(($(num "$work/ex6/summary.json" diagnosed_s) - $(num "$work/ex6/summary.json" detected_s)))
check "flapping: diagnosed 120 + 780 / 0.25 = 3240 s after detection, as its notes compute ($dflap s)" \
    test "$dflap" -eq 3240
run "$bin" run "$ex/diagnosis-flapping.json" -o "$work/ex6c" --no-plot --quiet \
    --set '$.artifacts[0].cluster.migrated_at_start=10'
dclear=$(($(num "$work/ex6c/summary.json" diagnosed_s) - $(num "$work/ex6c/summary.json" detected_s)))
check "the same fault without flapping: diagnosed work_s = 900 s after detection ($dclear s)" \
    test "$dclear" -eq 900
run "$bin" run "$ex/diagnosis-flapping.json" -o "$work/ex6m" --no-plot --quiet \
    --set '$.artifacts[0].cluster.migrated_at_start=10' --set '$.operators.actions[*].after="detection"'
check "ended by operator actions before the diagnosis: never diagnosed (not a flap)" \
    test "$(num "$work/ex6m/summary.json" diagnosed_s)" = null
check "and the post-mortem metrics are in summary.json" \
    test "$(num "$work/ex6m/summary.json" traffic_recovered_p90_s)" = 480
# issue #9 item 9: latency empty, not 0, while nothing is served; dates in
# the calibration report of a span longer than a day
run "$bin" run "$golden/small.json" -o "$work/nolat" --no-plot --quiet --set '$.proxies[*].affected_frac=1' \
    --set '$.proxies[*].on_bad_artifact="panic"' --set '$.proxies[*].scope="all"'
check "latency_ms is empty in a bin where nothing is served" \
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "latency_ms") c = i; if ($i == "ok_rps") o = i }; next }
             $o == 0.0 && $c != "" { bad = 1 } $o == 0.0 { seen = 1 } END { exit !(seen && !bad) }' "$work/nolat/timeline.csv"
run "$bin" run "$scen_dir/cloudflare-2025-11-18.json" -n 2 -o "$work/calday" --no-plot --quiet \
    --set '$.simulation.duration_s=90000'
check "a calibration report over more than a day shows dates" \
    grep -qE '^\| cause known \| 2025-11-18 13:37 \| 2025-11-18 [0-9]{2}:[0-9]{2} \|' "$work/calday/calibration.md"
run "$bin" run "$ex/repair-long-tail.json" -o "$work/ex6" --no-plot --quiet
check "example repair-long-tail runs" test "$rc" -eq 0
# 95% of the hosts repaired: the first bin after the onset (1800 s) whose
# failing share is at most 5%; its notes compute 14983 s after the onset
rep95=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "servers_failing_frac") c = i; next }
                 $1 > 1800 && $c <= 0.05 && !t { t = $1 } END { print t }' "$work/ex6/timeline.csv")
check "repair-long-tail: 95% repaired within 10% of the hand-computed 14983 s ($((rep95 - 1800)) s)" \
    awk -v d="$((rep95 - 1800))" 'BEGIN { exit !(d >= 0.9 * 14983 && d <= 1.1 * 14983) }'
check "repair-long-tail: the last 5% take longer than 10 minutes" \
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "servers_failing_frac") c = i; next }
             $c > 0 { last = $1 } END { exit !(last - '"$rep95"' > 600) }' "$work/ex6/timeline.csv"
check "repair-long-tail: the 04:00 release is a repair_capacity event with 800 crews" \
    grep -qE '"t_s":14400\.000,.*"event":"repair_capacity","proxy":"host","process":"repair","crews":800,"time_median_s":900\.000' "$work/ex6/events.jsonl"

# offline hosts (#9): hosts booting before the revert load the bad file
run "$bin" run "$ex/offline-hosts.json" -o "$work/ex-offline" --no-plot --quiet
check "example offline-hosts runs" test "$rc" -eq 0
f=$(csvcol "$work/ex-offline/timeline.csv" servers_failing_frac 12300)
check "offline-hosts: failing share before the revert $f within 0.03 of the hand-computed 0.924" \
    awk -v f="$f" 'BEGIN { exit !(f >= 0.894 && f <= 0.954) }'
check "offline-hosts: no host fails after the revert, hosts still come online" \
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "servers_failing_frac") c = i; if ($i == "servers_out_frac") o = i }; next }
             $1 >= 12900 && $c > 0 { bad = 1 } $1 == 12900 { o1 = $o } $1 == 42900 { o2 = $o }
             END { exit !(!bad && o1 > 0.06 && o2 < 0.01 && o2 < o1) }' "$work/ex-offline/timeline.csv"

# damage that outlives the revert (#9): damaged share per region by
# exposure, re-provisioning ceil(D / 5) x 1800 s after the first revert
run "$bin" run "$ex/lasting-damage.json" -o "$work/ex-damage" --no-plot --quiet
check "example lasting-damage runs" test "$rc" -eq 0
fw=$(csvcol "$work/ex-damage/timeline_regions.csv" servers_failing_frac 5700 west)
fe=$(csvcol "$work/ex-damage/timeline_regions.csv" servers_failing_frac 12900 east)
check "lasting-damage: west damaged $fw within 0.06 of 1 - exp(-0.05) = 0.049" \
    awk -v f="$fw" 'BEGIN { exit !(f > 0 && f <= 0.109) }'
check "lasting-damage: east damaged $fe within 0.06 of 1 - exp(-0.25) = 0.221" \
    awk -v f="$fe" 'BEGIN { exit !(f >= 0.161 && f <= 0.281) }'
end_s=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "servers_failing_frac") c = i; next }
                 $c > 0 { l = $1 } END { print l }' "$work/ex-damage/timeline.csv")
want_s=$(awk -v w="$fw" -v e="$fe" 'BEGIN { d = int(500 * (w + e) + 0.5); r = int((d + 4) / 5); print 5400 + r * 1800 }')
check "lasting-damage: failures end in the bin of ceil(D / 5) x 1800 s after 01:30 ($end_s s, by hand $want_s s)" \
    awk -v a="$end_s" -v b="$want_s" 'BEGIN { exit !(a >= b - 300 && a <= b) }'

# ---- the work budget (#10): refused up front, estimates within a factor 2
for f in "$src"/data/budget/*.json; do
    name=$(basename "$f" .json)
    start=$(date +%s)
    run "$bin" run "$f" -o "$work/budget-$name" --no-plot --quiet
    check "budget/$name is refused up front (78)" test "$rc" -eq 78
    check "budget/$name: refused at once" test "$(($(date +%s) - start))" -lt 10
    check "budget/$name: the message says how to raise the budget" grep -qF -- "--budget " "$work/err"
    check "budget/$name: no results folder" test ! -e "$work/budget-$name"
done
# a budget large enough lets the same file start (it is stopped after 2 s)
run timeout 2 "$bin" run "$src/data/budget/min_period.json" --budget 11 -o "$work/budget-x" --no-plot --quiet
check "--budget 11 lets the 1e9-event run start (stopped by timeout, 124)" test "$rc" -eq 124
run timeout 2 "$bin" run "$src/data/budget/min_period.json" --budget=0 -o "$work/budget-x" --no-plot --quiet
check "--budget=0 lifts the limit (stopped by timeout, 124)" test "$rc" -eq 124
check "the stopped runs leave no folder" test ! -e "$work/budget-x"
within2() { # within2 SUMMARY: estimated events within a factor 2 of kernel_events
    local est act
    est=$(grep -A1 '"estimated"' "$1" | tail -1 | grep -oE '[0-9]+')
    act=$(num "$1" kernel_events)
    awk -v e="$est" -v a="$act" 'BEGIN { exit !(a > 0 && e <= 2 * a && e >= a / 2) }'
}
for d in ex1 ex2 ex3 ex4 ex5 ex6 g1; do
    check "estimated events within a factor 2 of the measured ($d)" within2 "$work/$d/summary.json"
done

# ---- calibration report over replications (reference scenario)
run "$bin" run "$scen_dir/cloudflare-2025-11-18.json" -n 3 -j 2 -o "$work/calib" --no-plot --quiet
check "run -n writes calibration.md" test "$rc" -eq 0 -a -s "$work/calib/calibration.md"
check "calibration.md sets the published 13:37 beside the simulation" \
    grep -qE '^\| cause known \| 13:37 \| [0-9]{2}:[0-9]{2} \|' "$work/calib/calibration.md"
check "calibration.csv has a row per target and replication" \
    test "$(($(wc -l <"$work/calib/calibration.csv") - 1))" -eq "$((3 * $(grep -c '"metric"' "$scen_dir/cloudflare-2025-11-18.json")))"
run "$bin" run "$scen_dir/cloudflare-2025-11-18.json" -n 3 -j 1 -o "$work/calib1" --no-plot --quiet
check "calibration does not depend on the number of threads" \
    cmp -s "$work/calib/calibration.md" "$work/calib1/calibration.md"
check "nor do the fan chart's quantiles" cmp -s "$work/calib/ensemble.csv" "$work/calib1/ensemble.csv"
# run -n reuses the folder's own run as its replication (not simulated
# twice): with --replication 2 it must stand at index 2, not 0
run "$bin" run "$scen_dir/cloudflare-2025-11-18.json" -n 3 -j 2 --replication 2 -o "$work/calib-r2" --no-plot --quiet
check "run -n --replication 2: the calibration is that of -n 3 alone" \
    cmp -s "$work/calib/calibration.csv" "$work/calib-r2/calibration.csv"
check "the fan chart has a row per bin" \
    test "$(wc -l <"$work/calib/ensemble.csv")" -eq "$(wc -l <"$work/calib/timeline.csv")"
check "and the published times of the calibration strip" \
    grep -qE '^[0-9]+,cause known,diagnosed,11220,' "$work/calib/ensemble_targets.csv"
run "$bin" run "$scen_dir/cloudflare-2025-11-18.json" -n 1000000 -o "$work/hugen" --no-plot --quiet
check "run -n whose per-bin values would exceed the memory budget exits 78" test "$rc" -eq 78 -a ! -e "$work/hugen"
check "and says why and how to raise it" grep -qF "of per-bin values" "$work/err"
check "estimated events within a factor 2 of the measured (reference)" within2 "$work/calib/summary.json"
run "$bin" run -n 0
check "run -n 0 is a usage error" test "$rc" -eq 64

# ---- results folder handling
mkdir -p "$work/precious"
echo keep >"$work/precious/file.txt"
run "$bin" run "$golden/small.json" -o "$work/precious" --no-plot --quiet
check "refuses to replace a foreign folder (73)" test "$rc" -eq 73
check "foreign folder untouched" grep -qx keep "$work/precious/file.txt"
run "$bin" run "$golden/small.json" -o "$work/g1" --seed 43 --no-plot --quiet
check "replaces a previous results folder" test "$rc" -eq 0
check "replaced folder has the new run" cmp -s "$work/g1/timeline.csv" "$work/g3/timeline.csv"
check "no stale temporary folders" test -z "$(ls -A "$work" | grep -E '^\.g1\.(tmp|old)-' || true)"
check "a results folder carries the marker" grep -qF '"command":"run"' "$work/g1/.cdnsim-results"
# regressions (#10): a file named summary.json does not make a folder ours;
# nothing the user added to a real results folder is deleted or moved
mkdir -p "$work/thesis"
echo precious >"$work/thesis/thesis.tex"
echo '{}' >"$work/thesis/summary.json"
run "$bin" run "$golden/small.json" -o "$work/thesis" --no-plot --quiet
check "a folder with a summary.json but no marker is refused (73)" test "$rc" -eq 73
check "the refusal says why" grep -qF "no .cdnsim-results marker" "$work/err"
check "the user's file is kept" grep -qx precious "$work/thesis/thesis.tex"
echo mine >"$work/g1/notes.txt"
mkdir "$work/g1/mine"
echo keep >"$work/g1/mine/data.csv"
run "$bin" run "$golden/small.json" -o "$work/g1" --no-plot --quiet
check "a results folder with a user's file is refused (73)" test "$rc" -eq 73
check "the refusal names the foreign entry" grep -qF "'mine'" "$work/err"
check "the user's file in a results folder is kept" grep -qx mine "$work/g1/notes.txt"
check "the user's subfolder is kept in place" grep -qx keep "$work/g1/mine/data.csv"
check "nothing was moved aside" test -z "$(ls -A "$work" | grep -E '^\.g1\.(tmp|old)-' || true)"
rm -r "$work/g1/notes.txt" "$work/g1/mine"
run "$bin" run "$golden/small.json" -o "$work/g1" --no-plot --quiet
check "without them it is replaced again" test "$rc" -eq 0
# (review) a sibling that only looks like a leftover is never touched; a
# leftover results folder loses only the files its marker lists
mkdir -p "$work/.g1.tmp-backup" "$work/.g1.old-photos"
echo notes >"$work/.g1.tmp-backup/notes.txt"
echo img >"$work/.g1.old-photos/img.txt"
mkdir -p "$work/.g1.old-Ab12Cd"
printf '{"program":"cdnsim","format":1,"command":"run","state":"complete","files":["a.txt"]}\n' \
    >"$work/.g1.old-Ab12Cd/.cdnsim-results"
echo a >"$work/.g1.old-Ab12Cd/a.txt"
echo mine >"$work/.g1.old-Ab12Cd/user.txt"
run "$bin" run "$golden/small.json" -o "$work/g1" --no-plot --quiet
check "a run next to look-alike folders succeeds" test "$rc" -eq 0
check "a look-alike temporary folder is not touched" grep -qx notes "$work/.g1.tmp-backup/notes.txt"
check "a look-alike old folder is not touched" grep -qx img "$work/.g1.old-photos/img.txt"
check "a leftover loses its listed file" test ! -e "$work/.g1.old-Ab12Cd/a.txt"
check "but keeps the user's file" grep -qx mine "$work/.g1.old-Ab12Cd/user.txt"
check "and its marker, so it stays not ours" test -s "$work/.g1.old-Ab12Cd/.cdnsim-results"
run "$bin" run "$golden/small.json" -o "$work/g1" --no-plot --quiet
check "the user's file survives the next run too" grep -qx mine "$work/.g1.old-Ab12Cd/user.txt"
rm -r "$work/.g1.tmp-backup" "$work/.g1.old-photos" "$work/.g1.old-Ab12Cd"
ln -s "$work/g1" "$work/g1link"
run "$bin" run "$golden/small.json" -o "$work/g1link" --no-plot --quiet
check "a symbolic link as -o is refused (73)" test "$rc" -eq 73
check "the refusal says it is a link" grep -qF "symbolic link" "$work/err"
check "the linked result is untouched" test -s "$work/g1/.cdnsim-results" -a -L "$work/g1link"
run "$bin" run "$golden/small.json" -o "$work/g1link/" --no-plot --quiet
check "a symbolic link with a trailing slash is refused too (73)" test "$rc" -eq 73
check "and said to be a link" grep -qF "symbolic link" "$work/err"
run "$bin" run "$golden/small.json" -o "" --no-plot --quiet
check "an empty -o is a usage error (64)" test "$rc" -eq 64

# regressions (#10): a signal leaves no half-written folder; a killed run's
# leftovers are cleaned by the next run; concurrent runs are serialised
ref="$scen_dir/cloudflare-2025-11-18.json"
wait_for_tmp() { # wait_for_tmp NAME: until .NAME.tmp-* exists (at most 30 s)
    for _ in $(seq 300); do
        ls -A "$work" | grep -qE "^\.$1\.tmp-" && return 0
        sleep 0.1
    done
    return 1
}
# (SIGINT is ignored by a script's background jobs, and stays ignored)
for sig in TERM HUP; do
    "$bin" run "$ref" -n 400 -j 1 -o "$work/sig$sig" --no-plot --quiet >/dev/null 2>&1 &
    pid=$!
    check "SIG$sig test: the run writes its temporary folder" wait_for_tmp "sig$sig"
    kill -s "$sig" "$pid"
    wait "$pid"
    st=$?
    check "SIG$sig ends the run by the signal (status $st)" test "$st" -ge 129
    check "SIG$sig leaves no temporary folder" test -z "$(ls -A "$work" | grep -E "^\.sig$sig\.(tmp|old)-" || true)"
    check "SIG$sig leaves no results folder" test ! -e "$work/sig$sig"
done
"$bin" run "$ref" -n 400 -j 1 -o "$work/killed" --no-plot --quiet >/dev/null 2>&1 &
pid=$!
check "SIGKILL test: the run writes its temporary folder" wait_for_tmp killed
kill -s KILL "$pid"
wait "$pid"
check "SIGKILL leaves the temporary folder (nothing can catch it)" \
    test -n "$(ls -A "$work" | grep -E '^\.killed\.tmp-' || true)"
run "$bin" run "$golden/small.json" -o "$work/killed" --no-plot --quiet
check "the next run of the target succeeds" test "$rc" -eq 0 -a -s "$work/killed/summary.json"
check "and removes the killed run's temporary folder" \
    test -z "$(ls -A "$work" | grep -E '^\.killed\.(tmp|old)-' || true)"
"$bin" run "$ref" -n 8 -j 1 -o "$work/conc" --no-plot --quiet >"$work/conc1.out" 2>&1 &
p1=$!
"$bin" run "$ref" -n 8 -j 1 -o "$work/conc" --no-plot --quiet >"$work/conc2.out" 2>&1 &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
check "two concurrent runs on one folder both succeed ($r1, $r2)" test "$r1" -eq 0 -a "$r2" -eq 0
check "concurrent runs leave one complete result" test -s "$work/conc/calibration.md"
check "concurrent runs leave nothing aside" test -z "$(ls -A "$work" | grep -E '^\.conc\.(tmp|old)-' || true)"

# default output folder: results/<name>, relative to the working directory
run "$bin" run "$golden/small.json" --no-plot --quiet
check "default output is results/<scenario-name>" test -s "$work/results/golden-small/summary.json"

# ---- without gnuplot on PATH everything else is written and the way to plot is said
run env PATH=/nonexistent "$bin" run "$golden/small.json" -o "$work/nognuplot"
check "run without gnuplot exits 0" test "$rc" -eq 0
check "run without gnuplot keeps timeline.gp" test -s "$work/nognuplot/timeline.gp"
check "every run writes regions.gp" test -s "$work/nognuplot/regions.gp"
check "run without gnuplot says how to draw" grep -qF "gnuplot" "$work/err"
check "run without gnuplot writes report.html" grep -qF '<!DOCTYPE html>' "$work/nognuplot/report.html"
check "which says the figures were not drawn" grep -qF 'Not drawn: <code>timeline.svg</code>' "$work/nognuplot/report.html"
check "report.html is in the folder's marker" grep -qF '"report.html"' "$work/nognuplot/.cdnsim-results"
mkdir -p "$work/nogp"
run "$bin" plot "$work/nogp"
check "plot on a folder without *.gp fails (66) and says so" \
    test "$rc" -eq 66 -a -n "$(grep -F 'no gnuplot script (*.gp)' "$work/err")"

# ---- plots, when gnuplot is installed
if command -v gnuplot >/dev/null 2>&1; then
    run "$bin" run "$golden/small.json" -o "$work/plotted" --quiet
    check "plot run exits 0" test "$rc" -eq 0
    check "timeline.png written" test -s "$work/plotted/timeline.png"
    check "timeline.svg written" test -s "$work/plotted/timeline.svg"
    check "regions.png written" test -s "$work/plotted/regions.png"
    check "regions.svg written" grep -qF '</svg>' "$work/plotted/regions.svg"
    # the scripts render without a single gnuplot warning, on every example
    # and on a run of three days (dated tics), and show what they promise
    for f in "$ex"/*.json "$scen_dir/cloudflare-2025-11-18.json" "$golden/small.json"; do
        name=$(basename "$f" .json)
        run "$bin" run "$f" -o "$work/fig-$name"
        check "$name: run lists the regions figure" grep -qF 'regions.png' "$work/out"
        for gp in timeline regions; do
            (cd "$work/fig-$name" && gnuplot "$gp.gp") >"$work/gp.out" 2>&1
            check "$name: $gp.gp renders without warnings" test ! -s "$work/gp.out"
            check "$name: $gp.png is whole" test -s "$work/fig-$name/$gp.png"
        done
        check "$name: a latency panel" grep -qF "latency (s)" "$work/fig-$name/timeline.gp"
        check "$name: legends outside the data" grep -qF "set key at screen" "$work/fig-$name/timeline.gp"
        check "$name: no opaque legend box" test -z "$(grep -E 'set key.*opaque' "$work/fig-$name/timeline.gp" || true)"
    done
    check "a 16% peak gets a 0-20% axis" grep -qF "set yrange [0:20]" "$work/fig-tiered-staged-rollout/timeline.gp"
    check "the regions heat map reads timeline_regions.csv" \
        grep -qF "'timeline_regions.csv' every N::line[i]" "$work/fig-cloudflare-2025-11-18/regions.gp"
    # one region: `with image` needs two scan lines per row, or it draws nothing
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s["regions"] = [dict(s["regions"][0], traffic_share=1)]; json.dump(s, open(sys.argv[2], "w"))' \
        "$golden/small.json" "$work/one-region.json"
    run "$bin" run "$work/one-region.json" -o "$work/fig-one" --quiet
    heat=$(cd "$work/fig-one" && { sed -n '1,/^unset table/p' regions.gp; echo 'print |$heat|'; } | gnuplot 2>&1)
    bins=$(($(wc -l <"$work/fig-one/timeline.csv") - 1))
    check "one region: the heat map has two scan lines per bin ($heat for $bins bins)" \
        test "$heat" -ge $((2 * bins))
    sed 's/"duration_s": *10800/"duration_s": 259200/; s/"bin_s": *60/"bin_s": 600/' \
        "$ex/tiered-staged-rollout.json" >"$work/threedays.json"
    run "$bin" run "$work/threedays.json" -o "$work/fig-3d" --quiet
    check "a three-day run plots" test "$rc" -eq 0 -a -s "$work/fig-3d/regions.png"
    check "a three-day run has dated tics" grep -qF '\n13 May' "$work/fig-3d/timeline.gp"
    rm -f "$work/nognuplot/timeline.png" "$work/nognuplot/regions.png"
    run "$bin" plot "$work/nognuplot"
    check "cdnsim plot draws a folder" test "$rc" -eq 0 -a -s "$work/nognuplot/timeline.png"
    check "cdnsim plot redraws the regions figure" test -s "$work/nognuplot/regions.png"
    check "plot adds its figures to the folder's marker" grep -qF '"timeline.png"' "$work/nognuplot/.cdnsim-results"
    check "plot adds the regions figure to the marker" grep -qF '"regions.png"' "$work/nognuplot/.cdnsim-results"
    check "plot rewrites report.html with the figures inlined" \
        test -n "$(grep -F '<svg role="img" aria-labelledby="timeline-cap"' "$work/nognuplot/report.html")" \
        -a -z "$(grep -F 'Not drawn' "$work/nognuplot/report.html")"
    run "$bin" run "$golden/small.json" -o "$work/nognuplot" --quiet
    check "a plotted folder is still replaceable by run" test "$rc" -eq 0
    # plot finds every *.gp script: a new figure kind needs no list entry
    cp -r "$work/nognuplot" "$work/custom"
    printf '%s\n' "set term pngcairo size 300,200" "set output 'aaa_custom.png'" "plot x" \
        "set term svg size 300,200" "set output 'aaa_custom.svg'" "replot" >"$work/custom/aaa_custom.gp"
    run "$bin" plot "$work/custom"
    check "plot draws a script it has no name for" test "$rc" -eq 0 -a -s "$work/custom/aaa_custom.svg"
    check "in sorted order, before regions.gp" \
        test "$(grep -n 'aaa_custom.png' "$work/out" | cut -d: -f1)" -lt "$(grep -n 'regions.png' "$work/out" | cut -d: -f1)"
    check "and report.html shows it" grep -qF 'aria-labelledby="aaa_custom-cap"' "$work/custom/report.html"
    run "$bin" run "$golden/small.json" -n 3 -j 2 -o "$work/fan" --quiet
    check "run -n draws the fan chart" test "$rc" -eq 0 -a -s "$work/fan/ensemble.png" -a -s "$work/fan/ensemble.svg"
    check "and the run's own timeline" test -s "$work/fan/timeline.png"
    rm -f "$work/fan/ensemble.png"
    run "$bin" plot "$work/fan"
    check "cdnsim plot redraws the fan chart" test "$rc" -eq 0 -a -s "$work/fan/ensemble.png"
else
    echo "note: gnuplot not installed; plot checks skipped"
fi
# regressions (#10): a gnuplot that writes a truncated figure and exits 0,
# or that hangs, leaves no figure, a warning that says what to run, and the
# data files
mkdir -p "$work/fakebin"
cat >"$work/fakebin/gnuplot" <<'FAKE'
#!/bin/sh
# a gnuplot on a full disk: a PNG cut short, an empty SVG, exit 0
printf '\211PNG\r\n\032\nshort' >"${1%.gp}.png"
: >"${1%.gp}.svg"
exit 0
FAKE
cat >"$work/fakebin/hang" <<'FAKE'
#!/bin/sh
exec sleep 600
FAKE
chmod +x "$work/fakebin/gnuplot" "$work/fakebin/hang"
run env PATH="$work/fakebin:$PATH" "$bin" run "$golden/small.json" -o "$work/fullfig" --quiet
check "a truncated figure: run still exits 0" test "$rc" -eq 0
check "a truncated figure is not kept" test ! -e "$work/fullfig/timeline.png" -a ! -e "$work/fullfig/timeline.svg"
check "the warning names the figure and how to draw it" \
    grep -qF "fullfig/timeline.gp: timeline.png is missing or incomplete" "$work/err"
check "the warning says what to run" grep -qF "cdnsim plot $work/fullfig" "$work/err"
check "the warning names no temporary folder" test -z "$(grep -F '.tmp-' "$work/err" || true)"
check "the data files are complete" test -s "$work/fullfig/summary.json"
if [ -s "$work/nognuplot/timeline.png" ]; then
    cp "$work/nognuplot/timeline.png" "$work/prev.png"
    run env PATH="$work/fakebin:$PATH" "$bin" plot "$work/nognuplot"
    check "a failed redraw exits 74" test "$rc" -eq 74
    check "a failed redraw keeps the previous figure" cmp -s "$work/prev.png" "$work/nognuplot/timeline.png"
    check "and leaves no set-aside copy" test -z "$(ls -A "$work/nognuplot" | grep -F '.prev' || true)"
fi
cat >"$work/fakebin/gnuplot" <<FAKE
#!/bin/sh
echo \$\$ >"$work/fakegp.pid"
exec sleep 600
FAKE
env PATH="$work/fakebin:$PATH" "$bin" run "$golden/small.json" -o "$work/sigfig" --quiet >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do [ -s "$work/fakegp.pid" ] && break; sleep 0.1; done
sleep 0.2
kill -s TERM "$pid"
wait "$pid"
gp=$(cat "$work/fakegp.pid" 2>/dev/null || echo 0)
gone() { # gone PID: the process ends within 20 s (a loaded machine is slow to reap)
    for _ in $(seq 200); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}
check "SIGTERM while gnuplot draws ends gnuplot too" gone "$gp"
check "(the fake gnuplot had started)" test "$gp" -gt 0
check "and leaves no temporary folder" test -z "$(ls -A "$work" | grep -E '^\.sigfig\.(tmp|old)-' || true)"
cp "$work/fakebin/hang" "$work/fakebin/gnuplot"
start=$(date +%s)
run env PATH="$work/fakebin:$PATH" CDNSIM_GNUPLOT_TIMEOUT_S=2 "$bin" run "$golden/small.json" -o "$work/hungfig" --quiet
check "a hanging gnuplot is stopped after its time limit" test "$(($(date +%s) - start))" -lt 30 -a "$rc" -eq 0
check "the warning says it timed out" grep -qF "did not finish within 2 s" "$work/err"
rm -r "$work/fakebin"
run "$bin" plot "$work/does-not-exist"
check "plot on a missing folder exits 66" test "$rc" -eq 66
run env PATH=/nonexistent "$bin" plot "$work/g1"
check "plot without gnuplot exits 69 (unavailable)" test "$rc" -eq 69

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
