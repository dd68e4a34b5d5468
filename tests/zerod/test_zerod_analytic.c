/* 0D engine against closed-form solutions:
 *  1. steady Poiseuille R-R: Q = 5, R_vessel = 100, R = 100, Pd = 100  ->  P_in = 1100, P_out = 600;
 *  2. steady flow into an RCR: P_out = Q (Rp + Rd) + Pd, P_in = P_out + R_vessel Q;
 *  2b. resistive_junction splitting Q = 5 symmetrically (R = [10, 20, 20], vessels 100, outlets 100):
 *     P_c = 550, P_in = 1100, Q_1 = Q_2 = 2.5;
 *  3. periodic state of vessel + RCR under Q(t) = Q0 + Q1 sin(wt): frequency-domain Windkessel
 *     P_out(t) = Q0 (Rp + Rd) + Pd + Im[Q1 Z(w) e^{iwt}],  Z(w) = Rp + Rd / (1 + i w Rd C);
 *     generalized-alpha is second order, so the error must fall ~4x when dt halves and stay below
 *     (w dt)^2 of the pressure amplitude;
 *  4. case 3 through PETSc's TSALPHA (-zerod_ts_type alpha): same bounds;
 *  5. time-dependent vessel resistance R(t) (piecewise linear 100 -> 300 -> 100) with Q = 5 into
 *     R = 100, Pd = 0: P_in(t) = 5 (R(t) + 100) at every output time. */
#include "httest.h"
#include <htzerod.h>
#include <complex.h>

static cJSON *Model(PetscInt ncyc, PetscInt npts, PetscReal Rv, const char *outlet_json, PetscBool sine, PetscReal Q0, PetscReal Q1, PetscInt nsamp)
{
  char   buf[4096];
  cJSON *m, *bcs, *in, *vals, *q, *t;
  snprintf(buf, sizeof(buf),
           "{\"simulation_parameters\": {\"number_of_cardiac_cycles\": %d, \"number_of_time_pts_per_cardiac_cycle\": %d, \"absolute_tolerance\": 1e-10},"
           " \"vessels\": [{\"vessel_id\": 0, \"vessel_name\": \"v0\", \"zero_d_element_type\": \"BloodVessel\", \"zero_d_element_values\": {\"R_poiseuille\": %.17g},"
           " \"boundary_conditions\": {\"inlet\": \"IN\", \"outlet\": \"OUT\"}}],"
           " \"boundary_conditions\": [%s]}",
           (int)ncyc, (int)npts, (double)Rv, outlet_json);
  m    = cJSON_Parse(buf);
  bcs  = cJSON_GetObjectItem(m, "boundary_conditions");
  in   = cJSON_CreateObject();
  vals = cJSON_CreateObject();
  cJSON_AddStringToObject(in, "bc_name", "IN");
  cJSON_AddStringToObject(in, "bc_type", "FLOW");
  if (sine) {
    q = cJSON_CreateArray();
    t = cJSON_CreateArray();
    for (PetscInt i = 0; i < nsamp; i++) {
      double ti = (double)i / (nsamp - 1);
      cJSON_AddItemToArray(t, cJSON_CreateNumber(ti));
      cJSON_AddItemToArray(q, cJSON_CreateNumber(Q0 + Q1 * sin(2.0 * PETSC_PI * ti)));
    }
    cJSON_AddItemToObject(vals, "Q", q);
    cJSON_AddItemToObject(vals, "t", t);
  } else cJSON_AddNumberToObject(vals, "Q", Q0);
  cJSON_AddItemToObject(in, "bc_values", vals);
  cJSON_AddItemToArray(bcs, in);
  return m;
}

static PetscErrorCode Run(cJSON *m, const char *name, HtZeroD *zd)
{
  PetscFunctionBeginUser;
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, zd));
  PetscCall(HtZeroD_LoadJSON(*zd, m, name));
  PetscCall(HtZeroD_SetFromOptions(*zd));
  PetscCall(HtZeroD_SetUp(*zd));
  PetscCall(HtZeroD_Solve(*zd));
  cJSON_Delete(m);
  PetscFunctionReturn(0);
}

