#!/usr/bin/env bash
# The manual of cdnsim: per-command help (`cdnsim help CMD` = `cdnsim CMD
# --help`, different for each command, every option with its default or
# "required", examples, and every option it lists known to the parser);
# the manual pages written at build time (identical to `cdnsim --man N`,
# rendered by `MANWIDTH=80 man --warnings -l` without a warning, naming
# every command, option and scenario key); the bash and zsh completion
# scripts, from the source tree and from an install (commands, options,
# strategy and template names, metric names, .json files).
# Run by CTest as:
#   manual_test.sh CDNSIM_BINARY SOURCE_DIR BUILD_DIR WORK_DIR
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testlib.sh" # pass, fail, check, run
bin=$1
src=$(cd "$2" && pwd)
build=$3
work=$4

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

skipped=""

commands=$("$bin" --help | awk '/^commands:/ { on = 1; next } /^$/ { if (on) exit } on && /^  [a-z]/ { print $1 }')
check "the usage lists at least seven commands" test "$(echo "$commands" | wc -w)" -ge 7

# ---- per-command help
for c in $commands; do
    "$bin" help "$c" >"$work/help-$c" 2>&1
    rc=$?
    "$bin" "$c" --help >"$work/dash-$c" 2>&1
    check "help $c exits 0" test "$rc" -eq 0
    check "'cdnsim help $c' is 'cdnsim $c --help'" cmp -s "$work/help-$c" "$work/dash-$c"
    check "help $c is $c's usage" grep -q "^usage: cdnsim $c " "$work/help-$c"
    check "help $c has examples of $c" \
        test -n "$(awk '/^examples:/ { on = 1; next } on' "$work/help-$c" | grep -E "^  cdnsim $c( |$)")"
    # every option that takes a value states its default (or that it is required)
    awk '/^options:/ { on = 1; next } /^$/ { on = 0 } on' "$work/help-$c" >"$work/opts-$c"
    awk '/^  +-/ { if (opt != "") print opt "\t" text; opt = $0; text = $0; next }
         { text = text " " $0 } END { if (opt != "") print opt "\t" text }' "$work/opts-$c" |
        while IFS=$'\t' read -r opt text; do
            name=$(grep -oE -- '--[a-z0-9-]+' <<<"$opt" | head -1)
            if grep -qE -- '--[a-z0-9-]+ [A-Z'\'']' <<<"$opt"; then
                grep -qE 'default|required' <<<"$text" && echo "ok $name" || echo "nodefault $name"
            fi
            # the parser knows it: a value missing (or a flag given one) is
            # a usage error about the option, not an unknown option
            if grep -qE -- '--[a-z0-9-]+ [A-Z'\'']' <<<"$opt"; then
                "$bin" "$c" "$name" >/dev/null 2>"$work/perr"
            else
                "$bin" "$c" "$name=x" >/dev/null 2>"$work/perr"
            fi
            [ "$name" = "--help" ] && continue
            grep -q "unknown option" "$work/perr" && echo "unknown $name" || echo "parsed $name"
        done >"$work/optcheck-$c"
    check "help $c lists options" test -s "$work/opts-$c"
    check "help $c: every option with a value states its default ($(grep nodefault "$work/optcheck-$c" | tr '\n' ' '))" \
        test -z "$(grep nodefault "$work/optcheck-$c")"
    check "help $c: the parser knows every option listed ($(grep unknown "$work/optcheck-$c" | tr '\n' ' '))" \
        test -z "$(grep '^unknown' "$work/optcheck-$c")"
done
check "every command's help differs" \
    test "$(cat "$work"/help-* | md5sum | cut -c1-8)" != "" -a \
    "$(for c in $commands; do md5sum <"$work/help-$c"; done | sort -u | wc -l)" -eq "$(echo "$commands" | wc -w)"
check "sweep's help lists the metric names" grep -q "failed_requests, blocked_requests" "$work/help-sweep"
check "run's help has no --strategies" test -z "$(grep -F -- '--strategies' "$work/help-run")"
"$bin" help no-such-command >"$work/help-none" 2>&1
check "help of an unknown command prints the usage" grep -q "^usage: cdnsim <command>" "$work/help-none"

