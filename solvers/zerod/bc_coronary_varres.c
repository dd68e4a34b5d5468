/* CORONARY_VAR_RES: open-loop coronary boundary condition whose microvascular resistance varies over the
 * cardiac cycle (svZeroDSolver's OpenLoopCoronaryVarResBC). Parameters Ra1 (Ra), Ra2_min, Ra2_max, Rv1 (Rv),
 * Ca, Cc (Cim), Pim(t), P_v, T_vc, T_vr. With t_c = t mod T (the documented "time within the cycle"):
 *   e(t) = (1 - cos(pi t_c / T_vc))/2 for t_c <= T_vc, (1 + cos(pi (t_c - T_vc)/T_vr))/2 for t_c <= T_vc + T_vr, else 0
 *   Ram(t) = [ (sqrt(Ra2_max) - sqrt(Ra2_min)) e(t) + sqrt(Ra2_min) ]^2
 * Transient equations: those of CORONARY (bc_coronary.c) with Ram = Ram(t); Pim_0 and P_Cim_0 from the initial
 * state with Ram = Ra2_min. Steady form (initial condition): V_im = 0,  -P + (Ra + Ra2_min + Rv) Q + P_v = 0.
 * Local y = [P, Q, V_im]. */
#include "zerod_impl.h"
#include <math.h>

PetscErrorCode HtZD_BCFinalize(HtZeroD, HtZDBlock *, PetscInt);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Ra1", "Ra2_min", "Ra2_max", "Rv1", "Ca", "Cc", "Pim", "P_v", "T_vc", "T_vr", "t", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  for (PetscInt i = 0; keys[i + 1]; i++) PetscCall(HtZD_ReadParam(zd, b, v, keys[i], PETSC_FALSE, 0.0));
  PetscFunctionReturn(0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_BCFinalize(zd, b, 2));
  PetscFunctionReturn(0);
}

static PetscReal Ram(PetscReal t, PetscReal T, PetscReal rmin, PetscReal rmax, PetscReal tvc, PetscReal tvr)
{
  const PetscReal tc = fmod(t, T);
  PetscReal       e  = 0.0, r;

  if (tc <= tvc) e = 0.5 * (1.0 - cos(PETSC_PI * tc / tvc));
  else if (tc <= tvc + tvr) e = 0.5 * (1.0 + cos(PETSC_PI * (tc - tvc) / tvr));
  r = sqrt(rmin) + (sqrt(rmax) - sqrt(rmin)) * e;
  return r * r;
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal Ra = pv[b->param[0]], Rmin = pv[b->param[1]], Rmax = pv[b->param[2]], Rv = pv[b->param[3]], Ca = pv[b->param[4]], Cim = pv[b->param[5]];
  const PetscReal Pim = pv[b->param[6]], Pv = pv[b->param[7]], Pim0 = b->act[0], Pc0 = b->act[1];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], p = b->var[0], q = b->var[1], vim = b->var[2];

  if (b->steady) {
    s->r[e0] += y[vim];
    HtZD_Add(s, s->Jy, e0, vim, 1.0);
    s->r[e1] += -y[p] + (Ra + Rmin + Rv) * y[q] + Pv;
    HtZD_Add(s, s->Jy, e1, p, -1.0);
    HtZD_Add(s, s->Jy, e1, q, Ra + Rmin + Rv);
  } else {
    const PetscReal Rm = Ram(s->time, s->period, Rmin, Rmax, pv[b->param[8]], pv[b->param[9]]);
    s->r[e0] += Cim * Rv * y[q] - y[vim] - Ca * Cim * Rv * yd[p] + Ra * Ca * Cim * Rv * yd[q] - Cim * Rv * yd[vim] + Cim * (-Pim + Pv + Pim0 - Pc0);
    HtZD_Add(s, s->Jy, e0, q, Cim * Rv);
    HtZD_Add(s, s->Jy, e0, vim, -1.0);
    HtZD_Add(s, s->Jyd, e0, p, -Ca * Cim * Rv);
    HtZD_Add(s, s->Jyd, e0, q, Ra * Ca * Cim * Rv);
    HtZD_Add(s, s->Jyd, e0, vim, -Cim * Rv);
    s->r[e1] += Cim * Rv * y[p] - Cim * Rv * Ra * y[q] - (Rv + Rm) * y[vim] - Cim * Rv * Rm * yd[vim] - Cim * (Rv + Rm) * (Pim + Pc0 - Pim0) + Rm * Cim * Pv;
    HtZD_Add(s, s->Jy, e1, p, Cim * Rv);
    HtZD_Add(s, s->Jy, e1, q, -Cim * Rv * Ra);
    HtZD_Add(s, s->Jy, e1, vim, -(Rv + Rm));
    HtZD_Add(s, s->Jyd, e1, vim, -Cim * Rv * Rm);
  }
}

static void Init(HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd)
{
  const PetscReal Ra = pv[b->param[0]], Rmin = pv[b->param[1]], Ca = pv[b->param[4]];
  const PetscReal P = y[b->var[0]], Q = y[b->var[1]], dP = yd[b->var[0]], dQ = yd[b->var[1]];

  b->act[0] = pv[b->param[6]];
  b->act[1] = (P - Ra * Q) - Rmin * (Q - Ca * (dP - Ra * dQ));
}

const HtZDBlockType HtZD_CoronaryVarResBC = {"CORONARY_VAR_RES", HTZD_BC, 1, {"volume_im"}, Setup, Finalize, Eval, NULL, Init};
