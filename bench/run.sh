#!/bin/sh
# Runs every benchmark program in $1.
dir=${1:-build/bench}
for b in "$dir"/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || echo "$(basename "$b") failed"
done
