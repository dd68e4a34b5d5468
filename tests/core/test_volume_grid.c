/* Grid index<->world round trip on an oblique grid, and label volumes in mL. */
#include "httest.h"
#include <htvolume.h>

static PetscErrorCode Body(void)
{
  HtGrid   g;
  HtLabels l;
  PetscInt n[3] = {4, 5, 6};
  PetscReal o[3] = {-10, 20, 30}, sp[3] = {0.5, 0.5, 2.0}, ijk[3] = {1.5, 2, 3}, x[3], back[3];
  PetscFunctionBeginUser;
  HtGrid_SetAxisAligned(&g, n, o, sp);
  /* rotate 30 degrees about z: i axis (cos, sin, 0), j axis (-sin, cos, 0) */
  g.dir[0] = cos(PETSC_PI / 6); g.dir[1] = sin(PETSC_PI / 6);
  g.dir[3] = -sin(PETSC_PI / 6); g.dir[4] = cos(PETSC_PI / 6);
  HtGrid_IndexToWorld(&g, ijk, x);
  HT_CHECK_CLOSE(x[0], -10 + 1.5 * 0.5 * cos(PETSC_PI / 6) - 2 * 0.5 * sin(PETSC_PI / 6), 0, 1e-12, "x");
  HT_CHECK_CLOSE(x[2], 36.0, 0, 1e-12, "z");
  HtGrid_WorldToIndex(&g, x, back);
  for (int a = 0; a < 3; a++) HT_CHECK_CLOSE(back[a], ijk[a], 0, 1e-12, "round trip");
  PetscCall(HtLabels_Alloc(&l, &g));
  for (int i = 0; i < 10; i++) l.lab[i] = 1;
  l.lab[50] = 2;
  HT_CHECK_CLOSE(HtLabels_Volume_mL(&l, 1), 10 * 0.5 * 0.5 * 2.0 / 1000.0, 1e-12, 0, "label 1 mL");
  HT_CHECK_CLOSE(HtLabels_Volume_mL(&l, -1), 11 * 0.5 / 1000.0, 1e-12, 0, "all labels mL");
  PetscCall(HtLabels_Free(&l));
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
