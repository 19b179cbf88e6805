#!/usr/bin/python3
"""bdsrx-plot: pictures of a bdsrx run from its JSON (run/live --json=FILE, acquire --grid, track --corr).

Writes into --out DIR (default: beside the input), in each --format (png, svg):
  skyplot   satellite tracks in azimuth/elevation, coloured by C/N0
  cn0       C/N0 against time, one line per satellite
  enu       position scatter (east/north) and east/north/up against time, relative to --ref
            (or to the mean position), with RMS and maximum
  sats      satellites in view and used, fix status, time to first fix within the file
--grid GRID.json (bdsrx acquire --prn N --grid): acq_grid_CNN, the search grid as a heat map
            (Doppler x code phase, power over the noise floor, peak marked) beside a 3D surface
            of the cells around the peak
--corr CORR.json (bdsrx track --prn N --corr): corr_CNN, the correlator shape (power and signed
            amplitude against code offset) with the ideal BOC(1,1) / BPSK autocorrelation
--data FILE also writes the plotted numbers as JSON (the tests compare them with the input).
Uses Debian's python3-matplotlib (tools/install-deps.sh), no display needed."""
import argparse
import difflib
import json
import math
import os
import sys

A_WGS84 = 6378137.0
F_WGS84 = 1.0 / 298.257223563  # CGCS2000 differs in f by < 1e-9 relative: negligible here


def llh_to_ecef(lat, lon, h):
    e2 = F_WGS84 * (2 - F_WGS84)
    n = A_WGS84 / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return ((n + h) * math.cos(lat) * math.cos(lon), (n + h) * math.cos(lat) * math.sin(lon),
            (n * (1 - e2) + h) * math.sin(lat))


def ecef_to_enu(d, lat, lon):
    sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
    return (-so * d[0] + co * d[1],
            -sl * co * d[0] - sl * so * d[1] + cl * d[2],
            cl * co * d[0] + cl * so * d[1] + sl * d[2])


def read_fixes(path):
    rows, bad = [], 0
    with (sys.stdin if path == "-" else open(path)) as f:
        for ln, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
                t = d["bdt_week"] * 604800.0 + d["bdt_sow"]
            except (ValueError, KeyError, TypeError):
                bad += 1
                if bad <= 3:
                    print("bdsrx-plot: %s:%d: not a bdsrx solution line, skipped" % (path, ln), file=sys.stderr)
                continue
            rows.append((t, d))
    return rows


def apply_config(ap, path):
    """Set the parser's defaults from the [plot] section of an INI file, the way
    `bdsrx live --config` does for its own section (keys = long option names)."""
    import configparser
    cp = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#", ";"))
    try:
        with open(path, encoding="utf-8") as f:
            cp.read_file(f)
    except (OSError, configparser.Error) as e:
        return "--config %s: %s" % (path, e)
    if not cp.has_section("plot"):
        return "--config %s: no [plot] section" % path
    keys = {}
    for act in ap._actions:
        for o in act.option_strings:
            if o.startswith("--") and act.dest not in ("help", "version", "config"):
                keys[o[2:]] = act
    keys["fixes"] = None
    defaults = {}
    for k, v in cp.items("plot"):
        if k not in keys:
            near = difflib.get_close_matches(k, list(keys), n=1, cutoff=0.6)
            hint = " (did you mean %s?)" % near[0] if near else ""
            return "--config %s: unknown key '%s'%s" % (path, k, hint)
        act = keys[k]
        if act is None:
            defaults["fixes"] = v
        elif isinstance(act, argparse._StoreTrueAction):
            if v.lower() not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
                return "--config %s: %s = '%s' is not true or false" % (path, k, v)
            defaults[act.dest] = v.lower() in ("true", "yes", "1", "on")
        else:
            defaults[act.dest] = v
    ap.set_defaults(**defaults)
    return None


