#!/usr/bin/env bash
# The authoring commands end to end: `init` writes each template's
# starter scenario (named after the file, validating, running), never
# overwrites (exit 73) and rejects an unknown template (64); `schema`
# prints what docs/scenario.schema.json and docs/strategy.schema.json hold
# (the drift test: regenerate with the commands printed on failure);
# `validate` checks strategy files, found by their keys or given with
# --strategy, alone or applied to scenarios.
# Run by CTest as:
#   author_test.sh CDNSIM_BINARY SOURCE_DIR WORK_DIR
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testlib.sh" # pass, fail, check, run
bin=$1
src=$(cd "$2" && pwd)
work=$3

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1


# ---- init
templates=$(cd "$src/scenarios/templates" && ls ./*.json | sed 's|^\./||; s|\.json$||')
check "there are four templates" test "$(echo "$templates" | wc -w)" -eq 4
"$bin" init --help >"$work/init-help"
for t in $templates; do
    check "init's help names template $t" grep -qw -- "$t" "$work/init-help"
done
for t in $templates; do
    run "$bin" init --template "$t" "$work/my-$t.json"
    check "init --template $t exits 0" test "$rc" -eq 0
    check "init $t names the scenario after the file" grep -qF "\"name\": \"my-$t\"" "$work/my-$t.json"
    check "init $t keeps the template's notes" grep -qF "cdnsim init --template $t" "$work/my-$t.json"
    check "init $t: the template's first key is its name" \
        test "$(sed -n 2p "$src/scenarios/templates/$t.json")" = "  \"name\": \"$t\","
    run "$bin" validate "$work/my-$t.json"
    check "init $t writes a valid scenario" test "$rc" -eq 0
    run "$bin" run "$work/my-$t.json" -o "$work/run-$t" --no-plot --quiet
    check "init $t writes a scenario that runs" test "$rc" -eq 0 -a -s "$work/run-$t/summary.json"
    check "template $t is synthetic, not a named incident" \
        grep -qF "this is not a real incident" "$src/scenarios/templates/$t.json"
done
run "$bin" init "$work/plain.json"
check "init without --template exits 0" test "$rc" -eq 0
default=$("$bin" init --help | sed -nE 's/.*\(default ([a-z-]+)\)/\1/p')
check "init's help states the default template ($default)" test -n "$default"
check "init without --template uses the default $default" \
    grep -qF "cdnsim init --template $default" "$work/plain.json"
cp "$work/plain.json" "$work/plain.before"
run "$bin" init --template staged-rollout "$work/plain.json"
check "init over an existing file exits 73 (got $rc)" test "$rc" -eq 73
check "init over an existing file says so" grep -qF "never overwrites" "$work/err"
check "init over an existing file leaves it as it was" cmp -s "$work/plain.json" "$work/plain.before"
ln -s "$work/nowhere.json" "$work/link.json"
run "$bin" init "$work/link.json"
check "init through a dangling symlink exits 73" test "$rc" -eq 73 -a ! -e "$work/nowhere.json"
run "$bin" init --template nope "$work/nope.json"
check "unknown template exits 64" test "$rc" -eq 64 -a ! -e "$work/nope.json"
check "unknown template lists the templates" grep -qF "staged-rollout" "$work/err"
run "$bin" init
check "init without a file exits 64" test "$rc" -eq 64
run "$bin" init - --template crash-manual-repair
check "init - writes the template to stdout" \
    test "$rc" -eq 0 -a -n "$(grep -F '"name": "crash-manual-repair"' "$work/out")"
run "$bin" init "$work/no-such-dir/x.json"
check "init into a missing folder exits 73" test "$rc" -eq 73
run "$bin" init "$work/bad name!.json"
check "init keeps the template's name when the file's is not a scenario name" \
    grep -qF '"name": "oneshot-push"' "$work/bad name!.json"

# ---- schema: the committed documents are the generated ones
run "$bin" schema
check "schema exits 0" test "$rc" -eq 0
if ! diff -q "$work/out" "$src/docs/scenario.schema.json" >/dev/null; then
    bad "docs/scenario.schema.json differs from 'cdnsim schema'; regenerate it:" \
        "build/cdnsim schema > docs/scenario.schema.json"
else
    ok
fi
check "schema declares draft 2020-12" grep -qF '"$schema":	"https://json-schema.org/draft/2020-12/schema"' "$work/out"
run "$bin" schema strategy
check "schema strategy exits 0" test "$rc" -eq 0
if ! diff -q "$work/out" "$src/docs/strategy.schema.json" >/dev/null; then
    bad "docs/strategy.schema.json differs from 'cdnsim schema strategy'; regenerate it:" \
        "build/cdnsim schema strategy > docs/strategy.schema.json"
else
    ok
fi
run "$bin" schema frobnicate
check "schema of something else exits 64" test "$rc" -eq 64
run "$bin" schema scenario strategy
check "schema of two things exits 64" test "$rc" -eq 64

python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["$schema"]="../docs/scenario.schema.json"; json.dump(d,open(sys.argv[2],"w"))' \
    "$src/tests/data/good/minimal.json" "$work/with-schema.json"
run "$bin" validate "$work/with-schema.json"
check "a scenario may name its JSON Schema (\$schema)" test "$rc" -eq 0
printf '{"$schema": "../docs/strategy.schema.json", "name": "x", "set": []}\n' >"$work/strategy-schema.json"
run "$bin" validate "$work/strategy-schema.json"
check "a strategy may name its JSON Schema (\$schema)" test "$rc" -eq 0 -a -n "$(grep -F ': ok (strategy x' "$work/out")"

# ---- validate: strategy files
printf '{"name": "only-a-name"}\n' >"$work/only-name.json"
run "$bin" validate "$work/only-name.json"
check "a file with only a name is an incomplete scenario (65), not a strategy" \
    test "$rc" -eq 65 -a -n "$(grep -F 'missing required key' "$work/err")"
run "$bin" validate "$src"/scenarios/strategies/*.json
check "validate checks every library strategy file (rc $rc)" test "$rc" -eq 0
check "validate says each is a strategy" \
    test "$(grep -c ': ok (strategy ' "$work/out")" -eq "$(ls "$src"/scenarios/strategies/*.json | wc -l)"
printf '{"name": "x", "set": [{"path": "$.regions[*].servers"}]}\n' >"$work/bad-strategy.json"
run "$bin" validate "$work/bad-strategy.json"
check "a bad strategy file exits 65" test "$rc" -eq 65
check "a bad strategy file's error names the file and path" \
    grep -qF 'bad-strategy.json: $.set[0]: missing required key "value"' "$work/err"
printf '{"name": "x", "append": [{"path": "$.nowhere", "value": 1}]}\n' >"$work/nowhere.json"
run "$bin" validate "$work/nowhere.json"
check "a well-formed strategy validates alone" test "$rc" -eq 0
run "$bin" validate --strategy "$work/nowhere.json" "$src/tests/data/good/minimal.json"
check "--strategy whose path selects nothing in the scenario exits 65" test "$rc" -eq 65
check "... and names the path" grep -qF 'nowhere' "$work/err"
run "$bin" validate --strategy kill-switch "$src/scenarios/cloudflare-2025-11-18.json"
check "validate --strategy kill-switch on the reference exits 0" test "$rc" -eq 0
check "... and says it was applied" grep -qF "(with kill-switch): ok" "$work/out"
run "$bin" validate --strategy kill-switch
check "validate --strategy alone checks the strategy" test "$rc" -eq 0
run "$bin" validate --strategy no-such-strategy
check "validate --strategy with an unknown name exits 64" test "$rc" -eq 64
run "$bin" validate
check "validate with nothing exits 64" test "$rc" -eq 64
run "$bin" validate "$src/tests/data/good/minimal.json" "$work/bad-strategy.json" "$work/missing.json"
check "validate exits with the first failing file's status (65)" test "$rc" -eq 65

echo "author: $pass passed, $fail failed"
test "$fail" -eq 0
