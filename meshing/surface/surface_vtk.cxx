/* VTK adaptor: binary label mask -> smoothed, decimated, cleaned triangle surface (LPS mm).
 * The contour is extracted in (cropped, padded) index space, because VTK imaging filters ignore the grid's
 * direction matrix; points are then mapped to LPS with HtGrid_IndexToWorld before smoothing so the
 * windowed-sinc filter sees isotropic millimetres. Decimation runs before smoothing: the smoothing
 * evens out the slivers quadric decimation leaves, which Gmsh's 3D mesher cannot refine around. */
#include "htsurface.h"
#include <vtkCellArray.h>
#include <vtkCleanPolyData.h>
#include <vtkFlyingEdges3D.h>
#include <vtkFloatArray.h>
#include <vtkIdList.h>
#include <vtkImageData.h>
#include <vtkImageGaussianSmooth.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataConnectivityFilter.h>
#include <vtkQuadricDecimation.h>
#include <vtkSmartPointer.h>
#include <vtkTriangleFilter.h>
#include <vtkWindowedSincPolyDataFilter.h>
#include <algorithm>
#include <cmath>
#include <exception>
#include <vector>

static PetscErrorCode SurfaceFromPolyData(vtkPolyData *pd, HtSurface *s)
{
  vtkIdType np = pd->GetNumberOfPoints(), nc = pd->GetNumberOfPolys();
  PetscFunctionBeginUser;
  s->npts = (PetscInt)np;
  PetscCall(PetscMalloc1(3 * np, &s->x));
  for (vtkIdType i = 0; i < np; i++) {
    double p[3];
    pd->GetPoint(i, p);
    for (int c = 0; c < 3; c++) s->x[3 * i + c] = p[c];
  }
  PetscCall(PetscMalloc1(3 * nc, &s->tri));
  PetscInt           nt = 0;
  vtkCellArray      *polys = pd->GetPolys();
  vtkNew<vtkIdList>  ids;
  polys->InitTraversal();
  while (polys->GetNextCell(ids)) {
    if (ids->GetNumberOfIds() != 3) continue; /* triangle filter ran before; skip degenerate leftovers */
    vtkIdType a = ids->GetId(0), b = ids->GetId(1), c = ids->GetId(2);
    if (a == b || b == c || a == c) continue;
    s->tri[3 * nt] = (PetscInt)a; s->tri[3 * nt + 1] = (PetscInt)b; s->tri[3 * nt + 2] = (PetscInt)c;
    nt++;
  }
  s->ntri = nt;
  PetscCall(PetscCalloc1(nt > 0 ? nt : 1, &s->tag));
  PetscFunctionReturn(0);
}