def main():
    ap = argparse.ArgumentParser(prog="bdsrx-plot", description=__doc__.split("\n")[0],
                                 epilog="example: bdsrx run cap.ci2 --json=fix.jsonl && bdsrx-plot fix.jsonl --ref 30.5,114.3,50")
    ap.add_argument("fixes", nargs="?", help="JSON solution lines ('-' = standard input)")
    ap.add_argument("--ref", help="LAT,LON,H reference position (degrees, degrees, metres)")
    ap.add_argument("--out", help="output directory (default: the input's directory)")
    ap.add_argument("--format", default="png", help="png, svg or png,svg (default png)")
    ap.add_argument("--data", help="also write the plotted numbers to this JSON file")
    ap.add_argument("--grid", help="acquisition search grid JSON (bdsrx acquire --grid)")
    ap.add_argument("--corr", help="correlator shape JSON (bdsrx track --corr)")
    ap.add_argument("-q", "--quiet", action="store_true", help="do not list the files written")
    ap.add_argument("--version", action="version", version="bdsrx-plot (bdsrx) @BDSRX_VERSION@")
    ap.add_argument("--config", metavar="FILE",
                    help="INI file with a [plot] section; keys are the long option names "
                         "(fixes = FILE for the input); command-line flags override it")
    pre, _ = ap.parse_known_args()
    if pre.config:
        err = apply_config(ap, pre.config)
        if err:
            print("bdsrx-plot: %s" % err, file=sys.stderr)
            return 2
    a, unknown = ap.parse_known_args()
    for u in unknown:  # the messages every bdsrx program gives (src/cli/cli_opt.h)
        if u.startswith("-"):
            name = u.lstrip("-").split("=")[0]
            opts = [o.lstrip("-") for act in ap._actions for o in act.option_strings if o.startswith("--")]
            near = difflib.get_close_matches(name, opts, n=1, cutoff=0.6)
            hint = " (did you mean --%s?)" % near[0] if near else ""
            print("bdsrx-plot: unknown option --%s%s (bdsrx-plot --help)" % (name, hint), file=sys.stderr)
        else:
            print("bdsrx-plot: unexpected argument '%s' (bdsrx-plot --help)" % u, file=sys.stderr)
        return 2
    if not a.fixes and (a.grid or a.corr):
        return plot_acq_corr(a)
    if not a.fixes:
        print("bdsrx-plot: missing argument\nusage: bdsrx-plot FIXES.jsonl [options] | --grid GRID.json | --corr CORR.json   (bdsrx-plot --help)",
              file=sys.stderr)
        return 2
    fmts = [x.strip().lower() for x in a.format.split(",") if x.strip()]
    for x in fmts:
        if x not in ("png", "svg"):
            ap.error("--format: '%s' is not png or svg" % x)
    ref = None
    if a.ref:
        try:
            ref = [float(v) for v in a.ref.split(",")]
            assert len(ref) == 3 and all(math.isfinite(v) for v in ref)
        except (ValueError, AssertionError):
            ap.error("--ref: give LAT,LON,H in degrees and metres, e.g. 30.5,114.3,50")
    try:
        rows = read_fixes(a.fixes)
    except OSError as e:
        print("bdsrx-plot: %s" % e, file=sys.stderr)
        return 1
    if not rows:
        print("bdsrx-plot: %s: no solution lines (bdsrx run ... --json=FILE writes them)" % a.fixes, file=sys.stderr)
        return 1
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = a.out or os.path.dirname(os.path.abspath(a.fixes)) if a.fixes != "-" else (a.out or ".")
    os.makedirs(out, exist_ok=True)
    t0 = rows[0][0]
    fixes = [(t - t0, d) for t, d in rows if d.get("fix") not in (None, "none")]
    data = {"t0_bdt_s": t0, "skyplot": {}, "cn0": {}, "enu": [], "n_used": [], "n_sat": [], "ref": None}
    for t, d in rows:
        for s in d.get("sats", []):
            prn = str(s["prn"])
            if (s.get("el_deg") or 0) > 0 and s.get("az_deg") is not None:
                data["skyplot"].setdefault(prn, []).append([s["az_deg"], s["el_deg"], s.get("cn0_dbhz")])
            if s.get("cn0_dbhz") is not None:
                data["cn0"].setdefault(prn, []).append([t - t0, s["cn0_dbhz"]])
        data["n_used"].append([t - t0, d.get("n_used", 0) if d.get("fix") != "none" else 0])
        data["n_sat"].append([t - t0, len(d.get("sats", []))])
    if fixes:
        if ref:
            rlat, rlon, rh = math.radians(ref[0]), math.radians(ref[1]), ref[2]
        else:  # mean position
            rlat = math.radians(sum(d["lat_deg"] for _, d in fixes) / len(fixes))
            rlon = math.radians(sum(d["lon_deg"] for _, d in fixes) / len(fixes))
            rh = sum(d["h_m"] for _, d in fixes) / len(fixes)
        data["ref"] = [math.degrees(rlat), math.degrees(rlon), rh, "given" if ref else "mean"]
        r0 = llh_to_ecef(rlat, rlon, rh)
        for t, d in fixes:
            p = llh_to_ecef(math.radians(d["lat_deg"]), math.radians(d["lon_deg"]), d["h_m"])
            e, n, u = ecef_to_enu([p[i] - r0[i] for i in range(3)], rlat, rlon)
            data["enu"].append([t, e, n, u])
    written = []

    def save(fig, name):
        for x in fmts:
            path = os.path.join(out, "%s.%s" % (name, x))
            fig.savefig(path, dpi=110)
            written.append(path)
        plt.close(fig)

    # skyplot
    fig = plt.figure(figsize=(6, 6))
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_rlim(90, 0)
    ax.set_rticks([80, 60, 40, 20, 0])
    sc = None
    for prn, pts in sorted(data["skyplot"].items(), key=lambda kv: int(kv[0])):
        az = [math.radians(p[0]) for p in pts]
        el = [p[1] for p in pts]
        c = [p[2] if p[2] is not None else 0 for p in pts]
        sc = ax.scatter(az, el, c=c, cmap="viridis", vmin=25, vmax=50, s=12)
        ax.annotate("C%02d" % int(prn), (az[-1], el[-1]), fontsize=8)
    if sc is not None:
        fig.colorbar(sc, ax=ax, shrink=0.7, label="C/N0 (dB-Hz)")
    ax.set_title("skyplot")
    save(fig, "skyplot")
    # C/N0
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for prn, pts in sorted(data["cn0"].items(), key=lambda kv: int(kv[0])):
        ax.plot([p[0] for p in pts], [p[1] for p in pts], label="C%02d" % int(prn))
    ax.set_xlabel("time since the first solution line (s)")
    ax.set_ylabel("C/N0 (dB-Hz)")
    ax.grid(True, alpha=0.3)
    if data["cn0"]:
        ax.legend(fontsize=7, ncol=4)
    ax.set_title("C/N0 per satellite")
    save(fig, "cn0")
    # ENU
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    if data["enu"]:
        e = [x[1] for x in data["enu"]]
        n = [x[2] for x in data["enu"]]
        u = [x[3] for x in data["enu"]]
        t = [x[0] for x in data["enu"]]
        a1.plot(e, n, ".-", ms=4, lw=0.5)
        a1.plot([0], [0], "r+", ms=12)
        a1.set_aspect("equal", adjustable="datalim")
        h = [math.hypot(x, y) for x, y in zip(e, n)]
        d3 = [math.sqrt(x * x + y * y + z * z) for x, y, z in zip(e, n, u)]
        rms = lambda v: math.sqrt(sum(x * x for x in v) / len(v))
        a1.set_title("horizontal: RMS %.2f m, max %.2f m" % (rms(h), max(h)))
        a2.plot(t, e, label="east")
        a2.plot(t, n, label="north")
        a2.plot(t, u, label="up")
        a2.set_title("3D: RMS %.2f m, max %.2f m (%s reference)" % (rms(d3), max(d3), data["ref"][3]))
        a2.legend()
        data["rms_3d_m"], data["rms_h_m"] = rms(d3), rms(h)
    a1.set_xlabel("east (m)")
    a1.set_ylabel("north (m)")
    a2.set_xlabel("time (s)")
    a2.set_ylabel("m")
    for x in (a1, a2):
        x.grid(True, alpha=0.3)
    save(fig, "enu")
    # satellites and fix
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.step([x[0] for x in data["n_sat"]], [x[1] for x in data["n_sat"]], where="post", label="observed")
    ax.step([x[0] for x in data["n_used"]], [x[1] for x in data["n_used"]], where="post", label="used in the fix")
    if fixes:
        data["first_fix_s"] = fixes[0][0]
        ax.axvline(fixes[0][0], color="k", ls=":", label="first fix %.1f s" % fixes[0][0])
    ax.set_xlabel("time since the first solution line (s)")
    ax.set_ylabel("satellites")
    ax.legend()
    ax.grid(True, alpha=0.3)
    ax.set_title("satellites and fixes (%d of %d epochs with a fix)" % (len(fixes), len(rows)))
    save(fig, "sats")
    if a.grid or a.corr:  # also the search grid / correlator pictures, into the same --out
        a.out = out
        rc = plot_acq_corr(a, data, written)
        if rc:
            return rc
    if a.data:
        with open(a.data, "w") as f:
            json.dump(data, f)
    if not a.quiet:
        for p in written:
            print(p)
    return 0


