#include "htvolume.h"
#include <math.h>
#include <string.h>

void HtGrid_SetAxisAligned(HtGrid *g, const PetscInt n[3], const PetscReal origin[3], const PetscReal spacing[3])
{
  memset(g, 0, sizeof(*g));
  for (int a = 0; a < 3; a++) {
    g->n[a]           = n[a];
    g->origin[a]      = origin[a];
    g->spacing[a]     = spacing[a];
    g->dir[3 * a + a] = 1.0;
  }
}

void HtGrid_IndexToWorld(const HtGrid *g, const PetscReal ijk[3], PetscReal x[3])
{
  for (int c = 0; c < 3; c++) {
    x[c] = g->origin[c];
    for (int a = 0; a < 3; a++) x[c] += ijk[a] * g->spacing[a] * g->dir[3 * a + c];
  }
}

void HtGrid_WorldToIndex(const HtGrid *g, const PetscReal x[3], PetscReal ijk[3])
{
  /* dir rows are orthonormal axes: project the offset on each axis */
  PetscReal d[3] = {x[0] - g->origin[0], x[1] - g->origin[1], x[2] - g->origin[2]};
  for (int a = 0; a < 3; a++) ijk[a] = (d[0] * g->dir[3 * a] + d[1] * g->dir[3 * a + 1] + d[2] * g->dir[3 * a + 2]) / g->spacing[a];
}

PetscBool HtGrid_Same(const HtGrid *a, const HtGrid *b, PetscReal tol)
{
  for (int i = 0; i < 3; i++) {
    if (a->n[i] != b->n[i]) return PETSC_FALSE;
    if (fabs(a->origin[i] - b->origin[i]) > tol || fabs(a->spacing[i] - b->spacing[i]) > tol) return PETSC_FALSE;
  }
  for (int i = 0; i < 9; i++)
    if (fabs(a->dir[i] - b->dir[i]) > 1e-4) return PETSC_FALSE;
  return PETSC_TRUE;
}

PetscErrorCode HtVolume_Alloc(HtVolume *v, const HtGrid *g)
{
  size_t n = HtGrid_Count(g);
  PetscFunctionBeginUser;
  PetscCheck(n > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "empty volume grid %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT, g->n[0], g->n[1], g->n[2]);
  v->g = *g;
  PetscCall(PetscCalloc1(n, &v->val));
  PetscFunctionReturn(0);
}

PetscErrorCode HtVolume_Free(HtVolume *v)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(v->val));
  memset(v, 0, sizeof(*v));
  PetscFunctionReturn(0);
}

PetscErrorCode HtVolume_Copy(const HtVolume *src, HtVolume *dst)
{
  PetscFunctionBeginUser;
  PetscCall(HtVolume_Alloc(dst, &src->g));
  PetscCall(PetscArraycpy(dst->val, src->val, HtGrid_Count(&src->g)));
  PetscFunctionReturn(0);
}

PetscErrorCode HtLabels_Alloc(HtLabels *l, const HtGrid *g)
{
  size_t n = HtGrid_Count(g);
  PetscFunctionBeginUser;
  PetscCheck(n > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "empty label grid");
  memset(l, 0, sizeof(*l));
  l->g = *g;
  PetscCall(PetscCalloc1(n, &l->lab));
  PetscFunctionReturn(0);
}

PetscErrorCode HtLabels_Free(HtLabels *l)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(l->lab));
  memset(l, 0, sizeof(*l));
  PetscFunctionReturn(0);
}

PetscErrorCode HtLabels_SetName(HtLabels *l, int value, const char *name)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < l->nnames; i++)
    if (l->names[i].value == value) {
      PetscCall(PetscStrncpy(l->names[i].name, name, sizeof(l->names[i].name)));
      PetscFunctionReturn(0);
    }
  PetscCheck(l->nnames < HT_MAX_LABELS, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "too many label names (max %d)", HT_MAX_LABELS);
  l->names[l->nnames].value = value;
  PetscCall(PetscStrncpy(l->names[l->nnames].name, name, sizeof(l->names[0].name)));
  l->nnames++;
  PetscFunctionReturn(0);
}

const char *HtLabels_GetName(const HtLabels *l, int value)
{
  for (PetscInt i = 0; i < l->nnames; i++)
    if (l->names[i].value == value) return l->names[i].name;
  return NULL;
}

PetscReal HtLabels_Volume_mL(const HtLabels *l, int value)
{
  size_t n = HtGrid_Count(&l->g), c = 0;
  for (size_t i = 0; i < n; i++) c += value < 0 ? (l->lab[i] != 0) : (l->lab[i] == value);
  return (PetscReal)c * HtGrid_VoxelVolume_mm3(&l->g) / 1000.0;
}
