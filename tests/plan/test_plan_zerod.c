/* Planning on svZeroDSolver models (hemotwin plan): operators, calibration, metrics, uncertainty and the
 * report, checked against independently known values:
 *  - steadyFlow_stenosis_R: inlet 3600 (its stated formula); after a full stent 5 (100 + 0) + 600 = 1100;
 *  - 0104_0001 with steady inflow and no stenosis loss: P_in = Q_mean x (series/parallel resistance of
 *    the tree, computed here from the JSON);
 *  - operators: flow conservation, the topology after occlusion, Qp/Qs of a shunt into a sink;
 *  - calibration: outlet R perturbed +-30 %, targets from the unperturbed model with 5 % noise:
 *    total outlet resistance recovered within 5 %;
 *  - zero spread: ranking = deterministic ranking, P(best) in {0,1}; P(A>B) + P(B>A) = 1; paired
 *    spread of score differences < independent (printed); candidates/<name>.json re-solved from the file
 *    give the pressures report.json states (1e-6);
 *  - 2 ranks: the report equals the one computed on 1 rank (PETSC_COMM_SELF).
 * Option -plan_quick: skips the calibration and the 0104 plan (ASan runs). */
#include <htplan.h>
#include <htzerod.h>
#include <httest.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MMHG 1333.22387415

static PetscErrorCode LoadJSON(const char *path, cJSON **j)
{
  FILE *f = fopen(path, "rb");
  long  n;
  char *t;

  PetscFunctionBeginUser;
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", path);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  PetscCall(PetscMalloc1(n + 1, &t));
  PetscCheck(fread(t, 1, (size_t)n, f) == (size_t)n, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", path);
  fclose(f);
  t[n] = 0;
  *j = cJSON_Parse(t);
  PetscCall(PetscFree(t));
  PetscCheck(*j, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not JSON", path);
  PetscFunctionReturn(0);
}

static PetscReal Metric(const HtCandidateResult *r, const char *n)
{
  PetscReal v = NAN;
  PetscBool f;
  if (HtCandidateResult_GetMetric(r, n, &v, &f) || !f) return NAN;
  return v;
}

static cJSON *Vessel(cJSON *m, PetscInt id)
{
  cJSON *v;
  cJSON_ArrayForEach(v, cJSON_GetObjectItem(m, "vessels")) if ((PetscInt)cJSON_GetObjectItem(v, "vessel_id")->valuedouble == id) return v;
  return NULL;
}

/* equivalent resistance downstream of the inlet of vessel id (linear: stenosis loss zeroed) */
static PetscReal Req(cJSON *m, PetscInt id)
{
  cJSON    *v = Vessel(m, id), *j, *bc = cJSON_GetObjectItem(v, "boundary_conditions"), *o;
  PetscReal R = cJSON_GetObjectItem(cJSON_GetObjectItem(v, "zero_d_element_values"), "R_poiseuille")->valuedouble, g = 0;
  if (bc && cJSON_GetObjectItem(bc, "outlet")) {
    const char *bn = cJSON_GetObjectItem(bc, "outlet")->valuestring;
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(m, "boundary_conditions")) if (!strcmp(cJSON_GetObjectItem(o, "bc_name")->valuestring, bn))
    {
      cJSON *bv = cJSON_GetObjectItem(o, "bc_values");
      return R + cJSON_GetObjectItem(bv, "Rp")->valuedouble + cJSON_GetObjectItem(bv, "Rd")->valuedouble;
    }
  }
  cJSON_ArrayForEach(j, cJSON_GetObjectItem(m, "junctions"))
  {
    cJSON *x;
    PetscBool mine = PETSC_FALSE;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(j, "inlet_vessels")) if ((PetscInt)x->valuedouble == id) mine = PETSC_TRUE;
    if (!mine) continue;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(j, "outlet_vessels")) g += 1.0 / Req(m, (PetscInt)x->valuedouble);
  }
  return R + 1.0 / g;
}