static PetscErrorCode SineError(PetscInt npts, PetscReal *err_rel)
{
  const PetscReal  Rv = 50.0, Rp = 100.0, Rd = 1000.0, C = 1e-3, Pd = 10.0, Q0 = 2.0, Q1 = 1.5, w = 2.0 * PETSC_PI;
  char             rcr[256];
  HtZeroD          zd;
  PetscInt         nt;
  const PetscReal *t, *qin, *pin, *pout;
  PetscReal        emax = 0.0, amp = 0.0;
  double complex   Z = Rp + Rd / (1.0 + I * w * Rd * C);

  PetscFunctionBeginUser;
  snprintf(rcr, sizeof(rcr), "{\"bc_name\": \"OUT\", \"bc_type\": \"RCR\", \"bc_values\": {\"Rp\": %g, \"C\": %g, \"Rd\": %g, \"Pd\": %g}}", Rp, C, Rd, Pd);
  /* 25 cycles: the start-up transient decays as exp(-t / (Rd C)) = e^-25 */
  PetscCall(Run(Model(25, npts, Rv, rcr, PETSC_TRUE, Q0, Q1, 4001), "sine_rcr", &zd));
  PetscCall(HtZeroD_GetVesselResult(zd, "v0", &nt, &t, &qin, NULL, &pin, &pout));
  for (PetscInt i = 0; i < nt; i++) {
    double complex e  = cexp(I * w * t[i]);
    PetscReal      pe = Q0 * (Rp + Rd) + Pd + Q1 * cimag(Z * e);
    emax              = PetscMax(emax, PetscAbsReal(pout[i] - pe));
    emax              = PetscMax(emax, PetscAbsReal(pin[i] - (pe + Rv * (Q0 + Q1 * sin(w * t[i])))));
  }
  amp      = Q1 * cabs(Z);
  *err_rel = emax / amp;
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  HtZeroD          zd;
  PetscInt         nt;
  const PetscReal *qin, *qout, *pin, *pout;
  PetscReal        e1, e2, dt1, wdt;

  PetscFunctionBeginUser;
  /* 1. Poiseuille R-R */
  PetscCall(Run(Model(2, 5, 100.0, "{\"bc_name\": \"OUT\", \"bc_type\": \"RESISTANCE\", \"bc_values\": {\"R\": 100.0, \"Pd\": 100.0}}", PETSC_FALSE, 5.0, 0, 0), "poiseuille_RR", &zd));
  PetscCall(HtZeroD_GetVesselResult(zd, "v0", &nt, NULL, &qin, &qout, &pin, &pout));
  printf("Poiseuille R-R: Q = %.12g (5), P_in = %.12g (1100), P_out = %.12g (600), %d points\n", (double)qin[nt - 1], (double)pin[nt - 1], (double)pout[nt - 1], (int)nt);
  for (PetscInt i = 0; i < nt; i++) {
    HT_CHECK_CLOSE(qin[i], 5.0, 1e-10, 1e-10, "Poiseuille Q_in");
    HT_CHECK_CLOSE(qout[i], 5.0, 1e-10, 1e-10, "Poiseuille Q_out");
    HT_CHECK_CLOSE(pin[i], 1100.0, 1e-10, 0, "Poiseuille P_in");
    HT_CHECK_CLOSE(pout[i], 600.0, 1e-10, 0, "Poiseuille P_out");
  }
  PetscCall(HtZeroD_Destroy(&zd));

  /* 2. steady RCR: P = Q (Rp + Rd) + Pd */
  PetscCall(Run(Model(5, 51, 100.0, "{\"bc_name\": \"OUT\", \"bc_type\": \"RCR\", \"bc_values\": {\"Rp\": 1000.0, \"C\": 1e-4, \"Rd\": 2000.0, \"Pd\": 50.0}}", PETSC_FALSE, 5.0, 0, 0), "steady_rcr", &zd));
  PetscCall(HtZeroD_GetVesselResult(zd, "v0", &nt, NULL, &qin, NULL, &pin, &pout));
  printf("steady RCR: P_out = %.12g (expected %.12g), P_in = %.12g (expected %.12g)\n", (double)pout[nt - 1], 5.0 * 3000.0 + 50.0, (double)pin[nt - 1], 5.0 * 3000.0 + 50.0 + 500.0);
  for (PetscInt i = 0; i < nt; i++) {
    HT_CHECK_CLOSE(pout[i], 5.0 * 3000.0 + 50.0, 1e-10, 0, "RCR P_out");
    HT_CHECK_CLOSE(pin[i], 5.0 * 3000.0 + 50.0 + 500.0, 1e-10, 0, "RCR P_in");
  }
  PetscCall(HtZeroD_Destroy(&zd));

  /* 2b. resistive junction */
  {
    cJSON *m = cJSON_Parse("{\"simulation_parameters\": {\"number_of_cardiac_cycles\": 2, \"number_of_time_pts_per_cardiac_cycle\": 5, \"absolute_tolerance\": 1e-10},"
                           " \"vessels\": [{\"vessel_id\": 0, \"vessel_name\": \"v0\", \"zero_d_element_type\": \"BloodVessel\", \"zero_d_element_values\": {\"R_poiseuille\": 100}, \"boundary_conditions\": {\"inlet\": \"IN\"}},"
                           " {\"vessel_id\": 1, \"vessel_name\": \"v1\", \"zero_d_element_type\": \"BloodVessel\", \"zero_d_element_values\": {\"R_poiseuille\": 100}, \"boundary_conditions\": {\"outlet\": \"O1\"}},"
                           " {\"vessel_id\": 2, \"vessel_name\": \"v2\", \"zero_d_element_type\": \"BloodVessel\", \"zero_d_element_values\": {\"R_poiseuille\": 100}, \"boundary_conditions\": {\"outlet\": \"O2\"}}],"
                           " \"junctions\": [{\"junction_name\": \"J0\", \"junction_type\": \"resistive_junction\", \"junction_values\": {\"R\": [10, 20, 20]}, \"inlet_vessels\": [0], \"outlet_vessels\": [1, 2]}],"
                           " \"boundary_conditions\": [{\"bc_name\": \"IN\", \"bc_type\": \"FLOW\", \"bc_values\": {\"Q\": 5.0}},"
                           " {\"bc_name\": \"O1\", \"bc_type\": \"RESISTANCE\", \"bc_values\": {\"R\": 100, \"Pd\": 0}}, {\"bc_name\": \"O2\", \"bc_type\": \"RESISTANCE\", \"bc_values\": {\"R\": 100, \"Pd\": 0}}]}");
    const PetscReal *pc, *q1, *pin0;
    PetscCall(Run(m, "resistive_junction", &zd));
    PetscCall(HtZeroD_GetVariable(zd, "pressure_c:J0", &nt, NULL, &pc));
    PetscCall(HtZeroD_GetVesselResult(zd, "v1", NULL, NULL, &q1, NULL, NULL, NULL));
    PetscCall(HtZeroD_GetVesselResult(zd, "v0", NULL, NULL, NULL, NULL, &pin0, NULL));
    printf("resistive junction: P_c = %.12g (550), Q_1 = %.12g (2.5), P_in = %.12g (1100)\n", (double)pc[nt - 1], (double)q1[nt - 1], (double)pin0[nt - 1]);
    HT_CHECK_CLOSE(pc[nt - 1], 550.0, 1e-10, 0, "resistive junction P_c");
    HT_CHECK_CLOSE(q1[nt - 1], 2.5, 1e-10, 1e-10, "resistive junction Q_1");
    HT_CHECK_CLOSE(pin0[nt - 1], 1100.0, 1e-10, 0, "resistive junction P_in");
    PetscCall(HtZeroD_Destroy(&zd));
  }

  /* 3. sinusoidal inflow into vessel + RCR vs the frequency-domain solution, two time steps */
  PetscCall(SineError(201, &e1));
  PetscCall(SineError(401, &e2));
  dt1 = 1.0 / 200.0;
  wdt = 2.0 * PETSC_PI * dt1;
  printf("sine + RCR: max error / pressure amplitude = %.3e (dt = %g), %.3e (dt = %g), ratio %.2f (second order: ~4), bound (w dt)^2 = %.3e\n", (double)e1, (double)dt1, (double)e2, (double)dt1 / 2, (double)(e1 / e2), wdt * wdt);
  HT_CHECK(e1 <= wdt * wdt, "sine RCR error %g above (w dt)^2 = %g", (double)e1, wdt * wdt);
  HT_CHECK(e1 / e2 > 3.0 && e1 / e2 < 5.0, "sine RCR convergence ratio %g not second order", (double)(e1 / e2));

  /* 4. the same with PETSc's own TSALPHA (IFunction/IJacobian path, -zerod_ts_type alpha) */
  PetscCall(PetscOptionsSetValue(NULL, "-zerod_ts_type", "alpha"));
  PetscCall(SineError(201, &e1));
  PetscCall(SineError(401, &e2));
  PetscCall(PetscOptionsClearValue(NULL, "-zerod_ts_type"));
  printf("sine + RCR with PETSc TSALPHA: %.3e (dt = %g), %.3e (dt = %g), ratio %.2f\n", (double)e1, (double)dt1, (double)e2, (double)dt1 / 2, (double)(e1 / e2));
  HT_CHECK(e1 <= wdt * wdt, "TSALPHA sine RCR error %g above (w dt)^2 = %g", (double)e1, wdt * wdt);
  HT_CHECK(e1 / e2 > 3.0 && e1 / e2 < 5.0, "TSALPHA convergence ratio %g not second order", (double)(e1 / e2));

  /* 5. time-dependent vessel resistance */
  {
    cJSON *m = cJSON_Parse("{\"simulation_parameters\": {\"number_of_cardiac_cycles\": 2, \"number_of_time_pts_per_cardiac_cycle\": 101, \"absolute_tolerance\": 1e-10},"
                           " \"vessels\": [{\"vessel_id\": 0, \"vessel_name\": \"v0\", \"zero_d_element_type\": \"BloodVessel\","
                           " \"zero_d_element_values\": {\"R_poiseuille\": [100, 300, 100], \"t\": [0, 0.5, 1]}, \"boundary_conditions\": {\"inlet\": \"IN\", \"outlet\": \"OUT\"}}],"
                           " \"boundary_conditions\": [{\"bc_name\": \"IN\", \"bc_type\": \"FLOW\", \"bc_values\": {\"Q\": 5.0}},"
                           " {\"bc_name\": \"OUT\", \"bc_type\": \"RESISTANCE\", \"bc_values\": {\"R\": 100, \"Pd\": 0}}]}");
    const PetscReal *t, *pin;
    PetscReal        emax = 0.0;
    PetscCall(Run(m, "timevarying_R", &zd));
    PetscCall(HtZeroD_GetVesselResult(zd, "v0", &nt, &t, NULL, NULL, &pin, NULL));
    for (PetscInt i = 0; i < nt; i++) {
      /* P_in is algebraic and holds at t_n + alpha_f dt, which is exact for a linear input; after each
       * kink of R(t) (t = 0, 0.5, 1) the endpoint values ring with factor -(1 - alpha_f)/alpha_f = -0.5
       * per step, so compare 20 steps (0.2 s) away from the kinks */
      PetscReal tt = t[i], R = tt <= 0.5 ? 100.0 + 400.0 * tt : 300.0 - 400.0 * (tt - 0.5);
      if (PetscAbsReal(tt - 0.5) < 0.2 || tt < 0.2 || tt > 0.8) continue;
      emax = PetscMax(emax, PetscAbsReal(pin[i] - 5.0 * (R + 100.0)) / (5.0 * (R + 100.0)));
    }
    printf("time-dependent vessel R: max |P_in - 5 (R(t) + 100)| / P_in = %.3e over %d points\n", (double)emax, (int)nt);
    HT_CHECK(emax < 1e-7, "time-dependent vessel R: relative error %g", (double)emax);
    PetscCall(HtZeroD_Destroy(&zd));
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
