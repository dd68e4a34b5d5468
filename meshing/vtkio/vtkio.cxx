/* VTK XML writers. Inline binary always (ParaView 5.11 on Debian 12 cannot read appended data).
 * Each file is written to "<path>.part" and renamed on success, so a failed write leaves no
 * half-written file under the requested name. */
#include "htvtkio.h"
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkDoubleArray.h>
#include <vtkFloatArray.h>
#include <vtkIdTypeArray.h>
#include <vtkImageData.h>
#include <vtkIntArray.h>
#include <vtkMatrix3x3.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnstructuredGrid.h>
#include <vtkXMLImageDataWriter.h>
#include <vtkXMLPolyDataWriter.h>
#include <vtkXMLUnstructuredGridWriter.h>
#include <vtkXMLWriter.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

static PetscErrorCode WriteXML(vtkXMLWriter *w, vtkDataObject *obj, const char *path)
{
  std::string tmp = std::string(path) + ".part";
  PetscFunctionBeginUser;
  w->SetInputData(obj);
  w->SetFileName(tmp.c_str());
  w->SetDataModeToBinary(); /* inline base64, never appended */
  w->SetCompressorTypeToZLib();
  int ok = w->Write();
  if (!ok || w->GetErrorCode() != 0) {
    std::remove(tmp.c_str());
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write VTK XML file (VTK error code %lu)", path, (unsigned long)w->GetErrorCode());
  }
  if (std::rename(tmp.c_str(), path) != 0) {
    std::remove(tmp.c_str());
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot rename the written file into place", path);
  }
  PetscFunctionReturn(0);
}

static void GridToImage(const HtGrid *g, vtkImageData *img)
{
  vtkNew<vtkMatrix3x3> D;
  img->SetDimensions((int)g->n[0], (int)g->n[1], (int)g->n[2]);
  img->SetOrigin(g->origin[0], g->origin[1], g->origin[2]);
  img->SetSpacing(g->spacing[0], g->spacing[1], g->spacing[2]);
  /* VTK: world = origin + D * (ijk .* spacing); column a of D is index axis a */
  for (int a = 0; a < 3; a++)
    for (int c = 0; c < 3; c++) D->SetElement(c, a, g->dir[3 * a + c]);
  img->SetDirectionMatrix(D);
}