static PetscErrorCode Stenosis(void)
{
  char              path[PETSC_MAX_PATH_LEN];
  cJSON            *m;
  HtZMetricSpec     spec;
  HtCandidateResult r0, r1;

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("zerod/cases/steadyFlow_stenosis_R.json", path, sizeof path)) PetscFunctionReturn(0);
  PetscCall(LoadJSON(path, &m));
  PetscCall(PetscMemzero(&spec, sizeof spec));
  PetscCall(HtZModel_GetUnits(m, "mmHg", &spec.units)); /* read pressures in the model's own unit */
  PetscCall(HtZPlan_Evaluate(PETSC_COMM_SELF, m, &spec, "stenosis", &r0));
  PetscCall(HtZModel_Stent(m, "branch0_seg0", 1.0, 1.0));
  PetscCall(HtZPlan_Evaluate(PETSC_COMM_SELF, m, &spec, "stented", &r1));
  printf("steadyFlow_stenosis_R: inlet pressure %.9g -> %.9g after a full stent (formula: 3600 -> 1100)\n", (double)Metric(&r0, "inlet_pressure_mean_mmHg"), (double)Metric(&r1, "inlet_pressure_mean_mmHg"));
  HT_CHECK_CLOSE(Metric(&r0, "inlet_pressure_mean_mmHg"), 3600.0, 1e-8, 0, "inlet pressure with the stenosis");
  HT_CHECK_CLOSE(Metric(&r1, "inlet_pressure_mean_mmHg"), 1100.0, 1e-8, 0, "inlet pressure after the stent");
  PetscCall(HtCandidateResult_Destroy(&r0));
  PetscCall(HtCandidateResult_Destroy(&r1));
  cJSON_Delete(m);
  PetscFunctionReturn(0);
}

static PetscErrorCode Steady0104(cJSON *base)
{
  cJSON            *m = cJSON_Duplicate(base, 1), *v, *b, *x;
  HtZMetricSpec     spec;
  HtCandidateResult r;
  PetscReal         qmean = 0, Rt;
  PetscInt          n = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&spec, sizeof spec));
  PetscCall(HtZModel_GetUnits(m, "dyn_cm2", &spec.units));
  cJSON_ArrayForEach(v, cJSON_GetObjectItem(m, "vessels")) cJSON_SetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "zero_d_element_values"), "stenosis_coefficient"), 0.0);
  cJSON_ArrayForEach(b, cJSON_GetObjectItem(m, "boundary_conditions")) if (!strcmp(cJSON_GetObjectItem(b, "bc_type")->valuestring, "FLOW"))
  {
    cJSON *q = cJSON_GetObjectItem(cJSON_GetObjectItem(b, "bc_values"), "Q"), *t = cJSON_GetObjectItem(cJSON_GetObjectItem(b, "bc_values"), "t");
    PetscInt nq = cJSON_GetArraySize(q);
    for (PetscInt i = 0; i + 1 < nq; i++) /* trapezoid mean over the period */
      qmean += 0.5 * (cJSON_GetArrayItem(q, (int)i)->valuedouble + cJSON_GetArrayItem(q, (int)i + 1)->valuedouble) * (cJSON_GetArrayItem(t, (int)i + 1)->valuedouble - cJSON_GetArrayItem(t, (int)i)->valuedouble);
    qmean /= cJSON_GetArrayItem(t, (int)nq - 1)->valuedouble - cJSON_GetArrayItem(t, 0)->valuedouble;
    cJSON_ArrayForEach(x, q) cJSON_SetNumberValue(x, qmean), n++;
  }
  x = cJSON_GetObjectItem(m, "simulation_parameters");
  cJSON_SetNumberValue(cJSON_GetObjectItem(x, "number_of_time_pts_per_cardiac_cycle"), 20);
  cJSON_SetNumberValue(cJSON_GetObjectItem(x, "number_of_cardiac_cycles"), 2);
  Rt = Req(m, 0);
  PetscCall(HtZPlan_Evaluate(PETSC_COMM_SELF, m, &spec, "steady", &r));
  printf("0104_0001 steady: Q mean %.6g mL/s x R_total %.6g = %.9g mmHg; 0D inlet mean %.9g mmHg; CO %.4f L/min\n", (double)qmean, (double)Rt, (double)(qmean * Rt / MMHG), (double)Metric(&r, "inlet_pressure_mean_mmHg"), (double)Metric(&r, "cardiac_output_L_min"));
  HT_CHECK_CLOSE(Metric(&r, "inlet_pressure_mean_mmHg"), qmean * Rt / MMHG, 1e-6, 0, "steady mean pressure = mean inflow x total resistance");
  HT_CHECK_CLOSE(Metric(&r, "cardiac_output_L_min"), qmean * 0.06, 1e-9, 0, "cardiac output");
  PetscCall(HtCandidateResult_Destroy(&r));
  cJSON_Delete(m);
  PetscFunctionReturn(0);
}

