/* Pointwise weak form of incompressible Navier-Stokes for PetscDS (cgs units).
 *
 * Why stabilised P1/P1 by default: PetscFE's P2 element assembly costs ~10 ms per tet here, far too slow
 * for patient meshes and CI; equal-order P1/P1 needs PSPG (pressure) and SUPG (convection) terms, which
 * are residual based and therefore consistent up to the viscous term that P1 cannot represent
 * (O(h^2) error). LSIC (grad-div) improves mass conservation. Taylor-Hood P2/P1 (stable, no
 * stabilisation) stays available with -threed_vel_order 2.
 *
 * Residual (test v, q):
 *   F_u = (rho (u_t + u.grad u), v) + (2 mu eps(u) - p I, grad v) + sum_K tau_M (u.grad v, r_M)
 *         + sum_K tau_C (div u, div v) + outlet terms (P n - beta rho (u.n)_- u, v)
 *   F_p = (div u, q) + sum_K tau_M/rho (grad q, r_M),      r_M = rho (u_t + u.grad u) + grad p
 * tau_M = ((2/dt)^2 + (2|u|/h)^2 + C_I (4 nu/h^2)^2)^(-1/2) (Tezduyar/Shakib, C_I = 36 by default: with 9 the
 * PSPG inconsistency moved the Poiseuille pressure drop by -8 % on a 670-tet pipe, with 36 by -0.1 %), tau_C = rho h^2/(12 tau_M).
 * The Jacobian is exact for the Galerkin and outlet terms; in the stabilisation terms tau is frozen.
 * The cell size h (cm) comes from a P0 auxiliary field.
 */
#include "threed_impl.h"

static inline PetscReal Tau(const PetscScalar c[], const PetscScalar U[], PetscReal h)
{
  const PetscReal rho = PetscRealPart(c[HT3_C_RHO]), nu = PetscRealPart(c[HT3_C_MU]) / rho;
  const PetscReal dt = PetscRealPart(c[HT3_C_DT]), steady = PetscRealPart(c[HT3_C_STEADY]);
  PetscReal       u2 = 0, s;
  for (PetscInt d = 0; d < 3; d++) u2 += PetscRealPart(U[d] * U[d]);
  s = 4.0 * u2 / (h * h) + PetscRealPart(c[HT3_C_CI]) * PetscSqr(4.0 * nu / (h * h));
  if (steady < 0.5 && dt > 0) s += 4.0 / (dt * dt);
  return PetscRealPart(c[HT3_C_SUPG]) > 0.5 ? 1.0 / PetscSqrtReal(s) : 0.0;
}

/* strong momentum residual without the viscous term (zero inside P1 cells) */
static inline void StrongResidual(const PetscScalar c[], const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], PetscScalar r[])
{
  const PetscReal    rho    = PetscRealPart(c[HT3_C_RHO]);
  const PetscBool    steady = PetscRealPart(c[HT3_C_STEADY]) > 0.5 ? PETSC_TRUE : PETSC_FALSE;
  const PetscScalar *U = &u[uOff[0]], *gU = &u_x[uOff_x[0]], *gP = &u_x[uOff_x[1]];
  for (PetscInt i = 0; i < 3; i++) {
    PetscScalar conv = 0;
    for (PetscInt d = 0; d < 3; d++) conv += U[d] * gU[i * 3 + d];
    r[i] = rho * ((steady || !u_t ? 0.0 : u_t[uOff[0] + i]) + conv) + gP[i];
  }
}

#define HT3_H(a, aOff) (PetscRealPart((a)[(aOff)[0]]))

void HtThreeD_f0_u(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar f0[])
{
  const PetscReal    rho    = PetscRealPart(c[HT3_C_RHO]);
  const PetscBool    steady = PetscRealPart(c[HT3_C_STEADY]) > 0.5 ? PETSC_TRUE : PETSC_FALSE;
  const PetscScalar *U = &u[uOff[0]], *gU = &u_x[uOff_x[0]];
  for (PetscInt i = 0; i < 3; i++) {
    PetscScalar conv = 0;
    for (PetscInt d = 0; d < 3; d++) conv += U[d] * gU[i * 3 + d];
    f0[i] = rho * ((steady || !u_t ? 0.0 : u_t[uOff[0] + i]) + conv);
  }
}

void HtThreeD_f1_u(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar f1[])
{
  const PetscReal    rho = PetscRealPart(c[HT3_C_RHO]), mu = PetscRealPart(c[HT3_C_MU]), h = HT3_H(a, aOff);
  const PetscScalar *U = &u[uOff[0]], *gU = &u_x[uOff_x[0]], p = u[uOff[1]];
  PetscScalar        r[3], divu = gU[0] + gU[4] + gU[8];
  const PetscReal    tau  = Tau(c, U, h);
  const PetscReal    tauC = (tau > 0 && PetscRealPart(c[HT3_C_LSIC]) > 0.5) ? rho * h * h / (12.0 * tau) : 0.0;
  StrongResidual(c, uOff, uOff_x, u, u_t, u_x, r);
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt d = 0; d < 3; d++) f1[i * 3 + d] = mu * (gU[i * 3 + d] + gU[d * 3 + i]) + (i == d ? tauC * divu - p : 0.0) + tau * U[d] * r[i];
}

