/* PRESSURE boundary condition: prescribed pressure P(t) (constant or periodic series "P" + "t").
 * Local y = [P, Q]:   P - P(t) = 0 */
#include "zerod_impl.h"

PetscErrorCode HtZD_BCFinalize(HtZeroD, HtZDBlock *, PetscInt);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"P", "t", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "P", PETSC_FALSE, 0.0));
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
  (void)yd;
  s->r[b->eq[0]] += y[b->var[0]] - pv[b->param[0]];
  HtZD_Add(s, s->Jy, b->eq[0], b->var[0], 1.0);
}

const HtZDBlockType HtZD_PressureBC = {"PRESSURE", HTZD_BC, 0, {NULL}, Setup, Finalize, Eval, NULL, NULL};
