/* ClosedLoopCoronaryLeft / ClosedLoopCoronaryRight: coronary bed between an aortic branch and the
 * heart's inlet junction, with intramyocardial pressure P_im = im * P_ventricle taken from the heart
 * block "CLH" (left: iml * P_LV, right: imr * P_RV). Parameters Ra, Ram, Rv, Ca, Cim.
 * Internal variable V_im ("volume_im:<name>"). Local y = [P_in, Q_in, P_out, Q_out, V_im]:
 *   -Ram Ca dP_in/dt + Ram Ra Ca dQ_in/dt - P_in + (Ra + Ram) Q_in + P_out + Rv Q_out = 0
 *   -Ca dP_in/dt + Ca Ra dQ_in/dt - dV_im/dt + Q_in - Q_out = 0
 *   Cim P_out + Cim Rv Q_out - V_im - Cim P_im = 0 */
#include "zerod_impl.h"

PetscErrorCode HtZD_VesselFinalize(HtZeroD, HtZDBlock *);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Ra", "Ram", "Rv", "Ca", "Cim", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "Ra", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Ram", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rv", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Ca", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Cim", PETSC_FALSE, 0.0));
  b->closed_loop_inlet = PETSC_TRUE;
  PetscFunctionReturn(0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_VesselFinalize(zd, b));
  b->neq = 3;
  PetscFunctionReturn(0);
}

/* heart parameter index 4 = iml, 5 = imr; heart variable 13 = P_LV, 6 = P_RV */
static PetscErrorCode Link(HtZeroD zd, HtZDBlock *b)
{
  PetscInt  h;
  PetscBool left = (PetscBool)!strcmp(b->type->type_name, "ClosedLoopCoronaryLeft");

  PetscFunctionBeginUser;
  for (h = 0; h < zd->nblocks && strcmp(zd->blocks[h].name, "CLH"); h++) { }
  PetscCheck(h < zd->nblocks, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %s %s needs a ClosedLoopHeartAndPulmonary block", zd->source, b->type->type_name, b->name);
  b->aux[0] = zd->blocks[h].param[left ? 4 : 5];
  b->aux[1] = zd->blocks[h].var[left ? 13 : 6];
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal Ra = pv[b->param[0]], Ram = pv[b->param[1]], Rv = pv[b->param[2]], Ca = pv[b->param[3]], Cim = pv[b->param[4]];
  const PetscReal im = pv[b->aux[0]];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], e2 = b->eq[2], pvent = b->aux[1];
  const PetscInt  pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3], vim = b->var[4];

  s->r[e0] += -Ram * Ca * yd[pi] + Ram * Ra * Ca * yd[qi] - y[pi] + (Ra + Ram) * y[qi] + y[po] + Rv * y[qo];
  HtZD_Add(s, s->Jyd, e0, pi, -Ram * Ca);
  HtZD_Add(s, s->Jyd, e0, qi, Ram * Ra * Ca);
  HtZD_Add(s, s->Jy, e0, pi, -1.0);
  HtZD_Add(s, s->Jy, e0, qi, Ra + Ram);
  HtZD_Add(s, s->Jy, e0, po, 1.0);
  HtZD_Add(s, s->Jy, e0, qo, Rv);
  s->r[e1] += -Ca * yd[pi] + Ca * Ra * yd[qi] - yd[vim] + y[qi] - y[qo];
  HtZD_Add(s, s->Jyd, e1, pi, -Ca);
  HtZD_Add(s, s->Jyd, e1, qi, Ca * Ra);
  HtZD_Add(s, s->Jyd, e1, vim, -1.0);
  HtZD_Add(s, s->Jy, e1, qi, 1.0);
  HtZD_Add(s, s->Jy, e1, qo, -1.0);
  s->r[e2] += Cim * y[po] + Cim * Rv * y[qo] - y[vim] - Cim * im * y[pvent];
  HtZD_Add(s, s->Jy, e2, po, Cim);
  HtZD_Add(s, s->Jy, e2, qo, Cim * Rv);
  HtZD_Add(s, s->Jy, e2, vim, -1.0);
  /* d/dP_ventricle (-Cim im) is left out of the Jacobian on purpose: the heart's valve logic makes the
   * discrete problem depend on the Newton path, and svZeroDSolver's Jacobian omits this term */
  (void)pvent;
}

const HtZDBlockType HtZD_ClosedLoopCoronaryLeft  = {"ClosedLoopCoronaryLeft", HTZD_BC, 1, {"volume_im"}, Setup, Finalize, Eval, Link, NULL};
const HtZDBlockType HtZD_ClosedLoopCoronaryRight = {"ClosedLoopCoronaryRight", HTZD_BC, 1, {"volume_im"}, Setup, Finalize, Eval, Link, NULL};
