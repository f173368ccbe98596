#!/usr/bin/env bash
# End-to-end tests of priors and `cdnsim sensitivity`: a scenario's priors
# leave a plain run byte-identical; the Ishigami function through the
# command's own path (design, inverse CDFs, overlays, validation) meets the
# analytic Sobol indices within the stated error; Morris ranks it; the
# folder's files, determinism over threads, and every usage and data error
# with its exit code and no folder left.  Run by CTest as:
#   sensitivity_test.sh CDNSIM_BINARY TESTS_SOURCE_DIR WORK_DIR
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testlib.sh" # pass, fail, check, run
bin=$1
src=$2
work=$3
small="$src/data/golden/small.json"
ishi="$src/data/ishigami.json"
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

# ---- priors change nothing in a plain run
python3 - "$small" "$work/with-priors.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["priors"] = [{"path": "$.proxies[name=new].wedge_rate_per_h", "dist": "log-uniform",
                "min": 0.01, "max": 1, "source": "free", "notes": "test"}]
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF
run "$bin" run "$small" -o "$work/plain" --quiet --no-plot
run "$bin" run "$work/with-priors.json" -o "$work/priors" --quiet --no-plot
check "a run with priors exits 0" test "$rc" -eq 0
for f in summary.json timeline.csv events.jsonl timeline_regions.csv; do
    check "priors leave $f byte-identical" cmp -s "$work/plain/$f" "$work/priors/$f"
done

# ---- Sobol on Ishigami: the analytic indices within 3 stated errors
run "$bin" sensitivity "$ishi" --function ishigami --method sobol --samples 2048 -j 2 -o "$work/sobol"
check "sobol ishigami exits 0" test "$rc" -eq 0
for f in sensitivity.csv sensitivity_points.csv sensitivity.gp manifest.json report.html; do
    check "sobol writes $f" test -s "$work/sobol/$f"
done
check "the terminal gets the ranked table" grep -qF "| 1 | traffic.diurnal_amplitude |" "$work/out"
check "sobol: 2048 x 5 points" test "$(($(wc -l <"$work/sobol/sensitivity_points.csv") - 1))" -eq 10240
analytic() { # path S1 ST: the row of `path` meets them within 3 s.e. + 0.005
    awk -F, -v p="$1" -v s1="$2" -v st="$3" '
        $3 == p { d1 = $7 - s1; d2 = $9 - st; if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2
                  ok = d1 <= 3 * $8 + 0.005 && d2 <= 3 * $10 + 0.005 && $8 > 0 && $8 < 0.05 }
        END { exit !ok }' "$work/sobol/sensitivity.csv"
}
check "x1: S1 0.3139, ST 0.5576" analytic '$.traffic.diurnal_amplitude' 0.3139 0.5576
check "x2: S1 0.4424, ST 0.4424" analytic '$.proxies[name=new].wedge_rate_per_h' 0.4424 0.4424
check "x3: S1 0, ST 0.2437" analytic '$.traffic.baseline_err5xx_frac' 0 0.2437
if analytic '$.traffic.baseline_err5xx_frac' 0.2 0.2437; then bad "a wrong index passes the check"; else ok; fi
check "manifest records the method" grep -qF '"method":	"sobol"' "$work/sobol/manifest.json"
check "manifest records the function" grep -qF '"function":	"ishigami"' "$work/sobol/manifest.json"
if command -v gnuplot >/dev/null; then
    check "the bar chart is drawn" test -s "$work/sobol/sensitivity.png" -a -s "$work/sobol/sensitivity.svg"
    check "report.html inlines it" grep -qF "sensitivity" "$work/sobol/report.html"
fi

