#!/bin/sh
# soak.sh: `make soak`.  Hours of signal through the live engine with every file output on,
# sampling the process's resident memory, open file descriptors and threads to a CSV, then a
# check that they stay flat after the warm-up.
#
# The signal: one bdsrx-sim B1C capture (60 s, 2.048 Msps, 2-bit: 61 MB, made once in
# $SOAK_DIR) fed again and again into `bdsrx live --source 'file:-?...&live=1&pace=P'` on its
# standard input, so the live reader thread, the sample ring, background acquisition and the
# receiver run for SOAK_H hours of samples (the seams between loops are sample discontinuities:
# the receiver loses and re-acquires its channels every minute, which exercises the paths a
# long run takes only rarely).  Outputs: NMEA, JSON, RINEX observations and navigation.  No
# navigation cache (--no-cache): a capture on standard input has no time of its own, and a
# warm start would predict the sky of the system clock's date from the cached ephemerides.
#
# Environment: SOAK_H (hours of signal, default 1), SOAK_PACE (x real time, default 2; 0 = as
# fast as possible), SOAK_EVERY_S (sampling period, default 10 s), SOAK_DIR (default
# build/soak), SOAK_THREADS (receiver worker threads, default 1), BDSRX_BIN (default bin),
# SOAK_HUP_EVERY (a SIGHUP every N samples, default 6 = once a minute: the outputs are closed and
# opened again, appending, as at a log rotation; 0 = none).
# Limits (after the warm-up = the first quarter of the samples): RSS may grow by at most
# SOAK_RSS_GROW_MB (default 8 MB) between the warm-up's peak and the run's peak, the fd count
# may not exceed its warm-up peak, the thread count by at most one (the background search
# thread comes and goes).  Exit 0 when flat and live ended cleanly.
set -u
H=${SOAK_H:-1}
PACE=${SOAK_PACE:-2}
EVERY=${SOAK_EVERY_S:-10}
DIR=${SOAK_DIR:-build/soak}
THREADS=${SOAK_THREADS:-1}
BIN=${BDSRX_BIN:-bin}
GROW_MB=${SOAK_RSS_GROW_MB:-8}
HUP_EVERY=${SOAK_HUP_EVERY:-6}
mkdir -p "$DIR" || exit 1
cap="$DIR/cap_b1c.ci2"
if [ ! -s "$cap" ]; then
    echo "soak: simulating the 60 s capture ($cap)"
    "$BIN/bdsrx-sim" --out "$DIR/cap" --signals B1C --duration 60 --fs-b1c 2048000 --format ci2 \
        --cn0-el 30,45 -q || exit 1
fi
secs=$(awk -v h="$H" 'BEGIN { printf "%d", h * 3600 }')
csv="$DIR/soak.csv"
log="$DIR/live.log"
rm -f "$DIR"/out.* "$csv"
echo "soak: $H h of signal ($secs s) at pace $PACE, sampling every $EVERY s to $csv"
t0=$(date +%s)
# the capture again and again; the loop ends when live has exited (cat fails on the pipe)
(while cat "$cap"; do :; done) 2>/dev/null |
    "$BIN/bdsrx" live --source "file:-?format=ci2&fs=2.048e6&fc=1575.42e6&live=1&pace=$PACE" \
        --seconds "$secs" --threads "$THREADS" --no-cache --plain --nmea "$DIR/out.nmea" --json "$DIR/out.json" \
        --rinex-obs "$DIR/out.obs" --rinex-nav "$DIR/out.nav" >"$log" 2>&1 &
pid=$!
echo "wall_s,rss_kb,fds,threads,cpu_s" >"$csv"
tick=$(getconf CLK_TCK)
k=0
while kill -0 "$pid" 2>/dev/null; do
    k=$((k + 1))
    # (not at the first sample: the program may still be starting, before it handles SIGHUP)
    [ "$HUP_EVERY" -gt 0 ] && [ "$k" -gt 1 ] && [ $((k % HUP_EVERY)) -eq 0 ] && kill -HUP "$pid" 2>/dev/null
    st=/proc/$pid/status
    rss=$(awk '/^VmRSS:/ { print $2 }' "$st" 2>/dev/null)
    thr=$(awk '/^Threads:/ { print $2 }' "$st" 2>/dev/null)
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    cpu=$(awk -v t="$tick" '{ printf "%.1f", ($14 + $15) / t }' "/proc/$pid/stat" 2>/dev/null)
    [ -n "$rss" ] && echo "$(($(date +%s) - t0)),$rss,$fds,$thr,$cpu" >>"$csv"
    sleep "$EVERY" # the sampling period (not a test's timing)
done
wait "$pid"
rc=$?
wall=$(($(date +%s) - t0))
tail -n 8 "$log"
echo "soak: $(grep -c 'SIGHUP: outputs reopened' "$log") SIGHUPs (outputs reopened), $(grep -c '"fix":"spp"' "$DIR/out.json") valid fixes in the JSON"
awk -F, -v grow="$GROW_MB" -v rc="$rc" -v wall="$wall" -v secs="$secs" '
NR > 1 { n++; rss[n] = $2; fd[n] = $3; th[n] = $4; cpu = $5 }
END {
    if (n < 8) { print "soak: only " n " samples: too short to judge"; exit 1 }
    w = int(n / 4); pw = 0; fw = 0; tw = 0; pr = 0; fr = 0; tr = 0
    for (i = 1; i <= n; i++) {
        if (i <= w) { if (rss[i] > pw) pw = rss[i]; if (fd[i] > fw) fw = fd[i]; if (th[i] > tw) tw = th[i] }
        else { if (rss[i] > pr) pr = rss[i]; if (fd[i] > fr) fr = fd[i]; if (th[i] > tr) tr = th[i] }
    }
    # the trend over the run after the warm-up: least squares slope of RSS (kB per hour)
    sx = sy = sxx = sxy = 0; m = 0
    for (i = w + 1; i <= n; i++) { m++; x = i; sx += x; sy += rss[i]; sxx += x * x; sxy += x * rss[i] }
    slope = (m * sxy - sx * sy) / (m * sxx - sx * sx)
    printf "soak: %.2f h of signal in %d s wall (%.1fx real time), %s s CPU, %d samples\n", secs / 3600, wall, secs / wall, cpu, n
    printf "soak: RSS peak %.1f MB (warm-up %.1f MB, growth %.2f MB; trend %.3f MB per sample), fds %d (warm-up %d), threads %d (warm-up %d)\n", \
        (pr > pw ? pr : pw) / 1024, pw / 1024, (pr - pw) / 1024, slope / 1024, fr, fw, tr, tw
    bad = 0
    if (rc != 0) { print "soak: FAIL: bdsrx live exited " rc; bad = 1 }
    if ((pr - pw) / 1024 > grow) { print "soak: FAIL: RSS grew by more than " grow " MB after the warm-up"; bad = 1 }
    if (fr > fw) { print "soak: FAIL: open file descriptors grew after the warm-up"; bad = 1 }
    # the background acquisition thread exists only while a search runs: one more is allowed
    if (tr > tw + 1) { print "soak: FAIL: threads grew after the warm-up"; bad = 1 }
    if (!bad) print "soak: PASS (flat after the warm-up)"
    exit bad
}' "$csv"
