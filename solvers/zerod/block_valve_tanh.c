/* ValveTanh: smooth diode, resistance from Rmin (open, P_in > P_out) to Rmax (closed).
 * Parameters: Rmax, Rmin, Steepness k; "upstream_block"/"downstream_block" name the connections.
 * Internal variable s ("valve_status:<name>", 0 open .. 1 closed), reported as svZeroDSolver does.
 * Local y = [P_in, Q_in, P_out, Q_out, s]:
 *   P_in - P_out - Q_in [ (Rmax + Rmin)/2 + (Rmax - Rmin)/2 tanh(k (P_out - P_in)) ] = 0
 *   Q_in - Q_out = 0
 *   s - (1 + tanh(k (P_out - P_in)))/2 = 0 */
#include "zerod_impl.h"

PetscErrorCode HtZD_VesselFinalize(HtZeroD, HtZDBlock *);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Rmax", "Rmin", "Steepness", "upstream_block", "downstream_block", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rmax", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rmin", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Steepness", PETSC_FALSE, 0.0));
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal Rmax = pv[b->param[0]], Rmin = pv[b->param[1]], k = pv[b->param[2]];
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3];
  const PetscReal th = tanh(k * (y[po] - y[pi])), dth = k * (1.0 - th * th), q = y[qi];
  (void)yd;
  s->r[e0] += y[pi] - y[po] - 0.5 * (Rmax + Rmin) * q - 0.5 * (Rmax - Rmin) * q * th;
  HtZD_Add(s, s->Jy, e0, pi, 1.0 + 0.5 * (Rmax - Rmin) * q * dth);
  HtZD_Add(s, s->Jy, e0, po, -1.0 - 0.5 * (Rmax - Rmin) * q * dth);
  HtZD_Add(s, s->Jy, e0, qi, -0.5 * (Rmax + Rmin) - 0.5 * (Rmax - Rmin) * th);
  s->r[e1] += q - y[qo];
  HtZD_Add(s, s->Jy, e1, qi, 1.0);
  HtZD_Add(s, s->Jy, e1, qo, -1.0);
  s->r[b->eq[2]] += y[b->var[4]] - 0.5 * (1.0 + th);
  HtZD_Add(s, s->Jy, b->eq[2], b->var[4], 1.0);
  HtZD_Add(s, s->Jy, b->eq[2], po, -0.5 * dth);
  HtZD_Add(s, s->Jy, b->eq[2], pi, 0.5 * dth);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_VesselFinalize(zd, b));
  b->neq = 3;
  PetscFunctionReturn(0);
}

const HtZDBlockType HtZD_ValveTanh = {"ValveTanh", HTZD_VALVE, 1, {"valve_status"}, Setup, Finalize, Eval, NULL, NULL};
