#!/usr/bin/env bash
# Writes the outputs of every command on the reference and example
# scenarios into OUT, for a before/after comparison of a refactoring:
#   scripts/snapshot.sh OLD_BINARY /tmp/before
#   scripts/snapshot.sh NEW_BINARY /tmp/after
#   diff -r -x manifest.json -x report.html -x .cdnsim-results -x '.*.lock' /tmp/before /tmp/after
# (manifest.json records the git commit, so it differs between builds; the
# folder marker .cdnsim-results and the lock files .NAME.lock beside each
# folder were added by issue #10; report.html, issue #12, shows the manifest.)
set -euo pipefail
bin=$(realpath "$1")
out=$2
cd "$(dirname "$0")/.."
rm -rf "$out"
mkdir -p "$out"
ref=scenarios/cloudflare-2025-11-18.json
strategies=baseline,validate-on-ingest,fail-open,staged-rollout,kill-switch,fast-diagnosis,multi-cdn,break-circular-deps,error-report-cap
"$bin" run "$ref" -o "$out/run" -q
"$bin" run "$ref" -o "$out/run-n" -n 6 -j 2 --seed 3 -q
for f in scenarios/examples/*.json; do
    "$bin" run "$f" -o "$out/run-$(basename "$f" .json)" -q
    "$bin" run "$f" -o "$out/run-n-$(basename "$f" .json)" -n 4 -q
done
"$bin" compare "$ref" -n 4 --strategies "$strategies" -o "$out/compare" -q
"$bin" compare scenarios/examples/oneshot-cpu-kill-switch.json -n 3 \
    --strategies baseline,validate-on-ingest,fail-open -o "$out/compare-example" -q
"$bin" sweep "$ref" --strategy staged-rollout -n 3 \
    --param '$.artifacts[*].rollout.stages[0].frac=0.001,0.01,0.05' \
    --param2 '$.artifacts[*].rollout.stages[0].bake_s=30,120' -o "$out/sweep" -q
"$bin" sweep "$ref" -n 3 --param '$.operators.detection.threshold_frac=0.02,0.1' -o "$out/sweep1" -q
"$bin" validate tests/data/bad/*.json >"$out/validate.txt" 2>&1 || true
echo "snapshot: $(find "$out" -type f | wc -l) files in $out"
