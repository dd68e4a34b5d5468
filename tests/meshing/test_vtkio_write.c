/* Writes every VTK file kind from known synthetic data; check_vtkio.py (next test) reads them back with
 * VTK's XML readers and checks them against the same analytic definitions. */
#include "httest.h"
#include "tube.h"
#include <htvtkio.h>
#include <unistd.h>

static PetscErrorCode Body(void)
{
  HtLabels  l;
  HtVolume  v;
  HtNetwork net;
  HtSurface s, c;
  HtMesh    m;
  int       val = 1;
  PetscFunctionBeginUser;
  PetscCall(Tube_Labels(&l));
  PetscCall(HtVolume_Alloc(&v, &l.g));
  /* HU = i + 10 j + 100 k - 1000: python recomputes it from the index */
  for (PetscInt k = 0; k < l.g.n[2]; k++)
    for (PetscInt j = 0; j < l.g.n[1]; j++)
      for (PetscInt i = 0; i < l.g.n[0]; i++) v.val[HtGrid_Index(&l.g, i, j, k)] = (float)(i + 10 * j + 100 * k - 1000);
  PetscCall(HtVTK_WriteVolume("vtkio_volume.vti", &v, "HU"));
  PetscCall(HtVTK_WriteLabels("vtkio_labels.vti", &l, "label"));
  PetscCall(Tube_Network(&net));
  PetscCall(HtSurface_FromLabels(&l, &val, 1, NULL, &s));
  PetscCall(HtSurface_Cap(&s, &net, &c));
  PetscCall(HtVTK_WriteSurface("vtkio_surface.vtp", &c));
  printf("surface written: %d points, %d triangles, %d caps\n", (int)c.npts, (int)c.ntri, (int)c.ncaps);
  {
    PetscInt   np = HtVTK_NetworkPointCount(&net);
    PetscReal *p, *u;
    PetscCall(PetscMalloc1(np, &p));
    PetscCall(PetscMalloc1(3 * np, &u));
    for (PetscInt i = 0; i < np; i++) {
      p[i] = 100.0 - 0.1 * i; /* pressure_mmHg */
      for (int k = 0; k < 3; k++) u[3 * i + k] = k + 1;
    }
    HtVTKArray arr[2] = {{"pressure_mmHg", 1, p}, {"velocity_mm_s", 3, u}};
    PetscCall(HtVTK_WriteNetwork("vtkio_network.vtp", &net, 2, arr));
    printf("network written: %d points\n", (int)np);
    PetscCall(PetscFree(p));
    PetscCall(PetscFree(u));
  }
  /* one right-angled tetrahedron with its 4 faces, tags 0 wall, 1 inlet, 2 outlet_1, 0 wall */
  {
    PetscReal x[12]   = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    PetscInt  tet[4]  = {0, 1, 2, 3}, tri[12] = {0, 2, 1, 0, 1, 3, 1, 2, 3, 0, 3, 2}, tag[4] = {0, 1, 2, 0};
    memset(&m, 0, sizeof(m));
    m.nnodes = 4;
    m.ntet   = 1;
    m.nbtri  = 4;
    m.x      = x;
    m.tet    = tet;
    m.btri   = tri;
    m.btag   = tag;
    PetscCall(HtVTK_WriteMesh("vtkio_mesh.vtu", &m));
  }
  {
    const char *files[2] = {"vtkio_network.vtp", "vtkio_network.vtp"};
    PetscReal   times[2] = {0.0, 0.5};
    PetscCall(HtVTK_WritePVD("vtkio_series.pvd", 2, files, times));
  }
  /* unwritable path: one-line error, nothing left behind */
  {
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = HtVTK_WriteLabels("no_such_dir/labels.vti", &l, "label");
    PetscCall(PetscPopErrorHandler());
    printf("write into a missing folder: error %d\n", (int)ierr);
    HT_CHECK(ierr == PETSC_ERR_FILE_WRITE, "expected PETSC_ERR_FILE_WRITE, got %d", (int)ierr);
    HT_CHECK(access("no_such_dir/labels.vti", F_OK) != 0 && access("no_such_dir/labels.vti.part", F_OK) != 0, "no file may be left");
  }
  PetscCall(HtSurface_Destroy(&s));
  PetscCall(HtSurface_Destroy(&c));
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtVolume_Free(&v));
  PetscCall(HtLabels_Free(&l));
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
