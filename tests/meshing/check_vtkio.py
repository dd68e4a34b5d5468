#!/usr/bin/env python3
"""Read the files of test_meshing_vtkio_write back with VTK's XML readers (a second tool) and check
them against the analytic definitions of the synthetic tube (tests/meshing/tube.h)."""
import math, sys
import vtk
from vtk.util.numpy_support import vtk_to_numpy
import numpy as np

fails = []
def check(cond, msg):
    if not cond:
        fails.append(msg)
        print("FAIL", msg)

def header(path):
    with open(path, 'rb') as f:
        txt = f.read(4000).decode('latin-1')
    check('format="appended"' not in txt and 'AppendedData' not in txt, path + ": appended data")
    check('format="binary"' in txt, path + ": not inline binary")

def read(reader_cls, path):
    header(path)
    r = reader_cls()
    r.SetFileName(path)
    r.Update()
    check(r.GetErrorCode() == 0, path + ": reader error")
    return r.GetOutput()

def no_nan(arr, what):
    a = vtk_to_numpy(arr)
    check(np.all(np.isfinite(a)), what + ": NaN/Inf")
    return a

# expected grid, as in tube.h: R = Rx(20 deg) Rz(30 deg), column a = index axis a
a, b = math.pi / 6, math.pi / 9
Rz = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
Rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
R = Rx @ Rz
n = (48, 48, 80)

for name, arrname in (("vtkio_volume.vti", "HU"), ("vtkio_labels.vti", "label")):
    img = read(vtk.vtkXMLImageDataReader, name)
    check(img.GetDimensions() == n, f"{name}: dimensions {img.GetDimensions()}")
    check(np.allclose(img.GetOrigin(), (-12, 30, 100)), f"{name}: origin {img.GetOrigin()}")
    check(np.allclose(img.GetSpacing(), (0.5, 0.5, 0.5)), f"{name}: spacing")
    D = np.array([[img.GetDirectionMatrix().GetElement(r, c) for c in range(3)] for r in range(3)])
    err = np.abs(D - R).max()
    print(f"{name}: direction round-trip max error {err:.2e}")
    check(err < 1e-9, f"{name}: direction matrix differs from the grid")
    arr = img.GetPointData().GetArray(arrname)
    check(arr is not None, f"{name}: no array {arrname}")
    if arr is None:
        continue
    v = no_nan(arr, name)
    k, j, i = np.meshgrid(np.arange(n[2]), np.arange(n[1]), np.arange(n[0]), indexing='ij')
    if arrname == "HU":
        check(arr.GetDataType() == vtk.VTK_FLOAT, "HU must be float")
        check(np.array_equal(v, (i + 10 * j + 100 * k - 1000).ravel().astype(np.float32)), "HU values")
        # world position of voxel (1,2,3) via VTK's own index->physical transform
        p = [0.0, 0.0, 0.0]
        img.TransformContinuousIndexToPhysicalPoint(1, 2, 3, p)
        exp = np.array([-12, 30, 100]) + R @ (0.5 * np.array([1, 2, 3]))
        print(f"voxel (1,2,3) at {np.round(p, 4)} (expected {np.round(exp, 4)})")
        check(np.allclose(p, exp, atol=1e-9), "index -> world")
    else:
        check(arr.GetDataType() == vtk.VTK_UNSIGNED_CHAR, "labels must be uint8")
        inside = ((i - 23.5) * 0.5) ** 2 + ((j - 23.5) * 0.5) ** 2 <= 25.0
        print(f"{name}: {int(v.sum())} labelled voxels (analytic {int(inside.sum())})")
        check(np.array_equal(v, inside.ravel().astype(np.uint8)), "label values")

