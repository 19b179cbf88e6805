#!/bin/sh
# Installs the Debian 12 packages bdsrx needs, only those missing (idempotent).
# Runs apt-get as root, or through sudo when not root.
# proj-data: EGM96 geoid grid for heights above MSL (NMEA); proj-bin, gpsd, gpsd-clients: tests
# that check our files with the real programs that read them; rtklib: convbin, rnx2rtkp, str2str
# (tests of our RINEX, RTCM3 and NTRIP against RTKLIB).
# python3-numpy, python3-bitstruct, python3-yaml: tools/b2b_cssrlib_ref.py (cssrlib's PPP-B2b decoder
# as the reference of tests/test_pppb2b.c when a cssrlib checkout is given).
# python3-xarray, python3-pandas (+ numpy): georinex, the second RINEX reader of
# tests/test_rinex3_readers.c when a georinex checkout is given (BDSRX_GEORINEX_PATH, tests/README.md).
set -e
# one package per line (easy merges); build and run:
PKGS="
build-essential
pkg-config
libfftw3-dev
libvolk2-dev
libgsl-dev
libusb-1.0-0-dev
librtlsdr-dev
libcmocka-dev
libjansson-dev
zlib1g-dev
libinih-dev
proj-data
proj-bin
gpsd
gpsd-clients
gpsbabel
python3-numpy
python3-xarray
python3-pandas
python3-bitstruct
python3-yaml
python3-jsonschema
python3-defusedxml
python3-matplotlib
chromium
rtklib
"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
