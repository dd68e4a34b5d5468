/* BloodVessel: resistor R (+ stenosis S|Q_in|), capacitor C to ground after the resistor, inductor L.
 * Parameters: R_poiseuille, C (0), L (0), stenosis_coefficient S (0). Local y = [P_in, Q_in, P_out, Q_out].
 *   P_in - P_out - (R + S|Q_in|) Q_in - L dQ_out/dt = 0
 *   Q_in - Q_out - C dP_in/dt + C (R + 2 S|Q_in|) dQ_in/dt = 0
 * (the capacitor sees P_c = P_in - (R + S|Q_in|) Q_in, hence the second term). C = 0 gives the RL
 * vessel, L = 0 the RC vessel. */
#include "zerod_impl.h"

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

PetscErrorCode HtZD_VesselFinalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCheck(b->nin == 1 && b->nout == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block %s must have exactly one inlet and one outlet connection (has %" PetscInt_FMT " and %" PetscInt_FMT ")", zd->source, b->name, b->nin, b->nout);
  b->neq = 2;
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal R = pv[b->param[0]], C = pv[b->param[1]], L = pv[b->param[2]], S = pv[b->param[3]];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1];
  const PetscInt  pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3];
  const PetscReal q = y[qi], dq = yd[qi], aq = PetscAbsReal(q);

  s->r[e0] += y[pi] - y[po] - (R + S * aq) * q - L * yd[qo];
  s->r[e1] += q - y[qo] - C * yd[pi] + C * (R + 2.0 * S * aq) * dq;
  HtZD_Add(s, s->Jy, e0, pi, 1.0);
  HtZD_Add(s, s->Jy, e0, po, -1.0);
  HtZD_Add(s, s->Jy, e0, qi, -(R + 2.0 * S * aq));
  HtZD_Add(s, s->Jyd, e0, qo, -L);
  HtZD_Add(s, s->Jy, e1, qi, 1.0 + 2.0 * C * S * HtZD_Sign(q) * dq);
  HtZD_Add(s, s->Jy, e1, qo, -1.0);
  HtZD_Add(s, s->Jyd, e1, pi, -C);
  HtZD_Add(s, s->Jyd, e1, qi, C * (R + 2.0 * S * aq));
}

const HtZDBlockType HtZD_BloodVessel = {"BloodVessel", HTZD_VESSEL, 0, {NULL}, Setup, HtZD_VesselFinalize, Eval, NULL, NULL};