static PetscReal OutletFlowSum(const HtCandidateResult *r)
{
  PetscReal s = 0;
  for (PetscInt i = 0; i < r->nmetrics; i++)
    if (!strncmp(r->metrics[i].name, "outlet_flow_mean_mL_s_", 22)) s += r->metrics[i].value;
  return s;
}

static PetscErrorCode Operators(cJSON *base)
{
  cJSON            *m;
  HtZMetricSpec     spec;
  HtCandidateResult r;
  HtZUnits          u;

  PetscFunctionBeginUser;
  PetscCall(HtZModel_GetUnits(base, "dyn_cm2", &u));
  PetscCall(PetscMemzero(&spec, sizeof spec));
  spec.units = u;
  /* bypass ascending -> descending aorta: mass conserved, the graft carries flow */
  m = cJSON_Duplicate(base, 1);
  PetscCall(HtZModel_Band(m, &u, "branch4_seg0", 0.5));
  PetscCall(HtZModel_Bypass(m, &u, "graft", "branch0_seg0", "branch4_seg1", 0.5, 14.0));
  PetscCall(HtZPlan_Evaluate(PETSC_COMM_SELF, m, &spec, "bypass", &r));
  printf("bypass: inflow %.6g mL/s, outflow %.6g mL/s\n", (double)Metric(&r, "cardiac_output_L_min") / 0.06, (double)OutletFlowSum(&r));
  HT_CHECK_CLOSE(OutletFlowSum(&r), Metric(&r, "cardiac_output_L_min") / 0.06, 1e-3, 0, "bypass: outflow = inflow");
  PetscCall(HtCandidateResult_Destroy(&r));
  cJSON_Delete(m);
  /* occlusion of the left carotid (branch5_seg0): 3 vessels, RCR_2 and the 2 junctions of the branch go */
  m = cJSON_Duplicate(base, 1);
  PetscCall(HtZModel_Occlude(m, "branch5_seg0"));
  printf("occlusion: %d vessels, %d junctions, %d boundary conditions (from 18, 13, 6)\n", cJSON_GetArraySize(cJSON_GetObjectItem(m, "vessels")), cJSON_GetArraySize(cJSON_GetObjectItem(m, "junctions")), cJSON_GetArraySize(cJSON_GetObjectItem(m, "boundary_conditions")));
  HT_CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(m, "vessels")) == 15 && cJSON_GetArraySize(cJSON_GetObjectItem(m, "junctions")) == 11 && cJSON_GetArraySize(cJSON_GetObjectItem(m, "boundary_conditions")) == 5, "occlusion topology");
  PetscCall(HtZPlan_Evaluate(PETSC_COMM_SELF, m, &spec, "occluded", &r));
  HT_CHECK(isnan(Metric(&r, "flow_split_percent_RCR_2")), "occluded outlet still reported");
  HT_CHECK_CLOSE(OutletFlowSum(&r), Metric(&r, "cardiac_output_L_min") / 0.06, 1e-3, 0, "occlusion: outflow = inflow");
  PetscCall(HtCandidateResult_Destroy(&r));
  cJSON_Delete(m);
  /* shunt from the brachiocephalic junction into a low-pressure sink (a pulmonary bed) */
  m = cJSON_Duplicate(base, 1);
  PetscCall(HtZModel_Shunt(m, &u, "shunt", "branch1_seg0", NULL, 3.5, 3.0, 1000.0, 10.0));
  spec.npulmonary = 1;
  PetscCall(PetscStrncpy(spec.pulmonary[0], "shunt_sink", 64));
  PetscCall(HtZPlan_Evaluate(PETSC_COMM_SELF, m, &spec, "shunt", &r));
  printf("shunt 3.5 mm: Qp/Qs %.4f, shunt flow %.4g %% of the inflow\n", (double)Metric(&r, "qp_qs_ratio"), (double)Metric(&r, "flow_split_percent_shunt_sink"));
  HT_CHECK_CLOSE(Metric(&r, "qp_qs_ratio"), Metric(&r, "flow_split_percent_shunt_sink") / (100.0 - Metric(&r, "flow_split_percent_shunt_sink")), 1e-9, 0, "Qp/Qs from the splits");
  HT_CHECK(Metric(&r, "qp_qs_ratio") > 0, "shunt carries no flow");
  spec.npulmonary = 0;
  PetscCall(HtCandidateResult_Destroy(&r));
  /* aneurysm exclusion + valve on a model without that valve: error names it */
  PetscCall(HtZModel_ExcludeAneurysm(m, &u, "branch4_seg2", 0.6, 0.2));
  HtError_Clear();
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  HT_CHECK(HtZModel_Valve(m, "CLH", "aortic", 2.0) == PETSC_ERR_USER_INPUT, "valve on a model without a heart");
  HT_CHECK(HtZModel_Stent(m, "no_such_vessel", 1.0, 1.0) == PETSC_ERR_USER_INPUT, "stent on a missing vessel");
  PetscCall(PetscPopErrorHandler());
  cJSON_Delete(m);
  PetscFunctionReturn(0);
}

