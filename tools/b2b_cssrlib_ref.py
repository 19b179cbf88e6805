#!/usr/bin/python3
"""Reference decode of a cssrlib-data PPP-B2b log by cssrlib's own decoder (cssr_bds).

usage: b2b_cssrlib_ref.py CSSRLIB LOG > ref.txt

CSSRLIB: a cssrlib checkout (the directory holding src/cssrlib, or src itself), or a
git directory of one (a bare mirror: its HEAD is exported to a temporary directory with
`git archive`).  Nothing of cssrlib is copied into bdsrx; this script only drives it.
Needs python3 with numpy, bitstruct and yaml (Debian: python3-numpy python3-bitstruct
python3-yaml); cssrlib's gnss.py imports numba only for a decorator, so a stand-in
decorator is used when numba is missing.

One decoder instance per broadcasting PRN (PPP-B2b state is per GEO, pppb2b.md §4.1).
Every value cssrlib stores while decoding a message is printed, one line each, tagged
with the 1-based line number of the log line:
  L MASK prn iodssr iodp nsat SAT...         (after every MT1: cssrlib's current mask)
  L ORB prn SAT iode iodcorr dx dy dz ura    (MT2; iode = IODN & 0xff as cssrlib keeps it)
  L CLK prn SAT iodcorr dclk                 (MT4; dclk = -C0, cssrlib's sign)
  L CB prn SAT RINEXCODE value               (MT3)
Values with repr() (exact doubles), nan for "no value".
"""
import os
import subprocess
import sys
import tempfile
import types


def load_cssrlib(path):
    if os.path.isdir(os.path.join(path, 'src', 'cssrlib')):
        return os.path.join(path, 'src'), None
    if os.path.isdir(os.path.join(path, 'cssrlib')):
        return path, None
    # a git directory (e.g. a bare mirror): export the Python files of src/cssrlib at HEAD
    # (data files may be absent from a partial mirror)
    tmp = tempfile.TemporaryDirectory(prefix='cssrlib-')
    git = ['git', '--git-dir', path]
    files = subprocess.run(git + ['ls-tree', '--name-only', 'HEAD', 'src/cssrlib/'], check=True,
                           stdout=subprocess.PIPE, text=True).stdout.split()
    os.makedirs(os.path.join(tmp.name, 'src', 'cssrlib'))
    for fn in files:
        if fn.endswith('.py'):
            data = subprocess.run(git + ['show', 'HEAD:' + fn], check=True, stdout=subprocess.PIPE).stdout
            with open(os.path.join(tmp.name, fn), 'wb') as f:
                f.write(data)
    return os.path.join(tmp.name, 'src'), tmp


def stub_numba():
    """cssrlib's gnss.py imports numba for the njit decorator only"""
    try:
        import numba  # noqa: F401
    except ImportError:
        stub = types.ModuleType('numba')

        def njit(*a, **k):
            if len(a) == 1 and callable(a[0]) and not k:
                return a[0]
            return lambda f: f
        stub.njit = njit
        sys.modules['numba'] = stub


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    src, keep = load_cssrlib(sys.argv[1])
    stub_numba()
    sys.path.insert(0, src)
    import numpy as np
    from cssrlib.cssr_bds import cssr_bds
    from cssrlib.gnss import sat2id

    class Rec(dict):
        """dict that reports every assignment cssrlib makes"""
        def __init__(self, name, log, *a):
            super().__init__(*a)
            self.name, self.log = name, log

        def __setitem__(self, k, v):
            self.log.append((self.name, k, v))
            super().__setitem__(k, v)

    dec = {}
    out = sys.stdout
    names = ('dorb', 'iode', 'iodc', 'dclk', 'iodc_c', 'cbias')
    with open(sys.argv[2]) as f:
        for ln, line in enumerate(f, 1):
            w = line.split()
            if len(w) < 6:
                continue
            prn = int(w[2])
            msg = bytes.fromhex(w[5])
            d = dec.get(prn)
            if d is None:
                d = dec[prn] = cssr_bds()
                d.monlevel = 0
            log = []
            lc = d.lc[0]
            for n in names:
                if isinstance(getattr(lc, n, None), dict):
                    setattr(lc, n, Rec(n, log, getattr(lc, n)))
            if isinstance(getattr(d, 'ura', None), dict):
                d.ura = Rec('ura', log, d.ura)
            mt = msg[0] >> 2
            d.decode_cssr(msg, 0)
            if mt == 1:
                sats = ' '.join(sat2id(s) for s in d.sat_n)
                out.write('%d MASK %d %d %d %d %s\n' % (ln, prn, d.iodssr, d.iodp, len(d.sat_n), sats))
                continue
            # group the assignments of one satellite
            cur = {}
            order = []
            for name, k, v in log:
                if name == 'cbias':
                    continue
                if k not in cur:
                    cur[k] = {}
                    order.append(k)
                cur[k][name] = v
            for name, k, v in log:
                if name == 'cbias':
                    for sig, val in v.items():
                        out.write('%d CB %d %s %s %r\n' % (ln, prn, sat2id(k), sig.str(), float(val)))
            for k in order:
                c = cur[k]
                if mt == 2 and 'dorb' in c:
                    dx, dy, dz = (float(x) for x in c['dorb'])
                    out.write('%d ORB %d %s %d %d %r %r %r %r\n' % (
                        ln, prn, sat2id(k), c['iode'], c['iodc'], dx, dy, dz, float(c.get('ura', np.nan))))
                elif mt == 4 and 'dclk' in c:
                    out.write('%d CLK %d %s %d %r\n' % (ln, prn, sat2id(k), c['iodc_c'], float(c['dclk'])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
