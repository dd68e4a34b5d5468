/* ClosedLoopHeartAndPulmonary ("CLH"): four-chamber heart with pulmonary circulation (svZeroDSolver's
 * model after Sankaran et al. 2012 / Menon et al. 2023). Parameters (in this order): Tsa, tpwave,
 * Erv_s, Elv_s, iml, imr, Lra_v, Rra_v, Lrv_a, Rrv_a, Lla_v, Rla_v, Llv_a, Rlv_ao, Vrv_u, Vlv_u, Rpd,
 * Cp, Cpa, Kxp_ra, Kxv_ra, Kxp_la, Kxv_la, Emax_ra, Emax_la, Vaso_ra, Vaso_la.
 * Local y = [P_ra (inlet P), Q_in, P_ao (outlet P), Q_out, V_RA, Q_RA, P_RV, V_RV, Q_RV, P_pul, P_LA,
 *            V_LA, Q_LA, P_LV, V_LV, Q_LV] (internal names "V_RA:CLH", ...).
 * Atrial activation A(t) (cosine pulse of width Tsa T ending at T/tpwave), ventricular elastance
 * E(t) = s * sum_k (a_k cos(2 pi k t/T) - b_k sin(2 pi k t/T)) (25 Fourier modes), passive atrial
 * law psi(V) = Kxp (exp(Kxv (V - Vaso)) - 1). Valves are ideal diodes v in {0, 1}: a valve is closed
 * (v = 0) when the upstream pressure is not above the downstream one and its flow is not positive;
 * the flow of a closed valve is reset to 0 after each Newton solve (svZeroDSolver's post_solve).
 *   P_ra - A Emax_ra (V_RA - Vaso_ra) + psi_ra (A - 1) = 0
 *   Cpa dP_ao/dt - v_ao Q_LV + Q_out = 0
 *   dV_RA/dt + v_tri Q_RA - Q_in = 0
 *   Lra_v dQ_RA/dt + Rra_v v_tri Q_RA - P_ra + P_RV = 0
 *   P_RV - E_rv (V_RV - Vrv_u) = 0
 *   dV_RV/dt - v_tri Q_RA + v_pul Q_RV = 0
 *   Lrv_a dQ_RV/dt - P_RV + P_pul + Rrv_a v_pul Q_RV = 0
 *   Cp dP_pul/dt - v_pul Q_RV + (P_pul - P_LA)/Rpd = 0
 *   P_LA - A Emax_la (V_LA - Vaso_la) + psi_la (A - 1) = 0
 *   dV_LA/dt - v_pul Q_RV + v_mit Q_LA = 0
 *   Lla_v dQ_LA/dt - P_LA + P_LV + Rla_v v_mit Q_LA = 0
 *   P_LV - E_lv (V_LV - Vlv_u) = 0
 *   dV_LV/dt - v_mit Q_LA + v_ao Q_LV = 0
 *   Llv_a dQ_LV/dt - P_LV + P_ao + Rlv_ao v_ao Q_LV = 0 */
#include "zerod_impl.h"
#include <math.h>

enum { TSA, TPWAVE, ERV_S, ELV_S, IML, IMR, LRA_V, RRA_V, LRV_A, RRV_A, LLA_V, RLA_V, LLV_A, RLV_AO, VRV_U, VLV_U, RPD, CP, CPA, KXP_RA, KXV_RA, KXP_LA, KXV_LA, EMAX_RA, EMAX_LA, VASO_RA, VASO_LA, NPAR };
static const char *const names[] = {"Tsa", "tpwave", "Erv_s", "Elv_s", "iml", "imr", "Lra_v", "Rra_v", "Lrv_a", "Rrv_a", "Lla_v", "Rla_v", "Llv_a", "Rlv_ao", "Vrv_u", "Vlv_u", "Rpd", "Cp", "Cpa", "Kxp_ra", "Kxv_ra", "Kxp_la", "Kxv_la", "Emax_ra", "Emax_la", "Vaso_ra", "Vaso_la", NULL};

