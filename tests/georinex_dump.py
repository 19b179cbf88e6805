#!/usr/bin/env python3
"""Reads RINEX files with georinex (geospace-code/georinex, an independent Python reader) and
prints what it read as plain text, for tests/test_rinex3_readers.c.

usage: georinex_dump.py GEORINEX_CHECKOUT OBS|- [NAV3]
  OBS  lines "OBS <yyyy-mm-ddThh:mm:ss.fffffff> <sv> <type> <value>" for every non-NaN value
  NAV3 lines "NAV <sv> <yyyy-mm-ddThh:mm:ss> <field> <value>" for every non-NaN field
Then "georinex <version>".  Exit 3 when georinex (or numpy/xarray/pandas) cannot be imported:
the test skips then."""
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else ""
if root:
    sys.path.insert(0, os.path.join(root, "src"))
    sys.path.insert(0, root)
try:
    import numpy as np
    import georinex as gr
except Exception as e:  # noqa: BLE001 - any import problem means "not available"
    print("georinex not importable: %s" % e)
    sys.exit(3)


def stamp(t, frac):
    s = np.datetime_as_string(t, unit="ns")
    return s[: 20 + 7] if frac else s[:19]


if len(sys.argv) > 2 and sys.argv[2] != "-":
    obs = gr.load(sys.argv[2])
    for var in obs.data_vars:
        a = obs[var]
        for i, t in enumerate(a["time"].values):
            for j, sv in enumerate(a["sv"].values):
                v = float(a.values[i, j])
                if not np.isnan(v):
                    print("OBS %s %s %s %.6f" % (stamp(t, True), sv, var, v))
if len(sys.argv) > 3:
    nav = gr.load(sys.argv[3])
    for var in nav.data_vars:
        a = nav[var]
        for i, t in enumerate(a["time"].values):
            for j, sv in enumerate(a["sv"].values):
                v = float(a.values[i, j])
                if not np.isnan(v):
                    print("NAV %s %s %s %.15e" % (sv, stamp(t, False), var, v))
print("georinex %s" % getattr(gr, "__version__", "?"))
