#!/usr/bin/env bash
# The documents say what is true: every relative link of README.md, docs/
# and bench/README.md resolves inside the repository and, after an install,
# inside the installed documents; no document points outside the
# repository; the README's test list names every CTest test; the README's
# text about the kill-switch example matches what the example does; the
# terminal summary of `run` states its thresholds and units.
# Run by CTest as:
#   docs_test.sh CDNSIM_BINARY SOURCE_DIR BUILD_DIR WORK_DIR
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testlib.sh" # pass, fail, check, run
bin=$1
src=$(cd "$2" && pwd)
build=$3
work=$4

rm -rf "$work"
mkdir -p "$work"


# links FILE: the relative link targets of a Markdown file, without anchors.
links() {
    grep -oE '\]\([^)#[:space:]]+' "$1" | sed 's/^](//' | grep -vE '^[a-z]+:' || true
}

# check_links ROOT FILE...: every relative link of each FILE exists and
# stays under ROOT.
check_links() {
    local root=$1 f l target n=0
    shift
    for f in "$@"; do
        while IFS= read -r l; do
            [ -n "$l" ] || continue
            n=$((n + 1))
            target=$(realpath -m "$(dirname "$f")/$l")
            check "${f#"$root"/}: link $l exists" test -e "$target"
            case $target in
            "$root"/*) ok ;;
            *) bad "${f#"$root"/}: link $l leaves $root" ;;
            esac
        done < <(links "$f")
    done
    check "links found under $root" test "$n" -gt 10
}

# ---- links in the repository
check_links "$src" "$src/README.md" "$src"/docs/*.md "$src/bench/README.md"
# A path written as code that climbs out of the repository (`../x/y`).
for f in "$src/README.md" "$src"/docs/*.md "$src/bench/README.md"; do
    while IFS= read -r p; do
        target=$(realpath -m "$(dirname "$f")/$p")
        case $target in
        "$src"/*) ok ;;
        *) bad "${f#"$src"/} names $p, outside the repository" ;;
        esac
    done < <(grep -oE '`\.\./[^`[:space:]]+`' "$f" | tr -d '`' || true)
done

# ---- links in the installed documents
prefix="$work/prefix"
if cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1; then
    ok
    doc="$prefix/share/doc/cdnsim"
    check "README installed" test -s "$doc/README.md"
    check_links "$doc" "$doc/README.md" "$doc"/docs/*.md "$doc/bench/README.md"
else
    bad "cmake --install into $prefix (see $work/install.log)"
fi

# ---- the README's test list names every CTest test
tests=$(cd "$build" && ctest -N | sed -nE 's/^ *Test +#[0-9]+: +([^ ]+).*/\1/p')
check "ctest lists tests" test -n "$tests"
section=$(awk '/^## Tests/ { on = 1; next } /^## / { on = 0 } on' "$src/README.md")
for t in $tests; do
    case $t in phold_*) continue ;; esac # bench/README.md documents the bench's own test
    check "README's test list names $t" grep -qF "\`$t\`" <<<"$section"
done

# ---- the kill-switch example does what the README says
ks="$src/scenarios/examples/oneshot-cpu-kill-switch.json"
"$bin" run "$ks" -o "$work/ks" --no-plot --quiet
ev="$work/ks/events.jsonl"
t_of() { grep -F "\"event\":\"$1\"" "$ev" | head -1 | sed -E 's/.*"t_s":([0-9.]+).*/\1/'; }
push=$(t_of artifact_generated)
alert=$(t_of detected)
kill=$(t_of operator_action)
first=$(sed -nE 's/.*"first_error_s":[[:space:]]*([0-9.]+).*/\1/p' "$work/ks/summary.json")
resolved=$(sed -nE 's/.*"main_impact_resolved_s":[[:space:]]*([0-9.]+).*/\1/p' "$work/ks/summary.json")
minutes() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) / 60 + 0.5 }'; }
readme_ks=$(awk '/oneshot-cpu-kill-switch.json`:/ { on = 1 } on && /^- `tiered/ { on = 0 } on' "$src/README.md" | tr '\n' ' ' | tr -s ' ')
check "kill switch: alert 3 min after the push ($push -> $alert)" test "$(minutes "$push" "$alert")" -eq 3
check "README says the alert fires three minutes after the push" grep -qF "fires three minutes after the push" <<<"$readme_ks"
check "kill switch 10 min after the alert" test "$(minutes "$alert" "$kill")" -eq 10
check "README says the kill switch comes 10 minutes after the alert" grep -qF "10 minutes later" <<<"$readme_ks"
plateau=$(minutes "$first" "$resolved")
check "kill switch: 13-minute plateau (got $plateau)" test "$plateau" -eq 13
check "README says the plateau lasts $plateau minutes" grep -qF "$plateau-minute plateau" <<<"$readme_ks"

# ---- the terminal summary of run: one number format, thresholds, units
"$bin" run "$src/scenarios/cloudflare-2025-11-18.json" -o "$work/ref" --no-plot >"$work/ref.out" 2>/dev/null
check "summary has no exponent notation" test -z "$(grep -E '[0-9]e[+-][0-9]' "$work/ref.out")"
check "summary counts in bn" grep -qE 'failed requests \(5xx\) +[0-9]+\.[0-9] bn of [0-9]+\.[0-9] bn requests' "$work/ref.out"
check "summary states the impact threshold" grep -qF "first 5xx share above 1%" "$work/ref.out"
check "summary states the main-impact threshold" grep -qF "main impact (5xx >= 5%) resolved" "$work/ref.out"
check "summary states what 'sites down' means" grep -qF "sites ever down (served < 50%)" "$work/ref.out"
"$bin" run "$src/tests/data/good/minimal.json" -o "$work/min" --no-plot >"$work/min.out" 2>/dev/null
check "a run without impact says 'no impact'" test "$(grep -c 'no impact$' "$work/min.out")" -eq 3
check "a run without impact never says 'never'" test -z "$(grep -w never "$work/min.out")"
"$bin" compare "$src/tests/data/golden/small.json" -S baseline -n 2 -j 1 -o "$work/cmp" --no-plot \
    >"$work/cmp.out" 2>"$work/cmp.err"
check "compare on one thread says '1 thread x 1 rank'" grep -qF "(1 thread x 1 rank)" "$work/cmp.out"
check "compare's progress line says '1 thread'" grep -qF "1 thread x 1 rank)" "$work/cmp.err"

echo "docs: $pass passed, $fail failed"
test "$fail" -eq 0
