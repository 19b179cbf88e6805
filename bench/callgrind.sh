#!/bin/sh
# Load-independent correlator cost: instructions per sample of each correlator kernel
# (3 taps + data, 20460-sample blocks) counted by valgrind's callgrind inside
# bench_trk's kernel_loop(), against the plain VOLK dot product (the limit) and the
# double-precision reference.  Instruction counts do not depend on other processes,
# so use this where the timings of bench_trk are noisy (shared machine).
# Usage: sh bench/callgrind.sh [build/bench]     (make bench-callgrind)
# Note: valgrind emulates the CPU; VOLK picks its kernels from what valgrind's CPUID
# reports (up to AVX2, no AVX-512), so the VOLK line is the AVX2 dot product.
dir=${1:-build/bench}
b="$dir/bench_trk"
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind not installed (apt-get install valgrind)"; exit 0; }
[ -x "$b" ] || { echo "$b missing: run make bench first"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=20460
ref_ipc=""
echo "correlator instructions per sample (callgrind, 3 taps + data, ${n}-sample blocks; lower is better):"
for k in volkdot avx2 generic ref; do
    case $k in ref) it=2;; generic) it=10;; *) it=50;; esac
    out="$tmp/cg.$k"
    if ! valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=kernel_loop \
        "$b" --kernel $k $it >"$tmp/log.$k" 2>&1; then
        echo "  $k: failed under valgrind:"; tail -3 "$tmp/log.$k"; continue
    fi
    ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out" | tail -1)
    [ -n "$ir" ] || ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out" | tail -1)
    ips=$(awk -v ir="$ir" -v it="$it" -v n="$n" 'BEGIN { printf "%.2f", ir / (it * n) }')
    eval "ips_$k=$ips"
    echo "  $(printf '%-8s' $k) $ips instr/sample"
done
awk -v v="$ips_volkdot" -v a="$ips_avx2" -v g="$ips_generic" -v r="$ips_ref" 'BEGIN {
    if (a > 0 && v > 0) printf "SUMMARY callgrind correlator avx2: %.2f instr/sample = %.2f x VOLK dot product (%.2f), %.1f x fewer than the double reference (%.1f); generic %.1f\n", a, a / v, v, r / a, r, g }'
