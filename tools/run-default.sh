#!/bin/sh
# `make run`: the receiver's main job on the bundled default capture.
# The capture is made by the project's own simulator (tools/bdsrx-sim) the first
# time and kept in data/ (data/default_b1c.ci2 + .sigmf-meta, about 90 MB; it is
# not in git because it is reproducible bit for bit from the fixed seed).
set -e
cd "$(dirname "$0")/.."
CAP=data/default_b1c.ci2
if [ ! -f "$CAP" ] || [ ! -f "$CAP.sigmf-meta" ]; then
    echo "run: simulating the default capture (45 s of B1C at 4.092 Msps, 30.5N 114.3E 50 m) ..."
    bin/bdsrx-sim --out data/default --signals B1C --format ci2 --duration 45 --seed 1 \
        --start "2023-03-12 04:05:32" --pos 30.5,114.3,50 --quiet
fi
echo "run: bin/bdsrx run $CAP --ref 30.5,114.3,50"
exec bin/bdsrx run "$CAP" --ref 30.5,114.3,50