/* Fourier modes of the normalised ventricular elastance (J. Tran's tuning framework) */
static const double ft[25][2] = {
  {0.283748803, 0.000000000},   {0.031830626, -0.374299825}, {-0.209472400, -0.018127770}, {0.020520047, 0.073971113}, {0.008316883, -0.047249597},
  {-0.041677660, 0.003212163},  {0.000867323, 0.019441411},  {-0.001675379, -0.005565534}, {-0.011252277, 0.003401432}, {-0.000414677, 0.008376795},
  {0.000253749, -0.000071880},  {-0.002584966, 0.001566861}, {0.000584752, 0.003143555},   {0.000028502, -0.000024787}, {0.000022961, -0.000007476},
  {0.000018735, -0.000001281},  {0.000015573, 0.000001781},  {0.000013133, 0.000003494},   {0.000011199, 0.000004507},  {0.000009634, 0.000005117},
  {0.000008343, 0.000005481},   {0.000007265, 0.000005687},  {0.000006354, 0.000005789},   {0.000005575, 0.000005821},  {0.000004903, 0.000005805}};

static PetscErrorCode Setup(HtZeroD zd, HtZDBlock *b, const cJSON *v)
{
  PetscFunctionBeginUser;
  PetscCall(HtZD_CheckKeys(zd, b, v, names));
  for (PetscInt i = 0; i < NPAR; i++) PetscCall(HtZD_ReadParam(zd, b, v, names[i], PETSC_FALSE, 0.0));
  PetscFunctionReturn(0);
}

