#!/usr/bin/env python3
"""Steady Poiseuille validation of the 3D engine (issue 6 acceptance): velocity L2 error and pressure drop
vs the analytic solution on a sequence of Gmsh pipe meshes (R 0.5 cm, L 3 cm, Q 2 mL/s, mu 0.04 P),
with the observed convergence rate. One command:
    validation/threed/poiseuille.py [BUILD_DIR] [h1 h2 ...]      (default build-threed, h = 0.2 0.14 0.1 cm)
Runs the ctest executable threed_poiseuille with -h and prints a table."""
import math, os, re, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "build-threed")
hs = [float(a) for a in sys.argv[2:]] or [0.2, 0.14, 0.1]
exe = os.path.join(build, "tests", "threed", "threed_poiseuille")
if not os.path.exists(exe):
    sys.exit(f"validation: {exe} not built (make -C {build} threed_poiseuille)")
pat = re.compile(r"h ([\d.]+) cm: (\d+) tets, velocity L2 error ([\d.e+-]+) \(relative ([\d.e+-]+) %\), dp ([\d.e+-]+) dyn/cm2 \(exact ([\d.e+-]+), ([\d.e+-]+) %\), interior -dp/dz L ([\d.e+-]+) \(([\d.e+-]+) %\)")
rows = []
for h in hs:
    out = subprocess.run([exe, "-h", str(h), "-mesh_out", f"/tmp/hemotwin_poiseuille_{h}.msh"], capture_output=True, text=True)
    m = pat.search(out.stdout + out.stderr)
    if not m:
        sys.exit(f"validation: run h={h} failed:\n{out.stderr[-2000:]}")
    rows.append(dict(h=h, tets=int(m.group(2)), l2=float(m.group(4)), dp=float(m.group(5)), dpx=float(m.group(6)), dperr=float(m.group(7)), gerr=float(m.group(9))))
print(f"{'h_cm':>6} {'tets':>8} {'vel_L2_rel_%':>13} {'rate':>6} {'dp_dyn_cm2':>11} {'dp_exact':>9} {'dp_err_%':>9} {'interior_grad_err_%':>20}")
for i, r in enumerate(rows):
    rate = ""
    if i:
        p = rows[i - 1]
        # effective mesh size from the tet count (Gmsh sizes are targets, not exact)
        rate = f"{math.log(p['l2'] / r['l2']) / math.log((r['tets'] / p['tets']) ** (1 / 3)):.2f}"
    print(f"{r['h']:>6.3f} {r['tets']:>8d} {r['l2']:>13.3f} {rate:>6} {r['dp']:>11.5f} {r['dpx']:>9.5f} {r['dperr']:>9.3f} {r['gerr']:>20.3f}")
fin = rows[-1]
ok = fin["l2"] <= 1.0 and abs(fin["dperr"]) <= 1.0
print(f"finest mesh: velocity L2 {fin['l2']:.3f} % (<= 1 %), pressure drop {fin['dperr']:.3f} % (|.| <= 1 %): {'PASS' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
