/* Planning with the 0D engine: steady flow against the analytic series resistance, steady flow through
 * a narrowing against Poiseuille + Young-Tsai evaluated independently, outlet tuning to the target mean
 * pressure and Murray split, and a coarctation-like narrowing: stent vs bypass vs baseline. */
#include <htplan.h>
#include <htzerod.h>
#include <httest.h>
#include "plan_testnet.h"

static const PetscReal MU = 0.04, RHO = 1.06;

static double InvR4(double z, const double *p)
{
  double r = TestNarrowRadius(z, p[0], p[1], p[2], p[3]) * 0.1;
  return 1.0 / (r * r * r * r);
}
static double Simpson(double (*f)(double, const double *), const double *par, double a, double b, int n)
{
  double h = (b - a) / n, s = f(a, par) + f(b, par);
  for (int i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h, par);
  return s * h / 3;
}

static PetscReal Metric(const HtCandidateResult *r, const char *name)
{
  PetscReal v = NAN;
  PetscBool f;
  if (HtCandidateResult_GetMetric(r, name, &v, &f) || !f) return NAN;
  return v;
}

/* Steady inflow Q through a uniform tube into an RCR: P_in = Q (R_tube + Rp + Rd) + Pd. */
static PetscErrorCode TestSteadyTube(void)
{
  HtNetwork         net;
  HtPhysiology      ph;
  HtOutletSet       bcs;
  HtCandidateResult res;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  ph.steady_inflow    = PETSC_TRUE;
  ph.points_per_cycle = 50;
  PetscCall(TestMakeTube(&net, 100, 1, 5, 0, 0, 0));
  PetscCall(HtOutletSet_CreateFixed(&net, 100, 1e-4, 1000, 5, &bcs));
  PetscCall(HtPlan_Simulate(&net, &ph, &bcs, NULL, "steady_tube", &res));
  double Q = 5000.0 / 60, Rv = 8 * MU * 10 / (PETSC_PI * pow(0.5, 4));
  double Pin = (Q * (Rv + 100 + 1000)) / 1333.22387415 + 5, Pout = Q * 1100 / 1333.22387415 + 5;
  printf("steady tube: inlet mean %.6f mmHg (analytic %.6f), outlet %.6f (%.6f), CO %.6f L/min, cycles %d, change %.2e mmHg\n", (double)Metric(&res, "inlet_pressure_mean_mmHg"), Pin, (double)Metric(&res, "outlet_pressure_mean_mmHg_outlet_1"), Pout, (double)Metric(&res, "cardiac_output_L_min"), (int)res.cycles_used, (double)res.cycle_change_mmHg);
  HT_CHECK_CLOSE(Metric(&res, "inlet_pressure_mean_mmHg"), Pin, 1e-6, 0, "steady inlet pressure");
  HT_CHECK_CLOSE(Metric(&res, "outlet_pressure_mean_mmHg_outlet_1"), Pout, 1e-6, 0, "steady outlet pressure");
  HT_CHECK_CLOSE(Metric(&res, "cardiac_output_L_min"), 5.0, 1e-9, 0, "cardiac output");
  HT_CHECK_CLOSE(Metric(&res, "flow_split_percent_outlet_1"), 100, 1e-9, 0, "single outlet split");
  /* power dissipated in the tube: Q^2 R (erg/s) -> mW */
  HT_CHECK_CLOSE(Metric(&res, "power_loss_mW"), Q * Q * Rv * 1e-4, 1e-6, 0, "viscous power loss");
  printf("steady tube: power loss %.6f mW (Q^2 R = %.6f)\n", (double)Metric(&res, "power_loss_mW"), Q * Q * Rv * 1e-4);
  PetscCall(HtCandidateResult_Destroy(&res));
  PetscCall(HtOutletSet_Destroy(&bcs));
  PetscCall(HtNetwork_Destroy(&net));
  PetscFunctionReturn(0);
}

/* Steady flow through a cosine narrowing: dP = R Q + K Q^2 with R (Simpson on the exact profile) and
 * the Young-Tsai expansion loss K = Kt rho/(2 A0^2) (A0/As - 1)^2. */
