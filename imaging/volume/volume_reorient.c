/* Axis permutation/flip of a volume so that index axis a points along +LPS axis a (the grid a
 * stage that assumes "axial, i -> L, j -> P, k -> S" can rely on). World positions unchanged. */
#include "htvolumeio.h"
#include <math.h>
#include <string.h>

/* perm[a]: old index axis that becomes new axis a; flip[a]: reversed. */
static PetscErrorCode Reorient_Plan(const HtGrid *g, int perm[3], int flip[3], HtGrid *ng, PetscBool *identity)
{
  int used[3] = {0, 0, 0};
  PetscFunctionBeginUser;
  for (int c = 0; c < 3; c++) {
    /* old axis with the largest component along LPS axis c, among those not taken */
    int       best = -1;
    PetscReal bv   = -1;
    for (int a = 0; a < 3; a++)
      if (!used[a] && fabs(g->dir[3 * a + c]) > bv) {
        bv   = fabs(g->dir[3 * a + c]);
        best = a;
      }
    PetscCheck(best >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "reorient: degenerate grid directions");
    used[best] = 1;
    perm[c]    = best;
    flip[c]    = g->dir[3 * best + c] < 0;
  }
  *ng = *g;
  for (int c = 0; c < 3; c++) {
    int a          = perm[c];
    ng->n[c]       = g->n[a];
    ng->spacing[c] = g->spacing[a];
    for (int d = 0; d < 3; d++) ng->dir[3 * c + d] = (flip[c] ? -1.0 : 1.0) * g->dir[3 * a + d];
  }
  /* new origin: world of the old voxel that becomes new (0,0,0) */
  PetscReal ijk[3] = {0, 0, 0};
  for (int c = 0; c < 3; c++) ijk[perm[c]] = flip[c] ? (PetscReal)(g->n[perm[c]] - 1) : 0.0;
  HtGrid_IndexToWorld(g, ijk, ng->origin);
  *identity = PETSC_TRUE;
  for (int c = 0; c < 3; c++)
    if (perm[c] != c || flip[c]) *identity = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* Old linear index of new voxel (i, j, k). */
static inline size_t Reorient_Src(const HtGrid *g, const int perm[3], const int flip[3], const PetscInt nn[3], const PetscInt ijk[3])
{
  PetscInt o[3];
  for (int c = 0; c < 3; c++) o[perm[c]] = flip[c] ? nn[c] - 1 - ijk[c] : ijk[c];
  return HtGrid_Index(g, o[0], o[1], o[2]);
}

PetscErrorCode HtVolume_Reorient(HtVolume *vol)
{
  int       perm[3], flip[3];
  HtGrid    ng;
  PetscBool id;
  float    *nv;
  PetscFunctionBeginUser;
  PetscCall(Reorient_Plan(&vol->g, perm, flip, &ng, &id));
  if (id) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(HtGrid_Count(&ng), &nv));
  for (PetscInt k = 0; k < ng.n[2]; k++)
    for (PetscInt j = 0; j < ng.n[1]; j++)
      for (PetscInt i = 0; i < ng.n[0]; i++) {
        PetscInt ijk[3] = {i, j, k};
        nv[HtGrid_Index(&ng, i, j, k)] = vol->val[Reorient_Src(&vol->g, perm, flip, ng.n, ijk)];
      }
  PetscCall(PetscFree(vol->val));
  vol->val = nv;
  vol->g   = ng;
  PetscFunctionReturn(0);
}

PetscErrorCode HtLabels_Reorient(HtLabels *lab)
{
  int       perm[3], flip[3];
  HtGrid    ng;
  PetscBool id;
  uint8_t  *nv;
  PetscFunctionBeginUser;
  PetscCall(Reorient_Plan(&lab->g, perm, flip, &ng, &id));
  if (id) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(HtGrid_Count(&ng), &nv));
  for (PetscInt k = 0; k < ng.n[2]; k++)
    for (PetscInt j = 0; j < ng.n[1]; j++)
      for (PetscInt i = 0; i < ng.n[0]; i++) {
        PetscInt ijk[3] = {i, j, k};
        nv[HtGrid_Index(&ng, i, j, k)] = lab->lab[Reorient_Src(&lab->g, perm, flip, ng.n, ijk)];
      }
  PetscCall(PetscFree(lab->lab));
  lab->lab = nv;
  lab->g   = ng;
  PetscFunctionReturn(0);
}
