#!/usr/bin/env bash
# End-to-end tests of --uncertainty (issue #13 item 2) through the command
# line: the nesting of draws and seeds (a draw's mean in draws.csv is the
# mean of its seeds' runs in replications.csv), the same draws for every
# strategy and point, P(best) recomputed from draws.csv, a parameter share
# near 1 where the priors scale the metric and near 0 where they cannot
# move it, -j 1 and -j 2 giving identical files, plain runs unchanged by
# the option's existence, `run -n --uncertainty` (its manifest's
# decomposition against calibration.csv), and every bad input with its exit code and no
# folder left.  Run by CTest as:
#   unc_test.sh CDNSIM_BINARY TESTS_SOURCE_DIR WORK_DIR
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testlib.sh" # pass, fail, check, run
bin=$1
src=$2
work=$3
unc="$src/data/unc.json"
flat="$src/data/unc_flat.json"
small="$src/data/golden/small.json"
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
S=baseline,fail-open,staged-rollout

# ---- compare: the files, and threads change nothing
run "$bin" compare "$unc" -n 40 --uncertainty --strategies "$S" -j 1 --no-plot -o "$work/c1"
check "compare --uncertainty exits 0 ($errout)" test "$rc" -eq 0
check "the terminal gets the uncertainty table" grep -qF "| rank | strategy | mean | sd params | sd seeds | share params | P(best) | P(beats baseline) |" "$work/out"
check "the terminal gets the verdict" grep -qE "^ranking (robust|not robust|not judged): " "$work/out"
for f in draws.csv uncertainty.csv uncertainty_metrics.csv manifest.json report.html; do
    check "compare writes $f" test -s "$work/c1/$f"
done
check "draws.csv: 20 draws of 2 seeds" test "$(($(wc -l <"$work/c1/draws.csv") - 1))" -eq 20
check "report.html shows the draws" grep -qF "draws.csv" "$work/c1/report.html"
check "the figures' titles say draws x seeds" grep -qF "over 20 prior draws x 2 seeds" "$work/c1/compare_metrics.gp"
check "comparison.md has the uncertainty section" grep -qF "## Uncertainty" "$work/c1/comparison.md"
check "comparison.md says how the runs were drawn" grep -qF "the replications are 20 draws of the scenario's priors x 2 seeds" "$work/c1/comparison.md"
run "$bin" compare "$unc" -n 40 --uncertainty --strategies "$S" -j 2 --no-plot -o "$work/c2"
for f in draws.csv uncertainty.csv uncertainty_metrics.csv comparison.csv replications.csv; do
    check "-j 1 and -j 2 give the same $f" cmp -s "$work/c1/$f" "$work/c2/$f"
done

# ---- the numbers, checked against the other files
python3 - "$work/c1" <<'PYEOF'
import csv, json, math, sys
d = sys.argv[1]
fails = 0
def check(name, cond):
    global fails
    if not cond:
        fails += 1
        print("FAIL:", name)
draws = list(csv.DictReader(open(d + "/draws.csv")))
reps = list(csv.DictReader(open(d + "/replications.csv")))
unc = {r["strategy"]: r for r in csv.DictReader(open(d + "/uncertainty.csv"))}
man = json.load(open(d + "/manifest.json"))["uncertainty"]
arms = ["baseline", "fail-open", "staged-rollout"]
check("manifest: 20 draws x 2 seeds", man["draws"] == 20 and man["seeds_per_draw"] == 2)
check("manifest: the priors as text", [p["prior"] for p in man["priors"]] ==
      ["uniform(300000, 1.2e+06)", "log-uniform(0.01, 1)"])
# a draw's mean is the mean of replications 2d and 2d+1 of that strategy
by = {(r["strategy"], int(r["replication"])): float(r["failed_requests"]) for r in reps}
for a in arms:
    for row in draws:
        k = int(row["draw"])
        m = (by[(a, 2 * k)] + by[(a, 2 * k + 1)]) / 2
        check(f"draw {k} of {a} is the mean of its two seeds", abs(float(row[a]) - m) <= 1e-9 * abs(m))
