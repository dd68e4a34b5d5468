/* Solving an svZeroDSolver model and reading clinical metrics off it; calibration of the outlet
 * boundary conditions to cuff pressures, cardiac output and flow splits. */
#include <htplan.h>
#include <htzerod.h>
#include <math.h>
#include <string.h>

#define HT_MMHG_DYN 1333.22387415

static PetscReal CycleMean(PetscInt n, const PetscReal *t, const PetscReal *y)
{
  PetscReal s = 0;
  if (n < 2 || t[n - 1] <= t[0]) return n ? y[0] : 0;
  for (PetscInt i = 0; i + 1 < n; i++) s += 0.5 * (y[i] + y[i + 1]) * (t[i + 1] - t[i]);
  return s / (t[n - 1] - t[0]);
}
static PetscReal Max(PetscInt n, const PetscReal *y)
{
  PetscReal m = -PETSC_MAX_REAL;
  for (PetscInt i = 0; i < n; i++) m = PetscMax(m, y[i]);
  return m;
}
static PetscReal Min(PetscInt n, const PetscReal *y)
{
  PetscReal m = PETSC_MAX_REAL;
  for (PetscInt i = 0; i < n; i++) m = PetscMin(m, y[i]);
  return m;
}

static const char *VStr(const cJSON *o, const char *k)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* is vessel v fed by a closed-loop heart block? */
static PetscBool HeartFed(const cJSON *model, const char *vname)
{
  const cJSON *b, *x;
  cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(model, "closed_loop_blocks")) cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(b, "outlet_blocks")) if (cJSON_IsString(x) && !strcmp(x->valuestring, vname)) return PETSC_TRUE;
  return PETSC_FALSE;
}

