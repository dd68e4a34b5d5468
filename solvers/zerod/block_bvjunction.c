/* BloodVesselJunction: one inlet split into M outlets, each branch a resistor R_i (+ stenosis S_i|Q_i|)
 * and inductor L_i. Parameters are lists with one value per outlet: R_poiseuille, L, stenosis_coefficient.
 * Local y = [P_in, Q_in, P_1, Q_1, ..., P_M, Q_M].
 *   Q_in - sum_i Q_i = 0
 *   P_in - P_i - (R_i + S_i|Q_i|) Q_i - L_i dQ_i/dt = 0     i = 1..M */
#include "zerod_impl.h"

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"R_poiseuille", "L", "stenosis_coefficient", NULL};
  PetscInt                 m;

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParamList(zd, b, v, "R_poiseuille", -1));
  m = b->nlist;
  PetscCall(HtZD_ReadParamList(zd, b, v, "L", m));
  PetscCall(HtZD_ReadParamList(zd, b, v, "stenosis_coefficient", m));
  PetscFunctionReturn(0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCheck(b->nin == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: BloodVesselJunction %s must have exactly one inlet (has %" PetscInt_FMT ")", zd->source, b->name, b->nin);
  PetscCheck(b->nout == b->nlist, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: BloodVesselJunction %s has %" PetscInt_FMT " outlets but %" PetscInt_FMT " values per parameter", zd->source, b->name, b->nout, b->nlist);
  b->neq = b->nout + 1;
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscInt m = b->nout, e0 = b->eq[0], pin = b->var[0], qin = b->var[1];

  s->r[e0] += y[qin];
  HtZD_Add(s, s->Jy, e0, qin, 1.0);
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal R = pv[b->param[i]], L = pv[b->param[m + i]], S = pv[b->param[2 * m + i]];
    const PetscInt  e = b->eq[i + 1], po = b->var[2 + 2 * i], qo = b->var[3 + 2 * i];
    const PetscReal q = y[qo], aq = PetscAbsReal(q);
    s->r[e0] -= q;
    HtZD_Add(s, s->Jy, e0, qo, -1.0);
    s->r[e] += y[pin] - y[po] - (R + S * aq) * q - L * yd[qo];
    HtZD_Add(s, s->Jy, e, pin, 1.0);
    HtZD_Add(s, s->Jy, e, po, -1.0);
    HtZD_Add(s, s->Jy, e, qo, -(R + 2.0 * S * aq));
    HtZD_Add(s, s->Jyd, e, qo, -L);
  }
}

const HtZDBlockType HtZD_BloodVesselJunction = {"BloodVesselJunction", HTZD_JUNCTION, 0, {NULL}, Setup, Finalize, Eval, NULL, NULL};
