"""Read the 1D engine's network.pvd frames with VTK (a second tool) and check arrays and values:
pressure_Pa within the range of the mid-vessel CSV series +- the along-vessel spread, mmHg = Pa/133.322,
velocity = flow/area, no NaN. Usage: check_vtp.py OUTDIR"""
import math, re, sys, os
import vtk


out = sys.argv[1]
pvd = open(os.path.join(out, "network.pvd")).read()
files = re.findall(r'file="([^"]+)"', pvd)
assert len(files) == 10, files
pmin, pmax = 1e30, -1e30
for name in ("common_carotid_artery_P.csv",):
    for line in open(os.path.join(out, name)).readlines()[1:]:
        v = [float(x) for x in line.split(",")[1:]]
        pmin, pmax = min(pmin, *v), max(pmax, *v)
worst = 0.0
for fn in files:
    r = vtk.vtkXMLPolyDataReader()
    r.SetFileName(os.path.join(out, fn))
    r.Update()
    pd = r.GetOutput()
    assert pd.GetNumberOfPoints() == 126 and pd.GetNumberOfLines() == 1, (pd.GetNumberOfPoints(), pd.GetNumberOfLines())
    arr = {n: pd.GetPointData().GetArray(n) for n in ("pressure_Pa", "pressure_mmHg", "flow_m3_s", "area_m2", "velocity_m_s")}
    for n, a in arr.items():
        assert a is not None, n
    for i in range(pd.GetNumberOfPoints()):
        p = arr["pressure_Pa"].GetValue(i)
        q = arr["flow_m3_s"].GetValue(i)
        A = arr["area_m2"].GetValue(i)
        assert all(math.isfinite(x) for x in (p, q, A)), fn
        assert abs(arr["pressure_mmHg"].GetValue(i) * 133.322387415 - p) < 1e-6 * abs(p)
        assert abs(arr["velocity_m_s"].GetValue(i) * A - q) < 1e-9 + 1e-6 * abs(q)
        assert pmin - 0.02 * (pmax - pmin) <= p <= pmax + 0.02 * (pmax - pmin), (fn, p, pmin, pmax)
print("VTK read %d frames of %s: arrays present, finite, pressure within [%.1f, %.1f] Pa of the CSV series" % (len(files), out, pmin, pmax))
print("PASS")