PetscErrorCode HtZPlan_Evaluate(MPI_Comm comm, const cJSON *model, const HtZMetricSpec *spec, const char *name, HtCandidateResult *res)
{
  HtZeroD          zd;
  const cJSON     *v;
  const PetscReal *t, *qi, *qo, *pi, *po;
  PetscInt         nt = 0, ninlet = 0, nout = 0;
  PetscReal        pm = spec->units.pressure_to_mmHg, *pin = NULL, *qin = NULL, *tmp, qsum = 0, power = 0;
  char             mname[64];
  PetscBool        heart = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(res, sizeof(*res)));
  PetscCall(PetscStrncpy(res->name, name, sizeof(res->name)));
  res->model = cJSON_Duplicate(model, 1);
  PetscCall(HtZeroD_Create(comm, &zd));
  PetscCall(HtZeroD_LoadJSON(zd, model, name));
  PetscCall(HtZeroD_SetFromOptions(zd));
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  PetscCall(HtZeroD_GetCycleInfo(zd, &res->cycles_used, NULL, &res->cycle_change_mmHg));

  /* inflow: vessels with an inlet BC or fed by the heart; outlets: vessels with an outlet BC */
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(model, "vessels"))
  {
    const char  *vn = VStr(v, "vessel_name");
    const cJSON *bc = cJSON_GetObjectItemCaseSensitive(v, "boundary_conditions");
    PetscInt     n;
    PetscCall(HtZeroD_GetVesselResult(zd, vn, &n, &t, &qi, &qo, &pi, &po));
    if (!nt) {
      nt = n;
      PetscCall(PetscCalloc1(nt, &res->t_s));
      PetscCall(PetscCalloc1(nt, &pin));
      PetscCall(PetscCalloc1(nt, &qin));
      PetscCall(PetscMalloc1(nt, &tmp));
      PetscCall(PetscArraycpy(res->t_s, t, nt));
    }
    for (PetscInt i = 0; i < nt; i++) tmp[i] = pi[i] * qi[i] - po[i] * qo[i]; /* model pressure x mL/s */
    power += CycleMean(nt, t, tmp);
    if (cJSON_GetObjectItemCaseSensitive(bc, "inlet") || HeartFed(model, vn)) {
      if (HeartFed(model, vn)) heart = PETSC_TRUE;
      for (PetscInt i = 0; i < nt; i++) qin[i] += qi[i];
      if (!ninlet)
        for (PetscInt i = 0; i < nt; i++) pin[i] = pi[i] * pm;
      ninlet++;
    }
    if (cJSON_GetObjectItemCaseSensitive(bc, "outlet")) qsum += CycleMean(nt, t, qo), nout++;
  }
  PetscCheck(nt > 0 && ninlet > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: no vessel with an inlet boundary condition or a heart", name);
  res->nt = nt;
  PetscCall(HtCandidateResult_SetMetric(res, "inlet_pressure_systolic_mmHg", Max(nt, pin)));
  PetscCall(HtCandidateResult_SetMetric(res, "inlet_pressure_diastolic_mmHg", Min(nt, pin)));
  PetscCall(HtCandidateResult_SetMetric(res, "inlet_pressure_mean_mmHg", CycleMean(nt, res->t_s, pin)));
  PetscCall(HtCandidateResult_SetMetric(res, "inlet_pulse_pressure_mmHg", Max(nt, pin) - Min(nt, pin)));
  PetscCall(HtCandidateResult_SetMetric(res, "cardiac_output_L_min", CycleMean(nt, res->t_s, qin) * 0.06));
  /* power dissipated in the vessels over the cycle (storage averages out): erg/s -> mW = 1e-4 */
  PetscCall(HtCandidateResult_SetMetric(res, "power_loss_mW", power * pm * HT_MMHG_DYN * 1e-4));
  {
    PetscReal qp = 0;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(model, "vessels"))
    {
      const cJSON *bc = cJSON_GetObjectItemCaseSensitive(v, "boundary_conditions");
      const char  *bn = VStr(bc, "outlet");
      PetscInt     n;
      PetscReal    qk;
      if (!bn) continue;
      PetscCall(HtZeroD_GetVesselResult(zd, VStr(v, "vessel_name"), &n, &t, &qi, &qo, &pi, &po));
      qk = CycleMean(nt, t, qo);
      PetscCall(PetscSNPrintf(mname, sizeof mname, "flow_split_percent_%s", bn));
      PetscCall(HtCandidateResult_SetMetric(res, mname, qsum != 0 ? 100.0 * qk / qsum : 0));
      PetscCall(PetscSNPrintf(mname, sizeof mname, "outlet_flow_mean_mL_s_%s", bn));
      PetscCall(HtCandidateResult_SetMetric(res, mname, qk));
      PetscCall(PetscSNPrintf(mname, sizeof mname, "outlet_pressure_mean_mmHg_%s", bn));
      PetscCall(HtCandidateResult_SetMetric(res, mname, CycleMean(nt, t, po) * pm));
      for (PetscInt k = 0; k < spec->npulmonary; k++)
        if (!strcmp(spec->pulmonary[k], bn)) qp += qk;
    }
    if (spec->npulmonary) PetscCall(HtCandidateResult_SetMetric(res, "qp_qs_ratio", qsum - qp != 0 ? qp / (qsum - qp) : PETSC_MAX_REAL));
  }
  /* named sites */
  PetscCall(PetscMalloc1(PetscMax(1, spec->nsites) * nt, &res->p_in_mmHg));
  PetscCall(PetscMalloc1(PetscMax(1, spec->nsites) * nt, &res->q_out_mL_s));
  for (PetscInt s = 0; s < spec->nsites; s++) {
    PetscReal *ps = res->p_in_mmHg + s * nt, *qs = res->q_out_mL_s + s * nt;
    PetscInt   n;
    PetscCall(HtZeroD_GetVesselResult(zd, spec->site[s].vessel, &n, &t, &qi, &qo, &pi, &po));
    for (PetscInt i = 0; i < nt; i++) ps[i] = (spec->site[s].outlet ? po[i] : pi[i]) * pm;
    for (PetscInt i = 0; i < nt; i++) qs[i] = spec->site[s].outlet ? qo[i] : qi[i];
    PetscCall(PetscSNPrintf(mname, sizeof mname, "pressure_systolic_mmHg_%s", spec->site[s].name));
    PetscCall(HtCandidateResult_SetMetric(res, mname, Max(nt, ps)));
    PetscCall(PetscSNPrintf(mname, sizeof mname, "pressure_diastolic_mmHg_%s", spec->site[s].name));
    PetscCall(HtCandidateResult_SetMetric(res, mname, Min(nt, ps)));
    PetscCall(PetscSNPrintf(mname, sizeof mname, "pressure_mean_mmHg_%s", spec->site[s].name));
    PetscCall(HtCandidateResult_SetMetric(res, mname, CycleMean(nt, res->t_s, ps)));
  }
  {
    PetscInt ip = -1, id = -1, ia = -1, il = -1;
    for (PetscInt s = 0; s < spec->nsites; s++) {
      if (!strcmp(spec->site[s].name, spec->lesion_proximal)) ip = s;
      if (!strcmp(spec->site[s].name, spec->lesion_distal)) id = s;
      if (!strcmp(spec->site[s].name, spec->arm)) ia = s;
      if (!strcmp(spec->site[s].name, spec->leg)) il = s;
    }
    if (ip >= 0 && id >= 0) {
      const PetscReal *pp = res->p_in_mmHg + ip * nt, *pd = res->p_in_mmHg + id * nt;
      for (PetscInt i = 0; i < nt; i++) tmp[i] = pp[i] - pd[i];
      PetscCall(HtCandidateResult_SetMetric(res, "gradient_peak_to_peak_mmHg", Max(nt, pp) - Max(nt, pd)));
      PetscCall(HtCandidateResult_SetMetric(res, "gradient_mean_mmHg", CycleMean(nt, res->t_s, tmp)));
      PetscCall(HtCandidateResult_SetMetric(res, "gradient_peak_instantaneous_mmHg", Max(nt, tmp)));
      PetscCall(HtCandidateResult_SetMetric(res, "ffr_ratio", CycleMean(nt, res->t_s, pd) / CycleMean(nt, res->t_s, pp)));
    }
    if (ia >= 0 && il >= 0) PetscCall(HtCandidateResult_SetMetric(res, "arm_leg_systolic_difference_mmHg", Max(nt, res->p_in_mmHg + ia * nt) - Max(nt, res->p_in_mmHg + il * nt)));
  }
  if (heart) { /* pressure-volume loop of the left ventricle (model in mmHg, mL): 1 mmHg mL = 0.133322 mJ */
    const PetscReal *P, *V, *tv;
    PetscInt         n;
    PetscReal        w = 0;
    PetscCall(HtZeroD_GetVariable(zd, "P_LV:CLH", &n, &tv, &P));
    PetscCall(HtZeroD_GetVariable(zd, "V_LV:CLH", &n, &tv, &V));
    for (PetscInt i = 0; i + 1 < n; i++) w += 0.5 * (P[i] + P[i + 1]) * (V[i + 1] - V[i]);
    PetscCall(HtCandidateResult_SetMetric(res, "lv_stroke_work_mJ", PetscAbsReal(w) * pm * 0.133322387415));
    PetscCall(HtCandidateResult_SetMetric(res, "lv_ejection_fraction_percent", 100.0 * (Max(n, V) - Min(n, V)) / Max(n, V)));
  }
  res->q_in_mL_s = qin;
  PetscCall(PetscFree(pin));
  PetscCall(PetscFree(tmp));
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