void HtThreeD_f0_p(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar f0[])
{
  const PetscScalar *gU = &u_x[uOff_x[0]];
  f0[0]                 = gU[0] + gU[4] + gU[8];
}

void HtThreeD_f1_p(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar f1[])
{
  const PetscReal rho = PetscRealPart(c[HT3_C_RHO]);
  const PetscReal tau = Tau(c, &u[uOff[0]], HT3_H(a, aOff));
  PetscScalar     r[3];
  StrongResidual(c, uOff, uOff_x, u, u_t, u_x, r);
  for (PetscInt d = 0; d < 3; d++) f1[d] = tau / rho * r[d];
}

/* ---- Jacobians (tau frozen) ---- */
void HtThreeD_g0_uu(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g0[])
{
  const PetscReal    rho = PetscRealPart(c[HT3_C_RHO]);
  const PetscReal    s   = PetscRealPart(c[HT3_C_STEADY]) > 0.5 ? 0.0 : shift;
  const PetscScalar *gU  = &u_x[uOff_x[0]];
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt b = 0; b < 3; b++) g0[i * 3 + b] = rho * ((i == b ? s : 0.0) + gU[i * 3 + b]);
}

void HtThreeD_g1_uu(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g1[])
{
  const PetscReal    rho = PetscRealPart(c[HT3_C_RHO]);
  const PetscScalar *U   = &u[uOff[0]];
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt e = 0; e < 3; e++) g1[(i * 3 + i) * 3 + e] = rho * U[e];
}

void HtThreeD_g2_uu(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g2[])
{
  const PetscReal    rho = PetscRealPart(c[HT3_C_RHO]);
  const PetscReal    s   = PetscRealPart(c[HT3_C_STEADY]) > 0.5 ? 0.0 : shift;
  const PetscScalar *U = &u[uOff[0]], *gU = &u_x[uOff_x[0]];
  const PetscReal    tau = Tau(c, U, HT3_H(a, aOff));
  PetscScalar        r[3];
  if (tau == 0.0) return;
  StrongResidual(c, uOff, uOff_x, u, u_t, u_x, r);
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt b = 0; b < 3; b++)
      for (PetscInt d = 0; d < 3; d++) g2[(i * 3 + b) * 3 + d] = tau * U[d] * rho * ((i == b ? s : 0.0) + gU[i * 3 + b]) + (d == b ? tau * r[i] : 0.0);
}

void HtThreeD_g3_uu(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g3[])
{
  const PetscReal    rho = PetscRealPart(c[HT3_C_RHO]), mu = PetscRealPart(c[HT3_C_MU]), h = HT3_H(a, aOff);
  const PetscScalar *U    = &u[uOff[0]];
  const PetscReal    tau  = Tau(c, U, h);
  const PetscReal    tauC = (tau > 0 && PetscRealPart(c[HT3_C_LSIC]) > 0.5) ? rho * h * h / (12.0 * tau) : 0.0;
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt b = 0; b < 3; b++)
      for (PetscInt d = 0; d < 3; d++)
        for (PetscInt e = 0; e < 3; e++) {
          PetscScalar v = 0;
          if (i == b && d == e) v += mu;
          if (d == b && i == e) v += mu;
          if (i == b) v += tau * rho * U[d] * U[e];
          if (i == d && b == e) v += tauC;
          g3[((i * 3 + b) * 3 + d) * 3 + e] = v;
        }
}

void HtThreeD_g2_up(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g2[])
{
  for (PetscInt d = 0; d < 3; d++) g2[d * 3 + d] = -1.0;
}

void HtThreeD_g3_up(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g3[])
{
  const PetscScalar *U   = &u[uOff[0]];
  const PetscReal    tau = Tau(c, U, HT3_H(a, aOff));
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt d = 0; d < 3; d++) g3[(i * 3 + d) * 3 + i] = tau * U[d];
}

void HtThreeD_g1_pu(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g1[])
{
  for (PetscInt d = 0; d < 3; d++) g1[d * 3 + d] = 1.0;
}

void HtThreeD_g2_pu(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g2[])
{
  const PetscReal    s  = PetscRealPart(c[HT3_C_STEADY]) > 0.5 ? 0.0 : shift;
  const PetscScalar *U = &u[uOff[0]], *gU = &u_x[uOff_x[0]];
  const PetscReal    tau = Tau(c, U, HT3_H(a, aOff));
  for (PetscInt b = 0; b < 3; b++)
    for (PetscInt d = 0; d < 3; d++) g2[b * 3 + d] = tau * ((d == b ? s : 0.0) + gU[d * 3 + b]);
}

void HtThreeD_g3_pu(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g3[])
{
  const PetscScalar *U   = &u[uOff[0]];
  const PetscReal    tau = Tau(c, U, HT3_H(a, aOff));
  for (PetscInt b = 0; b < 3; b++)
    for (PetscInt e = 0; e < 3; e++) g3[(b * 3 + b) * 3 + e] = tau * U[e];
}