static PetscErrorCode TestSteadyNarrowing(void)
{
  HtNetwork         net;
  HtPhysiology      ph;
  HtOutletSet       bcs;
  HtCandidateResult res;
  HtLesion         *les;
  PetscInt          nl;
  const double      r0 = 5, a = 0.5, zc = 60, w = 20;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  ph.steady_inflow    = PETSC_TRUE;
  ph.points_per_cycle = 50;
  PetscCall(TestMakeTube(&net, 120, 0.5, r0, a, zc, w));
  PetscCall(HtPlan_FindLesions(&net, 0.2, &nl, &les));
  HT_CHECK(nl == 1, "lesions %d", (int)nl);
  if (nl != 1) PetscFunctionReturn(0);
  PetscCall(HtOutletSet_CreateFixed(&net, 100, 1e-4, 1000, 0, &bcs));
  PetscCall(HtPlan_Simulate(&net, &ph, &bcs, &les[0], "steady_narrowing", &res));
  double par[4] = {r0, a, zc, w}, Q = 5000.0 / 60;
  double R = 8 * MU / PETSC_PI * Simpson(InvR4, par, les[0].s0_mm, les[0].s1_mm, 4000) * 0.1;
  double A0 = PETSC_PI * 0.25, As = A0 / 4, K = 1.52 * RHO / (2 * A0 * A0) * pow(A0 / As - 1, 2);
  double dP = (R * Q + K * Q * Q) / 1333.22387415;
  printf("steady narrowing: pressure drop %.5f mmHg (R Q + K Q^2 = %.5f: viscous %.5f + expansion %.5f), region flow %.4f mL/s\n", (double)Metric(&res, "pressure_drop_mean_mmHg"), dP, R * Q / 1333.22387415, K * Q * Q / 1333.22387415, (double)Metric(&res, "region_flow_mean_mL_s"));
  HT_CHECK_CLOSE(Metric(&res, "pressure_drop_mean_mmHg"), dP, 0.005, 0, "steady pressure drop across the narrowing");
  HT_CHECK_CLOSE(Metric(&res, "pressure_drop_peak_mmHg"), dP, 0.005, 0, "steady peak-to-peak drop");
  HT_CHECK_CLOSE(Metric(&res, "region_flow_mean_mL_s"), Q, 1e-9, 0, "region flow");
  PetscCall(HtCandidateResult_Destroy(&res));
  PetscCall(HtOutletSet_Destroy(&bcs));
  PetscCall(PetscFree(les));
  PetscCall(HtNetwork_Destroy(&net));
  PetscFunctionReturn(0);
}

/* Y network, pulsatile: tuning hits the target mean pressure (1 %) and the Murray split. */
static PetscErrorCode TestTuneY(void)
{
  HtNetwork         net;
  HtPhysiology      ph;
  HtOutletSet       bcs;
  HtCandidateResult res;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  PetscCall(TestMakeY(&net, 80, 12, 150, 40, 9, 7));
  PetscCall(HtPlan_TuneOutlets(&net, &ph, NULL, NULL, &bcs));
  PetscCall(HtPlan_Simulate(&net, &ph, &bcs, NULL, "tuned_Y", &res));
  double f1 = 100.0 * 729 / (729 + 343);
  printf("tuned Y: %d solves, mean inlet pressure %.3f mmHg (target 93, residual %+.3f %%), pulse pressure %.2f (target 40), split %.2f %% (Murray %.2f), cycles %d (change %.3g mmHg)\n", (int)bcs.solves, (double)Metric(&res, "inlet_pressure_mean_mmHg"), (double)bcs.mean_pressure_residual_percent, (double)Metric(&res, "inlet_pulse_pressure_mmHg"), (double)Metric(&res, "flow_split_percent_outlet_1"), f1, (int)res.cycles_used, (double)res.cycle_change_mmHg);
  for (PetscInt k = 0; k < bcs.n; k++) printf("  RCR %s: Rp %.4g Rd %.4g dyn s/cm^5, C %.4g cm^5/dyn\n", bcs.bc[k].name, (double)bcs.bc[k].Rp_cgs, (double)bcs.bc[k].Rd_cgs, (double)bcs.bc[k].C_cgs);
  HT_CHECK_CLOSE(Metric(&res, "inlet_pressure_mean_mmHg"), 93, 0.01, 0, "tuned mean inlet pressure");
  HT_CHECK(fabs(bcs.mean_pressure_residual_percent) < 1, "tuning residual %g %%", (double)bcs.mean_pressure_residual_percent);
  HT_CHECK_CLOSE(Metric(&res, "flow_split_percent_outlet_1"), f1, 0, 1.0, "Murray split (percentage points)");
  HT_CHECK(res.cycle_change_mmHg <= ph.cycle_tolerance_mmHg, "periodic state: change %g mmHg", (double)res.cycle_change_mmHg);
  HT_CHECK(Metric(&res, "inlet_pulse_pressure_mmHg") > 10, "pulse pressure %g", (double)Metric(&res, "inlet_pulse_pressure_mmHg"));
  PetscCall(HtCandidateResult_Destroy(&res));
  PetscCall(HtOutletSet_Destroy(&bcs));
  PetscCall(HtNetwork_Destroy(&net));
  PetscFunctionReturn(0);
}