static PetscErrorCode CheckPath(const char *path, const char *what)
{
  PetscFunctionBeginUser;
  PetscCheck(path && path[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "VTK %s writer: empty output path", what);
  {
    /* a missing folder is the common failure: report it before VTK prints its own errors */
    std::string dir(path);
    size_t      slash = dir.find_last_of('/');
    dir               = slash == std::string::npos ? "." : (slash == 0 ? "/" : dir.substr(0, slash));
    PetscBool ex = PETSC_FALSE, isdir = PETSC_FALSE;
    PetscCall(HtPath_Exists(dir.c_str(), &ex, &isdir));
    PetscCheck(ex && isdir, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: output folder %s does not exist", path, dir.c_str());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtVTK_WriteVolume(const char *path, const HtVolume *v, const char *array)
{
  PetscFunctionBeginUser;
  PetscCall(CheckPath(path, "volume"));
  PetscCheck(v && v->val, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: volume has no data", path);
  try {
    vtkNew<vtkImageData>  img;
    vtkNew<vtkFloatArray> a;
    size_t                n = HtGrid_Count(&v->g);
    GridToImage(&v->g, img);
    a->SetName(array && array[0] ? array : "HU");
    a->SetNumberOfComponents(1);
    /* borrow the voxels (no copy of a CT-sized array); save=1: VTK never frees or writes them */
    a->SetArray(const_cast<float *>(v->val), (vtkIdType)n, 1);
    img->GetPointData()->SetScalars(a);
    vtkNew<vtkXMLImageDataWriter> w;
    PetscCall(WriteXML(w, img, path));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtVTK_WriteLabels(const char *path, const HtLabels *l, const char *array)
{
  PetscFunctionBeginUser;
  PetscCall(CheckPath(path, "labels"));
  PetscCheck(l && l->lab, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: label map has no data", path);
  try {
    vtkNew<vtkImageData>          img;
    vtkNew<vtkUnsignedCharArray> a;
    size_t                        n = HtGrid_Count(&l->g);
    GridToImage(&l->g, img);
    a->SetName(array && array[0] ? array : "label");
    a->SetNumberOfComponents(1);
    a->SetArray(const_cast<unsigned char *>(static_cast<const unsigned char *>(l->lab)), (vtkIdType)n, 1);
    img->GetPointData()->SetScalars(a);
    vtkNew<vtkXMLImageDataWriter> w;
    PetscCall(WriteXML(w, img, path));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtVTK_WriteSurface(const char *path, const HtSurface *s)
{
  PetscFunctionBeginUser;
  PetscCall(CheckPath(path, "surface"));
  PetscCheck(s && s->ntri > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: surface is empty", path);
  try {
    vtkNew<vtkPoints>    pts;
    vtkNew<vtkCellArray> cells;
    vtkNew<vtkIntArray>  cap;
    vtkNew<vtkPolyData>  pd;
    pts->SetDataTypeToDouble();
    pts->SetNumberOfPoints(s->npts);
    for (PetscInt i = 0; i < s->npts; i++) pts->SetPoint(i, &s->x[3 * i]);
    cap->SetName("cap_id");
    cap->SetNumberOfTuples(s->ntri);
    for (PetscInt t = 0; t < s->ntri; t++) {
      vtkIdType ids[3] = {s->tri[3 * t], s->tri[3 * t + 1], s->tri[3 * t + 2]};
      PetscCheck(ids[0] >= 0 && ids[0] < s->npts && ids[1] >= 0 && ids[1] < s->npts && ids[2] >= 0 && ids[2] < s->npts, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: triangle %" PetscInt_FMT " refers to a missing point", path, t);
      cells->InsertNextCell(3, ids);
      cap->SetValue(t, s->tag ? (int)s->tag[t] : 0);
    }
    pd->SetPoints(pts);
    pd->SetPolys(cells);
    pd->GetCellData()->AddArray(cap);
    vtkNew<vtkXMLPolyDataWriter> w;
    PetscCall(WriteXML(w, pd, path));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtVTK_WriteMesh(const char *path, const HtMesh *m)
{
  PetscFunctionBeginUser;
  PetscCall(CheckPath(path, "mesh"));
  PetscCheck(m && m->ntet > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: mesh has no tetrahedra", path);
  try {
    vtkNew<vtkPoints>           pts;
    vtkNew<vtkUnstructuredGrid> ug;
    vtkNew<vtkIntArray>         region, bid;
    pts->SetDataTypeToDouble();
    pts->SetNumberOfPoints(m->nnodes);
    for (PetscInt i = 0; i < m->nnodes; i++) pts->SetPoint(i, &m->x[3 * i]);
    ug->SetPoints(pts);
    ug->Allocate(m->ntet + m->nbtri);
    region->SetName("region");
    bid->SetName("boundary_id");
    for (PetscInt t = 0; t < m->ntet; t++) {
      vtkIdType ids[4];
      for (int k = 0; k < 4; k++) {
        ids[k] = m->tet[4 * t + k];
        PetscCheck(ids[k] >= 0 && ids[k] < m->nnodes, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: tetrahedron %" PetscInt_FMT " refers to a missing node", path, t);
      }
      ug->InsertNextCell(VTK_TETRA, 4, ids);
      region->InsertNextValue(0);
      bid->InsertNextValue(-1);
    }
    for (PetscInt t = 0; t < m->nbtri; t++) {
      vtkIdType ids[3];
      for (int k = 0; k < 3; k++) {
        ids[k] = m->btri[3 * t + k];
        PetscCheck(ids[k] >= 0 && ids[k] < m->nnodes, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: boundary triangle %" PetscInt_FMT " refers to a missing node", path, t);
      }
      ug->InsertNextCell(VTK_TRIANGLE, 3, ids);
      region->InsertNextValue(1);
      bid->InsertNextValue((int)m->btag[t]);
    }
    ug->GetCellData()->AddArray(region);
    ug->GetCellData()->AddArray(bid);
    vtkNew<vtkXMLUnstructuredGridWriter> w;
    PetscCall(WriteXML(w, ug, path));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscInt HtVTK_NetworkPointCount(const HtNetwork *net)
{
  PetscInt n = 0;
  for (PetscInt s = 0; s < net->nsegs; s++) n += net->segs[s].npts;
  return n;
}

extern "C" PetscErrorCode HtVTK_WriteNetwork(const char *path, const HtNetwork *net, PetscInt narrays, const HtVTKArray *arrays)
{
  PetscFunctionBeginUser;
  PetscCall(CheckPath(path, "network"));
  PetscCheck(net && net->nsegs > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: network has no segments", path);
  PetscCheck(narrays == 0 || arrays, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: %" PetscInt_FMT " arrays announced but none given", path, narrays);
  try {
    PetscInt               np = HtVTK_NetworkPointCount(net), off = 0;
    vtkNew<vtkPoints>      pts;
    vtkNew<vtkCellArray>   lines;
    vtkNew<vtkDoubleArray> rad, arc;
    vtkNew<vtkIntArray>    sid, kind;
    vtkNew<vtkPolyData>    pd;
    pts->SetDataTypeToDouble();
    pts->SetNumberOfPoints(np);
    rad->SetName("radius_mm");
    rad->SetNumberOfTuples(np);
    arc->SetName("arc_length_mm");
    arc->SetNumberOfTuples(np);
    sid->SetName("segment_id");
    kind->SetName("segment_kind");
    for (PetscInt s = 0; s < net->nsegs; s++) {
      const HtNetSegment *seg = &net->segs[s];
      PetscCheck(seg->npts >= 2 && seg->x && seg->r, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: segment %s has no centerline samples", path, seg->name);
      vtkNew<vtkIdList> ids;
      for (PetscInt i = 0; i < seg->npts; i++) {
        pts->SetPoint(off + i, &seg->x[3 * i]);
        rad->SetValue(off + i, seg->r[i]);
        arc->SetValue(off + i, seg->s ? seg->s[i] : 0.0);
        ids->InsertNextId(off + i);
      }
      lines->InsertNextCell(ids);
      sid->InsertNextValue((int)s);
      kind->InsertNextValue((int)seg->kind);
      off += seg->npts;
    }
    pd->SetPoints(pts);
    pd->SetLines(lines);
    pd->GetPointData()->AddArray(rad);
    pd->GetPointData()->AddArray(arc);
    pd->GetCellData()->AddArray(sid);
    pd->GetCellData()->AddArray(kind);
    for (PetscInt a = 0; a < narrays; a++) {
      const HtVTKArray *A = &arrays[a];
      PetscCheck(A->name && A->name[0] && A->ncomp >= 1 && A->ncomp <= 9 && A->val, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: network array %" PetscInt_FMT " has no name, values or a valid component count", path, a);
      vtkNew<vtkDoubleArray> arr;
      arr->SetName(A->name);
      arr->SetNumberOfComponents((int)A->ncomp);
      arr->SetNumberOfTuples(np);
      for (PetscInt i = 0; i < np * A->ncomp; i++) arr->SetValue(i, A->val[i]);
      pd->GetPointData()->AddArray(arr);
    }
    vtkNew<vtkXMLPolyDataWriter> w;
    PetscCall(WriteXML(w, pd, path));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtVTK_WritePVD(const char *path, PetscInt n, const char *const *files, const PetscReal *times)
{
  std::string tmp;
  FILE       *f;
  PetscFunctionBeginUser;
  PetscCall(CheckPath(path, "PVD"));
  PetscCheck(n >= 0 && (n == 0 || (files && times)), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: PVD needs file names and times", path);
  tmp = std::string(path) + ".part";
  f   = std::fopen(tmp.c_str(), "w");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot create", path);
  std::fprintf(f, "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n  <Collection>\n");
  for (PetscInt i = 0; i < n; i++) {
    if (!files[i] || strchr(files[i], '"') || strchr(files[i], '<') || strchr(files[i], '&') || !std::isfinite(times[i])) {
      std::fclose(f);
      std::remove(tmp.c_str());
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: entry %" PetscInt_FMT " has an invalid file name or time", path, i);
    }
    std::fprintf(f, "    <DataSet timestep=\"%.10g\" group=\"\" part=\"0\" file=\"%s\"/>\n", (double)times[i], files[i]);
  }
  std::fprintf(f, "  </Collection>\n</VTKFile>\n");
  if (std::fclose(f) != 0 || std::rename(tmp.c_str(), path) != 0) {
    std::remove(tmp.c_str());
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write", path);
  }
  PetscFunctionReturn(0);
}
