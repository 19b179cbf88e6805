#!/bin/sh
# `make run`: the receiver's main job on the bundled default capture, then its pictures.
# The capture is made by the project's own simulator (tools/bdsrx-sim) the first
# time and kept in data/ (data/default_b1c.ci2 + .sigmf-meta, about 90 MB; it is
# not in git because it is reproducible bit for bit from the fixed seed).
set -e
cd "$(dirname "$0")/.."
CAP=data/default_b1c.ci2
OUT=data/default-run
# 4.0 Msps, not 4.092: at exactly 4 samples per chip the correlation of the simulator's
# unfiltered samples is a staircase and slow-Doppler satellites get pseudoranges metres off
# (RMS 3D per fix 2.3 m at 4.092 vs 1.1 m at 4.0, cold start).  A capture made at the old rate
# by an earlier version is made again.
if [ ! -f "$CAP" ] || [ ! -f "$CAP.sigmf-meta" ] || ! grep -Eq '"core:sample_rate": *4000000(\.0*)?([^0-9]|$)' "$CAP.sigmf-meta"; then
    echo "run: simulating the default capture (45 s of B1C at 4.0 Msps, 30.5N 114.3E 50 m) ..."
    bin/bdsrx-sim --out data/default --signals B1C --format ci2 --duration 45 --seed 1 --fs-b1c 4000000 \
        --start "2023-03-12 04:05:32" --pos 30.5,114.3,50 --quiet
fi
mkdir -p "$OUT"
echo "run: bin/bdsrx run $CAP --ref 30.5,114.3,50 --json=$OUT/fixes.jsonl --nmea $OUT/fixes.nmea --rinex-obs $OUT/obs.rnx --rinex-nav $OUT/nav.rnx"
bin/bdsrx run "$CAP" --ref 30.5,114.3,50 --json="$OUT/fixes.jsonl" --nmea "$OUT/fixes.nmea" --rinex-obs "$OUT/obs.rnx" --rinex-nav "$OUT/nav.rnx"
bin/bdsrx-track "$OUT/fixes.jsonl" -o "$OUT/track.kml" -o "$OUT/track.gpx" -o "$OUT/track.geojson"
if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
    echo "run: pictures (bin/bdsrx-plot):"
    # search grid and correlator shape of one satellite: the strongest of the last solution line
    PRN=$(/usr/bin/python3 -c 'import json,sys
s=json.loads([l for l in open(sys.argv[1]) if l.strip()][-1]).get("sats",[])
print(max(s,key=lambda x:x.get("cn0_dbhz") or 0)["prn"] if s else "")' "$OUT/fixes.jsonl" 2>/dev/null || true)
    EXTRA=""
    if [ -n "$PRN" ] &&
        bin/bdsrx acquire "$CAP" --prn "$PRN" --grid "$OUT/acq_grid.json" -q >/dev/null &&
        bin/bdsrx track "$CAP" --prn "$PRN" --seconds 2.5 --corr "$OUT/corr.json" -q >/dev/null; then
        EXTRA="--grid $OUT/acq_grid.json --corr $OUT/corr.json"
    else
        echo "run: no search grid / correlator picture (no satellite in $OUT/fixes.jsonl, or it was not locked)"
    fi
    # shellcheck disable=SC2086
    bin/bdsrx-plot "$OUT/fixes.jsonl" --ref 30.5,114.3,50 --out "$OUT" --format png,svg $EXTRA
else
    echo "run: no pictures: Debian's python3-matplotlib is not installed (tools/install-deps.sh installs it)"
fi
