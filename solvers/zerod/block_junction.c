/* NORMAL_JUNCTION: ideal junction of N inlets and M outlets, no parameters.
 * Local y = [P_1, Q_1, ..., P_{N+M}, Q_{N+M}] (inlets first).
 *   P_1 - P_k = 0                     k = 2 .. N+M   (pressure continuity)
 *   sum_inlets Q - sum_outlets Q = 0                 (mass conservation) */
#include "zerod_impl.h"

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscFunctionReturn(0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCheck(b->nin >= 1 && b->nout >= 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: junction %s needs at least one inlet and one outlet", zd->source, b->name);
  b->neq = b->nin + b->nout;
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscInt nn = b->nin + b->nout, em = b->eq[nn - 1];
  (void)pv;
  (void)yd;
  for (PetscInt i = 0; i < nn - 1; i++) {
    const PetscInt e = b->eq[i];
    s->r[e] += y[b->var[0]] - y[b->var[2 * i + 2]];
    HtZD_Add(s, s->Jy, e, b->var[0], 1.0);
    HtZD_Add(s, s->Jy, e, b->var[2 * i + 2], -1.0);
  }
  for (PetscInt i = 0; i < nn; i++) {
    const PetscReal sg = i < b->nin ? 1.0 : -1.0;
    s->r[em] += sg * y[b->var[2 * i + 1]];
    HtZD_Add(s, s->Jy, em, b->var[2 * i + 1], sg);
  }
}

const HtZDBlockType HtZD_NormalJunction = {"NORMAL_JUNCTION", HTZD_JUNCTION, 0, {NULL}, Setup, Finalize, Eval, NULL, NULL};
