/* PiecewiseValve: ideal-diode-like valve with a piecewise constant resistance [Regazzoni et al. 2022].
 * Parameters: Rmax (closed), Rmin (open); "upstream_block"/"downstream_block" name the connections.
 * Local y = [P_in, Q_in, P_out, Q_out]:
 *   P_in - P_out - R Q_in = 0,   R = Rmin if P_out < P_in (open), else Rmax
 *   Q_in - Q_out = 0
 * R is piecewise constant, so its derivative is zero away from P_in = P_out (Newton uses R only). */
#include "zerod_impl.h"

PetscErrorCode HtZD_VesselFinalize(HtZeroD, HtZDBlock *);

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  static const char *const keys[] = {"Rmax", "Rmin", "upstream_block", "downstream_block", NULL};

  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rmax", PETSC_FALSE, 0.0));
  PetscCall(HtZD_ReadParam(zd, b, v, "Rmin", PETSC_FALSE, 0.0));
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscInt  e0 = b->eq[0], e1 = b->eq[1], pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3];
  const PetscReal R = y[po] < y[pi] ? pv[b->param[1]] : pv[b->param[0]];
  (void)yd;
  s->r[e0] += y[pi] - y[po] - R * y[qi];
  HtZD_Add(s, s->Jy, e0, pi, 1.0);
  HtZD_Add(s, s->Jy, e0, po, -1.0);
  HtZD_Add(s, s->Jy, e0, qi, -R);
  s->r[e1] += y[qi] - y[qo];
  HtZD_Add(s, s->Jy, e1, qi, 1.0);
  HtZD_Add(s, s->Jy, e1, qo, -1.0);
}

const HtZDBlockType HtZD_PiecewiseValve = {"PiecewiseValve", HTZD_VALVE, 0, {NULL}, Setup, HtZD_VesselFinalize, Eval, NULL, NULL};
