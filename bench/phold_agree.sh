#!/usr/bin/env bash
# Runs a short PHOLD on every engine and queue kind and checks that all
# print the same determinism line (per-LP counter sum and digest, last
# event time).  Usage: phold_agree.sh path/to/phold
set -euo pipefail
phold=$1
for config in small large; do
    events=200000
    [ "$config" = large ] && events=50000
    ref=
    for run in "--engine cdnsim --queue ladder" "--engine cdnsim --queue heap" \
               "--engine heap2" "--engine heap4"; do
        # shellcheck disable=SC2086
        check=$("$phold" --config $config --events $events --seed 7 $run 2>&1 >/dev/null)
        echo "$config $run: $check"
        if [ -z "$ref" ]; then
            ref=$check
        elif [ "$check" != "$ref" ]; then
            echo "phold_agree: '$run' differs from the first engine on $config" >&2
            exit 1
        fi
    done
done
echo "phold_agree: all engines agree"
