/* LinearElastanceChamber: chamber with time-varying elastance E(t) = Epass + Emax a(t) (activation a(t)
 * from "activation_function", see block_chamber.c) and fixed rest volume. Parameters Emax, Epass, Vrest.
 * Internal variable V_c ("Vc:<name>"). Local y = [P_in, Q_in, P_out, Q_out, V_c]:
 *   P_in - E(t) (V_c - Vrest) = 0
 *   P_in - P_out = 0
 *   Q_in - Q_out - dV_c/dt = 0 */
#include "zerod_impl.h"

PetscErrorCode HtZD_VesselFinalize(HtZeroD, HtZDBlock *);
PetscReal      HtZD_Activation(const HtZDBlock *, PetscReal, PetscReal);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Emax", "Epass", "Vrest", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "Emax", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Epass", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Vrest", PETSC_FALSE, 0.0));
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
  const PetscReal E = pv[b->param[1]] + pv[b->param[0]] * HtZD_Activation(b, s->time, s->period), Vrest = pv[b->param[2]];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], e2 = b->eq[2];
  const PetscInt  pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3], vc = b->var[4];

  s->r[e0] += y[pi] - E * y[vc] + E * Vrest;
  HtZD_Add(s, s->Jy, e0, pi, 1.0);
  HtZD_Add(s, s->Jy, e0, vc, -E);
  s->r[e1] += y[pi] - y[po];
  HtZD_Add(s, s->Jy, e1, pi, 1.0);
  HtZD_Add(s, s->Jy, e1, po, -1.0);
  s->r[e2] += y[qi] - y[qo] - yd[vc];
  HtZD_Add(s, s->Jy, e2, qi, 1.0);
  HtZD_Add(s, s->Jy, e2, qo, -1.0);
  HtZD_Add(s, s->Jyd, e2, vc, -1.0);
}

const HtZDBlockType HtZD_LinearElastanceChamber = {"LinearElastanceChamber", HTZD_CHAMBER, 1, {"Vc"}, Setup, Finalize, Eval, NULL, NULL};