/* one calibration from noisy targets; returns the calibrated total outlet resistance and the one the
 * noisy measurements imply (R0 (1 + e_P)/(1 + e_CO): the noise cannot be calibrated away) */
static PetscErrorCode CalibrateOnce(cJSON *truth, const HtZMetricSpec *spec, const HtCandidateResult *r, const PetscReal e[6], PetscReal R0, PetscReal *Rc, PetscReal *Rimplied)
{
  cJSON         *m = cJSON_Duplicate(truth, 1), *b;
  HtZCalibration c;
  PetscInt       k = 0;
  PetscReal      Rp;

  PetscFunctionBeginUser;
  PetscCall(HtZCalibration_Default(&c));
  c.mean_mmHg            = Metric(r, "inlet_pressure_mean_mmHg") * (1 + e[0]);
  c.cardiac_output_L_min = Metric(r, "cardiac_output_L_min") * (1 + e[1]);
  for (PetscInt i = 0; i < 4; i++) { /* PC-MRI splits of 4 of the 5 outlets */
    char nm[64];
    PetscCall(PetscSNPrintf(c.split_bc[i], 64, "RCR_%d", (int)i));
    PetscCall(PetscSNPrintf(nm, sizeof nm, "flow_split_percent_RCR_%d", (int)i));
    c.split_percent[i] = Metric(r, nm) * (1 + e[2 + i]);
  }
  c.nsplits = 4;
  /* perturb the outlet resistances by +-30 % */
  cJSON_ArrayForEach(b, cJSON_GetObjectItem(m, "boundary_conditions")) if (!strcmp(cJSON_GetObjectItem(b, "bc_type")->valuestring, "RCR"))
  {
    cJSON    *bv = cJSON_GetObjectItem(b, "bc_values");
    PetscReal f  = (k++ % 2) ? 0.7 : 1.3;
    cJSON_SetNumberValue(cJSON_GetObjectItem(bv, "Rp"), cJSON_GetObjectItem(bv, "Rp")->valuedouble * f);
    cJSON_SetNumberValue(cJSON_GetObjectItem(bv, "Rd"), cJSON_GetObjectItem(bv, "Rd")->valuedouble * f);
  }
  PetscCall(HtZModel_TotalOutletResistance(m, &Rp));
  c.tolerance_percent = 0.5;
  PetscCall(HtZPlan_Calibrate(PETSC_COMM_SELF, m, spec, &c));
  PetscCall(HtZModel_TotalOutletResistance(m, Rc));
  *Rimplied = R0 * (1 + e[0]) / (1 + e[1]);
  for (PetscInt i = 0; i < c.ntargets; i++) printf("  target %-26s wanted %10.5g achieved %10.5g residual %+.3f %%\n", c.t[i].what, (double)c.t[i].target, (double)c.t[i].achieved, (double)c.t[i].residual_percent);
  printf("  total outlet resistance: true %.6g, perturbed %.6g (%+.2f %%), calibrated %.6g (%+.2f %% vs true, %+.2f %% vs what the noisy P/CO imply) in %d iterations\n", (double)R0, (double)Rp, (double)(100 * (Rp / R0 - 1)), (double)*Rc, (double)(100 * (*Rc / R0 - 1)), (double)(100 * (*Rc / *Rimplied - 1)), (int)c.iterations);
  cJSON_Delete(m);
  PetscFunctionReturn(0);
}

