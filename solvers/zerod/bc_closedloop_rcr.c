/* ClosedLoopRCR: RCR between a vessel outlet and the closed-loop heart (or another block).
 * Parameters Rp, C, Rd; "closed_loop_outlet": true routes its outlet to the heart's inlet junction.
 * Internal variable P_c ("P_c:<name>"). Local y = [P_in, Q_in, P_out, Q_out, P_c]:
 *   C dP_c/dt - Q_in + Q_out = 0
 *   P_in - Rp Q_in - P_c = 0
 *   P_c - Rd Q_out - P_out = 0
 * For the steady initial condition C is set to 0. */
#include "zerod_impl.h"

PetscErrorCode HtZD_VesselFinalize(HtZeroD, HtZDBlock *);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Rp", "C", "Rd", "closed_loop_outlet", NULL};
  const cJSON             *clo = cJSON_GetObjectItemCaseSensitive(v, "closed_loop_outlet");

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rp", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "C", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rd", PETSC_FALSE, 0.0));
  b->closed_loop_inlet = cJSON_IsTrue(clo) ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_VesselFinalize(zd, b));
  b->neq = 3;
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal Rp = pv[b->param[0]], C = pv[b->param[1]], Rd = pv[b->param[2]];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], e2 = b->eq[2];
  const PetscInt  pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3], pc = b->var[4];

  s->r[e0] += C * yd[pc] - y[qi] + y[qo];
  HtZD_Add(s, s->Jyd, e0, pc, C);
  HtZD_Add(s, s->Jy, e0, qi, -1.0);
  HtZD_Add(s, s->Jy, e0, qo, 1.0);
  s->r[e1] += y[pi] - Rp * y[qi] - y[pc];
  HtZD_Add(s, s->Jy, e1, pi, 1.0);
  HtZD_Add(s, s->Jy, e1, qi, -Rp);
  HtZD_Add(s, s->Jy, e1, pc, -1.0);
  s->r[e2] += -y[po] + y[pc] - Rd * y[qo];
  HtZD_Add(s, s->Jy, e2, po, -1.0);
  HtZD_Add(s, s->Jy, e2, pc, 1.0);
  HtZD_Add(s, s->Jy, e2, qo, -Rd);
}

const HtZDBlockType HtZD_ClosedLoopRCR = {"ClosedLoopRCR", HTZD_BC, 1, {"P_c"}, Setup, Finalize, Eval, NULL, NULL};