# drawn values lie in the priors' supports, and differ between draws
rps = [float(r["$.traffic.global_rps"]) for r in draws]
wedge = [float(r["$.proxies[name=new].wedge_rate_per_h"]) for r in draws]
check("global_rps drawn in [3e5, 1.2e6]", all(3e5 <= x <= 1.2e6 for x in rps))
check("wedge rate drawn in [0.01, 1]", all(0.01 <= x <= 1 for x in wedge))
check("every draw is another point", len(set(rps)) == 20)
# P(best) and P(beats baseline) recomputed from draws.csv (lower is better, ties share)
pb = {a: 0.0 for a in arms}
for row in draws:
    v = {a: float(row[a]) for a in arms}
    best = min(v.values())
    w = [a for a in arms if v[a] == best]
    for a in w:
        pb[a] += 1 / len(w)
for a in arms:
    check(f"P(best) of {a}", abs(float(unc[a]["p_best"]) - pb[a] / 20) < 1e-12)
    if a != "baseline":
        beat = sum(1.0 if float(r[a]) < float(r["baseline"]) else 0.5 if r[a] == r["baseline"] else 0.0
                   for r in draws) / 20
        check(f"P(beats baseline) of {a}", abs(float(unc[a]["p_beats_baseline"]) - beat) < 1e-12)
check("P(best) sums to 1", abs(sum(float(unc[a]["p_best"]) for a in arms) - 1) < 1e-12)
# the request rate scales failed requests: the parameters dominate baseline's spread
check("baseline: parameter share above 0.5 (%s)" % unc["baseline"]["share_params"],
      float(unc["baseline"]["share_params"]) > 0.5)
# the decomposition by hand from replications.csv (one-way ANOVA, 2 seeds)
y = [[by[("baseline", 2 * k)], by[("baseline", 2 * k + 1)]] for k in range(20)]
mean = sum(sum(p) for p in y) / 40
msb = sum(2 * (sum(p) / 2 - mean) ** 2 for p in y) / 19
msw = sum((x - sum(p) / 2) ** 2 for p in y for x in p) / 20
vp = max(0.0, (msb - msw) / 2)
check("sd_params of baseline by hand", abs(float(unc["baseline"]["sd_params"]) - math.sqrt(vp)) <= 1e-6 * math.sqrt(vp))
check("sd_seeds of baseline by hand", abs(float(unc["baseline"]["sd_seeds"]) - math.sqrt(msw)) <= 1e-6 * math.sqrt(msw))
sys.exit(1 if fails else 0)
PYEOF
check "the uncertainty numbers agree with draws.csv and replications.csv" test $? -eq 0

# ---- the same draws for every strategy list and for sweep
run "$bin" compare "$unc" -n 40 --uncertainty --strategies baseline,validate-on-ingest -j 2 --no-plot -o "$work/c3" --quiet
cols() { cut -d, -f"$2" "$1"; }
check "another strategy list draws the same values" cmp -s <(cols "$work/c1/draws.csv" 1-4) <(cols "$work/c3/draws.csv" 1-4)
# the arms of a draw share their sites through the cache: whichever arm
# stores them, every strategy's values are the same
run "$bin" compare "$unc" -n 40 --uncertainty --strategies staged-rollout,fail-open,baseline -j 2 --no-plot -o "$work/c4" --quiet
check "the order of the strategies changes no value" cmp -s <(sort "$work/c1/replications.csv") <(sort "$work/c4/replications.csv")
run "$bin" sweep "$unc" --param '$.traffic.max_retries=0,2' -n 20 --uncertainty -j 2 --no-plot -o "$work/s1" --quiet
check "sweep --uncertainty exits 0 ($errout)" test "$rc" -eq 0
for f in draws.csv uncertainty.csv uncertainty_metrics.csv; do
    check "sweep writes $f" test -s "$work/s1/$f"
done
check "sweep draws the values compare drew" cmp -s <(cols "$work/s1/draws.csv" 1-3) <(head -11 "$work/c1/draws.csv" | cut -d, -f1-3)
check "sweep's manifest has the record" grep -qF '"uncertainty":' "$work/s1/manifest.json"
check "sweep's table has no P columns" bash -c "! grep -q p_best '$work/s1/uncertainty.csv'"