# ---- manual pages
man1="$build/man/cdnsim.1"
man5="$build/man/cdnsim-scenario.5"
check "the build wrote cdnsim.1" test -s "$man1"
check "the build wrote cdnsim-scenario.5" test -s "$man5"
"$bin" --man 1 >"$work/fresh.1"
"$bin" --man 5 >"$work/fresh.5"
check "cdnsim.1 is 'cdnsim --man 1'" cmp -s "$man1" "$work/fresh.1"
check "cdnsim-scenario.5 is 'cdnsim --man 5'" cmp -s "$man5" "$work/fresh.5"
"$bin" --man 3 >/dev/null 2>&1
check "--man 3 is a usage error" test $? -eq 64
if command -v man >/dev/null 2>&1; then
    for page in "$man1" "$man5"; do
        MANWIDTH=80 man --warnings -l "$page" >"$work/page.txt" 2>"$work/page.err"
        rc=$?
        check "man -l $(basename "$page") exits 0" test "$rc" -eq 0
        check "man --warnings -l $(basename "$page") warns nothing: $(head -c 300 "$work/page.err")" \
            test ! -s "$work/page.err"
        check "$(basename "$page") renders within 80 columns" \
            test "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$work/page.txt")" -le 80
        cp "$work/page.txt" "$work/$(basename "$page").txt"
    done
    for c in $commands; do
        check "cdnsim(1) has a section for $c" grep -qE "^   $c( |$)" "$work/cdnsim.1.txt"
        for o in $(grep -oE -- '--[a-z0-9-]+' "$work/opts-$c" | sort -u); do
            check "cdnsim(1) documents $c $o" \
                test -n "$(awk -v c="$c" '$0 ~ "^   " c "( |$)" { on = 1; next } /^   [a-z]/ { on = 0 } on' \
                    "$work/cdnsim.1.txt" | grep -F -- "$o")"
        done
    done
    check "cdnsim(1) lists the exit statuses" grep -q "^       73" "$work/cdnsim.1.txt"
    keys=$(grep -oE '^\| `[a-z_0-9$]+`' "$src/docs/scenario-format.md" | sed 's/^| `//; s/`$//' | sort -u)
    check "scenario-format.md has key tables" test "$(echo "$keys" | wc -w)" -gt 50
    for k in $keys; do
        check "cdnsim-scenario(5) documents key $k" grep -qF -- "$k" "$work/cdnsim-scenario.5.txt"
    done
else
    skipped="$skipped man (install man-db)"
fi

