#!/bin/sh
# Runs every cmocka test binary in $1, prints each one's result and a final
# "N passed, N failed" line (tests counted by cmocka, binaries that crash count
# as one failure), with each binary's wall time (to keep check-asan's duration in view).
# Exit status non-zero if anything failed.
dir=${1:-build/tests}
# the commands' FFTW wisdom cache stays out of the tests (estimated plans, nothing written
# to the user's cache); tests that want it set BDSRX_WISDOM themselves
BDSRX_WISDOM=${BDSRX_WISDOM-off}; export BDSRX_WISDOM
pass=0; fail=0; skip=0; bad=""; t_all=$(date +%s)
for t in "$dir"/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.o|*.d) continue;; esac
    log=$(mktemp)
    t0=$(date +%s)
    "$t" >"$log" 2>&1
    rc=$?
    dt=$(($(date +%s) - t0))
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    s=$(grep -c '^\[  SKIPPED \]' "$log")
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p - s)); fail=$((fail + f)); skip=$((skip + s))
    if [ "$f" -ne 0 ]; then bad="$bad $(basename "$t")"; cat "$log"; fi
    grep -h '^\(SKIP\|NOTE\)' "$log" | sed "s|^|$(basename "$t"): |"
    printf '%-28s %3d passed, %d failed, %d skipped  %4d s\n' "$(basename "$t")" $((p - s)) "$f" "$s" "$dt"
    rm -f "$log"
done
[ -n "$bad" ] && echo "failing:$bad"
echo "$pass passed, $fail failed, $skip skipped ($(($(date +%s) - t_all)) s)"
[ "$fail" -eq 0 ]