/* Coarctation: aorta-like tree, the descending aorta (r 9 mm) narrowed by 45 % over 16 mm: tune, then
 * baseline / stent / bypass, scored and ranked; model and VTK written. */
static PetscErrorCode TestCandidates(void)
{
  HtNetwork         base, st, by;
  HtPhysiology      ph;
  HtOutletSet       bcs;
  HtCandidateResult res[3];
  HtLesion         *les;
  PetscInt          nl, graft;
  HtScoring         sc;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  PetscCall(TestMakeCoarct(&base, 0.45, 50, 16));
  PetscCall(HtPlan_FindLesions(&base, 0.2, &nl, &les));
  HT_CHECK(nl == 1, "coarctation: %d lesions", (int)nl);
  if (nl != 1) PetscFunctionReturn(0);
  printf("coarctation: lesion at %.1f mm (50), severity %.3f (0.45)\n", (double)les[0].s_min_mm, (double)les[0].severity);
  PetscCall(HtPlan_TuneOutlets(&base, &ph, NULL, &les[0], &bcs));
  printf("tuning: %d solves, mean inlet pressure %.3f (target 93, %+.3f %%)\n", (int)bcs.solves, (double)bcs.mean_pressure_sim_mmHg, (double)bcs.mean_pressure_residual_percent);
  HT_CHECK(fabs(bcs.mean_pressure_residual_percent) < 1, "tuning residual %g %%", (double)bcs.mean_pressure_residual_percent);
  PetscCall(HtPlan_Simulate(&base, &ph, &bcs, &les[0], "baseline", &res[0]));
  PetscCall(HtNetwork_Clone(&base, &st));
  PetscCall(HtPlan_ApplyStent(&st, &les[0], 1.0));
  PetscCall(HtPlan_Simulate(&st, &ph, &bcs, &les[0], "stent", &res[1]));
  PetscCall(HtNetwork_Clone(&base, &by));
  PetscCall(HtPlan_ApplyBypassAroundLesion(&by, &les[0], 15, 6, 0, &graft));
  PetscCall(HtPlan_Simulate(&by, &ph, &bcs, &les[0], "bypass", &res[2]));
  PetscCall(HtScoring_Default(&ph, &sc));
  PetscCall(HtPlan_Score(res, 3, 0, &sc));
  for (int c = 0; c < 3; c++)
    printf("%-8s rank %d score %.3f: dP peak %.2f mmHg, dP mean %.2f, dP max inst %.2f, inlet %.1f/%.1f (mean %.1f) mmHg, power loss %.2f mW, graft flow %.1f %%, cycles %d\n", res[c].name, (int)res[c].rank, (double)res[c].score, (double)Metric(&res[c], "pressure_drop_peak_mmHg"), (double)Metric(&res[c], "pressure_drop_mean_mmHg"),
           (double)Metric(&res[c], "pressure_drop_max_instantaneous_mmHg"), (double)Metric(&res[c], "inlet_pressure_systolic_mmHg"), (double)Metric(&res[c], "inlet_pressure_diastolic_mmHg"), (double)Metric(&res[c], "inlet_pressure_mean_mmHg"), (double)Metric(&res[c], "power_loss_mW"), (double)Metric(&res[c], "graft_flow_percent"), (int)res[c].cycles_used);
  printf("bypass flows: graft %.2f mL/s, native through the lesion %.2f mL/s, descending outlet %.2f mL/s, upper %.2f mL/s\n", (double)Metric(&res[2], "graft_flow_mean_mL_s"), (double)Metric(&res[2], "region_flow_mean_mL_s"), (double)Metric(&res[2], "outlet_flow_mean_mL_s_descending"), (double)Metric(&res[2], "outlet_flow_mean_mL_s_upper_body"));
  HT_CHECK_CLOSE(Metric(&res[2], "graft_flow_mean_mL_s") + Metric(&res[2], "region_flow_mean_mL_s"), Metric(&res[2], "outlet_flow_mean_mL_s_descending"), 1e-3, 1e-6, "graft + native = descending flow (mass conservation)");
  double dp0 = Metric(&res[0], "pressure_drop_peak_mmHg"), dp1 = Metric(&res[1], "pressure_drop_peak_mmHg"), dp2 = Metric(&res[2], "pressure_drop_peak_mmHg");
  HT_CHECK(dp0 > 20, "baseline coarctation gradient %g mmHg should exceed the 20 mmHg intervention threshold", dp0);
  /* what is left after a stent is the inertial/viscous drop of a healthy 16 mm aorta: ~2 mmHg */
  HT_CHECK(dp1 < 3.0 && dp1 < 0.15 * dp0, "stent gradient %g mmHg not near zero (baseline %g)", dp1, dp0);
  HT_CHECK(dp2 < dp0, "bypass gradient %g not below baseline %g", dp2, dp0);
  HT_CHECK(Metric(&res[2], "graft_flow_percent") > 10, "graft carries %g %% of the flow", (double)Metric(&res[2], "graft_flow_percent"));
  HT_CHECK(res[1].rank < res[0].rank, "stent (rank %d) not above baseline (rank %d)", (int)res[1].rank, (int)res[0].rank);
  HT_CHECK(res[2].rank < res[0].rank, "bypass (rank %d) not above baseline (rank %d)", (int)res[2].rank, (int)res[0].rank);
  /* outputs: the model re-runs in the engine from the file and gives the same inlet pressure */
  char prefix[64] = "plan", mpath[128], rdir[128];
  PetscCall(PetscOptionsGetString(NULL, NULL, "-out_prefix", prefix, sizeof(prefix), NULL));
  PetscCall(PetscSNPrintf(mpath, sizeof(mpath), "%s_stent.json", prefix));
  PetscCall(PetscSNPrintf(rdir, sizeof(rdir), "%s_results", prefix));
  PetscCall(HtPlan_WriteModel(mpath, res[1].model));
  PetscCall(HtPlan_WriteResultsVTK(rdir, "stent", &st, &res[1]));
  PetscCall(HtPlan_WriteResultsVTK(rdir, "bypass", &by, &res[2]));
  {
    HtZeroD          zd;
    PetscInt         nt;
    const PetscReal *t, *pin;
    PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
    PetscCall(HtZeroD_LoadFile(zd, mpath));
    PetscCall(HtZeroD_SetUp(zd));
    PetscCall(HtZeroD_Solve(zd));
    PetscCall(HtZeroD_GetVesselResult(zd, res[1].map.vessels[res[1].map.inlet_vessel].name, &nt, &t, NULL, NULL, &pin, NULL));
    double pmax = -1e30;
    for (PetscInt i = nt - res[1].nt; i < nt; i++) pmax = PetscMax(pmax, pin[i] / 1333.22387415);
    printf("re-run of the written model: systolic %.4f mmHg (in-process %.4f)\n", pmax, (double)Metric(&res[1], "inlet_pressure_systolic_mmHg"));
    HT_CHECK_CLOSE(pmax, Metric(&res[1], "inlet_pressure_systolic_mmHg"), 1e-9, 0, "re-run model");
    PetscCall(HtZeroD_Destroy(&zd));
  }
  for (int c = 0; c < 3; c++) PetscCall(HtCandidateResult_Destroy(&res[c]));
  PetscCall(HtOutletSet_Destroy(&bcs));
  PetscCall(PetscFree(les));
  PetscCall(HtNetwork_Destroy(&base));
  PetscCall(HtNetwork_Destroy(&st));
  PetscCall(HtNetwork_Destroy(&by));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  PetscFunctionBeginUser;
  PetscCall(TestSteadyTube());
  PetscCall(TestSteadyNarrowing());
  PetscCall(TestTuneY());
  PetscCall(TestCandidates());
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
