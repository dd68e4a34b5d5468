/* BloodVesselCRL: capacitor at the inlet, then resistor (+ stenosis on Q_out) and inductor.
 * Parameters: R_poiseuille, C (0), L (0), stenosis_coefficient S (0). Local y = [P_in, Q_in, P_out, Q_out].
 *   P_in - P_out - (R + S|Q_out|) Q_out - L dQ_out/dt = 0
 *   Q_in - Q_out - C dP_in/dt = 0 */
#include "zerod_impl.h"

PetscErrorCode HtZD_VesselFinalize(HtZeroD, HtZDBlock *);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"R_poiseuille", "C", "L", "stenosis_coefficient", "t", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "R_poiseuille", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "C", PETSC_TRUE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "L", PETSC_TRUE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "stenosis_coefficient", PETSC_TRUE, 0.0));
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal R = pv[b->param[0]], C = pv[b->param[1]], L = pv[b->param[2]], S = pv[b->param[3]];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1];
  const PetscInt  pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3];
  const PetscReal q = y[qo], aq = PetscAbsReal(q);

  s->r[e0] += y[pi] - y[po] - (R + S * aq) * q - L * yd[qo];
  s->r[e1] += y[qi] - q - C * yd[pi];
  HtZD_Add(s, s->Jy, e0, pi, 1.0);
  HtZD_Add(s, s->Jy, e0, po, -1.0);
  HtZD_Add(s, s->Jy, e0, qo, -(R + 2.0 * S * aq));
  HtZD_Add(s, s->Jyd, e0, qo, -L);
  HtZD_Add(s, s->Jy, e1, qi, 1.0);
  HtZD_Add(s, s->Jy, e1, qo, -1.0);
  HtZD_Add(s, s->Jyd, e1, pi, -C);
}

const HtZDBlockType HtZD_BloodVesselCRL = {"BloodVesselCRL", HTZD_VESSEL, 0, {NULL}, Setup, HtZD_VesselFinalize, Eval, NULL, NULL};