/* ---- calibration ----------------------------------------------------------------------------------- */
PetscErrorCode HtZCalibration_Default(HtZCalibration *c)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(c, sizeof(*c)));
  c->systolic_mmHg = c->diastolic_mmHg = c->mean_mmHg = c->cardiac_output_L_min = -1;
  c->tolerance_percent  = 2.0;
  c->max_iterations     = 15;
  c->keep_time_constant = PETSC_TRUE;
  PetscFunctionReturn(0);
}

typedef struct {
  cJSON    *vals;   /* bc_values */
  PetscBool rcr;
  char      bc[64];
  char      vessel[64];
} Outlet;

static PetscErrorCode Outlets(cJSON *model, PetscInt *n, Outlet **o)
{
  const cJSON *v;
  PetscInt     k = 0;

  PetscFunctionBeginUser;
  *n = 0;
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(model, "vessels")) if (VStr(cJSON_GetObjectItemCaseSensitive(v, "boundary_conditions"), "outlet"))(*n)++;
  PetscCall(PetscCalloc1(PetscMax(1, *n), o));
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(model, "vessels"))
  {
    const char *bn = VStr(cJSON_GetObjectItemCaseSensitive(v, "boundary_conditions"), "outlet");
    cJSON      *b;
    if (!bn) continue;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(model, "boundary_conditions")) if (VStr(b, "bc_name") && !strcmp(VStr(b, "bc_name"), bn)) break;
    PetscCheck(b, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "model: outlet boundary condition '%s' is not defined", bn);
    {
      const char *ty = VStr(b, "bc_type");
      PetscCheck(ty && (!strcmp(ty, "RCR") || !strcmp(ty, "ClosedLoopRCR") || !strcmp(ty, "RESISTANCE")), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "calibration: outlet '%s' is %s; only RCR, ClosedLoopRCR and RESISTANCE outlets are tuned", bn, ty ? ty : "untyped");
      (*o)[k].rcr = (PetscBool)(strcmp(ty, "RESISTANCE") != 0);
    }
    (*o)[k].vals = cJSON_GetObjectItemCaseSensitive(b, "bc_values");
    PetscCall(PetscStrncpy((*o)[k].bc, bn, sizeof((*o)[k].bc)));
    PetscCall(PetscStrncpy((*o)[k].vessel, VStr(v, "vessel_name"), sizeof((*o)[k].vessel)));
    k++;
  }
  PetscFunctionReturn(0);
}

