#!/usr/bin/env bash
# `cdnsim compare` and `sweep` under MPI give the same files as without:
# one process, mpirun with 1 rank and with 2 ranks must write byte-identical
# folders (manifest.json, which records the ranks, excepted).  Run by CTest
# (only in builds with MPI, not in the sanitizer build) as:
#   compare_mpi_test.sh CDNSIM_BINARY TESTS_SOURCE_DIR WORK_DIR MPIEXEC
# CI runs as root, which Open MPI refuses without --allow-run-as-root;
# --oversubscribe lets 2 ranks run on a 1-core machine.
set -u
bin=$1
src=$2
work=$3
mpiexec=$4
small="$src/data/golden/small.json"
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
pass=0
fail=0
check() {
    local name=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
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
mpi=("$mpiexec" --allow-run-as-root --oversubscribe)
args=(compare "$small" --strategies baseline,validate-on-ingest,fail-open -n 5 -j 1 -q)

"$bin" "${args[@]}" -o "$work/single" 2>"$work/err-single"
check "single process exits 0" test $? -eq 0
"${mpi[@]}" -np 1 "$bin" "${args[@]}" -o "$work/np1" 2>"$work/err-np1"
check "1 rank exits 0" test $? -eq 0
"${mpi[@]}" -np 2 "$bin" "${args[@]}" -o "$work/np2" 2>"$work/err-np2"
check "2 ranks exit 0" test $? -eq 0
check "1 rank = single process" same_files "$work/single" "$work/np1"
check "2 ranks = single process" same_files "$work/single" "$work/np2"
check "manifest records 2 ranks" grep -qE '"mpi_ranks":[[:space:]]*2' "$work/np2/manifest.json"
check "2 ranks: one results folder, no temporary folder left" \
    test -z "$(ls -A "$work" | grep -E '^\..*\.(tmp|old)-' || true)"

# 3 ranks for 5 replications: uneven deal; adaptive precision across ranks
args=(compare "$small" --strategies baseline,validate-on-ingest -n 2 --precision 0.2 --max-n 6 -j 2 -q --no-plot)
"$bin" "${args[@]}" -o "$work/p-single" 2>/dev/null
"${mpi[@]}" -np 3 "$bin" "${args[@]}" -o "$work/p-np3" 2>"$work/err-p3"
check "3 ranks with --precision exit 0" test $? -eq 0
check "3 ranks with --precision = single process" same_files "$work/p-single" "$work/p-np3"

# the dynamic deal (#14 item 4): 2 ranks of 2 threads take whole
# replications (8 >= 2 per thread), 1 rank of 1 thread does them all; and
# single tasks when replications are few (2 of 3 strategies on 2 x 2)
args=(compare "$small" --strategies baseline,validate-on-ingest,fail-open -n 8 -q --no-plot)
"$bin" "${args[@]}" -j 1 -o "$work/d-single" 2>/dev/null
"${mpi[@]}" -np 2 "$bin" "${args[@]}" -j 2 -o "$work/d-np2" 2>"$work/err-d2"
check "2 ranks x 2 threads, whole replications = 1 process x 1 thread" same_files "$work/d-single" "$work/d-np2"
args=(compare "$small" --strategies baseline,validate-on-ingest,fail-open -n 2 -q --no-plot)
"$bin" "${args[@]}" -j 1 -o "$work/t-single" 2>/dev/null
"${mpi[@]}" -np 2 "$bin" "${args[@]}" -j 2 -o "$work/t-np2" 2>"$work/err-t2"
check "2 ranks x 2 threads, single tasks = 1 process x 1 thread" same_files "$work/t-single" "$work/t-np2"

# sweep under 2 ranks
args=(sweep "$small" --param '$.artifacts[*].cluster.migration_step_s=300,1800' -n 3 -q --no-plot)
"$bin" "${args[@]}" -o "$work/s-single" 2>/dev/null
"${mpi[@]}" -np 2 "$bin" "${args[@]}" -o "$work/s-np2" 2>"$work/err-s2"
check "sweep under 2 ranks = single process" same_files "$work/s-single" "$work/s-np2"

# --uncertainty (#13) under 2 ranks of 2 threads: the draws are keyed by
# (seed, draw), not by which rank runs them, so compare (draws.csv,
# uncertainty.csv, ...) is the same bytes as one process of one thread;
# run -n under 1 rank likewise
unc="$src/data/unc.json"
args=(compare "$unc" --strategies baseline,validate-on-ingest -n 8 --uncertainty -q --no-plot)
"$bin" "${args[@]}" -j 1 -o "$work/u-single" 2>/dev/null
"${mpi[@]}" -np 2 "$bin" "${args[@]}" -j 2 -o "$work/u-np2" 2>"$work/err-u2"
check "compare --uncertainty under 2 ranks exits 0" test $? -eq 0
check "compare --uncertainty writes draws.csv" test -s "$work/u-np2/draws.csv"
check "compare --uncertainty under 2 ranks x 2 threads = 1 process" same_files "$work/u-single" "$work/u-np2"
args=(run "$unc" -n 6 --uncertainty --seeds-per-draw 3 -q --no-plot)
"$bin" "${args[@]}" -j 1 -o "$work/ur-single" 2>/dev/null
"${mpi[@]}" -np 1 "$bin" "${args[@]}" -j 2 -o "$work/ur-np1" 2>"$work/err-ur1"
check "run -n --uncertainty under 1 rank exits 0" test $? -eq 0
check "run -n --uncertainty under 1 rank x 2 threads = 1 process" same_files "$work/ur-single" "$work/ur-np1"

# commands that write one folder from one process refuse several ranks
# (once they all waited on each other's folder lock, for ever): exit 64,
# one message, no folder
for c in run sensitivity fit; do
    extra=()
    [ "$c" = fit ] && extra=(--param '$.traffic.global_rps')
    timeout 120 "${mpi[@]}" -np 2 "$bin" "$c" "$unc" "${extra[@]}" -o "$work/r-$c" -q 2>"$work/err-r-$c"
    rc=$?
    check "$c under 2 ranks: exit 64, not a hang (got $rc)" test "$rc" -eq 64
    check "$c under 2 ranks: the refusal is printed once" \
        test "$(grep -c "under mpirun use compare or sweep" "$work/err-r-$c")" -eq 1
    check "$c under 2 ranks: no folder" test ! -e "$work/r-$c"
done

# errors: every rank stops, one message, the usage exit code
"${mpi[@]}" -np 2 "$bin" compare "$small" --strategies no-such-strategy -o "$work/bad" -q 2>"$work/err-bad"
rc=$?
check "bad strategy under 2 ranks fails (got $rc)" test "$rc" -ne 0
check "bad strategy under 2 ranks: the error is printed once" \
    test "$(grep -c "unknown strategy 'no-such-strategy'" "$work/err-bad")" -eq 1
check "bad strategy under 2 ranks: no folder" test ! -e "$work/bad"

echo "compare_mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
