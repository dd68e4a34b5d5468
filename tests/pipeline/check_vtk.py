#!/usr/bin/env python3
"""Read back every VTK file of a hemotwin output folder with VTK's own XML readers (a second tool):
each file must be inline binary or ASCII (no appended data: ParaView 5.11 on Debian 12), non-empty,
free of NaN/Inf, and carry the arrays the README promises. Optionally the Dice of the segmentation
(all non-zero labels) against exact truth labels.
usage: check_vtk.py OUT_DIR [--dice TRUTH.vti MIN]"""
import math, os, sys
import xml.etree.ElementTree as ET

import numpy as np
from vtkmodules.util.numpy_support import vtk_to_numpy
import vtkmodules.vtkIOXML as vx

out = sys.argv[1]
truth, dice_min = None, None
if "--dice" in sys.argv:
    i = sys.argv.index("--dice")
    truth, dice_min = sys.argv[i + 1], float(sys.argv[i + 2])
fails = 0


def check(cond, what):
    global fails
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        fails += 1


READERS = {".vti": vx.vtkXMLImageDataReader, ".vtp": vx.vtkXMLPolyDataReader, ".vtu": vx.vtkXMLUnstructuredGridReader}


def read(path):
    with open(path, "rb") as f:
        head = f.read()
    check(b"<AppendedData" not in head, "%s: no appended data" % os.path.relpath(path, out))
    r = READERS[os.path.splitext(path)[1]]()
    r.SetFileName(path)
    r.Update()
    return r.GetOutput()


def arrays(ds):
    res = {}
    for data in (ds.GetPointData(), ds.GetCellData()):
        for k in range(data.GetNumberOfArrays()):
            a = data.GetArray(k)
            if a is not None:
                res[a.GetName()] = vtk_to_numpy(a)
    return res


def check_file(path, expect=()):
    rel = os.path.relpath(path, out)
    ds = read(path)
    npts, ncells = ds.GetNumberOfPoints(), ds.GetNumberOfCells()
    arr = arrays(ds)
    check(npts > 0, "%s: %d points, %d cells" % (rel, npts, ncells))
    if not path.endswith(".vti"):
        pts = vtk_to_numpy(ds.GetPoints().GetData()) if ds.GetPoints() else np.zeros((0, 3))
        check(np.isfinite(pts).all(), "%s: point coordinates finite" % rel)
    for name, a in arr.items():
        check(np.isfinite(a.astype(float)).all(), "%s: array %s (%d values) finite, range %.4g..%.4g" % (rel, name, a.size, float(np.min(a)) if a.size else 0, float(np.max(a)) if a.size else 0))
    for e in expect:
        check(e in arr, "%s: has array %s" % (rel, e))
    return ds, arr


expected = {"image.vti": ["HU"], "segmentation.vti": ["label"], "network.vtp": ["radius_mm"],
            "surface.vtp": ["cap_id"], "mesh.vtu": ["region", "boundary_id"]}
for name, exp in expected.items():
    p = os.path.join(out, name)
    check(os.path.exists(p), "%s exists" % name)
    if os.path.exists(p):
        check_file(p, exp)

# Every candidate's results collection: the .pvd lists frames that exist and carry pressure and flow.
res_dir = os.path.join(out, "results")
pvds = sorted(f for f in os.listdir(res_dir) if f.endswith(".pvd")) if os.path.isdir(res_dir) else []
check(len(pvds) > 0, "results/*.pvd present (%d)" % len(pvds))
for pvd in pvds:
    root = ET.parse(os.path.join(res_dir, pvd)).getroot()
    frames = [d.get("file") for d in root.iter("DataSet")]
    check(len(frames) > 1, "results/%s: %d frames" % (pvd, len(frames)))
    pmin, pmax = math.inf, -math.inf
    for fr in frames:
        ds, arr = check_file(os.path.join(res_dir, fr), ["pressure_mmHg", "flow_mL_s"]) if fr == frames[0] else (None, None)
        if ds is None:
            ds = read(os.path.join(res_dir, fr))
            arr = arrays(ds)
            ok = all(np.isfinite(a.astype(float)).all() for a in arr.values()) and "pressure_mmHg" in arr
            if not ok:
                check(False, "results/%s: frame %s finite with pressure_mmHg" % (pvd, fr))
        if "pressure_mmHg" in arr:
            pmin, pmax = min(pmin, float(arr["pressure_mmHg"].min())), max(pmax, float(arr["pressure_mmHg"].max()))
    print("results/%s: pressure over the cycle %.1f..%.1f mmHg" % (pvd, pmin, pmax))
    check(0 < pmin < pmax < 400, "results/%s: physiological pressure range" % pvd)

# Any other VTK file in the folder is read too.
for dp, dn, fn in os.walk(out):
    if os.path.relpath(dp, out).startswith(("results", "phantom_dicom")):
        continue
    for f in fn:
        p = os.path.join(dp, f)
        if os.path.splitext(f)[1] in READERS and os.path.relpath(p, out) not in expected:
            check_file(p)

if truth:
    seg = read(os.path.join(out, "segmentation.vti"))
    tru = read(truth)
    check(seg.GetDimensions() == tru.GetDimensions(), "segmentation and truth grids have the same dimensions %s %s" % (seg.GetDimensions(), tru.GetDimensions()))
    check(all(abs(a - b) < 1e-3 for a, b in zip(seg.GetOrigin() + seg.GetSpacing(), tru.GetOrigin() + tru.GetSpacing())), "same origin and spacing")
    s = vtk_to_numpy(seg.GetPointData().GetArray("label"))
    t = vtk_to_numpy(tru.GetPointData().GetArray("label"))
    if s.shape == t.shape:
        a, b = s > 0, t > 0
        dice = 2.0 * np.logical_and(a, b).sum() / max(1, a.sum() + b.sum())
        ao = 2.0 * np.logical_and(s == 1, t == 1).sum() / max(1, (s == 1).sum() + (t == 1).sum())
        vox = np.prod(seg.GetSpacing()) / 1000.0
        print("blood pool: segmented %.1f mL, true %.1f mL; Dice %.4f (aorta label alone %.4f)" % (a.sum() * vox, b.sum() * vox, dice, ao))
        check(dice >= dice_min, "blood-pool Dice %.4f >= %.2f" % (dice, dice_min))

print("%d check(s) failed" % fails if fails else "PASS")
sys.exit(1 if fails else 0)