# ---- a prior that cannot move the metric: parameter share about 0
# Under no effect, MSB/MSW is F(99, 300)-distributed: its 99.9% point is
# about 1.55, i.e. a share of at most 0.55/4 / (1 + 0.55/4) = 0.12; the
# check allows 0.15.
run "$bin" compare "$flat" -n 400 --seeds-per-draw 4 --uncertainty --strategies baseline,fail-open -j 2 --no-plot -o "$work/f" --quiet
check "flat priors: exits 0 ($errout)" test "$rc" -eq 0
for a in baseline fail-open; do
    share=$(awk -F, -v a="$a" '$2 == a { print $10 }' "$work/f/uncertainty.csv")
    check "flat priors: $a's parameter share ($share) below 0.15" awk -v s="$share" 'BEGIN { exit !(s != "" && s < 0.15) }'
done

# ---- without --uncertainty, priors change nothing
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("priors"); json.dump(d, open(sys.argv[2], "w"))' "$unc" "$work/nopriors.json"
run "$bin" compare "$unc" -n 4 --strategies "$S" --no-plot -o "$work/p1" --quiet
run "$bin" compare "$work/nopriors.json" -n 4 --strategies "$S" --no-plot -o "$work/p2" --quiet
check "a plain compare ignores the priors" cmp -s "$work/p1/comparison.csv" "$work/p2/comparison.csv"
check "a plain compare writes no draws.csv" test ! -e "$work/p1/draws.csv"
check "a plain compare has no uncertainty section" bash -c "! grep -q Uncertainty '$work/p1/comparison.md'"

# ---- run -n --uncertainty: the ensemble spans draws x seeds
run "$bin" run "$unc" -n 20 --uncertainty -j 1 --no-plot -o "$work/r1" --quiet
check "run -n --uncertainty exits 0 ($errout)" test "$rc" -eq 0
run "$bin" run "$unc" -n 20 --uncertainty -j 2 --no-plot -o "$work/r2" --quiet
for f in calibration.csv ensemble.csv ensemble_targets.csv summary.json; do
    check "run: -j 1 and -j 2 give the same $f" cmp -s "$work/r1/$f" "$work/r2/$f"
done
check "run: the fan chart says draws x seeds" grep -qF "10 prior draws x 2 seeds (seed 42)" "$work/r1/ensemble.gp"
check "run: the thin run is the written values" grep -qF "replication 0, written values" "$work/r1/ensemble.gp"
run "$bin" run "$unc" -n 20 --no-plot -o "$work/r0" --quiet
check "run: the draws change the ensemble" bash -c "! cmp -s '$work/r0/calibration.csv' '$work/r1/calibration.csv'"
check "run: the folder's own run keeps the written values" cmp -s "$work/r0/summary.json" "$work/r1/summary.json"
python3 - "$work/r1" <<'PYEOF'
import csv, json, sys
d = sys.argv[1]
u = json.load(open(d + "/manifest.json"))["uncertainty"]
ok = u["draws"] == 10 and u["seeds_per_draw"] == 2 and len(u["priors"]) == 2
t = u["targets"][0]
y = [float(r["value"]) for r in csv.DictReader(open(d + "/calibration.csv"))
     if r["target"] == "peak 5xx share"]
ok = ok and len(y) == 20 and t["name"] == "peak 5xx share"
g = [y[2 * k:2 * k + 2] for k in range(10)]
mean = sum(y) / 20
msb = sum(2 * (sum(p) / 2 - mean) ** 2 for p in g) / 9
msw = sum((x - sum(p) / 2) ** 2 for p in g for x in p) / 10
vp = max(0.0, (msb - msw) / 2)
# calibration.csv holds 6 significant digits
ok = ok and abs(t["var_seeds"] - msw) <= 1e-3 * msw and abs(t["var_params"] - vp) <= 1e-3 * max(vp, 1e-9)
if not ok:
    print("FAIL: record", t, "by hand", vp, msw)
