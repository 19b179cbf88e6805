#!/bin/sh
# run.sh DIR [NAME...]: runs the cmocka test binaries in DIR (all test_* or the NAMEs given),
# prints each one's result and wall time and a final "N passed, N failed, N skipped" line.
# Counts come from cmocka's summary lines: "[  PASSED  ] N test(s)." counts the tests that ran
# and passed, "[  SKIPPED ] N test(s), listed below:" the skipped ones (cmocka repeats each
# skipped test's name on its own "[  SKIPPED ] name" line, which is not counted again), and
# "[  FAILED  ] N test(s), listed below:" the failed ones.  A binary that crashes or exits
# non-zero without a FAILED line counts as one failure.  Exit status non-zero if anything failed.
dir=${1:-build/tests}
[ $# -gt 0 ] && shift
# the commands' FFTW wisdom cache stays out of the tests (estimated plans, nothing written
# to the user's cache); tests that want it set BDSRX_WISDOM themselves
BDSRX_WISDOM=${BDSRX_WISDOM-off}; export BDSRX_WISDOM
# nor the navigation cache of bdsrx run/live (ephemerides, last position: a warm start): a
# throw-away $XDG_CACHE_HOME per test program, so no test starts hot from another's run
if [ $# -gt 0 ]; then list=""; for n in "$@"; do list="$list $dir/$n"; done
else list=$(ls "$dir"/test_* 2>/dev/null); fi
pass=0; fail=0; skip=0; bad=""; t_all=$(date +%s)
for t in $list; do
    [ -x "$t" ] || continue
    case "$t" in *.o|*.d) continue;; esac
    log=$(mktemp)
    t0=$(date +%s)
    cache=$(mktemp -d /tmp/bdsrx-test-cache.XXXXXX)
    XDG_CACHE_HOME=$cache "$t" >"$log" 2>&1
    rc=$?
    rm -rf "$cache"
    dt=$(($(date +%s) - t0))
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below.*/\1/p' "$log" | tail -1)
    p=${p:-0}; f=${f:-0}; s=${s:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    if [ "$f" -ne 0 ]; then bad="$bad $(basename "$t")"; cat "$log"; fi
    grep -h '^\(SKIP\|NOTE\)' "$log" | sed "s|^|$(basename "$t"): |"
    printf '%-28s %3d passed, %d failed, %d skipped  %4d s\n' "$(basename "$t")" "$p" "$f" "$s" "$dt"
    rm -f "$log"
done
[ -n "$bad" ] && echo "failing:$bad"
echo "$pass passed, $fail failed, $skip skipped ($(($(date +%s) - t_all)) s)"
[ "$fail" -eq 0 ]
