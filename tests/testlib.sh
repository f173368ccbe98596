# testlib.sh -- the helpers every end-to-end test script shares; sourced,
# not run.  A script counts its checks and ends with
#   echo "NAME: $pass passed, $fail failed"; [ "$fail" -eq 0 ]
#
#   check NAME CMD...  runs CMD; a zero status passes, else prints FAIL: NAME
#   run CMD...         runs CMD with stdout in $work/out and stderr in
#                      $work/err; sets rc, and out and errout to their text
#   ok, bad NAME       count a pass or a failure by hand
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # check NAME CONDITION...
    local name=$1
    shift
    if "$@"; then ok; else bad "$name"; fi
}
run() { # run CMD...: sets rc, out, errout
    "$@" >"$work/out" 2>"$work/err"
    rc=$?
    out=$(cat "$work/out")
    errout=$(cat "$work/err")
}