s = read(vtk.vtkXMLPolyDataReader, "vtkio_surface.vtp")
cap = s.GetCellData().GetArray("cap_id")
check(s.GetNumberOfPolys() > 0 and cap is not None, "surface: no triangles or no cap_id")
if cap is not None:
    c = vtk_to_numpy(cap)
    no_nan(s.GetPoints().GetData(), "surface points")
    print(f"surface: {s.GetNumberOfPoints()} points, {s.GetNumberOfPolys()} triangles, cap_id values {sorted(set(c.tolist()))}")
    check(sorted(set(c.tolist())) == [0, 1, 2], "cap_id values must be {0,1,2}")
    # enclosed volume by VTK's vtkMassProperties (a second implementation) vs pi r^2 L, L = 32 mm
    tf = vtk.vtkTriangleFilter(); tf.SetInputData(s)
    mp = vtk.vtkMassProperties(); mp.SetInputConnection(tf.GetOutputPort()); mp.Update()
    vexp = math.pi * 25 * 32.0
    print(f"surface volume (vtkMassProperties) {mp.GetVolume():.2f} mm^3, pi r^2 L {vexp:.2f} mm^3")
    check(abs(mp.GetVolume() / vexp - 1) < 0.02, "capped volume vs pi r^2 L")
    fe = vtk.vtkFeatureEdges(); fe.SetInputData(s)
    fe.BoundaryEdgesOn(); fe.NonManifoldEdgesOn(); fe.FeatureEdgesOff(); fe.ManifoldEdgesOff(); fe.Update()
    print(f"surface: {fe.GetOutput().GetNumberOfCells()} boundary/non-manifold edges (vtkFeatureEdges)")
    check(fe.GetOutput().GetNumberOfCells() == 0, "surface not watertight per vtkFeatureEdges")

nw = read(vtk.vtkXMLPolyDataReader, "vtkio_network.vtp")
pdat = nw.GetPointData()
print(f"network: {nw.GetNumberOfPoints()} points, {nw.GetNumberOfLines()} lines, point arrays {[pdat.GetArrayName(i) for i in range(pdat.GetNumberOfArrays())]}")
check(nw.GetNumberOfPoints() == 80 and nw.GetNumberOfLines() == 1, "network counts")
for nm, nc in (("radius_mm", 1), ("arc_length_mm", 1), ("pressure_mmHg", 1), ("velocity_mm_s", 3)):
    arr = pdat.GetArray(nm)
    check(arr is not None and arr.GetNumberOfComponents() == nc, f"network array {nm}")
    if arr is not None:
        no_nan(arr, nm)
if pdat.GetArray("radius_mm") is not None:
    check(np.allclose(vtk_to_numpy(pdat.GetArray("radius_mm")), 5.0), "radius_mm values")
    check(np.allclose(vtk_to_numpy(pdat.GetArray("pressure_mmHg")), 100 - 0.1 * np.arange(80)), "pressure values")
    check(abs(vtk_to_numpy(pdat.GetArray("arc_length_mm"))[-1] - 39.5) < 1e-9, "arc length 79 x 0.5 mm")
check(nw.GetCellData().GetArray("segment_id") is not None, "segment_id")

ug = read(vtk.vtkXMLUnstructuredGridReader, "vtkio_mesh.vtu")
types = [ug.GetCellType(i) for i in range(ug.GetNumberOfCells())]
print(f"mesh: {ug.GetNumberOfPoints()} points, cell types {types}")
check(types == [vtk.VTK_TETRA] + [vtk.VTK_TRIANGLE] * 4, "mesh cell types")
for nm, exp in (("region", [0, 1, 1, 1, 1]), ("boundary_id", [-1, 0, 1, 2, 0])):
    arr = ug.GetCellData().GetArray(nm)
    check(arr is not None and vtk_to_numpy(arr).tolist() == exp, f"mesh {nm}")
cs = vtk.vtkCellSizeFilter(); cs.SetInputData(ug); cs.Update()
vol = vtk_to_numpy(cs.GetOutput().GetCellData().GetArray("Volume"))[0]
print(f"tet volume by vtkCellSizeFilter {vol:.6f} (1/6 = {1/6:.6f})")
check(abs(vol - 1 / 6) < 1e-12, "tet volume")

# .pvd (VTK's Python has no PVD reader; it is plain XML): parse, then open each entry
import xml.etree.ElementTree as ET
root = ET.parse("vtkio_series.pvd").getroot()
ds = root.findall("./Collection/DataSet")
times = [float(d.get("timestep")) for d in ds]
print(f"pvd: {len(ds)} data sets, times {times}")
check(root.get("type") == "Collection" and times == [0.0, 0.5], "pvd collection")
for d in ds:
    out = read(vtk.vtkXMLPolyDataReader, d.get("file"))
    check(out.GetNumberOfPoints() == 80, "pvd entry " + d.get("file"))

print("PASS" if not fails else f"{len(fails)} check(s) failed")
sys.exit(1 if fails else 0)