static PetscErrorCode Calibration(cJSON *base)
{
  cJSON            *truth = cJSON_Duplicate(base, 1), *m, *b;
  HtZMetricSpec     spec;
  HtCandidateResult r;
  HtZCalibration    c;
  PetscReal         R0, sum = 0, worst = 0;
  const PetscInt    nreal = 6;
  unsigned long long x = 12345; /* fixed LCG: uniform noise in [-5 %, 5 %] per target */

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&spec, sizeof spec));
  PetscCall(HtZModel_GetUnits(truth, "dyn_cm2", &spec.units));
  b = cJSON_GetObjectItem(truth, "simulation_parameters");
  cJSON_SetNumberValue(cJSON_GetObjectItem(b, "number_of_time_pts_per_cardiac_cycle"), 100);
  PetscCall(HtZPlan_Evaluate(PETSC_COMM_SELF, truth, &spec, "truth", &r));
  PetscCall(HtZModel_TotalOutletResistance(truth, &R0));
  for (PetscInt n = 0; n < nreal; n++) {
    PetscReal e[6], Rc = 0, Ri = 1;
    for (PetscInt i = 0; i < 6; i++) {
      x    = x * 6364136223846793005ULL + 1442695040888963407ULL;
      e[i] = 0.05 * (2.0 * (PetscReal)(x >> 11) / 9007199254740992.0 - 1.0);
    }
    printf("calibration, noise realisation %d (P %+.2f %%, CO %+.2f %%):\n", (int)n, (double)(100 * e[0]), (double)(100 * e[1]));
    PetscCall(CalibrateOnce(truth, &spec, &r, e, R0, &Rc, &Ri));
    HT_CHECK(PetscAbsReal(Rc / Ri - 1) < 0.01, "calibrated R_total %.6g not within 1 %% of the %.6g the measurements imply", (double)Rc, (double)Ri);
    sum += Rc / R0 - 1;
    worst = PetscMax(worst, PetscAbsReal(Rc / R0 - 1));
  }
  printf("calibration: total outlet resistance vs true, mean error over %d noise realisations %+.2f %%, worst %.2f %%\n", (int)nreal, (double)(100 * sum / nreal), (double)(100 * worst));
  HT_CHECK(PetscAbsReal(sum / nreal) < 0.05, "total resistance recovered within 5 %% on average: %.3f %%", (double)(100 * sum / nreal));
  /* targets that cannot be met: splits adding to more than 100 % */
  PetscCall(HtZCalibration_Default(&c));
  c.nsplits = 2;
  PetscCall(PetscStrncpy(c.split_bc[0], "RCR_0", 64));
  PetscCall(PetscStrncpy(c.split_bc[1], "RCR_1", 64));
  c.split_percent[0] = 60, c.split_percent[1] = 45;
  m = cJSON_Duplicate(truth, 1);
  HtError_Clear();
  PetscCall(HtError_PushHandler());
  HT_CHECK(HtZPlan_Calibrate(PETSC_COMM_SELF, m, &spec, &c) == PETSC_ERR_USER_INPUT, "splits over 100 %% accepted");
  PetscCall(HtError_PopHandler());
  printf("splits 60 %% + 45 %% -> %s\n", HtError_LastMessage());
  /* a mean pressure below the venous pressure cannot be met */
  PetscCall(HtZCalibration_Default(&c));
  c.mean_mmHg = 0.5;
  HtError_Clear();
  PetscCall(HtError_PushHandler());
  HT_CHECK(HtZPlan_Calibrate(PETSC_COMM_SELF, m, &spec, &c) == PETSC_ERR_NOT_CONVERGED, "unreachable mean pressure accepted");
  PetscCall(HtError_PopHandler());
  printf("mean pressure 0.5 mmHg -> %s\n", HtError_LastMessage());
  cJSON_Delete(m);
  PetscCall(HtCandidateResult_Destroy(&r));
  cJSON_Delete(truth);
  PetscFunctionReturn(0);
}

