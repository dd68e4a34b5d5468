/* ChamberElastanceInductorExponential: chamber with an exponential passive pressure-volume relation
 * (atrial model of Sankaran et al. 2012 / Menon et al. 2023) and an outflow inertance.
 * Parameters: Emax, Impedance L, Kxp, Kxv, Vaso; "activation_function" a(t) (chamber_activation.c).
 * Internal variable V_c ("Vc:<name>"). Local y = [P_in, Q_in, P_out, Q_out, V_c]:
 *   P_in - a(t) Emax (V_c - Vaso) - (1 - a(t)) Kxp (exp(Kxv (V_c - Vaso)) - 1) = 0
 *   P_in - P_out - L dQ_out/dt = 0
 *   Q_in - Q_out - dV_c/dt = 0
 * For Kxv -> 0 with Kxp Kxv = Emin it tends to ChamberElastanceInductor with Vrd = Vrs = Vaso. */
#include "zerod_impl.h"
#include <math.h>

PetscErrorCode HtZD_VesselFinalize(HtZeroD, HtZDBlock *);
PetscReal      HtZD_Activation(const HtZDBlock *, PetscReal, PetscReal);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Emax", "Impedance", "Kxp", "Kxv", "Vaso", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "Emax", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Impedance", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Kxp", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Kxv", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Vaso", PETSC_FALSE, 0.0));
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal Emax = pv[b->param[0]], L = pv[b->param[1]], Kxp = pv[b->param[2]], Kxv = pv[b->param[3]], Vaso = pv[b->param[4]];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], e2 = b->eq[2];
  const PetscInt  pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3], vc = b->var[4];
  const PetscReal a = HtZD_Activation(b, s->time, s->period), ex = exp(Kxv * (y[vc] - Vaso));

  s->r[e0] += y[pi] - a * Emax * (y[vc] - Vaso) - (1.0 - a) * Kxp * (ex - 1.0);
  HtZD_Add(s, s->Jy, e0, pi, 1.0);
  HtZD_Add(s, s->Jy, e0, vc, -a * Emax - (1.0 - a) * Kxp * Kxv * ex);
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

const HtZDBlockType HtZD_ChamberElastanceInductorExponential = {"ChamberElastanceInductorExponential", HTZD_CHAMBER, 1, {"Vc"}, Setup, Finalize, Eval, NULL, NULL};