static PetscReal GetV(const cJSON *o, const char *k)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(x) ? x->valuedouble : 0;
}
static void SetV(cJSON *o, const char *k, PetscReal v)
{
  cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
  if (cJSON_IsNumber(x)) cJSON_SetNumberValue(x, v);
}
static PetscReal OutletR(const Outlet *o) { return o->rcr ? GetV(o->vals, "Rp") + GetV(o->vals, "Rd") : GetV(o->vals, "R"); }

/* total R of outlet k -> Rt, keeping Rp/Rd; C scaled by (old/new) to keep the time constant */
static void SetOutletR(const Outlet *o, PetscReal Rt, PetscBool keep_tau)
{
  PetscReal R0 = OutletR(o);
  if (o->rcr) {
    SetV(o->vals, "Rp", GetV(o->vals, "Rp") * Rt / R0);
    SetV(o->vals, "Rd", GetV(o->vals, "Rd") * Rt / R0);
    if (keep_tau) SetV(o->vals, "C", GetV(o->vals, "C") * R0 / Rt);
  } else SetV(o->vals, "R", Rt);
}

PetscErrorCode HtZModel_TotalOutletResistance(const cJSON *model, PetscReal *R_total)
{
  Outlet   *o;
  PetscInt  n;
  PetscReal g = 0;

  PetscFunctionBeginUser;
  PetscCall(Outlets((cJSON *)model, &n, &o));
  for (PetscInt k = 0; k < n; k++) g += 1.0 / OutletR(&o[k]);
  *R_total = g > 0 ? 1.0 / g : 0;
  PetscCall(PetscFree(o));
  PetscFunctionReturn(0);
}