static PetscErrorCode Finalize(HtZeroD zd, HtZDBlock *b)
{
  PetscFunctionBeginUser;
  PetscCheck(b->nin == 1 && b->nout == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: heart block %s must have one inlet and one outlet", zd->source, b->name);
  b->neq = 14;
  PetscFunctionReturn(0);
}

#define ADD(M, e, k, val) HtZD_Add(s, s->M, b->eq[e], b->var[k], (val))
#define Y(k)              y[b->var[k]]
#define YD(k)             yd[b->var[k]]

static void Eval(const HtZDBlock *b, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *s)
{
  PetscReal p[NPAR], T = s->period, t, Tsa, tpw, AA = 0.0, Ei = 0.0, Elv, Erv, psi_ra, psi_la, dpsi_ra, dpsi_la, v5 = 1, v8 = 1, v12 = 1, v15 = 1;

  for (PetscInt i = 0; i < NPAR; i++) p[i] = pv[b->param[i]];
  t   = fmod(s->time, T);
  Tsa = T * p[TSA];
  tpw = T / p[TPWAVE];
  if (t <= tpw) AA = 0.5 * (1.0 - cos(2.0 * PETSC_PI * (t - tpw + Tsa) / Tsa));
  else if (t >= (T - Tsa) + tpw && t < T) AA = 0.5 * (1.0 - cos(2.0 * PETSC_PI * (t - tpw - (T - Tsa)) / Tsa));
  for (PetscInt k = 0; k < 25; k++) Ei += ft[k][0] * cos(2.0 * PETSC_PI * k * t / T) - ft[k][1] * sin(2.0 * PETSC_PI * k * t / T);
  Elv     = Ei * p[ELV_S];
  Erv     = Ei * p[ERV_S];
  psi_ra  = p[KXP_RA] * (exp((Y(4) - p[VASO_RA]) * p[KXV_RA]) - 1.0);
  psi_la  = p[KXP_LA] * (exp((Y(11) - p[VASO_LA]) * p[KXV_LA]) - 1.0);
  dpsi_ra = p[KXP_RA] * exp((Y(4) - p[VASO_RA]) * p[KXV_RA]) * p[KXV_RA];
  dpsi_la = p[KXP_LA] * exp((Y(11) - p[VASO_LA]) * p[KXV_LA]) * p[KXV_LA];
  /* valve states from the current iterate (a closed valve's flow drops out of the equations) */
  if (Y(0) <= Y(6) && Y(5) <= 0.0) v5 = 0.0;
  if (Y(6) <= Y(9) && Y(8) <= 0.0) v8 = 0.0;
  if (Y(10) <= Y(13) && Y(12) <= 0.0) v12 = 0.0;
  if (Y(13) <= Y(2) && Y(15) <= 0.0) v15 = 0.0;
  /* svZeroDSolver resets the flow of a closed valve after each Newton solve */
  s->zero_after[b->var[5]]  = (PetscBool)(v5 < 0.5);
  s->zero_after[b->var[8]]  = (PetscBool)(v8 < 0.5);
  s->zero_after[b->var[12]] = (PetscBool)(v12 < 0.5);
  s->zero_after[b->var[15]] = (PetscBool)(v15 < 0.5);

  s->r[b->eq[0]] += Y(0) - AA * p[EMAX_RA] * Y(4) + AA * p[EMAX_RA] * p[VASO_RA] + psi_ra * (AA - 1.0);
  ADD(Jy, 0, 0, 1.0);
  ADD(Jy, 0, 4, -AA * p[EMAX_RA] + dpsi_ra * (AA - 1.0));

  s->r[b->eq[1]] += p[CPA] * YD(2) - v15 * Y(15) + Y(3);
  ADD(Jyd, 1, 2, p[CPA]);
  ADD(Jy, 1, 15, -v15);
  ADD(Jy, 1, 3, 1.0);

  s->r[b->eq[2]] += YD(4) + v5 * Y(5) - Y(1);
  ADD(Jyd, 2, 4, 1.0);
  ADD(Jy, 2, 5, v5);
  ADD(Jy, 2, 1, -1.0);

  s->r[b->eq[3]] += p[LRA_V] * YD(5) + p[RRA_V] * v5 * Y(5) - Y(0) + Y(6);
  ADD(Jyd, 3, 5, p[LRA_V]);
  ADD(Jy, 3, 5, p[RRA_V] * v5);
  ADD(Jy, 3, 0, -1.0);
  ADD(Jy, 3, 6, 1.0);

  s->r[b->eq[4]] += Y(6) - Erv * Y(7) + Erv * p[VRV_U];
  ADD(Jy, 4, 6, 1.0);
  ADD(Jy, 4, 7, -Erv);

  s->r[b->eq[5]] += YD(7) - v5 * Y(5) + v8 * Y(8);
  ADD(Jyd, 5, 7, 1.0);
  ADD(Jy, 5, 5, -v5);
  ADD(Jy, 5, 8, v8);

  s->r[b->eq[6]] += p[LRV_A] * YD(8) - Y(6) + Y(9) + p[RRV_A] * v8 * Y(8);
  ADD(Jyd, 6, 8, p[LRV_A]);
  ADD(Jy, 6, 6, -1.0);
  ADD(Jy, 6, 9, 1.0);
  ADD(Jy, 6, 8, p[RRV_A] * v8);

  s->r[b->eq[7]] += p[CP] * YD(9) - v8 * Y(8) + Y(9) / p[RPD] - Y(10) / p[RPD];
  ADD(Jyd, 7, 9, p[CP]);
  ADD(Jy, 7, 8, -v8);
  ADD(Jy, 7, 9, 1.0 / p[RPD]);
  ADD(Jy, 7, 10, -1.0 / p[RPD]);

  s->r[b->eq[8]] += Y(10) - AA * p[EMAX_LA] * Y(11) + AA * p[EMAX_LA] * p[VASO_LA] + psi_la * (AA - 1.0);
  ADD(Jy, 8, 10, 1.0);
  ADD(Jy, 8, 11, -AA * p[EMAX_LA] + dpsi_la * (AA - 1.0));

  s->r[b->eq[9]] += YD(11) - v8 * Y(8) + v12 * Y(12);
  ADD(Jyd, 9, 11, 1.0);
  ADD(Jy, 9, 8, -v8);
  ADD(Jy, 9, 12, v12);

  s->r[b->eq[10]] += p[LLA_V] * YD(12) - Y(10) + Y(13) + p[RLA_V] * v12 * Y(12);
  ADD(Jyd, 10, 12, p[LLA_V]);
  ADD(Jy, 10, 10, -1.0);
  ADD(Jy, 10, 13, 1.0);
  ADD(Jy, 10, 12, p[RLA_V] * v12);

  s->r[b->eq[11]] += Y(13) - Elv * Y(14) + Elv * p[VLV_U];
  ADD(Jy, 11, 13, 1.0);
  ADD(Jy, 11, 14, -Elv);

  s->r[b->eq[12]] += YD(14) - v12 * Y(12) + v15 * Y(15);
  ADD(Jyd, 12, 14, 1.0);
  ADD(Jy, 12, 12, -v12);
  ADD(Jy, 12, 15, v15);

  s->r[b->eq[13]] += p[LLV_A] * YD(15) - Y(13) + Y(2) + p[RLV_AO] * v15 * Y(15);
  ADD(Jyd, 13, 15, p[LLV_A]);
  ADD(Jy, 13, 13, -1.0);
  ADD(Jy, 13, 2, 1.0);
  ADD(Jy, 13, 15, p[RLV_AO] * v15);
}

const HtZDBlockType HtZD_ClosedLoopHeart = {"ClosedLoopHeartAndPulmonary", HTZD_CLOSEDLOOP, 12, {"V_RA", "Q_RA", "P_RV", "V_RV", "Q_RV", "P_pul", "P_LA", "V_LA", "Q_LA", "P_LV", "V_LV", "Q_LV"}, Setup, Finalize, Eval, NULL, NULL};
