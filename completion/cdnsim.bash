# bash completion for cdnsim                                  -*- shell-script -*-
#
# Commands, each command's options and which of them take a value are read
# from cdnsim's own help (`cdnsim --help`, `cdnsim help COMMAND`), which is
# generated from its command and option tables, so this file never lists
# them and cannot drift from the binary.  Strategy and template names come
# from the data folders cdnsim searches: ./scenarios, then
# share/cdnsim/scenarios beside the cdnsim found on PATH; metric names
# from the list in `cdnsim help sweep`.  Operands
# complete to .json files (scenarios, strategies) or folders (plot, -o).
#
# Installed as share/bash-completion/completions/cdnsim; to try it from a
# source tree: source completion/cdnsim.bash

# The commands, from the "commands:" section of `cdnsim --help`.
_cdnsim_commands() {
    "$1" --help 2>/dev/null | awk '/^commands:/ { on = 1; next } /^$/ { if (on) exit }
        on && /^  [a-z]/ { print $1 }'
}

# The options of command $2: "--name" (and "-x") words; with $3 = arg,
# only those that take a value.
_cdnsim_options() {
    "$1" help "$2" 2>/dev/null | awk -v want="${3:-}" '
        /^options:/ { on = 1; next } /^$/ { if (on) exit }
        on && /^  +-/ {
            line = $0; sub(/^ +/, "", line)
            n = split(line, w, /[ ,]+/); takes = 0; out = ""
            for (i = 1; i <= n; i++) {
                if (w[i] ~ /^-/) out = out " " w[i]
                else { if (w[i] ~ /^[A-Z'\''[]/) takes = 1; break }
            }
            if (want != "arg" || takes) print out
        }'
}

# Names of the JSON files of data subfolder $1 (strategies, templates).
_cdnsim_data_names() {
    local bin dir f
    local -a dirs=("scenarios/$1")
    bin=$(type -P cdnsim 2>/dev/null) && dirs+=("${bin%/*}/../share/cdnsim/scenarios/$1")
    for dir in "${dirs[@]}"; do
        for f in "$dir"/*.json; do
            [ -e "$f" ] || continue
            f=${f##*/}
            printf '%s\n' "${f%.json}"
        done
    done | sort -u
}

_cdnsim() {
    local exe=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=""
    local cmd=${COMP_WORDS[1]:-}
    [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --opt=VALUE: bash splits at '=' (COMP_WORDBREAKS)
    if [ "$cur" = "=" ]; then
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        cur=""
    elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_cdnsim_commands "$exe") help --help --version --man" -- "$cur")
        return
    fi
    case $cmd in
    help | -h | --help)
        mapfile -t COMPREPLY < <(compgen -W "$(_cdnsim_commands "$exe")" -- "$cur")
        return ;;
    --man)
        mapfile -t COMPREPLY < <(compgen -W "1 5" -- "$cur")
        return ;;
    esac
    if [[ $prev == -* ]] && [[ " $(_cdnsim_options "$exe" "$cmd" arg | tr '\n' ' ') " == *" $prev "* ]]; then
        case $prev in
        --strategies | -S | --strategy)
            # a list a,b+c: complete the part after the last ',' or '+'
            local head="" part=$cur
            if [[ $cur == *[,+]* ]]; then
                head=${cur%"${cur##*[,+]}"}
                part=${cur##*[,+]}
            fi
            mapfile -t COMPREPLY < <(compgen -W "$(_cdnsim_data_names strategies)" -P "$head" -- "$part")
            mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -X '!*.json' -P "$head" -- "$part")
            ;;
        --template | -t)
            mapfile -t COMPREPLY < <(compgen -W "$(_cdnsim_data_names templates)" -- "$cur") ;;
        --output | -o)
            mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
        --method)
            mapfile -t COMPREPLY < <(compgen -W "morris sobol" -- "$cur") ;;
        --function)
            mapfile -t COMPREPLY < <(compgen -W "ishigami" -- "$cur") ;;
        --metric | --precision-metric)
            mapfile -t COMPREPLY < <(compgen -W "$("$exe" help sweep 2>/dev/null |
                awk '/^metric names/ { on = 1; next } /^$/ || /^  and / { on = 0 } on' | tr ',' ' ')" -- "$cur") ;;
        esac
        return
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_cdnsim_options "$exe" "$cmd")" -- "$cur")
        return
    fi
    case $cmd in
    plot) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    schema) mapfile -t COMPREPLY < <(compgen -W "scenario strategy" -- "$cur") ;;
    *)
        mapfile -t COMPREPLY < <(compgen -f -X '!*.json' -- "$cur")
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
        ;;
    esac
}

complete -F _cdnsim -o filenames cdnsim