void HtThreeD_g3_pp(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], PetscInt numConstants, const PetscScalar c[], PetscScalar g3[])
{
  const PetscReal rho = PetscRealPart(c[HT3_C_RHO]);
  const PetscReal tau = Tau(c, &u[uOff[0]], HT3_H(a, aOff));
  for (PetscInt d = 0; d < 3; d++) g3[d * 3 + d] = tau / rho;
}

/* ---- outlets: traction -P n plus backflow stabilisation (Esmaily-Moghadam et al. 2011):
 *      sigma n = -P n + beta rho (u.n)_- u, (u.n)_- = min(u.n, 0); it removes the kinetic energy that
 *      inflow through an outlet would bring in, and is zero for outflow. One function per outlet index
 *      because pointwise functions do not know which face group they integrate. ---- */
static inline void OutletResidual(PetscInt k, const PetscInt uOff[], const PetscScalar u[], const PetscReal n[], const PetscScalar c[], PetscScalar f0[])
{
  const PetscScalar *U    = &u[uOff[0]];
  const PetscReal    rho  = PetscRealPart(c[HT3_C_RHO]), beta = PetscRealPart(c[HT3_C_BETA]);
  const PetscReal    P    = PetscRealPart(c[HT3_C_OUTLET0 + k]);
  PetscReal          un   = 0;
  for (PetscInt d = 0; d < 3; d++) un += PetscRealPart(U[d]) * n[d];
  for (PetscInt d = 0; d < 3; d++) f0[d] = P * n[d] - (un < 0 ? beta * rho * un * U[d] : 0.0);
}

void HtThreeD_g0_outlet(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal shift, const PetscReal x[], const PetscReal n[], PetscInt numConstants, const PetscScalar c[], PetscScalar g0[])
{
  const PetscScalar *U   = &u[uOff[0]];
  const PetscReal    rho = PetscRealPart(c[HT3_C_RHO]), beta = PetscRealPart(c[HT3_C_BETA]);
  PetscReal          un  = 0;
  for (PetscInt d = 0; d < 3; d++) un += PetscRealPart(U[d]) * n[d];
  if (un >= 0) return;
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt b = 0; b < 3; b++) g0[i * 3 + b] = -beta * rho * (n[b] * U[i] + (i == b ? un : 0.0));
}

#define HT3_OUTLET_FN(k) \
  static void f0_outlet_##k(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], const PetscReal n[], PetscInt numConstants, const PetscScalar c[], PetscScalar f0[]) \
  { \
    OutletResidual(k, uOff, u, n, c, f0); \
  }
HT3_OUTLET_FN(0)
HT3_OUTLET_FN(1)
HT3_OUTLET_FN(2)
HT3_OUTLET_FN(3)
HT3_OUTLET_FN(4)
HT3_OUTLET_FN(5)
HT3_OUTLET_FN(6)
HT3_OUTLET_FN(7)
HT3_OUTLET_FN(8)
HT3_OUTLET_FN(9)
HT3_OUTLET_FN(10)
HT3_OUTLET_FN(11)
HT3_OUTLET_FN(12)
HT3_OUTLET_FN(13)
HT3_OUTLET_FN(14)
HT3_OUTLET_FN(15)
HT3_OUTLET_FN(16)
HT3_OUTLET_FN(17)
HT3_OUTLET_FN(18)
HT3_OUTLET_FN(19)
HT3_OUTLET_FN(20)
HT3_OUTLET_FN(21)
HT3_OUTLET_FN(22)
HT3_OUTLET_FN(23)
HT3_OUTLET_FN(24)
HT3_OUTLET_FN(25)
HT3_OUTLET_FN(26)
HT3_OUTLET_FN(27)
HT3_OUTLET_FN(28)
HT3_OUTLET_FN(29)
HT3_OUTLET_FN(30)
HT3_OUTLET_FN(31)

HtThreeDBdFn HtThreeD_OutletResidual(PetscInt k)
{
  static const HtThreeDBdFn fns[HT3_MAX_OUTLETS] = {f0_outlet_0, f0_outlet_1, f0_outlet_2, f0_outlet_3, f0_outlet_4, f0_outlet_5, f0_outlet_6, f0_outlet_7, f0_outlet_8, f0_outlet_9, f0_outlet_10, f0_outlet_11, f0_outlet_12, f0_outlet_13, f0_outlet_14, f0_outlet_15,
                                                    f0_outlet_16, f0_outlet_17, f0_outlet_18, f0_outlet_19, f0_outlet_20, f0_outlet_21, f0_outlet_22, f0_outlet_23, f0_outlet_24, f0_outlet_25, f0_outlet_26, f0_outlet_27, f0_outlet_28, f0_outlet_29, f0_outlet_30, f0_outlet_31};
  return (k >= 0 && k < HT3_MAX_OUTLETS) ? fns[k] : NULL;
}
