#!/usr/bin/env python3
"""Every candidates/<name>.json of a plan report, run through `hemotwin 0d`, gives the pressures that
report.json states for that candidate (1e-6 relative). Usage: check_candidate_0d.py HEMOTWIN REPORT_DIR
(the report of tests/plan/test_plan_zerod.c: sites proximal = branch4_seg0 inlet, arm = branch2_seg2 outlet)."""
import csv, json, os, subprocess, sys

MMHG = 1333.22387415
exe, rdir = sys.argv[1], sys.argv[2]
rep = json.load(open(os.path.join(rdir, "report.json")))
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
fails = 0
for c in rep["candidates"]:
    model = os.path.join(rdir, c["model"])
    out = os.path.join(rdir, c["name"] + "_0d.csv")
    subprocess.run([exe, "0d", model, "--out", out], check=True, env=env, stderr=subprocess.DEVNULL)
    pin, pout = {}, {}
    with open(out) as f:
        for row in csv.DictReader(f):
            pin.setdefault(row["name"], []).append(float(row["pressure_in"]))
            pout.setdefault(row["name"], []).append(float(row["pressure_out"]))
    checks = [("pressure_systolic_mmHg_proximal", max(pin["branch4_seg0"]) / MMHG),
              ("pressure_systolic_mmHg_arm", max(pout["branch2_seg2"]) / MMHG),
              ("pressure_diastolic_mmHg_arm", min(pout["branch2_seg2"]) / MMHG)]
    for key, got in checks:
        want = c["metrics"][key]
        rel = abs(got - want) / abs(want)
        print(f"{c['name']:10s} {key:34s} hemotwin 0d {got:.9f}  report {want:.9f}  rel {rel:.2e}")
        if rel > 1e-6:
            fails += 1
print("PASS" if fails == 0 else f"{fails} mismatches")
sys.exit(1 if fails else 0)