# ---- bash completion
bash_case() { # bash_case FILE EXE WORDS...: the completions, one line
    local file=$1 exe=$2
    shift 2
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _cdnsim;
             [ "${#COMPREPLY[@]}" -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
        _ "$file" "$exe" "$@"
}
comp="$src/completion/cdnsim.bash"
check "bash: the script defines the completion" \
    test "$(bash -c 'source "$1"; complete -p cdnsim' _ "$comp")" = "complete -o filenames -F _cdnsim cdnsim"
got=$(bash_case "$comp" "$bin" "")
for c in $commands; do
    check "bash: 'cdnsim <TAB>' offers $c" grep -qw -- "$c" <<<"$got"
done
check "bash: 'cdnsim sw<TAB>' is sweep" test "$(bash_case "$comp" "$bin" sw)" = "sweep "
check "bash: 'cdnsim compare --str<TAB>' is --strategies" \
    test "$(bash_case "$comp" "$bin" compare --str)" = "--strategies "
check "bash: 'cdnsim run --stra<TAB>' is --strategy, not --strategies" \
    test "$(bash_case "$comp" "$bin" run --stra)" = "--strategy "
check "bash: 'cdnsim run --stri<TAB>' is --strict" \
    test "$(bash_case "$comp" "$bin" run --stri)" = "--strict "
got=$(bash_case "$comp" "$bin" sweep -)
for o in $(grep -oE -- '--[a-z0-9-]+' "$work/opts-sweep"); do
    check "bash: sweep offers $o" grep -qw -- "$o" <<<"$got"
done
mkdir -p "$work/cwd/scenarios"
cp -r "$src/scenarios/strategies" "$src/scenarios/templates" "$work/cwd/scenarios/"
strategies=$(cd "$src/scenarios/strategies" && ls ./*.json | sed 's|^\./||; s|\.json$||' | tr '\n' ' ')
(cd "$work/cwd" && bash_case "$comp" "$bin" compare --strategies "") >"$work/got"
check "bash: --strategies offers the library ($strategies)" test "$(cat "$work/got")" = "$strategies"
(cd "$work/cwd" && bash_case "$comp" "$bin" compare -S baseline,kill) >"$work/got"
check "bash: a list completes after its last comma" test "$(cat "$work/got")" = "baseline,kill-switch "
(cd "$work/cwd" && bash_case "$comp" "$bin" compare --strategies = fail-op) >"$work/got"
check "bash: --strategies=VALUE completes" test "$(cat "$work/got")" = "fail-open "
(cd "$work/cwd" && bash_case "$comp" "$bin" init --template "") >"$work/got"
check "bash: --template offers the templates" \
    test "$(cat "$work/got")" = "$(cd "$src/scenarios/templates" && ls ./*.json | sed 's|^\./||; s|\.json$||' | tr '\n' ' ')"
check "bash: --metric offers metric names" \
    grep -qw peak_err5xx_frac <<<"$(bash_case "$comp" "$bin" sweep --metric peak)"
touch "$work/cwd/my-outage.json" "$work/cwd/notes.txt"
(cd "$work/cwd" && bash_case "$comp" "$bin" validate my) >"$work/got"
check "bash: operands complete to .json files" test "$(cat "$work/got")" = "my-outage.json "
(cd "$work/cwd" && bash_case "$comp" "$bin" validate no) >"$work/got"
check "bash: operands skip other files" test -z "$(cat "$work/got")"
check "bash: schema offers scenario and strategy" \
    test "$(bash_case "$comp" "$bin" schema "")" = "scenario strategy "

# the installed script with the installed binary, outside the source tree
prefix="$work/prefix"
if cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1; then
    icomp="$prefix/share/bash-completion/completions/cdnsim"
    check "bash completion installed" test -s "$icomp"
    check "zsh completion installed" test -s "$prefix/share/zsh/site-functions/_cdnsim"
    check "cdnsim.1 installed" test -s "$prefix/share/man/man1/cdnsim.1"
    check "cdnsim-scenario.5 installed" test -s "$prefix/share/man/man5/cdnsim-scenario.5"
    mkdir -p "$work/elsewhere"
    (cd "$work/elsewhere" && PATH="$prefix/bin:$PATH" bash_case "$icomp" cdnsim compare --strategies "") >"$work/got"
    check "bash (installed): strategy names from share/cdnsim/scenarios" test "$(cat "$work/got")" = "$strategies"
else
    bad "cmake --install (see $work/install.log)"
fi

# ---- zsh completion (with compadd and _files stubbed: they print)
if command -v zsh >/dev/null 2>&1; then
    zcomp="$src/completion/_cdnsim"
    check "zsh: the script parses" zsh -n "$zcomp"
    zsh_case() {
        zsh -f -c '
            compadd() { local a; local -i on=0; for a in "$@"; do (( on )) && print -r -- "$a"; [[ $a == -- ]] && on=1; done; }
            _files() { print -r -- "<files $*>"; }
            compset() { [[ $1 == -P ]] && PREFIX=${PREFIX##*[,+]}; }
            file=$1; shift; words=("$@"); CURRENT=$#; PREFIX=${words[-1]}
            source $file | sort | tr "\n" " "' _ "$zcomp" "$@"
    }
    got=$(zsh_case "$bin" "")
    for c in $commands; do
        check "zsh: 'cdnsim <TAB>' offers $c" grep -qw -- "$c" <<<"$got"
    done
    got=$(zsh_case "$bin" compare -)
    for o in $(grep -oE -- '--[a-z0-9-]+' "$work/opts-compare"); do
        check "zsh: compare offers $o" grep -qw -- "$o" <<<"$got"
    done
    (cd "$work/cwd" && zsh_case "$bin" compare --strategies "") >"$work/got"
    check "zsh: --strategies offers the library and .json files" \
        test "$(cat "$work/got")" = "<files -g *.json(-.)> $strategies"
    (cd "$work/cwd" && zsh_case "$bin" init -t "") >"$work/got"
    check "zsh: -t offers the templates" grep -qw staged-rollout "$work/got"
    check "zsh: plot completes folders" test "$(zsh_case "$bin" plot "")" = "<files -/> "
    check "zsh: run completes .json files" test "$(zsh_case "$bin" run x)" = "<files -g *.json(-.)> "
else
    skipped="$skipped zsh (install zsh)"
fi

echo "manual: $pass passed, $fail failed${skipped:+, skipped:$skipped}"
test "$fail" -eq 0
