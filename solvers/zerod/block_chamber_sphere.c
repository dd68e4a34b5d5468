/* ChamberSphere: spherical heart chamber with active contraction (Caruel et al. 2013, eqs 13a-b;
 * Pfaller et al. 2019, eqs 12-16), as documented by svZeroDSolver.
 * Parameters: rho, thick0 d0, radius0 r0, W1, W2, eta, sigma_max, alpha_max, alpha_min, tsys, tdias,
 * steepness gamma. Internal variables radius r (displacement from r0), velo v, stress S, tau, volume V.
 * With R = r0 + r, C = (R/r0)^2, dC/dt = 2 R dr/dt / r0^2:
 *   rho d0 dv/dt + d0 R S / r0^2 - P_out R^2 / r0^2 = 0              (balance of linear momentum)
 *   -S + tau + 4 (1 - C^-3)(W1 + C W2) + 2 eta dC/dt (1 - 2 C^-6) = 0 (spherical stress)
 *   4 pi R^2 v - dV/dt = 0                                            (volume change)
 *   dtau/dt + |a(t)| tau - sigma_max max(a(t), 0) = 0                 (active stress)
 *   dr/dt - v = 0
 *   Q_in - Q_out - dV/dt = 0
 *   P_in - P_out = 0
 * a(t) = f alpha_max + (1 - f) alpha_min, f = S+ S-, S+- = (1 +- tanh((t_c - t_sys/dias)/gamma))/2,
 * t_c = t mod T. Local y = [P_in, Q_in, P_out, Q_out, r, v, S, tau, V]. */
#include "zerod_impl.h"
#include <math.h>

PetscErrorCode HtZD_VesselFinalize(HtZeroD, HtZDBlock *);

static const char *const keys[] = {"rho", "thick0", "radius0", "W1", "W2", "eta", "sigma_max", "alpha_max", "alpha_min", "tsys", "tdias", "steepness", NULL};

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, keys));
  for (PetscInt i = 0; keys[i]; i++) PetscCall(HtZD_ReadParam(zd, b, v, keys[i], PETSC_FALSE, 0.0));
  PetscFunctionReturn(0);
}

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  const PetscReal rho = pv[b->param[0]], d0 = pv[b->param[1]], r0 = pv[b->param[2]], W1 = pv[b->param[3]], W2 = pv[b->param[4]], eta = pv[b->param[5]];
  const PetscReal smax = pv[b->param[6]], amax = pv[b->param[7]], amin = pv[b->param[8]], tsys = pv[b->param[9]], tdias = pv[b->param[10]], gam = pv[b->param[11]];
  const PetscInt  pi = b->var[0], qi = b->var[1], po = b->var[2], qo = b->var[3], ir = b->var[4], iv = b->var[5], iS = b->var[6], it = b->var[7], iV = b->var[8];
  const PetscInt *e = b->eq;
  const PetscReal tc = fmod(s->time, s->period);
  const PetscReal f = 0.5 * (1.0 + tanh((tc - tsys) / gam)) * 0.5 * (1.0 - tanh((tc - tdias) / gam));
  const PetscReal a = f * amax + (1.0 - f) * amin, ap = PetscMax(a, 0.0);
  const PetscReal R = r0 + y[ir], r02 = r0 * r0, rd = yd[ir], P = y[po];
  const PetscReal q6 = pow(r0 / R, 6.0), q12 = q6 * q6;

  /* momentum */
  s->r[e[0]] += rho * d0 * yd[iv] + d0 * R * y[iS] / r02 - P * R * R / r02;
  HtZD_Add(s, s->Jyd, e[0], iv, rho * d0);
  HtZD_Add(s, s->Jy, e[0], iS, d0 * R / r02);
  HtZD_Add(s, s->Jy, e[0], po, -R * R / r02);
  HtZD_Add(s, s->Jy, e[0], ir, d0 * y[iS] / r02 - 2.0 * P * R / r02);
  /* stress: elastic 4 (1 - (r0/R)^6)(W1 + W2 R^2/r0^2) and viscous 4 eta rd R (1 - 2 (r0/R)^12) / r0^2 */
  s->r[e[1]] += -y[iS] + y[it] + 4.0 * (1.0 - q6) * (W1 + W2 * R * R / r02) + 4.0 * eta * rd * R * (1.0 - 2.0 * q12) / r02;
  HtZD_Add(s, s->Jy, e[1], iS, -1.0);
  HtZD_Add(s, s->Jy, e[1], it, 1.0);
  HtZD_Add(s, s->Jy, e[1], ir, 4.0 * (6.0 * q6 / R * (W1 + W2 * R * R / r02) + (1.0 - q6) * 2.0 * W2 * R / r02) + 4.0 * eta * rd * (1.0 + 22.0 * q12) / r02);
  HtZD_Add(s, s->Jyd, e[1], ir, 4.0 * eta * R * (1.0 - 2.0 * q12) / r02);
  /* volume */
  s->r[e[2]] += 4.0 * PETSC_PI * R * R * y[iv] - yd[iV];
  HtZD_Add(s, s->Jy, e[2], iv, 4.0 * PETSC_PI * R * R);
  HtZD_Add(s, s->Jy, e[2], ir, 8.0 * PETSC_PI * R * y[iv]);
  HtZD_Add(s, s->Jyd, e[2], iV, -1.0);
  /* active stress */
  s->r[e[3]] += yd[it] + PetscAbsReal(a) * y[it] - smax * ap;
  HtZD_Add(s, s->Jyd, e[3], it, 1.0);
  HtZD_Add(s, s->Jy, e[3], it, PetscAbsReal(a));
  /* kinematics */
  s->r[e[4]] += rd - y[iv];
  HtZD_Add(s, s->Jyd, e[4], ir, 1.0);
  HtZD_Add(s, s->Jy, e[4], iv, -1.0);
  /* mass */
  s->r[e[5]] += y[qi] - y[qo] - yd[iV];
  HtZD_Add(s, s->Jy, e[5], qi, 1.0);
  HtZD_Add(s, s->Jy, e[5], qo, -1.0);
  HtZD_Add(s, s->Jyd, e[5], iV, -1.0);
  /* pressure */
  s->r[e[6]] += y[pi] - P;
  HtZD_Add(s, s->Jy, e[6], pi, 1.0);
  HtZD_Add(s, s->Jy, e[6], po, -1.0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_VesselFinalize(zd, b));
  b->neq = 7;
  PetscFunctionReturn(0);
}

const HtZDBlockType HtZD_ChamberSphere = {"ChamberSphere", HTZD_CHAMBER, 5, {"radius", "velo", "stress", "tau", "volume"}, Setup, Finalize, Eval, NULL, NULL};