static PetscErrorCode WritePlan(const char *path, const char *model, PetscReal spread, PetscInt samples, PetscBool independent)
{
  FILE *f = fopen(path, "w");

  PetscFunctionBeginUser;
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot write", path);
  fprintf(f, "{\"baseline_model\": \"%s\", \"model_pressure_unit\": \"dyn_cm2\",\n"
             " \"simulation\": {\"time_pts_per_cardiac_cycle\": 60, \"cardiac_cycles\": 5},\n"
             " \"sites\": [{\"name\": \"proximal\", \"vessel\": \"branch4_seg0\", \"end\": \"inlet\"}, {\"name\": \"distal\", \"vessel\": \"branch4_seg0\", \"end\": \"outlet\"},\n"
             "   {\"name\": \"arm\", \"vessel\": \"branch2_seg2\", \"end\": \"outlet\"}, {\"name\": \"leg\", \"vessel\": \"branch4_seg2\", \"end\": \"outlet\"}],\n"
             " \"lesion\": {\"proximal_site\": \"proximal\", \"distal_site\": \"distal\"}, \"arm_leg\": {\"arm_site\": \"arm\", \"leg_site\": \"leg\"},\n"
             " \"baseline_operations\": [{\"type\": \"recoarctation\", \"vessel\": \"branch4_seg0\", \"radius_factor\": 0.55}],\n"
             " \"candidates\": [{\"name\": \"stent\", \"operations\": [{\"type\": \"stent\", \"vessel\": \"branch4_seg0\", \"radius_factor\": 1.818}]},\n"
             "   {\"name\": \"balloon\", \"operations\": [{\"type\": \"angioplasty\", \"vessel\": \"branch4_seg0\", \"success_fraction\": 0.6, \"radius_factor\": 1.818}]},\n"
             "   {\"name\": \"bypass\", \"operations\": [{\"type\": \"bypass\", \"name\": \"graft\", \"from_vessel\": \"branch0_seg0\", \"to_vessel\": \"branch4_seg1\", \"radius_mm\": 4, \"length_cm\": 14}]}],\n"
             " \"objectives\": [{\"metric\": \"gradient_peak_to_peak_mmHg\", \"unacceptable\": 40, \"target\": -5, \"weight\": 0.6}, {\"metric\": \"power_loss_mW\", \"unacceptable\": 200, \"target\": 0, \"weight\": 0.4}],\n"
             " \"guards\": [{\"metric\": \"cardiac_output_L_min\", \"min_change_percent\": -10, \"min_probability\": 0.9}],\n"
             " \"uncertainty\": {\"samples\": %d, \"seed\": 3, \"outlet_resistance_spread_percent\": %g, \"outlet_compliance_spread_percent\": %g, \"inflow_spread_percent\": %g, \"success_spread_percent\": %g, \"compare_independent\": %s}}\n",
          model, (int)samples, (double)spread, (double)spread, (double)(spread / 2), (double)(spread / 5), independent ? "true" : "false");
  PetscCheck(!fclose(f), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", path);
  PetscFunctionReturn(0);
}

static cJSON *Cand(cJSON *rep, const char *name)
{
  cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(rep, "candidates")) if (!strcmp(cJSON_GetObjectItem(c, "name")->valuestring, name)) return c;
  return NULL;
}