static PetscErrorCode FromLabelsVTK(const HtLabels *lab, const int *values, PetscInt nvalues, const HtSurfaceOptions *o, HtSurface *s)
{
  const HtGrid *g = &lab->g;
  bool          member[256] = {false};
  size_t        count = 0;
  PetscInt      lo[3] = {g->n[0], g->n[1], g->n[2]}, hi[3] = {-1, -1, -1}, n[3], margin;
  PetscFunctionBeginUser;
  for (PetscInt v = 0; v < nvalues; v++) {
    PetscCheck(values[v] > 0 && values[v] < 256, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface from labels: label value %d out of range 1..255", values[v]);
    member[values[v]] = true;
  }
  /* work on the labels' bounding box only (a CT volume is mostly background) */
  for (PetscInt k = 0; k < g->n[2]; k++)
    for (PetscInt j = 0; j < g->n[1]; j++)
      for (PetscInt i = 0; i < g->n[0]; i++)
        if (member[lab->lab[HtGrid_Index(g, i, j, k)]]) {
          PetscInt q[3] = {i, j, k};
          for (int a = 0; a < 3; a++) {
            lo[a] = std::min(lo[a], q[a]);
            hi[a] = std::max(hi[a], q[a]);
          }
          count++;
        }
  PetscCheck(count > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface from labels: no voxel carries the requested label(s)");
  margin = (PetscInt)std::ceil(2.5 * o->gauss_sigma_vox) + 1; /* Gaussian kernel reach */
  for (int a = 0; a < 3; a++) {
    lo[a] = std::max((PetscInt)0, lo[a] - margin);
    hi[a] = std::min(g->n[a] - 1, hi[a] + margin);
    n[a]  = hi[a] - lo[a] + 1 + 2; /* one voxel of background around, so the surface closes at the border */
  }
  vtkNew<vtkImageData> img;
  img->SetDimensions((int)n[0], (int)n[1], (int)n[2]);
  img->SetOrigin(0, 0, 0);
  img->SetSpacing(1, 1, 1);
  img->AllocateScalars(VTK_FLOAT, 1);
  float *m = static_cast<float *>(img->GetScalarPointer());
  std::fill(m, m + (size_t)n[0] * n[1] * n[2], 0.0f);
  for (PetscInt k = lo[2]; k <= hi[2]; k++)
    for (PetscInt j = lo[1]; j <= hi[1]; j++)
      for (PetscInt i = lo[0]; i <= hi[0]; i++)
        if (member[lab->lab[HtGrid_Index(g, i, j, k)]]) m[(size_t)(i - lo[0] + 1) + (size_t)n[0] * ((size_t)(j - lo[1] + 1) + (size_t)n[1] * (size_t)(k - lo[2] + 1))] = 1.0f;

  vtkSmartPointer<vtkImageData> field = img;
  vtkNew<vtkImageGaussianSmooth> gs;
  if (o->gauss_sigma_vox > 0) {
    gs->SetInputData(img);
    gs->SetDimensionality(3);
    gs->SetStandardDeviations(o->gauss_sigma_vox, o->gauss_sigma_vox, o->gauss_sigma_vox);
    gs->SetRadiusFactors(2.5, 2.5, 2.5);
    gs->Update();
    field = gs->GetOutput();
  }
  vtkNew<vtkFlyingEdges3D> fe;
  fe->SetInputData(field);
  fe->SetValue(0, 0.5);
  fe->ComputeNormalsOff();
  fe->ComputeGradientsOff();
  fe->ComputeScalarsOff();
  fe->Update();
  vtkSmartPointer<vtkPolyData> pd = fe->GetOutput();
  PetscCheck(pd->GetNumberOfPolys() > 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "surface from labels: contouring produced no triangles");

  if (o->keep_largest) {
    vtkNew<vtkPolyDataConnectivityFilter> cf;
    cf->SetInputData(pd);
    cf->SetExtractionModeToLargestRegion();
    vtkNew<vtkCleanPolyData> cl; /* drop the points of discarded regions */
    cl->SetInputConnection(cf->GetOutputPort());
    cl->PointMergingOff();
    cl->Update();
    pd = cl->GetOutput();
  }

  /* padded index -> LPS mm */
  {
    vtkNew<vtkPoints> pts;
    pts->SetDataTypeToDouble();
    pts->SetNumberOfPoints(pd->GetNumberOfPoints());
    for (vtkIdType i = 0; i < pd->GetNumberOfPoints(); i++) {
      double    p[3];
      PetscReal ijk[3], x[3];
      pd->GetPoint(i, p);
      for (int a = 0; a < 3; a++) ijk[a] = p[a] - 1.0 + (PetscReal)lo[a];
      HtGrid_IndexToWorld(g, ijk, x);
      pts->SetPoint(i, x[0], x[1], x[2]);
    }
    vtkNew<vtkPolyData> w;
    w->SetPoints(pts);
    w->SetPolys(pd->GetPolys());
    pd = w;
  }

  double reduction = o->decimate;
  if (o->target_triangles > 0 && pd->GetNumberOfPolys() > o->target_triangles) reduction = 1.0 - (double)o->target_triangles / (double)pd->GetNumberOfPolys();
  if (reduction > 0) {
    vtkNew<vtkQuadricDecimation> qd;
    qd->SetInputData(pd);
    qd->SetTargetReduction(reduction);
    qd->VolumePreservationOn();
    qd->Update();
    pd = qd->GetOutput();
  }
  if (o->smooth_iter > 0) {
    vtkNew<vtkWindowedSincPolyDataFilter> ws;
    ws->SetInputData(pd);
    ws->SetNumberOfIterations((int)o->smooth_iter);
    ws->SetPassBand(o->smooth_passband);
    ws->NormalizeCoordinatesOn();
    ws->BoundarySmoothingOff();
    ws->FeatureEdgeSmoothingOff();
    ws->NonManifoldSmoothingOn();
    ws->Update();
    pd = ws->GetOutput();
  }

  vtkNew<vtkCleanPolyData> clean;
  clean->SetInputData(pd);
  clean->PointMergingOn();
  clean->SetTolerance(0.0);
  vtkNew<vtkTriangleFilter> tf;
  tf->SetInputConnection(clean->GetOutputPort());
  tf->PassVertsOff();
  tf->PassLinesOff();
  tf->Update();
  PetscCall(SurfaceFromPolyData(tf->GetOutput(), s));
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtSurface_FromLabelsVTK_Private(const HtLabels *lab, const int *values, PetscInt nvalues, const HtSurfaceOptions *o, HtSurface *s)
{
  PetscFunctionBeginUser;
  try {
    PetscCall(FromLabelsVTK(lab, values, nvalues, o, s));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "surface from labels: VTK failed: %s", e.what());
  }
  PetscFunctionReturn(0);
}
