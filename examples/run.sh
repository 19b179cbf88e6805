#!/bin/sh
# run.sh DIR: runs every example program built in DIR the way its user would (the command
# line is in examples/<name>.args when it needs arguments; tests skip with a message when an
# input they need is missing).  Prints "N passed, N failed"; exit status non-zero on failure.
dir=${1:-build/examples}
here=$(dirname "$0")
pass=0; fail=0
for x in "$dir"/*; do
    [ -x "$x" ] && [ -f "$x" ] || continue
    case "$x" in *.o|*.d) continue;; esac
    name=$(basename "$x")
    args=""
    [ -f "$here/$name.args" ] && args=$(cat "$here/$name.args")
    log=$(mktemp)
    if sh -c "\"$x\" $args" >"$log" 2>&1; then
        pass=$((pass + 1)); printf 'example %-24s ok: %s\n' "$name" "$(tail -1 "$log")"
    else
        fail=$((fail + 1)); echo "example $name FAILED:"; cat "$log"
    fi
    rm -f "$log"
done
echo "examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