static PetscErrorCode PlanRuns(const char *model_path)
{
  cJSON      *rep, *c, *c2;
  PetscMPIInt rank, size;
  const char *names[4] = {"baseline", "stent", "balloon", "bypass"};
  char        path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  /* distinct file names for the 1- and 2-rank tests, which ctest may run at the same time */
  if (!rank && size == 1) PetscCall(WritePlan("zplan_zero.json", model_path, 0, 4, PETSC_FALSE));
  if (!rank && size == 1) PetscCall(WritePlan("zplan_spread.json", model_path, 15, 32, PETSC_TRUE));
  if (!rank && size > 1) PetscCall(WritePlan("zplan_mpi_spread.json", model_path, 15, 32, PETSC_TRUE));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  if (size == 1) {
    /* zero spread: every sample equals the deterministic model */
    PetscCall(HtPlan_RunFile(PETSC_COMM_WORLD, "zplan_zero.json", "zplan_zero_out"));
    PetscCall(LoadJSON("zplan_zero_out/report.json", &rep));
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(rep, "candidates"))
    {
      PetscReal pb = cJSON_GetObjectItem(c, "p_best")->valuedouble;
      printf("zero spread: %-8s rank %d score %.6f (mean %.6f sd %.2g) P(best) %g P(guards) %g\n", cJSON_GetObjectItem(c, "name")->valuestring, (int)cJSON_GetObjectItem(c, "rank")->valuedouble, cJSON_GetObjectItem(c, "score_deterministic")->valuedouble, cJSON_GetObjectItem(c, "score_mean")->valuedouble,
             cJSON_GetObjectItem(c, "score_sd")->valuedouble, pb, cJSON_GetObjectItem(c, "p_all_guards_hold")->valuedouble);
      HT_CHECK(pb == 0.0 || pb == 1.0, "P(best) %g not 0 or 1 with zero spread", (double)pb);
      HT_CHECK_CLOSE(cJSON_GetObjectItem(c, "score_mean")->valuedouble, cJSON_GetObjectItem(c, "score_deterministic")->valuedouble, 1e-12, 1e-12, "zero-spread mean = deterministic score");
      HT_CHECK(cJSON_GetObjectItem(c, "rank_stability")->valuedouble == 1.0, "rank stability 1 with zero spread");
    }
    /* report ordered by rank, deterministic scores decreasing */
    {
      PetscReal prev = PETSC_MAX_REAL;
      cJSON_ArrayForEach(c, cJSON_GetObjectItem(rep, "candidates"))
      {
        PetscReal s = cJSON_GetObjectItem(c, "score_deterministic")->valuedouble;
        HT_CHECK(s <= prev, "ranking differs from the deterministic one");
        prev = s;
      }
    }
    /* candidates/<name>.json re-solved from the file give the stated pressures */
    for (PetscInt i = 0; i < 4; i++) {
      HtZeroD          zd;
      PetscInt         nt;
      const PetscReal *pin, *pout;
      PetscReal        smax = -1e300, dmax = -1e300, amax = -1e300;
      cJSON           *mt;
      PetscCall(PetscSNPrintf(path, sizeof path, "zplan_zero_out/candidates/%s.json", names[i]));
      PetscCall(HtZeroD_Create(PETSC_COMM_SELF, &zd));
      PetscCall(HtZeroD_LoadFile(zd, path));
      PetscCall(HtZeroD_SetUp(zd));
      PetscCall(HtZeroD_Solve(zd));
      PetscCall(HtZeroD_GetVesselResult(zd, "branch4_seg0", &nt, NULL, NULL, NULL, &pin, &pout));
      for (PetscInt k = 0; k < nt; k++) smax = PetscMax(smax, pin[k]), dmax = PetscMax(dmax, pout[k]);
      PetscCall(HtZeroD_GetVesselResult(zd, "branch2_seg2", &nt, NULL, NULL, NULL, NULL, &pout));
      for (PetscInt k = 0; k < nt; k++) amax = PetscMax(amax, pout[k]);
      mt = cJSON_GetObjectItem(Cand(rep, names[i]), "metrics");
      printf("%-8s re-run: proximal systolic %.9g mmHg (report %.9g), arm systolic %.9g (report %.9g), gradient %.6g mmHg\n", names[i], (double)(smax / MMHG), cJSON_GetObjectItem(mt, "pressure_systolic_mmHg_proximal")->valuedouble, (double)(amax / MMHG), cJSON_GetObjectItem(mt, "pressure_systolic_mmHg_arm")->valuedouble, (double)((smax - dmax) / MMHG));
      HT_CHECK_CLOSE(smax / MMHG, cJSON_GetObjectItem(mt, "pressure_systolic_mmHg_proximal")->valuedouble, 1e-6, 0, "candidate file: proximal systolic pressure");
      HT_CHECK_CLOSE(amax / MMHG, cJSON_GetObjectItem(mt, "pressure_systolic_mmHg_arm")->valuedouble, 1e-6, 0, "candidate file: arm systolic pressure");
      HT_CHECK_CLOSE((smax - dmax) / MMHG, cJSON_GetObjectItem(mt, "gradient_peak_to_peak_mmHg")->valuedouble, 1e-6, 1e-9, "candidate file: gradient");
      PetscCall(HtZeroD_Destroy(&zd));
    }
    cJSON_Delete(rep);
    /* with spread: P(A>B) + P(B>A) = 1, P(best) sums to 1, paired spread < independent */
    PetscCall(HtPlan_RunFile(PETSC_COMM_WORLD, "zplan_spread.json", "zplan_spread_out"));
    PetscCall(LoadJSON("zplan_spread_out/report.json", &rep));
    {
      cJSON    *pb = cJSON_GetObjectItem(rep, "p_beats"), *sd = cJSON_GetObjectItem(rep, "score_difference_top_two_sd");
      PetscReal sum = 0;
      for (PetscInt a = 0; a < 4; a++)
        for (PetscInt b = a + 1; b < 4; b++) {
          PetscReal ab = cJSON_GetObjectItem(cJSON_GetObjectItem(pb, names[a]), names[b])->valuedouble, ba = cJSON_GetObjectItem(cJSON_GetObjectItem(pb, names[b]), names[a])->valuedouble;
          printf("P(%s beats %s) = %.4f, P(%s beats %s) = %.4f\n", names[a], names[b], (double)ab, names[b], names[a], (double)ba);
          HT_CHECK_CLOSE(ab + ba, 1.0, 1e-12, 0, "P(A>B) + P(B>A)");
        }
      cJSON_ArrayForEach(c, cJSON_GetObjectItem(rep, "candidates"))
      {
        sum += cJSON_GetObjectItem(c, "p_best")->valuedouble;
        printf("15 %% spread: %-8s rank %d score mean %.4f sd %.4f P(best) %.3f P(guards) %.3f rank stability %.3f\n", cJSON_GetObjectItem(c, "name")->valuestring, (int)cJSON_GetObjectItem(c, "rank")->valuedouble, cJSON_GetObjectItem(c, "score_mean")->valuedouble, cJSON_GetObjectItem(c, "score_sd")->valuedouble,
               cJSON_GetObjectItem(c, "p_best")->valuedouble, cJSON_GetObjectItem(c, "p_all_guards_hold")->valuedouble, cJSON_GetObjectItem(c, "rank_stability")->valuedouble);
      }
      HT_CHECK_CLOSE(sum, 1.0, 1e-12, 0, "sum of P(best)");
      printf("sd of the score difference of the top two: paired %.5f, independent %.5f\n", cJSON_GetObjectItem(sd, "paired")->valuedouble, cJSON_GetObjectItem(sd, "independent")->valuedouble);
      HT_CHECK(cJSON_GetObjectItem(sd, "paired")->valuedouble < cJSON_GetObjectItem(sd, "independent")->valuedouble, "paired spread not smaller than independent");
    }
    cJSON_Delete(rep);
  } else {
    /* 2 ranks: the plan on all ranks vs the same plan on rank 0 alone */
    PetscCall(HtPlan_RunFile(PETSC_COMM_WORLD, "zplan_mpi_spread.json", "zplan_mpi_out"));
    if (!rank) {
      PetscCall(HtPlan_RunFile(PETSC_COMM_SELF, "zplan_mpi_spread.json", "zplan_mpi1_out"));
      PetscCall(LoadJSON("zplan_mpi_out/report.json", &rep));
      PetscCall(LoadJSON("zplan_mpi1_out/report.json", &c2));
      for (PetscInt i = 0; i < 4; i++) {
        const char *f[4] = {"score_mean", "score_sd", "p_best", "rank_stability"};
        for (PetscInt k = 0; k < 4; k++) {
          PetscReal a = cJSON_GetObjectItem(Cand(rep, names[i]), f[k])->valuedouble, b = cJSON_GetObjectItem(Cand(c2, names[i]), f[k])->valuedouble;
          printf("%-8s %-14s %d ranks %.12g, 1 rank %.12g\n", names[i], f[k], (int)size, (double)a, (double)b);
          HT_CHECK(a == b, "%s %s differs between %d ranks and 1", names[i], f[k], (int)size);
        }
      }
      cJSON_Delete(rep);
      cJSON_Delete(c2);
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode PlanErrors(const char *model_path)
{
  char           bad[64];
  FILE          *f;
  PetscErrorCode e;
  PetscMPIInt    rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (rank) PetscFunctionReturn(0);
  {
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
    if (size > 1) PetscFunctionReturn(0); /* the 1-rank run covers it */
  }
  PetscCall(PetscSNPrintf(bad, sizeof bad, "zplan_bad_%d.json", (int)getpid())); /* tests may run concurrently */
  f = fopen(bad, "w");
  fprintf(f, "{\"baseline_model\": \"%s\", \"candidates\": [{\"name\": \"s\", \"operations\": [{\"type\": \"stent\", \"vessel\": \"branch4_seg0\", \"radius_mm\": 3}]}], \"objectives\": [{\"metric\": \"power_loss_mW\", \"unacceptable\": 1, \"target\": 0}]}\n", model_path);
  fclose(f);
  HtError_Clear();
  PetscCall(HtError_PushHandler());
  e = HtPlan_RunFile(PETSC_COMM_SELF, bad, "zplan_bad_out");
  remove(bad);
  PetscCall(HtError_PopHandler());
  printf("unknown operator key -> code %d: %s\n", (int)e, HtError_LastMessage());
  HT_CHECK(e == PETSC_ERR_USER_INPUT && strstr(HtError_LastMessage(), "candidates[0].operations[0].radius_mm"), "unknown key not named by its path");
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  char      path[PETSC_MAX_PATH_LEN];
  cJSON    *base;
  PetscBool quick = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-plan_quick", &quick, NULL));
  HtLog_SetQuiet(PETSC_TRUE);
  PetscCall(Stenosis());
  if (!HtTest_RequireData("zerod/vmr/0104_0001_optimal_from_0d.json", path, sizeof path)) PetscFunctionReturn(0);
  PetscCall(LoadJSON(path, &base));
  PetscCall(PlanErrors(path));
  PetscCall(Steady0104(base));
  PetscCall(Operators(base));
  if (!quick) {
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
    if (size == 1) PetscCall(Calibration(base));
    PetscCall(PlanRuns(path));
  }
  cJSON_Delete(base);
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
