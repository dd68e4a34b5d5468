/* Womersley inlet profile: the inlet waveform is split into Fourier harmonics and each harmonic gets the
 * rigid-tube Womersley shape (complex Bessel J0/J1 of i^(3/2) alpha r/R), the mean gets Poiseuille.
 *   u_n(r) = Q_n/(pi R^2) [1 - J0(L r/R)/J0(L)] / [1 - 2 J1(L)/(L J0(L))],  L = i^(3/2) alpha_n,
 *   alpha_n = R sqrt(n omega/nu). */
#include "threed_impl.h"
#include <complex.h>
#include <math.h>

/* power series; fine for |z| up to ~40 (alpha of the first harmonics of blood flow in large arteries) */
static void Bessel01(double complex z, double complex *j0, double complex *j1)
{
  double complex q = -z * z / 4.0, t0 = 1.0, t1 = 1.0, s0 = 1.0, s1 = 1.0;
  for (int k = 1; k < 400; k++) {
    t0 *= q / ((double)k * (double)k);
    t1 *= q / ((double)k * (double)(k + 1));
    s0 += t0;
    s1 += t1;
    if (cabs(t0) < 1e-17 * cabs(s0) && cabs(t1) < 1e-17 * cabs(s1) && k > 5) break;
  }
  *j0 = s0;
  *j1 = s1 * z / 2.0;
}

/* velocity along the axis for the waveform Q(t) = Qre[0] + sum_n Re((Qre[n] + i Qim[n]) e^{i n w t}) and,
 * when dudt != NULL, its time derivative */
static void Profile(PetscInt nh, const PetscReal Qre[], const PetscReal Qim[], PetscReal T, PetscReal R, PetscReal nu, PetscReal r, PetscReal t, PetscReal *u, PetscReal *dudt)
{
  const double w = 2.0 * PETSC_PI / T;
  double       xi = PetscMin(r / R, 1.0), v = 2.0 * Qre[0] / (PETSC_PI * R * R) * (1.0 - xi * xi), dv = 0.0;
  for (PetscInt n = 1; n < nh; n++) {
    double         alpha = R * sqrt(n * w / nu);
    double complex L     = alpha * cexp(I * 3.0 * PETSC_PI / 4.0), j0L, j1L, j0r, j1r, shape, Qn = Qre[n] + I * Qim[n], e = cexp(I * n * w * t);
    if (Qre[n] == 0.0 && Qim[n] == 0.0) continue;
    Bessel01(L, &j0L, &j1L);
    Bessel01(L * xi, &j0r, &j1r);
    shape = (1.0 - j0r / j0L) / (PETSC_PI * R * R * (1.0 - 2.0 * j1L / (L * j0L)));
    v += creal(shape * Qn * e);
    dv += creal(I * n * w * shape * Qn * e);
  }
  *u = v;
  if (dudt) *dudt = dv;
}

PetscErrorCode HtThreeD_WomersleyVelocity(PetscInt nh, const PetscReal Qre[], const PetscReal Qim[], PetscReal T_s, PetscReal R_cm, PetscReal nu_cm2_s, PetscReal r_cm, PetscReal t_s, PetscReal *u_cm_s)
{
  PetscFunctionBeginUser;
  PetscCheck(nh >= 1 && T_s > 0 && R_cm > 0 && nu_cm2_s > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "Womersley profile: need nh >= 1, T > 0, R > 0, nu > 0");
  Profile(nh, Qre, Qim, T_s, R_cm, nu_cm2_s, r_cm, t_s, u_cm_s, NULL);
  PetscFunctionReturn(0);
}

/* Fourier coefficients of the (periodic, piecewise linear) inlet waveform from 512 uniform samples */
PetscErrorCode HtThreeD_WomersleySetUp(HtThreeD td)
{
  const PetscInt M = 512;
  PetscReal      T;

  PetscFunctionBeginUser;
  PetscCheck(td->c.nwave >= 2, td->comm, PETSC_ERR_USER_INPUT, "3d: the Womersley inlet profile needs a periodic waveform (t_s, Q_mL_s)");
  T          = td->c.wave_t_s[td->c.nwave - 1] - td->c.wave_t_s[0];
  td->wom_T  = T;
  td->wom_nh = PetscMin(HT3_WOM_MAXH, M / 2);
  for (PetscInt n = 0; n < td->wom_nh; n++) {
    double complex s = 0;
    for (PetscInt k = 0; k < M; k++) {
      PetscReal tk = td->c.wave_t_s[0] + T * k / M;
      s += HtThreeD_InletFlow(td, tk) * cexp(-I * 2.0 * PETSC_PI * n * k / (double)M);
    }
    s *= (n == 0 ? 1.0 : 2.0) / M;
    /* shift so that coefficients refer to t (not t - t0) */
    s *= cexp(-I * 2.0 * PETSC_PI * n * td->c.wave_t_s[0] / T);
    td->wom_re[n] = creal(s);
    td->wom_im[n] = cimag(s);
  }
  PetscFunctionReturn(0);
}

void HtThreeD_WomersleyEval(const HtThreeD td, PetscReal r, PetscReal t, PetscReal *u, PetscReal *dudt)
{
  Profile(td->wom_nh, td->wom_re, td->wom_im, td->wom_T, td->in_R, td->c.mu_P / td->c.rho_g_cm3, r, t, u, dudt);
}
