#!/usr/bin/env python3
"""MPI smoke test: `hemotwin 0d` on a candidate model written by the phantom run gives the same CSV on
1 and on 2 ranks. usage: mpi_0d.py MPIEXEC HEMOTWIN MODEL.json WORKDIR"""
import os, subprocess, sys

mpiexec, exe, model, work = sys.argv[1:5]
os.makedirs(work, exist_ok=True)
if not os.path.exists(model):
    print("FAIL: %s missing (the phantom pipeline test writes it)" % model)
    sys.exit(1)
res = {}
for n in (1, 2):
    csv = os.path.join(work, "result_np%d.csv" % n)
    if os.path.exists(csv):
        os.remove(csv)
    p = subprocess.run([mpiexec, "-n", str(n), exe, "0d", model, "--out", csv], capture_output=True, text=True, timeout=600)
    print("np %d: exit %d %s" % (n, p.returncode, p.stderr.strip()[-300:]))
    if p.returncode != 0 or not os.path.exists(csv):
        print("FAIL: hemotwin 0d on %d rank(s)" % n)
        sys.exit(1)
    res[n] = open(csv).read()
lines = res[1].splitlines()
print("CSV: %d lines, header %s" % (len(lines), lines[0] if lines else ""))
if res[1] != res[2] or len(lines) < 2:
    print("FAIL: results differ between 1 and 2 ranks (or are empty)")
    sys.exit(1)
print("PASS: identical results on 1 and 2 ranks")
