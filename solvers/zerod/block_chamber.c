/* ChamberElastanceInductor: time-varying elastance chamber with an outflow inertance.
 * Parameters: Emax, Emin, Vrd, Vrs, Impedance L; "activation_function" (type half_cosine:
 * t_active, t_twitch; piecewise_cosine: contract_start, relax_start, contract_duration,
 * relax_duration; two_hill, wrapping_cosine, fourier: see chamber_activation.c). With the activation
 * a(t) in [0, 1]:
 *   E(t) = Emin + (Emax - Emin) a(t),   V_rest(t) = Vrs + (1 - a(t)) (Vrd - Vrs).
 * Internal variable V_c ("Vc:<name>"). Local y = [P_in, Q_in, P_out, Q_out, V_c]:
 *   P_in - E(t) (V_c - V_rest(t)) = 0
 *   P_in - P_out - L dQ_out/dt = 0
 *   Q_in - Q_out - dV_c/dt = 0
 * (activation functions: chamber_activation.c) */
#include "zerod_impl.h"
#include <math.h>

PetscErrorCode HtZD_VesselFinalize(HtZeroD, HtZDBlock *);
PetscReal      HtZD_Activation(const HtZDBlock *, PetscReal, PetscReal);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Emax", "Emin", "Vrd", "Vrs", "Impedance", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "Emax", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Emin", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Vrd", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Vrs", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Impedance", PETSC_FALSE, 0.0));
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal Emax = pv[b->param[0]], Emin = pv[b->param[1]], Vrd = pv[b->param[2]], Vrs = pv[b->param[3]], L = pv[b->param[4]];
  const PetscReal a = HtZD_Activation(b, s->time, s->period), E = (Emax - Emin) * a + Emin, Vrest = (1.0 - a) * (Vrd - Vrs) + Vrs;
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], e2 = b->eq[2];
  const PetscInt  pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3], vc = b->var[4];

  s->r[e0] += y[pi] - E * y[vc] + E * Vrest;
  HtZD_Add(s, s->Jy, e0, pi, 1.0);
  HtZD_Add(s, s->Jy, e0, vc, -E);
  s->r[e1] += y[pi] - y[po] - L * yd[qo];
  HtZD_Add(s, s->Jy, e1, pi, 1.0);
  HtZD_Add(s, s->Jy, e1, po, -1.0);
  HtZD_Add(s, s->Jyd, e1, qo, -L);
  s->r[e2] += y[qi] - y[qo] - yd[vc];
  HtZD_Add(s, s->Jy, e2, qi, 1.0);
  HtZD_Add(s, s->Jy, e2, qo, -1.0);
  HtZD_Add(s, s->Jyd, e2, vc, -1.0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_VesselFinalize(zd, b));
  b->neq = 3;
  PetscFunctionReturn(0);
}

const HtZDBlockType HtZD_ChamberElastanceInductor = {"ChamberElastanceInductor", HTZD_CHAMBER, 1, {"Vc"}, Setup, Finalize, Eval, NULL, NULL};
