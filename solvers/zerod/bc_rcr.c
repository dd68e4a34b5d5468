/* RCR (three-element Windkessel) boundary condition: proximal resistance Rp, capacitance C,
 * distal resistance Rd, distal pressure Pd (0). Internal variable P_c ("pressure_c:<name>").
 * Local y = [P, Q, P_c]:
 *   P - Rp Q - P_c = 0
 *   Rd Q - P_c - Rd C dP_c/dt + Pd = 0
 * For the steady initial condition C is set to 0 (charged capacitor). */
#include "zerod_impl.h"

PetscErrorCode HtZD_BCFinalize(HtZeroD, HtZDBlock *, PetscInt);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Rp", "C", "Rd", "Pd", "t", NULL};
  const cJSON             *rd, *c;

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rp", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "C", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rd", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Pd", PETSC_TRUE, 0.0));
  /* the largest Rd*C sets the number of cycles when use_cycle_to_cycle_error is on */
  zd->has_windkessel = PETSC_TRUE;
  rd                 = cJSON_GetObjectItemCaseSensitive(v, "Rd");
  c                  = cJSON_GetObjectItemCaseSensitive(v, "C");
  if (cJSON_IsNumber(rd) && cJSON_IsNumber(c)) zd->largest_tau = PetscMax(zd->largest_tau, rd->valuedouble * c->valuedouble);
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
  const PetscReal Rp = pv[b->param[0]], C = pv[b->param[1]], Rd = pv[b->param[2]], Pd = pv[b->param[3]];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], p = b->var[0], q = b->var[1], pc = b->var[2];

  s->r[e0] += y[p] - Rp * y[q] - y[pc];
  HtZD_Add(s, s->Jy, e0, p, 1.0);
  HtZD_Add(s, s->Jy, e0, q, -Rp);
  HtZD_Add(s, s->Jy, e0, pc, -1.0);
  s->r[e1] += Rd * y[q] - y[pc] - Rd * C * yd[pc] + Pd;
  HtZD_Add(s, s->Jy, e1, q, Rd);
  HtZD_Add(s, s->Jy, e1, pc, -1.0);
  HtZD_Add(s, s->Jyd, e1, pc, -Rd * C);
}

const HtZDBlockType HtZD_RCRBC = {"RCR", HTZD_BC, 1, {"pressure_c"}, Setup, Finalize, Eval, NULL, NULL};
