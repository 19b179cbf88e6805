#!/bin/sh
# Runs every libFuzzer harness in BUILD/fuzz for SECONDS each, one after the
# other (the machine is shared), with a corpus seeded at run time from
# ../shared/testdata and the repository's own small seeds (tests/fuzz/seeds/,
# nothing copied from shared/).  Prints executions and crashes per harness and
# writes them to BUILD/fuzz/results.txt.  Exit status 1 if any harness found a
# crash (its input is in BUILD/fuzz/artifacts/).  -timeout=60: the LDPC decoders under
# ASan+UBSan+coverage take seconds per frame on a loaded 2-core machine; a real hang still trips it.
#   sh tests/fuzz/run.sh build-fuzz 5
B=${1:-build-fuzz}
S=${2:-60}
TD=${BDSRX_TESTDATA:-../shared/testdata}
ICD=$(dirname "$TD")/icd
F=$B/fuzz
mkdir -p "$F/corpus" "$F/artifacts" "$F/tmp"
export TMPDIR="$F/tmp"
seeds() { # harness -> seed directory filled from the data at hand (heads of big files)
    d="$F/seed/$1"; rm -rf "$d"; mkdir -p "$d"
    cp tests/fuzz/seeds/$1.* "$d/" 2>/dev/null
    case $1 in
    fuzz_rinex_obs)
        [ -f "$TD/real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_30S_MO.rnx" ] &&
            head -c 12000 "$TD/real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_30S_MO.rnx" > "$d/kms3.rnx"
        [ -f "$TD/real/rinex_bds3_obs/OB712480.23O.gz" ] &&
            gzip -dc "$TD/real/rinex_bds3_obs/OB712480.23O.gz" 2>/dev/null | head -c 12000 > "$d/ob71.rnx" ;;
    fuzz_rinex_nav)
        for x in KMS300DNK_R_20221591000_01H_MN.rnx.gz BRD400DLR_S_20230710000_01D_MN.rnx.gz; do
            [ -f "$TD/real/rinex_bds3_obs/$x" ] && gzip -dc "$TD/real/rinex_bds3_obs/$x" 2>/dev/null | head -c 8000 > "$d/$x.rnx"
        done
        for x in "$TD"/real/cssrlib_pppb2b/doy2023-223/NAV*; do [ -f "$x" ] && head -c 8000 "$x" > "$d/nav223"; done ;;
    fuzz_sp3)
        for x in "$TD"/real/cssrlib_pppb2b/doy2023-223/*.SP3; do [ -f "$x" ] && head -c 6000 "$x" > "$d/cod.sp3"; done ;;
    fuzz_sidecar)
        for x in "$TD"/signalsim/*.tag; do [ -f "$x" ] && { printf '\001'; cat "$x"; } > "$d/$(basename "$x")"; done ;;
    fuzz_nav_decode)
        # one seed per fenced block of the ICD test vectors (small inputs run fast)
        [ -f "$ICD/testvectors.md" ] && awk -v d="$d" '/^```/{ if (inb) { print >> f; close(f); inb = 0 } else { k++; f = d "/tv" k ".md"; print > f; inb = 1 } next } inb { print >> f }' "$ICD/testvectors.md"
        for x in "$TD"/real/cssrlib_pppb2b/doy2023-223/*bdsb2b.txt; do [ -f "$x" ] && head -c 4000 "$x" > "$d/b2blog.txt"; done
        for x in "$TD"/real/qzsl6tool_b2b_rtcm/*.b2b; do [ -f "$x" ] && head -c 1250 "$x" > "$d/frames.b2b"; done ;;
    fuzz_rtcm3)
        for x in "$TD"/real/qzsl6tool_b2b_rtcm/*.rtcm; do [ -f "$x" ] && { printf '\000'; head -c 6000 "$x"; } > "$d/stream.rtcm"; done ;;
    fuzz_config)
        for x in data/config/*; do [ -f "$x" ] && cp "$x" "$d/"; done ;;
    fuzz_pocket_conf)
        for x in "$TD"/real/pocketsdr_l1_iq/*.conf; do [ -f "$x" ] && cp "$x" "$d/"; done ;;
    esac
}
: > "$F/results.txt"
bad=0
for h in "$F"/fuzz_*; do
    [ -x "$h" ] || continue
    n=$(basename "$h")
    seeds "$n"
    mkdir -p "$F/corpus/$n"
    log="$F/$n.log"
    "$h" -max_total_time="$S" -close_fd_mask=3 -timeout=60 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        $( [ -f "tests/fuzz/$n.dict" ] && echo "-dict=tests/fuzz/$n.dict" ) \
        -artifact_prefix="$F/artifacts/$n-" "$F/corpus/$n" "$F/seed/$n" > "$log" 2>&1
    rc=$?
    ex=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    crash=$( [ $rc -ne 0 ] && echo 1 || echo 0 )
    line="$n: ${ex:-?} executions in ${S} s, coverage ${cov:-?} edges, corpus $(ls "$F/corpus/$n" | wc -l), crash $crash"
    echo "$line"; echo "$line" >> "$F/results.txt"
    if [ $rc -ne 0 ]; then
        bad=1
        grep -m5 -E 'ERROR|runtime error|SUMMARY' "$log"
        ls "$F"/artifacts/"$n"-* 2>/dev/null
    fi
done
rm -rf "$F/tmp"
exit $bad
