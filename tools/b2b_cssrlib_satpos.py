#!/usr/bin/python3
"""Broadcast and PPP-B2b corrected BDS satellite positions and clocks computed by cssrlib.

usage: b2b_cssrlib_satpos.py CSSRLIB LOG NAV GEO STEP > ref.txt

Drives cssrlib (github.com/hirokawa/cssrlib; not copied into bdsrx): its RINEX reader for NAV,
its PPP-B2b decoder (cssr_bds) fed with the messages of GEO (a PRN 59..63) from LOG in order,
and ephemeris.satpos() with and without the corrections.  Every STEP seconds of GPS time (on
multiples of STEP) it prints, for every BDS satellite cssrlib can correct:
  GPS_WEEK GPS_TOW PRN  xb yb zb dtb  xc yc zc dtc
b = broadcast only, c = broadcast + PPP-B2b; metres (ECEF) and seconds.  cssrlib's satpos()
removes the relativistic term from its broadcast clock (eph2rel), so dtc - dtb is the clock
correction alone.  CSSRLIB and the Python needs as for tools/b2b_cssrlib_ref.py.
"""
import sys

sys.path.insert(0, __file__.rsplit('/', 1)[0])
from b2b_cssrlib_ref import load_cssrlib, stub_numba  # noqa: E402


def main():
    if len(sys.argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    src, keep = load_cssrlib(sys.argv[1])
    stub_numba()
    sys.path.insert(0, src)
    from cssrlib.cssr_bds import cssr_bds
    from cssrlib.gnss import Nav, gpst2time, prn2sat, uGNSS
    from cssrlib.rinex import rnxdec
    from cssrlib.ephemeris import satpos
    geo, step = int(sys.argv[4]), float(sys.argv[5])
    nav = Nav()
    nav = rnxdec().decode_nav(sys.argv[3], nav)
    cs = cssr_bds()
    cs.monlevel = 0
    t_next = None
    out = sys.stdout

    def evaluate(week, tow):
        t = gpst2time(week, tow)
        for prn in range(1, 64):
            sat = prn2sat(uGNSS.BDS, prn)
            if sat not in cs.sat_n:
                continue
            rc, _, dc, hc = satpos(sat, t, nav, cs)
            if rc[0, 0] != rc[0, 0]:  # nan: no usable correction
                continue
            # the same ephemeris without the corrections: satpos() picks it by IODE then
            iode = cs.lc[0].iode[sat]
            saved = dict(cs.lc[0].dorb), dict(cs.lc[0].dclk), dict(cs.lc[0].dclk_p)
            cs.lc[0].dorb[sat] = cs.lc[0].dorb[sat] * 0.0
            cs.lc[0].dclk[sat] = 0.0
            if sat in cs.lc[0].dclk_p:
                cs.lc[0].dclk_p[sat] = 0.0
            rb, _, db, _ = satpos(sat, t, nav, cs)
            cs.lc[0].dorb, cs.lc[0].dclk, cs.lc[0].dclk_p = saved
            assert cs.lc[0].iode[sat] == iode
            out.write('%d %.3f %d %.6f %.6f %.6f %.15e %.6f %.6f %.6f %.15e\n' % (
                week, tow, prn, rb[0, 0], rb[0, 1], rb[0, 2], db[0], rc[0, 0], rc[0, 1], rc[0, 2], dc[0]))

    with open(sys.argv[2]) as f:
        for line in f:
            w = line.split()
            if len(w) < 6 or int(w[2]) != geo:
                continue
            week, tow = int(w[0]), float(w[1])
            if t_next is None:
                t_next = (int(tow // step) + 1) * step
            while tow > t_next:  # every message received before t_next is in
                evaluate(week, t_next)
                t_next += step
            cs.decode_cssr(bytes.fromhex(w[5]), 0)
    return 0


if __name__ == '__main__':
    sys.exit(main())
