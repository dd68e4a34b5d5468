/* Chamber activation functions a(t) in [0, 1] ("activation_function" object of a chamber, beside
 * its "values"), as documented by svZeroDSolver. T is the cardiac period, t_c = t mod T.
 *   half_cosine (t_active, t_twitch): s = max(0, t_c - t_active);
 *       a = (1 - cos(2 pi s / t_twitch)) / 2 while s <= t_twitch, else 0.
 *   piecewise_cosine (contract_start t_C, relax_start t_R, contract_duration T_C, relax_duration T_R):
 *       u = fmod(t - t_C, T): a = (1 - cos(pi u / T_C)) / 2 if 0 <= u < T_C;
 *       else w = fmod(t - t_R, T): a = (1 + cos(pi w / T_R)) / 2 if 0 <= w < T_R; else 0.
 *   two_hill (t_shift, tau_1, tau_2, m1, m2) [Kaiser et al., Ann Biomed Eng 2022]:
 *       s = (t_c - t_shift) mod T in [0, T), g1 = (s/tau_1)^m1, g2 = (s/tau_2)^m2,
 *       a = N g1/(1 + g1) / (1 + g2), N = 1 / max over s in [0, T) (sampled every 1e-5) of the same
 *       expression, so that max a = 1.
 *   wrapping_cosine (Tsa, tpwave) [Sankaran 2012, Menon 2023 atrial activation]: ts = Tsa T, tp = T / tpwave;
 *       a = (1 - cos(2 pi (t_c - tp + ts) / ts)) / 2 for t_c <= tp,
 *       a = (1 - cos(2 pi (t_c - tp - (T - ts)) / ts)) / 2 for T - ts + tp <= t_c < T, else 0
 *       (a single cosine pulse of length ts ending at tp that wraps across the cycle boundary).
 *   fourier (no parameters) [Menon 2023, J. Tran's tuning framework]: 25-mode series
 *       f(t_c) = sum_i a_i cos(2 pi i t_c / T) - b_i sin(2 pi i t_c / T), rescaled to [0, 1] with its
 *       minimum and maximum over 10000 samples of the cycle: a = (f - f_min) / (f_max - f_min).
 * Normalisations need the period and are computed once the model is loaded (HtZD_ChamberActivationSetUp). */
#include "zerod_impl.h"
#include <math.h>

enum { ACT_NONE, ACT_HALF_COSINE, ACT_PIECEWISE_COSINE, ACT_TWO_HILL, ACT_WRAPPING_COSINE, ACT_FOURIER };

/* Coefficients (a_i, b_i) of the fourier activation, data published with svZeroDSolver (BSD-3-Clause). */
static const PetscReal fourier_ab[25][2] = {
  {0.283748803, 0.000000000},   {0.031830626, -0.374299825},  {-0.209472400, -0.018127770}, {0.020520047, 0.073971113},
  {0.008316883, -0.047249597},  {-0.041677660, 0.003212163},  {0.000867323, 0.019441411},   {-0.001675379, -0.005565534},
  {-0.011252277, 0.003401432},  {-0.000414677, 0.008376795},  {0.000253749, -0.000071880},  {-0.002584966, 0.001566861},
  {0.000584752, 0.003143555},   {0.000028502, -0.000024787},  {0.000022961, -0.000007476},  {0.000018735, -0.000001281},
  {0.000015573, 0.000001781},   {0.000013133, 0.000003494},   {0.000011199, 0.000004507},   {0.000009634, 0.000005117},
  {0.000008343, 0.000005481},   {0.000007265, 0.000005687},   {0.000006354, 0.000005789},   {0.000005575, 0.000005821},
  {0.000004903, 0.000005805}};

static PetscReal FourierRaw(PetscReal tc, PetscReal T)
{
  PetscReal v = 0.0;
  for (PetscInt i = 0; i < 25; i++) v += fourier_ab[i][0] * cos(2.0 * PETSC_PI * (PetscReal)i * tc / T) - fourier_ab[i][1] * sin(2.0 * PETSC_PI * (PetscReal)i * tc / T);
  return v;
}

static PetscReal TwoHillRaw(const PetscReal *p, PetscReal s)
{
  const PetscReal g1 = pow(s / p[1], p[3]), g2 = pow(s / p[2], p[4]);
  return g1 / (1.0 + g1) / (1.0 + g2);
}

