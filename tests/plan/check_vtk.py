#!/usr/bin/env python3
"""Read the planning VTK output with VTK's own XML reader (a second tool): every frame of every .pvd
in the folder must load, carry pressure_mmHg / flow_mL_s / radius_mm point arrays and a segment_kind cell
array (1 = graft), and hold finite, physiological pressures. Prints what it measured."""
import math, os, sys, xml.etree.ElementTree as ET
import vtk

folder = sys.argv[1] if len(sys.argv) > 1 else "plan_results"
pvds = sorted(f for f in os.listdir(folder) if f.endswith(".pvd"))
if not pvds:
    sys.exit(f"FAIL: no .pvd in {folder}")
fail = 0
for pvd in pvds:
    sets = ET.parse(os.path.join(folder, pvd)).getroot().findall(".//DataSet")
    pmin, pmax, ngraft, times = math.inf, -math.inf, 0, []
    for ds in sets:
        r = vtk.vtkXMLPolyDataReader()
        r.SetFileName(os.path.join(folder, ds.get("file")))
        r.Update()
        pd = r.GetOutput()
        pt = pd.GetPointData()
        for name in ("pressure_mmHg", "flow_mL_s", "radius_mm"):
            if pt.GetArray(name) is None or pt.GetArray(name).GetNumberOfTuples() != pd.GetNumberOfPoints():
                print(f"FAIL {pvd}: {ds.get('file')} lacks point array {name}")
                fail += 1
        g = pd.GetCellData().GetArray("segment_kind")  # 1 = graft
        if g is None:
            print(f"FAIL {pvd}: no segment_kind cell array")
            fail += 1
        else:
            ngraft = max(ngraft, sum(int(g.GetValue(i)) for i in range(g.GetNumberOfTuples())))
        lo, hi = pt.GetArray("pressure_mmHg").GetRange()
        pmin, pmax = min(pmin, lo), max(pmax, hi)
        times.append(float(ds.get("timestep")))
    print(f"{pvd}: {len(sets)} frames over {times[-1]:.3f} s, {pd.GetNumberOfPoints()} points, "
          f"{pd.GetNumberOfLines()} lines, {ngraft} graft segment(s), pressure {pmin:.1f}..{pmax:.1f} mmHg")
    if len(sets) < 10 or times != sorted(times):
        print(f"FAIL {pvd}: {len(sets)} frames, times not increasing")
        fail += 1
    if not (30 < pmin and pmax < 250):
        print(f"FAIL {pvd}: pressure range {pmin}..{pmax} mmHg not physiological")
        fail += 1
    if ("bypass" in pvd) != (ngraft == 1):
        print(f"FAIL {pvd}: {ngraft} graft segments")
        fail += 1
print("PASS" if not fail else f"{fail} check(s) failed")
sys.exit(1 if fail else 0)
