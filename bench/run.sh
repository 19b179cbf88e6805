#!/bin/sh
# Runs every benchmark program in $1, then repeats the lines they marked
# "SUMMARY" (the figures issue 2 asks for, with their ratios) in one block.
dir=${1:-build/bench}
sum=$(mktemp)
trap 'rm -f "$sum"' EXIT
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
for b in "$dir"/bench_*; do
  [ -x "$b" ] || continue
  case "$b" in *.o|*.d) continue;; esac
  echo "== $(basename "$b")"
  "$b" | tee -a "$sum" || echo "$(basename "$b") failed"
done
echo "== summary (CPU time of the benchmark thread; ratios against references measured in the same run)"
grep '^SUMMARY' "$sum" | sed 's/^SUMMARY //'
