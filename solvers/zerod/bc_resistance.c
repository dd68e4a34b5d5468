/* RESISTANCE boundary condition: resistance R to a distal pressure Pd (both may be time series).
 * Local y = [P, Q]:   P - R Q - Pd = 0 */
#include "zerod_impl.h"

PetscErrorCode HtZD_BCFinalize(HtZeroD, HtZDBlock *, PetscInt);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"R", "Pd", "t", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "R", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Pd", PETSC_FALSE, 0.0));
  PetscFunctionReturn(0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_BCFinalize(zd, b, 1));
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal R = pv[b->param[0]], Pd = pv[b->param[1]];
  (void)yd;
  s->r[b->eq[0]] += y[b->var[0]] - R * y[b->var[1]] - Pd;
  HtZD_Add(s, s->Jy, b->eq[0], b->var[0], 1.0);
  HtZD_Add(s, s->Jy, b->eq[0], b->var[1], -R);
}

const HtZDBlockType HtZD_ResistanceBC = {"RESISTANCE", HTZD_BC, 0, {NULL}, Setup, Finalize, Eval, NULL, NULL};
