#!/bin/sh
# sim-capture.sh DIR: prints "CAPTURE NAV" for the file examples: 6 s of B2a at 12 Msps (2-bit,
# 36 MB) made by the project's simulator once (again when bin/bdsrx-sim is newer), and its
# constellation as a RINEX navigation file (ephemerides known beforehand, so a position comes
# after the first B-CNAV2 message gives the time: ~4 s of signal, a few seconds of CPU).
# Without bin/bdsrx-sim it prints the paths anyway and the examples skip.
dir=${1:-build/examples/data}
sim=${BDSRX_BIN:-bin}/bdsrx-sim
cap=$dir/sim_b2a.ci2
if [ -x "$sim" ] && { [ ! -f "$cap" ] || [ ! -f "$dir/sim.nav" ] || [ "$sim" -nt "$cap" ]; }; then
    mkdir -p "$dir"
    "$sim" --out "$dir/sim" --signals B2a --fs-b2a 12000000 --format ci2 --duration 6 \
        --start "2023-03-12 04:05:35" --nav-out "$dir/sim.nav" --quiet >&2 || rm -f "$cap"
fi
echo "$cap $dir/sim.nav"