def ideal_corr(modulation, tau):
    """Autocorrelation of an infinitely long random code, unlimited bandwidth, tau in chips:
    BPSK 1 - |tau| (|tau| < 1); sine-phased BOC(1,1) (two half chips +1, -1): 1 - 3|tau| up to
    |tau| = 1/2 (-1/2 there), then |tau| - 1 up to 1 (Betz, 'Binary offset carrier modulations
    for radionavigation', Navigation 48(4), 2001, for n = 2 half chips)."""
    t = abs(tau)
    if t >= 1.0:
        return 0.0
    if modulation.startswith("BOC"):
        return 1.0 - 3.0 * t if t <= 0.5 else t - 1.0
    return 1.0 - t


def load_json(path, kind):
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        print("bdsrx-plot: %s: %s" % (path, e), file=sys.stderr)
        return None
    if not isinstance(d, dict) or d.get("kind") != kind:
        print("bdsrx-plot: %s: not a %s file (bdsrx %s)" % (path, kind,
              "acquire --grid" if kind == "acq_grid" else "track --corr"), file=sys.stderr)
        return None
    return d


def plot_acq_corr(a, data=None, written=None):
    """--grid / --corr pictures; with data/written from the solution plots, adds to them."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fmts = [x.strip().lower() for x in a.format.split(",") if x.strip()]
    for x in fmts:
        if x not in ("png", "svg"):
            print("bdsrx-plot: --format: '%s' is not png or svg" % x, file=sys.stderr)
            return 2
    own = data is None
    data = {} if own else data
    written = [] if written is None else written
    src = a.grid or a.corr
    out = a.out or os.path.dirname(os.path.abspath(src))
    os.makedirs(out, exist_ok=True)

    def save(fig, name):
        for x in fmts:
            path = os.path.join(out, "%s.%s" % (name, x))
            fig.savefig(path, dpi=110)
            written.append(path)
        plt.close(fig)

    if a.grid:
        g = load_json(a.grid, "acq_grid")
        if g is None:
            return 1
        dop, cp, pw, pk = g["doppler_hz"], g["code_phase_chips"], g["power"], g["peak"]
        fig = plt.figure(figsize=(13, 5))
        ax = fig.add_subplot(1, 2, 1)
        dd = (dop[1] - dop[0]) / 2 if len(dop) > 1 else 1.0
        cw = (cp[1] - cp[0]) / 2 if len(cp) > 1 else 1.0
        im = ax.imshow(pw, origin="lower", aspect="auto", cmap="viridis", interpolation="nearest",
                       extent=[cp[0] - cw, cp[-1] + cw, dop[0] - dd, dop[-1] + dd])
        fig.colorbar(im, ax=ax, label="power / noise floor")
        ax.plot([pk["code_phase_chips"]], [pk["doppler_hz"]], "o", mfc="none", mec="r", ms=14, mew=2)
        ax.annotate("peak %.0f x floor\n%.0f Hz, %.1f chips" % (pk["power"], pk["doppler_hz"], pk["code_phase_chips"]),
                    (pk["code_phase_chips"], pk["doppler_hz"]), xytext=(10, 10), textcoords="offset points",
                    color="r", fontsize=8)
        ax.set_xlabel("code phase (chips; maximum over %.1f chips per column)" % (2 * cw))
        ax.set_ylabel("Doppler (Hz)")
        ax.set_title("%s C%02d search grid (threshold %.1f x floor)" % (g["signal"], g["prn"], g["threshold"]))
        z = g["zoom"]
        ax3 = fig.add_subplot(1, 2, 2, projection="3d")
        X = [[c for c in z["code_phase_chips"]] for _ in z["doppler_hz"]]
        Y = [[d for _ in z["code_phase_chips"]] for d in z["doppler_hz"]]
        import numpy as np
        ax3.plot_surface(np.array(X), np.array(Y), np.array(z["power"]), cmap="viridis", linewidth=0)
        ax3.set_xlabel("code phase (chips)")
        ax3.set_ylabel("Doppler (Hz)")
        ax3.set_zlabel("power / floor")
        ax3.set_title("around the peak (every cell)")
        save(fig, "acq_grid_C%02d" % g["prn"])
        data["grid"] = {"prn": g["prn"], "doppler_hz": dop, "code_phase_chips": cp, "power": pw, "peak": pk,
                        "zoom_doppler_hz": z["doppler_hz"], "zoom_code_phase_chips": z["code_phase_chips"],
                        "zoom_power": z["power"]}
    if a.corr:
        c = load_json(a.corr, "corr_shape")
        if c is None:
            return 1
        off, pw, am = c["offset_chips"], c["power"], c["amplitude"]
        fine = [-1.5 + 3.0 * i / 600 for i in range(601)]
        ia = [ideal_corr(c["modulation"], t) for t in fine]
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.5))
        a1.plot(off, pw, "o-", ms=3, label="measured (%d x %.0f ms)" % (c["periods"], c["period_ms"]))
        a1.plot(fine, [v * v for v in ia], "k--", lw=1, label="ideal %s" % c["modulation"])
        a1.set_ylabel("power (prompt = 1)")
        a2.plot(off, am, "o-", ms=3, label="measured")
        a2.plot(fine, ia, "k--", lw=1, label="ideal %s" % c["modulation"])
        a2.axhline(0, color="grey", lw=0.5)
        a2.set_ylabel("amplitude (projected on the prompt)")
        for x in (a1, a2):
            x.set_xlabel("code offset from the prompt (chips)")
            x.grid(True, alpha=0.3)
            x.legend(fontsize=8)
        fig.suptitle("%s C%02d correlator shape" % (c["signal"], c["prn"]))
        save(fig, "corr_C%02d" % c["prn"])
        data["corr"] = {"prn": c["prn"], "offset_chips": off, "power": pw, "amplitude": am,
                        "ideal_amplitude": [ideal_corr(c["modulation"], t) for t in off]}
    if own:
        if a.data:
            with open(a.data, "w") as f:
                json.dump(data, f)
        if not a.quiet:
            for p in written:
                print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
