/* resistive_junction: every inlet and outlet connects to a common internal pressure P_c through its
 * own resistance. Parameter R: list with one value per connection (inlets first, then outlets).
 * Internal variable P_c ("pressure_c:<name>"). Local y = [P_1, Q_1, ..., P_N+M, Q_N+M, P_c]:
 *   P_i - R_i Q_i - P_c = 0            inlets
 *   P_c - R_j Q_j - P_j = 0            outlets
 *   sum_inlets Q - sum_outlets Q = 0 */
#include "zerod_impl.h"

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"R", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParamList(zd, b, v, "R", -1));
  PetscFunctionReturn(0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCheck(b->nin >= 1 && b->nout >= 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: junction %s needs at least one inlet and one outlet", zd->source, b->name);
  PetscCheck(b->nlist == b->nin + b->nout, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: resistive_junction %s has %" PetscInt_FMT " connections but %" PetscInt_FMT " resistances", zd->source, b->name, b->nin + b->nout, b->nlist);
  b->neq = b->nin + b->nout + 1;
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscInt nn = b->nin + b->nout, pc = b->var[2 * nn], em = b->eq[nn];
  (void)yd;
  for (PetscInt i = 0; i < nn; i++) {
    const PetscReal R = pv[b->param[i]], sg = i < b->nin ? 1.0 : -1.0;
    const PetscInt  e = b->eq[i], p = b->var[2 * i], q = b->var[2 * i + 1];
    s->r[e] += sg * y[p] - R * y[q] - sg * y[pc];
    HtZD_Add(s, s->Jy, e, p, sg);
    HtZD_Add(s, s->Jy, e, q, -R);
    HtZD_Add(s, s->Jy, e, pc, -sg);
    s->r[em] += sg * y[q];
    HtZD_Add(s, s->Jy, em, q, sg);
  }
}

const HtZDBlockType HtZD_ResistiveJunction = {"resistive_junction", HTZD_JUNCTION, 1, {"pressure_c"}, Setup, Finalize, Eval, NULL, NULL};
