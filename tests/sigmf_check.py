#!/usr/bin/env python3
"""Validates SigMF recordings with sigmf-python (the SigMF project's reference library) and
prints what it reads back, for tests/test_sigmf.c.

usage: sigmf_check.py DATAFILE [N]
Prints "valid" after sigmf.validate accepted the metadata and SigMFFile opened the recording
(with its data file), then, for standard datatypes, "sample i re im" for the first N samples
as sigmf-python reads them (floats; integer types are scaled by sigmf-python, so the test
compares ratios), or "packed" when the bdsrx extension is required to interpret the bytes.
Exit 3 when sigmf-python is not importable (the test then skips)."""
import json
import sys

try:
    import sigmf
    from sigmf import sigmffile, validate
except Exception as e:  # noqa: BLE001 - any import problem means "not available"
    print("sigmf-python not importable: %s" % e)
    sys.exit(3)

data = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 8
meta_path = data + ".sigmf-meta" if not data.endswith(".sigmf-data") else data[:-5] + "meta"
with open(meta_path) as f:
    meta = json.load(f)
validate.validate(meta)
rec = sigmffile.fromfile(meta_path)
print("valid sigmf-python %s" % sigmf.__version__)
ext = {e["name"]: e for e in meta["global"].get("core:extensions", [])}
if "bdsrx" in ext and not ext["bdsrx"]["optional"]:
    print("packed %s" % meta["global"]["bdsrx:format"])
    sys.exit(0)
x = rec.read_samples(0, n)
for i, v in enumerate(x):
    print("sample %d %.9g %.9g" % (i, complex(v).real, complex(v).imag))