# ---- Morris: x2's mu* as computed by hand; threads change nothing
run "$bin" sensitivity "$ishi" --function ishigami -j 1 -o "$work/m1" --no-plot --quiet
check "morris exits 0" test "$rc" -eq 0
check "morris: 10 x 4 points" test "$(($(wc -l <"$work/m1/sensitivity_points.csv") - 1))" -eq 40
# With 4 levels (step 2/3 of the range) every elementary effect of x2 is
# +-7 sin^2(pi/3) / (2/3) = +-7.875, whatever the design draws, so its mu* is
# exactly that; x1's and x3's depend on the other inputs' levels (their
# expected mu*, 7.70 and 6.25, lie within one trajectory's spread of it, so
# a rank is not something 10 trajectories can promise).
mustar() { awk -F, -v p="$1" '$3 == p { print $7 }' "$work/m1/sensitivity.csv"; }
check "morris: x2's mu* is 7 * 0.75 / (2/3) = 7.875 ($(mustar '$.proxies[name=new].wedge_rate_per_h'))" \
    awk -v m="$(mustar '$.proxies[name=new].wedge_rate_per_h')" 'BEGIN { d = m - 7.875; exit !(d < 1e-9 && d > -1e-9) }'
check "morris: x1's mu* is positive ($(mustar '$.traffic.diurnal_amplitude'))" \
    awk -v m="$(mustar '$.traffic.diurnal_amplitude')" 'BEGIN { exit !(m > 0) }'
run "$bin" sensitivity "$ishi" --function ishigami -j 2 -o "$work/m2" --no-plot --quiet
for f in sensitivity.csv sensitivity_points.csv sensitivity.gp; do
    check "-j 1 and -j 2 give the same $f" cmp -s "$work/m1/$f" "$work/m2/$f"
done
run "$bin" sensitivity "$ishi" --function ishigami --seed 9 -o "$work/m9" --no-plot --quiet
check "another seed, another design" bash -c "! cmp -s '$work/m1/sensitivity_points.csv' '$work/m9/sensitivity_points.csv'"

# ---- a simulated metric, with replications and a --set applied first
run "$bin" sensitivity "$ishi" --metric peak_err5xx_frac --trajectories 3 -n 2 \
    --set '$.traffic.global_rps=2000000' -o "$work/sim" --no-plot --quiet
check "a simulated metric exits 0" test "$rc" -eq 0
check "3 x 4 points" test "$(($(wc -l <"$work/sim/sensitivity_points.csv") - 1))" -eq 12
check "manifest records the --set" grep -qF 'global_rps=2000000' "$work/sim/manifest.json"

run "$bin" sensitivity "$ishi" --metric svc_login_downtime_s --trajectories 2 -o "$work/svc" --no-plot --quiet
check "a service's downtime is a metric" grep -qF ',svc_login_downtime_s' "$work/svc/sensitivity_points.csv"

# ---- errors: exit code, message, no folder
err_case() { # name code args...
    local name=$1 code=$2
    shift 2
    run "$bin" sensitivity "$@" -o "$work/bad-$name" --quiet
    check "$name exits $code (got $rc)" test "$rc" -eq "$code"
    check "$name leaves no folder" test ! -e "$work/bad-$name"
}
err_case no-priors 65 "$small"
check "no priors: says so" grep -qF "has no priors" "$work/err"
err_case bad-method 64 "$ishi" --method sobel
err_case bad-metric 64 "$ishi" --metric nonsense
err_case samples-with-morris 64 "$ishi" --samples 10
err_case function-and-metric 64 "$ishi" --function ishigami --metric failed_requests
err_case function-needs-3 65 "$work/with-priors.json" --function ishigami
err_case bad-prior 65 "$src/data/bad/prior_out_of_range.json"
check "bad prior: file, JSON path and range" \
    grep -qF 'prior_out_of_range.json: $.priors[0].path: expected a prior whose support lies in the range of $.traffic.diurnal_amplitude ([0, 1)), found support [0.5, 1.5]' "$work/err"
err_case bad-service 64 "$ishi" --metric svc_nope_downtime_s
check "a missing service is named" grep -qF "no service named in 'svc_nope_downtime_s'" "$work/err"
err_case strategy-breaks-prior 65 "$ishi" --set '$.traffic.diurnal_amplitude="x"'

run "$bin" help sensitivity
check "help sensitivity lists --method and the metrics" \
    test "$rc" -eq 0 -a -n "$(grep -F -- '--method' "$work/out")" -a -n "$(grep -F 'metric names' "$work/out")"

echo "sensitivity: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