static PetscErrorCode ReadNum(HtZeroD zd, HtZDBlock *b, const cJSON *o, const char *key, PetscReal *v)
{
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

  PetscFunctionBeginUser;
  PetscCheck(cJSON_IsNumber(it), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: activation_function of chamber %s needs the number %s", zd->source, b->name, key);
  *v = it->valuedouble;
  PetscFunctionReturn(0);
}

/* Called by the loader with the chamber's JSON object. ChamberSphere has its own activation parameters. */
PetscErrorCode HtZD_ChamberActivation(HtZeroD zd, HtZDBlock *b, const cJSON *chamber)
{
  const cJSON *af = cJSON_GetObjectItemCaseSensitive(chamber, "activation_function"), *ty;
  const char  *t;

  PetscFunctionBeginUser;
  if (!strcmp(b->type->type_name, "ChamberSphere")) {
    PetscCheck(!af, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: chamber %s (ChamberSphere) takes no activation_function (its activation is set by tsys, tdias, steepness)", zd->source, b->name);
    PetscFunctionReturn(0);
  }
  PetscCheck(af && cJSON_IsObject(af), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: chamber %s lacks an activation_function", zd->source, b->name);
  ty = cJSON_GetObjectItemCaseSensitive(af, "type");
  PetscCheck(cJSON_IsString(ty), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: activation_function of chamber %s lacks a type", zd->source, b->name);
  t = ty->valuestring;
  if (!strcmp(t, "half_cosine")) {
    b->act_type = ACT_HALF_COSINE;
    PetscCall(ReadNum(zd, b, af, "t_active", &b->act[0]));
    PetscCall(ReadNum(zd, b, af, "t_twitch", &b->act[1]));
    PetscCheck(b->act[1] > 0.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: chamber %s: t_twitch must be > 0", zd->source, b->name);
  } else if (!strcmp(t, "piecewise_cosine")) {
    b->act_type = ACT_PIECEWISE_COSINE;
    PetscCall(ReadNum(zd, b, af, "contract_start", &b->act[0]));
    PetscCall(ReadNum(zd, b, af, "relax_start", &b->act[1]));
    PetscCall(ReadNum(zd, b, af, "contract_duration", &b->act[2]));
    PetscCall(ReadNum(zd, b, af, "relax_duration", &b->act[3]));
  } else if (!strcmp(t, "two_hill")) {
    b->act_type = ACT_TWO_HILL;
    PetscCall(ReadNum(zd, b, af, "t_shift", &b->act[0]));
    PetscCall(ReadNum(zd, b, af, "tau_1", &b->act[1]));
    PetscCall(ReadNum(zd, b, af, "tau_2", &b->act[2]));
    PetscCall(ReadNum(zd, b, af, "m1", &b->act[3]));
    PetscCall(ReadNum(zd, b, af, "m2", &b->act[4]));
    PetscCheck(b->act[1] > 0.0 && b->act[2] > 0.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: chamber %s: two_hill needs tau_1 > 0 and tau_2 > 0", zd->source, b->name);
  } else if (!strcmp(t, "wrapping_cosine")) {
    b->act_type = ACT_WRAPPING_COSINE;
    PetscCall(ReadNum(zd, b, af, "Tsa", &b->act[0]));
    PetscCall(ReadNum(zd, b, af, "tpwave", &b->act[1]));
    PetscCheck(b->act[0] > 0.0 && b->act[1] > 0.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: chamber %s: wrapping_cosine needs Tsa > 0 and tpwave > 0", zd->source, b->name);
  } else if (!strcmp(t, "fourier")) {
    b->act_type = ACT_FOURIER;
  } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: chamber %s: activation_function type %s is not supported (half_cosine, piecewise_cosine, two_hill, wrapping_cosine, fourier)", zd->source, b->name, t);
  PetscFunctionReturn(0);
}

/* Normalisation constants once the cardiac period is known. */
PetscErrorCode HtZD_ChamberActivationSetUp(HtZeroD zd)
{
  const PetscReal T = zd->period;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < zd->nblocks; i++) {
    HtZDBlock *b = &zd->blocks[i];
    if (b->act_type == ACT_TWO_HILL) {
      PetscReal mx = 0.0;
      for (PetscInt k = 0; (PetscReal)k * 1e-5 < T; k++) mx = PetscMax(mx, TwoHillRaw(b->act, (PetscReal)k * 1e-5));
      PetscCheck(mx > 0.0 && PetscIsNormalReal(mx), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: chamber %s: two_hill activation has no positive maximum over the cycle (check tau_1, tau_2, m1, m2)", zd->source, b->name);
      b->act[5] = 1.0 / mx;
    } else if (b->act_type == ACT_FOURIER) {
      PetscReal mn = PETSC_MAX_REAL, mx = -PETSC_MAX_REAL;
      for (PetscInt k = 0; k < 10000; k++) {
        PetscReal v = FourierRaw((PetscReal)k * T / 10000.0, T);
        mn = PetscMin(mn, v);
        mx = PetscMax(mx, v);
      }
      b->act[0] = mn;
      b->act[1] = mx - mn > 0.0 ? mx - mn : 1.0;
    }
  }
  PetscFunctionReturn(0);
}

PetscReal HtZD_Activation(const HtZDBlock *b, PetscReal time, PetscReal T)
{
  const PetscReal *p = b->act;

  switch (b->act_type) {
  case ACT_HALF_COSINE: {
    PetscReal tc = fmod(time, T), s = tc >= p[0] ? tc - p[0] : 0.0;
    return s <= p[1] ? -0.5 * cos(2.0 * PETSC_PI * s / p[1]) + 0.5 : 0.0;
  }
  case ACT_PIECEWISE_COSINE: {
    PetscReal c = fmod(time - p[0], T);
    if (0.0 <= c && c < p[2]) return 0.5 * (1.0 - cos(PETSC_PI * c / p[2]));
    c = fmod(time - p[1], T);
    if (0.0 <= c && c < p[3]) return 0.5 * (1.0 + cos(PETSC_PI * c / p[3]));
    return 0.0;
  }
  case ACT_TWO_HILL: {
    PetscReal s = fmod(fmod(time, T) - p[0], T);
    if (s < 0.0) s += T;
    return p[5] * TwoHillRaw(p, s);
  }
  case ACT_WRAPPING_COSINE: {
    const PetscReal ts = T * p[0], tp = T / p[1], tc = fmod(time, T);
    if (tc <= tp) return 0.5 * (1.0 - cos(2.0 * PETSC_PI * (tc - tp + ts) / ts));
    if (tc >= T - ts + tp && tc < T) return 0.5 * (1.0 - cos(2.0 * PETSC_PI * (tc - tp - (T - ts)) / ts));
    return 0.0;
  }
  case ACT_FOURIER:
    return (FourierRaw(fmod(time, T), T) - p[0]) / p[1];
  default:
    return 0.0;
  }
}