static PetscErrorCode Metric(const HtCandidateResult *r, const char *fmt, const char *arg, PetscReal *v)
{
  char n[64];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(n, sizeof n, fmt, arg));
  PetscCall(HtCandidateResult_GetMetric(r, n, v, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode HtZPlan_Calibrate(MPI_Comm comm, cJSON *model, const HtZMetricSpec *spec, HtZCalibration *c)
{
  Outlet   *o;
  PetscInt  n, *tidx = NULL;
  PetscReal pm = spec->units.pressure_to_mmHg, split_given = 0, mean_t = c->mean_mmHg, worst = 0;
  cJSON    *inflow = NULL;
  char      worst_name[64] = "";

  PetscFunctionBeginUser;
  PetscCall(Outlets(model, &n, &o));
  PetscCheck(n > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "calibration: the model has no outlet boundary conditions");
  PetscCall(HtZModel_TotalOutletResistance(model, &c->total_resistance_before));
  PetscCall(PetscMalloc1(PetscMax(1, c->nsplits), &tidx));
  for (PetscInt s = 0; s < c->nsplits; s++) {
    tidx[s] = -1;
    for (PetscInt k = 0; k < n; k++)
      if (!strcmp(o[k].bc, c->split_bc[s])) tidx[s] = k;
    PetscCheck(tidx[s] >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "calibration: flow split target for '%s', which is not an outlet of the model", c->split_bc[s]);
    PetscCheck(c->split_percent[s] > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "calibration: flow split of '%s' is %g %% (must be > 0)", c->split_bc[s], (double)c->split_percent[s]);
    split_given += c->split_percent[s];
  }
  PetscCheck(split_given < 100.0 + 1e-9 * c->nsplits && (c->nsplits == n || split_given < 100.0), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "calibration: flow split targets add up to %g %% (%" PetscInt_FMT " of %" PetscInt_FMT " outlets): cannot be met", (double)split_given, c->nsplits, n);
  PetscCheck(!(c->systolic_mmHg > 0) == !(c->diastolic_mmHg > 0), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "calibration: give both systolic and diastolic pressure or neither");
  PetscCheck(!(c->systolic_mmHg > 0) || c->systolic_mmHg > c->diastolic_mmHg, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "calibration: systolic %g mmHg not above diastolic %g mmHg", (double)c->systolic_mmHg, (double)c->diastolic_mmHg);
  if (!(mean_t > 0) && c->systolic_mmHg > 0) mean_t = c->diastolic_mmHg + (c->systolic_mmHg - c->diastolic_mmHg) / 3.0; /* cuff rule */
  {
    cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(model, "vessels"))
    {
      const char *in = VStr(cJSON_GetObjectItemCaseSensitive(v, "boundary_conditions"), "inlet");
      cJSON      *b;
      if (!in) continue;
      cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(model, "boundary_conditions")) if (VStr(b, "bc_name") && !strcmp(VStr(b, "bc_name"), in) && VStr(b, "bc_type") && !strcmp(VStr(b, "bc_type"), "FLOW")) inflow = b;
    }
  }
  PetscCheck(!(c->cardiac_output_L_min > 0) || inflow, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "calibration: a cardiac output target needs a FLOW inlet boundary condition");

  for (c->iterations = 0;; c->iterations++) {
    HtCandidateResult r;
    PetscReal         psite_mean, psys, pdia, co, qtot, rest_sim = 0, pp_ratio = 1;
    const char       *site = c->site[0] ? c->site : NULL;

    PetscCall(HtZPlan_Evaluate(comm, model, spec, "calibration", &r));
    if (site) {
      PetscCall(Metric(&r, "pressure_mean_mmHg_%s", site, &psite_mean));
      PetscCall(Metric(&r, "pressure_systolic_mmHg_%s", site, &psys));
      PetscCall(Metric(&r, "pressure_diastolic_mmHg_%s", site, &pdia));
    } else {
      PetscCall(HtCandidateResult_GetMetric(&r, "inlet_pressure_mean_mmHg", &psite_mean, NULL));
      PetscCall(HtCandidateResult_GetMetric(&r, "inlet_pressure_systolic_mmHg", &psys, NULL));
      PetscCall(HtCandidateResult_GetMetric(&r, "inlet_pressure_diastolic_mmHg", &pdia, NULL));
    }
    PetscCall(HtCandidateResult_GetMetric(&r, "cardiac_output_L_min", &co, NULL));
    /* residuals of every target */
    c->ntargets = 0;
#define HT_TARGET(nm, tg, ach) \
  do { \
    HtZCalibTarget *T = &c->t[c->ntargets++]; \
    PetscCall(PetscStrncpy(T->what, nm, sizeof T->what)); \
    T->target = (tg), T->achieved = (ach), T->residual_percent = 100.0 * (T->achieved - T->target) / T->target; \
  } while (0)
    if (c->mean_mmHg > 0) HT_TARGET("mean_pressure_mmHg", c->mean_mmHg, psite_mean);
    if (c->systolic_mmHg > 0) HT_TARGET("systolic_pressure_mmHg", c->systolic_mmHg, psys);
    if (c->diastolic_mmHg > 0) HT_TARGET("diastolic_pressure_mmHg", c->diastolic_mmHg, pdia);
    if (c->cardiac_output_L_min > 0) HT_TARGET("cardiac_output_L_min", c->cardiac_output_L_min, co);
    for (PetscInt s = 0; s < c->nsplits && c->ntargets < 24; s++) {
      char      nm[64];
      PetscReal a;
      PetscCall(Metric(&r, "flow_split_percent_%s", c->split_bc[s], &a));
      PetscCall(PetscSNPrintf(nm, sizeof nm, "flow_split_percent_%s", c->split_bc[s]));
      HT_TARGET(nm, c->split_percent[s], a);
    }
#undef HT_TARGET
    worst = 0;
    for (PetscInt i = 0; i < c->ntargets; i++)
      if (PetscAbsReal(c->t[i].residual_percent) >= worst) {
        worst = PetscAbsReal(c->t[i].residual_percent);
        PetscCall(PetscStrncpy(worst_name, c->t[i].what, sizeof worst_name));
      }
    HtLog_Info("plan: calibration iteration %d: mean %.2f systolic %.2f diastolic %.2f mmHg, CO %.3f L/min, worst residual %.3g %% (%s)", (int)c->iterations, (double)psite_mean, (double)psys, (double)pdia, (double)co, (double)worst, worst_name);
    if (worst <= c->tolerance_percent || c->iterations >= c->max_iterations) {
      PetscCall(HtCandidateResult_Destroy(&r));
      break;
    }
    /* inflow scale for the cardiac output (prescribed flow: exact) */
    qtot = co / 0.06;
    if (c->cardiac_output_L_min > 0) {
      cJSON    *q = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(inflow, "bc_values"), "Q"), *x;
      PetscReal f = c->cardiac_output_L_min / co;
      cJSON_ArrayForEach(x, q) if (cJSON_IsNumber(x)) cJSON_SetNumberValue(x, x->valuedouble * f);
      qtot = c->cardiac_output_L_min / 0.06;
    }
    if (c->systolic_mmHg > 0) pp_ratio = (psys - pdia) / (c->systolic_mmHg - c->diastolic_mmHg);
    /* cuff pressures without a mean: the mean moves the waveform so its systolic/diastolic centre fits */
    if (!(c->mean_mmHg > 0) && c->systolic_mmHg > 0) mean_t = psite_mean + 0.5 * ((c->systolic_mmHg - psys) + (c->diastolic_mmHg - pdia));
    /* outlet flows wanted: given splits; the other outlets share the rest as they do now */
    for (PetscInt k = 0; k < n; k++) {
      PetscBool given = PETSC_FALSE;
      PetscReal a;
      for (PetscInt s = 0; s < c->nsplits; s++)
        if (tidx[s] == k) given = PETSC_TRUE;
      PetscCall(Metric(&r, "flow_split_percent_%s", o[k].bc, &a));
      if (!given) rest_sim += a;
    }
    for (PetscInt k = 0; k < n; k++) {
      PetscReal split = -1, a, pk, qk, Pd = o[k].rcr || cJSON_GetObjectItemCaseSensitive(o[k].vals, "Pd") ? GetV(o[k].vals, "Pd") * pm : 0, Rt;
      for (PetscInt s = 0; s < c->nsplits; s++)
        if (tidx[s] == k) split = c->split_percent[s];
      PetscCall(Metric(&r, "flow_split_percent_%s", o[k].bc, &a));
      if (split < 0) split = rest_sim > 0 ? a / rest_sim * (100.0 - split_given) : 0;
      PetscCall(Metric(&r, "outlet_pressure_mean_mmHg_%s", o[k].bc, &pk));
      qk = split / 100.0 * qtot;
      if (mean_t > 0) pk += mean_t - psite_mean; /* the network's drop to this outlet kept */
      PetscCheck(qk > 0 && pk > Pd, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "calibration: outlet '%s' would need a negative resistance (mean pressure %g mmHg <= distal %g mmHg at %g mL/s): targets cannot be met", o[k].bc, (double)pk, (double)Pd, (double)qk);
      Rt = (pk - Pd) / pm / qk;
      SetOutletR(&o[k], Rt, c->keep_time_constant);
      if (o[k].rcr && c->systolic_mmHg > 0) SetV(o[k].vals, "C", GetV(o[k].vals, "C") * pp_ratio);
    }
    PetscCall(HtCandidateResult_Destroy(&r));
  }
  PetscCall(HtZModel_TotalOutletResistance(model, &c->total_resistance_after));
  PetscCall(PetscFree(tidx));
  PetscCall(PetscFree(o));
  PetscCheck(worst <= c->tolerance_percent, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "calibration: target %s off by %.3g %% after %" PetscInt_FMT " iterations (tolerance %g %%): targets cannot be met by the outlet boundary conditions", worst_name, (double)worst, c->iterations, (double)c->tolerance_percent);
  PetscFunctionReturn(0);
}