sys.exit(0 if ok else 1)
PYEOF
check "run: the manifest's decomposition agrees with calibration.csv" test $? -eq 0
expect() { # expect STATUS NAME ARGS...: exit status and no folder
    local want=$1 name=$2
    shift 2
    run "$bin" "$@" -o "$work/$name" --no-plot
    check "$name: exit $want ($rc: $errout)" test "$rc" -eq "$want"
    check "$name: no folder" test ! -e "$work/$name"
}
expect 64 run-no-n run "$unc" --uncertainty
expect 64 run-n5 run "$unc" -n 5 --uncertainty
expect 64 run-spd run "$unc" -n 4 --seeds-per-draw 2
expect 65 run-no-priors run "$small" -n 4 --uncertainty
# a prior on the simulated span: run -n, compare and sweep all refuse it
# (compare once summed failed requests over 1 h and 3 h runs alike)
sed 's|"priors": \[|"priors": [{"path": "$.simulation.duration_s", "dist": "uniform", "min": 3600, "max": 10800, "source": "free"},|' \
    "$unc" >"$work/unc-span.json"
check "the span fixture has the extra prior" grep -qF '"$.simulation.duration_s"' "$work/unc-span.json"
expect 65 run-span run "$work/unc-span.json" -n 4 --uncertainty
expect 65 compare-span compare "$work/unc-span.json" -n 8 --uncertainty --strategies baseline,fail-open
expect 65 sweep-span sweep "$work/unc-span.json" --param '$.traffic.max_retries=0,2' -n 4 --uncertainty

# ---- ties between the top two: counted, and said in the verdict
ref="$src/../scenarios/cloudflare-2025-11-18.json"
run "$bin" compare "$ref" -n 40 --uncertainty --strategies baseline,error-report-cap -j 2 --no-plot -o "$work/ties"
check "compare with ties exits 0 ($errout)" test "$rc" -eq 0
verdict_line=$(grep -E "^ranking " "$work/out")
ties=$(python3 - "$work/ties/draws.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(sum(1 for r in rows if float(r["baseline"]) == float(r["error-report-cap"])))
PYEOF
)
check "the reference has draws where the cap changes nothing ($ties)" test "$ties" -gt 0 -a "$ties" -lt 20
check "the verdict counts the tied draws as draws.csv does ($verdict_line)" \
    grep -qE "^ranking not robust: error-report-cap beats the runner-up baseline on failed requests in [0-9]+% of 20 draws, $ties of them tied and counted as half" "$work/out"

# ---- bad input: exit codes, messages, no folder
run "$bin" compare "$small" -n 4 --uncertainty --strategies baseline --no-plot -o "$work/e1"
check "no priors: exit 65 ($rc)" test "$rc" -eq 65
check "no priors: says so" grep -qF 'has no "priors" section' "$work/err"
check "no priors: no folder" test ! -e "$work/e1"
run "$bin" compare "$unc" -n 5 --uncertainty --strategies baseline --no-plot -o "$work/e2"
check "-n 5 with 2 seeds per draw: exit 64 ($rc)" test "$rc" -eq 64
check "-n 5: says why" grep -qF "is not a multiple of --seeds-per-draw 2" "$work/err"
check "-n 5: no folder" test ! -e "$work/e2"
run "$bin" sweep "$unc" --param '$.traffic.max_retries=0,2' -n 9 --seeds-per-draw 4 --uncertainty --no-plot -o "$work/e3"
check "sweep -n 9 with 4 seeds per draw: exit 64 ($rc)" test "$rc" -eq 64
run "$bin" compare "$unc" -n 4 --seeds-per-draw 2 --strategies baseline --no-plot -o "$work/e4"
check "--seeds-per-draw without --uncertainty: exit 64 ($rc)" test "$rc" -eq 64
run "$bin" compare "$unc" -n 4 --uncertainty --precision 0.1 --strategies baseline --no-plot -o "$work/e5"
check "--uncertainty with --precision: exit 64 ($rc)" test "$rc" -eq 64
run "$bin" compare "$unc" -n 2 --uncertainty --strategies baseline --no-plot -o "$work/e6"
check "one draw: exit 64 ($rc)" test "$rc" -eq 64
run "$bin" compare "$unc" -n 4 --uncertainty --seeds-per-draw 1 --strategies baseline --no-plot -o "$work/e7"
check "--seeds-per-draw 1: exit 64 ($rc)" test "$rc" -eq 64

echo "unc_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
