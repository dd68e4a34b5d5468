/* CORONARY (open-loop coronary) boundary condition: Ra1 (Ra), Ra2 (Ram), Rv1 (Rv), Ca, Cc (Cim),
 * intramyocardial pressure Pim(t) and venous pressure P_v(t). Internal variable V_im ("volume_im:<name>").
 * Local y = [P, Q, V_im]. Transient form (multiplied through by Cim Rv, as svZeroDSolver assembles it),
 * with Pim measured from its initial value Pim_0 and the intramyocardial node pressure P_Cim_0 of the
 * initial condition (P_Cim_0 = P - Ra Q - Ram (Q - Ca d(P - Ra Q)/dt) of the given initial_condition):
 *   Cim Rv Q - V_im - Ca Cim Rv dP/dt + Ra Ca Cim Rv dQ/dt - Cim Rv dV_im/dt + Cim (Pv - Pim + Pim_0 - P_Cim_0) = 0
 *   Cim Rv P - Cim Rv Ra Q - (Rv + Ram) V_im - Cim Rv Ram dV_im/dt + Ram Cim Pv - Cim (Rv + Ram)(Pim + P_Cim_0 - Pim_0) = 0
 * Steady form (initial condition: capacitors charged, flow through Ra + Ram + Rv):
 *   -Cim P + Cim (Ra + Ram) Q + V_im = 0
 *   -P + (Ra + Ram + Rv) Q + Pv = 0 */
#include "zerod_impl.h"

PetscErrorCode HtZD_BCFinalize(HtZeroD, HtZDBlock *, PetscInt);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Ra1", "Ra2", "Rv1", "Ca", "Cc", "Pim", "P_v", "t", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "Ra1", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Ra2", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rv1", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Ca", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Cc", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Pim", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "P_v", PETSC_FALSE, 0.0));
  PetscFunctionReturn(0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_BCFinalize(zd, b, 2));
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal Ra = pv[b->param[0]], Ram = pv[b->param[1]], Rv = pv[b->param[2]], Ca = pv[b->param[3]], Cim = pv[b->param[4]];
  const PetscReal Pim = pv[b->param[5]], Pv = pv[b->param[6]], Pim0 = b->act[0], Pc0 = b->act[1];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], p = b->var[0], q = b->var[1], vim = b->var[2];

  if (b->steady) {
    s->r[e0] += -Cim * y[p] + Cim * (Ra + Ram) * y[q] + y[vim];
    HtZD_Add(s, s->Jy, e0, p, -Cim);
    HtZD_Add(s, s->Jy, e0, q, Cim * (Ra + Ram));
    HtZD_Add(s, s->Jy, e0, vim, 1.0);
    s->r[e1] += -y[p] + (Ra + Ram + Rv) * y[q] + Pv;
    HtZD_Add(s, s->Jy, e1, p, -1.0);
    HtZD_Add(s, s->Jy, e1, q, Ra + Ram + Rv);
  } else {
    s->r[e0] += Cim * Rv * y[q] - y[vim] - Ca * Cim * Rv * yd[p] + Ra * Ca * Cim * Rv * yd[q] - Cim * Rv * yd[vim] + Cim * (-Pim + Pv + Pim0 - Pc0);
    HtZD_Add(s, s->Jy, e0, q, Cim * Rv);
    HtZD_Add(s, s->Jy, e0, vim, -1.0);
    HtZD_Add(s, s->Jyd, e0, p, -Ca * Cim * Rv);
    HtZD_Add(s, s->Jyd, e0, q, Ra * Ca * Cim * Rv);
    HtZD_Add(s, s->Jyd, e0, vim, -Cim * Rv);
    s->r[e1] += Cim * Rv * y[p] - Cim * Rv * Ra * y[q] - (Rv + Ram) * y[vim] - Cim * Rv * Ram * yd[vim] - Cim * (Rv + Ram) * (Pim + Pc0 - Pim0) + Ram * Cim * Pv;
    HtZD_Add(s, s->Jy, e1, p, Cim * Rv);
    HtZD_Add(s, s->Jy, e1, q, -Cim * Rv * Ra);
    HtZD_Add(s, s->Jy, e1, vim, -(Rv + Ram));
    HtZD_Add(s, s->Jyd, e1, vim, -Cim * Rv * Ram);
  }
}

static void Init(HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd)
{
  const PetscReal Ra = pv[b->param[0]], Ram = pv[b->param[1]], Ca = pv[b->param[3]];
  const PetscReal P = y[b->var[0]], Q = y[b->var[1]], dP = yd[b->var[0]], dQ = yd[b->var[1]];

  b->act[0] = pv[b->param[5]];
  b->act[1] = (P - Ra * Q) - Ram * (Q - Ca * (dP - Ra * dQ));
}

const HtZDBlockType HtZD_CoronaryBC = {"CORONARY", HTZD_BC, 1, {"volume_im"}, Setup, Finalize, Eval, NULL, Init};
