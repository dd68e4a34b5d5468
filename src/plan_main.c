/* `hemotwin plan PLAN.json --out DIR`: a plan on an svZeroDSolver model -> calibrated baseline, candidate
 * models, scores under uncertainty (paired samples spread over MPI ranks), report.json + report.html.
 *
 * Plan format (strict: any other key is an error naming its path; examples in cases/plan_*.json):
 *   baseline_model        svZeroDSolver JSON: absolute, relative to the plan, or to $HEMOTWIN_DATA
 *   model_pressure_unit   "dyn_cm2" (VMR models, default) or "mmHg" (svZeroDSolver's closed-loop heart cases)
 *   simulation            {time_pts_per_cardiac_cycle, cardiac_cycles}: override the model's (deterministic runs)
 *   sites                 [{name, vessel, end: inlet|outlet}]: where pressures/flows are read
 *   lesion                {proximal_site, distal_site}: gradients and the FFR-like ratio across it
 *   arm_leg               {arm_site, leg_site}: arm-leg systolic difference
 *   pulmonary_outlets     [bc names]: Qp/Qs (pulmonary outlets vs the others)
 *   measurements          {site, systolic_mmHg, diastolic_mmHg, mean_mmHg, cardiac_output_L_min |
 *                          cardiac_index_L_min_m2 + body_surface_area_m2, flow_split_percent: {bc: %},
 *                          tolerance_percent, max_iterations, keep_time_constant}: outlet calibration
 *   baseline_operations   operators applied before calibration (e.g. the patient's re-coarctation)
 *   candidates            [{name, operations: [{type, ...}]}]; "baseline" (no operation) is always added.
 *                         Operator types and keys: HtZModel_ApplyOperation (plan_zops.c).
 *   objectives            [{metric, unacceptable, target, weight}]: desirability 0..1, linear, clamped
 *   guards                [{metric, max_value | min_value | max_change_percent | min_change_percent (vs the
 *                          baseline of the same sample), min_probability}]
 *   uncertainty           {samples, seed, time_pts_per_cardiac_cycle, cardiac_cycles (sample solves),
 *                          outlet_resistance_spread_percent, outlet_compliance_spread_percent,
 *                          inflow_spread_percent (lognormal), success_spread_percent (normal, x success),
 *                          model_error_score (escalation threshold), compare_independent}
 * Ranking: candidates whose guards all hold with at least their min_probability first, then by mean score. */
#include <htplan.h>
#include <htzerod.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAXC 32 /* candidates (baseline included) */

typedef struct {
  char      metric[64];
  PetscReal unacceptable, target, weight;
} Objective;
typedef struct {
  char      metric[64];
  PetscInt  kind; /* 0 max_value, 1 min_value, 2 max_change_percent, 3 min_change_percent (vs baseline) */
  PetscReal limit, min_probability;
} Guard;
typedef struct {
  char          name[64];
  char          path[64]; /* "plan.candidates[i].operations" for messages */
  const cJSON  *ops;      /* array (owned by the plan tree) */
} Candidate;
typedef struct {
  cJSON         *root;
  char           model_path[PETSC_MAX_PATH_LEN], pressure_unit[16];
  PetscInt       pts, cycles;              /* simulation override (0 = the model's)   */
  const cJSON   *baseline_ops;
  HtZMetricSpec  spec;
  HtZCalibration cal;
  PetscBool      calibrate;
  PetscInt       ncand;                    /* candidates[0] = baseline (no operation) */
  Candidate      cand[MAXC];
  PetscInt       nobj, nguard;
  Objective      obj[16];
  Guard          guard[16];
  PetscInt       samples, s_pts, s_cycles;
  unsigned long long seed;
  PetscReal      sd_R, sd_C, sd_Q, sd_success, model_error_score;
  PetscBool      compare_independent;
} Plan;

/* ---- strict JSON helpers ------------------------------------------------------------------------------ */
static PetscErrorCode Keys(const cJSON *o, const char *path, const char *const *allowed)
{
  const cJSON *it;

  PetscFunctionBeginUser;
  PetscCheck(cJSON_IsObject(o), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s must be an object", path);
  cJSON_ArrayForEach(it, o)
  {
    PetscBool ok = PETSC_FALSE;
    for (PetscInt k = 0; allowed[k]; k++)
      if (!strcmp(it->string, allowed[k])) ok = PETSC_TRUE;
    PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: unknown key %s.%s", path, it->string);
  }
  PetscFunctionReturn(0);
}
static PetscErrorCode GetReal(const cJSON *o, const char *path, const char *k, PetscBool req, PetscReal dflt, PetscReal *v)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  PetscFunctionBeginUser;
  *v = dflt;
  if (!x) {
    PetscCheck(!req, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.%s is required", path, k);
    PetscFunctionReturn(0);
  }
  PetscCheck(cJSON_IsNumber(x), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.%s must be a number", path, k);
  *v = x->valuedouble;
  PetscFunctionReturn(0);
}
static PetscErrorCode GetStr(const cJSON *o, const char *path, const char *k, PetscBool req, char *buf, size_t len)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  PetscFunctionBeginUser;
  if (!x) {
    PetscCheck(!req, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.%s is required", path, k);
    PetscFunctionReturn(0);
  }
  PetscCheck(cJSON_IsString(x) && strlen(x->valuestring) < len, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.%s must be a string shorter than %d", path, k, (int)len);
  PetscCall(PetscStrncpy(buf, x->valuestring, len));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadPlan(const char *path, Plan *p)
{
  FILE        *f;
  long         len;
  char        *txt, buf[PETSC_MAX_PATH_LEN];
  const cJSON *o, *it;
  PetscReal    v;
  static const char *const top[] = {"comment", "baseline_model", "model_pressure_unit", "simulation", "baseline_operations", "sites", "lesion", "arm_leg", "pulmonary_outlets", "measurements", "candidates", "objectives", "guards", "uncertainty", NULL};

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(p, sizeof(*p)));
  f = fopen(path, "rb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open the plan", path);
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  fseek(f, 0, SEEK_SET);
  PetscCall(PetscMalloc1(len + 1, &txt));
  if (fread(txt, 1, (size_t)len, f) != (size_t)len) {
    fclose(f);
    PetscCall(PetscFree(txt));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: cannot read the plan", path);
  }
  fclose(f);
  txt[len] = 0;
  p->root  = cJSON_Parse(txt);
  PetscCall(PetscFree(txt));
  PetscCheck(p->root, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not valid JSON", path);
  PetscCall(Keys(p->root, "plan", top));

  /* baseline model: absolute, relative to the plan, or relative to the data directory */
  PetscCall(GetStr(p->root, "plan", "baseline_model", PETSC_TRUE, buf, sizeof buf));
  {
    PetscBool exists = PETSC_FALSE;
    char      dir[PETSC_MAX_PATH_LEN], *slash;
    if (buf[0] == '/') PetscCall(PetscStrncpy(p->model_path, buf, sizeof p->model_path));
    else {
      PetscCall(PetscStrncpy(dir, path, sizeof dir));
      slash = strrchr(dir, '/');
      if (slash) *slash = 0;
      else PetscCall(PetscStrncpy(dir, ".", sizeof dir));
      PetscCall(HtPath_Join(p->model_path, sizeof p->model_path, dir, buf));
      PetscCall(HtPath_Exists(p->model_path, &exists, NULL));
      if (!exists) PetscCall(HtData_Path(buf, p->model_path, sizeof p->model_path, &exists));
    }
  }
  PetscCall(PetscStrncpy(p->pressure_unit, "dyn_cm2", sizeof p->pressure_unit));
  PetscCall(GetStr(p->root, "plan", "model_pressure_unit", PETSC_FALSE, p->pressure_unit, sizeof p->pressure_unit));
  if ((o = cJSON_GetObjectItemCaseSensitive(p->root, "simulation"))) {
    static const char *const k[] = {"time_pts_per_cardiac_cycle", "cardiac_cycles", NULL};
    PetscCall(Keys(o, "plan.simulation", k));
    PetscCall(GetReal(o, "plan.simulation", "time_pts_per_cardiac_cycle", PETSC_FALSE, 0, &v));
    p->pts = (PetscInt)v;
    PetscCall(GetReal(o, "plan.simulation", "cardiac_cycles", PETSC_FALSE, 0, &v));
    p->cycles = (PetscInt)v;
  }
  p->baseline_ops = cJSON_GetObjectItemCaseSensitive(p->root, "baseline_operations");
  PetscCheck(!p->baseline_ops || cJSON_IsArray(p->baseline_ops), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: baseline_operations must be an array");
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(p->root, "sites"))
  {
    static const char *const k[] = {"name", "vessel", "end", "comment", NULL};
    char                     pth[64], end[16] = "inlet";
    HtZSite                 *s = &p->spec.site[p->spec.nsites];
    PetscCall(PetscSNPrintf(pth, sizeof pth, "plan.sites[%" PetscInt_FMT "]", p->spec.nsites));
    PetscCheck(p->spec.nsites < HT_ZPLAN_MAX_SITES, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: more than %d sites", HT_ZPLAN_MAX_SITES);
    PetscCall(Keys(it, pth, k));
    PetscCall(GetStr(it, pth, "name", PETSC_TRUE, s->name, sizeof s->name));
    PetscCall(GetStr(it, pth, "vessel", PETSC_TRUE, s->vessel, sizeof s->vessel));
    PetscCall(GetStr(it, pth, "end", PETSC_FALSE, end, sizeof end));
    PetscCheck(!strcmp(end, "inlet") || !strcmp(end, "outlet"), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.end must be inlet or outlet", pth);
    s->outlet = (PetscBool)!strcmp(end, "outlet");
    p->spec.nsites++;
  }
  if ((o = cJSON_GetObjectItemCaseSensitive(p->root, "lesion"))) {
    static const char *const k[] = {"proximal_site", "distal_site", "comment", NULL};
    PetscCall(Keys(o, "plan.lesion", k));
    PetscCall(GetStr(o, "plan.lesion", "proximal_site", PETSC_TRUE, p->spec.lesion_proximal, sizeof p->spec.lesion_proximal));
    PetscCall(GetStr(o, "plan.lesion", "distal_site", PETSC_TRUE, p->spec.lesion_distal, sizeof p->spec.lesion_distal));
  }
  if ((o = cJSON_GetObjectItemCaseSensitive(p->root, "arm_leg"))) {
    static const char *const k[] = {"arm_site", "leg_site", NULL};
    PetscCall(Keys(o, "plan.arm_leg", k));
    PetscCall(GetStr(o, "plan.arm_leg", "arm_site", PETSC_TRUE, p->spec.arm, sizeof p->spec.arm));
    PetscCall(GetStr(o, "plan.arm_leg", "leg_site", PETSC_TRUE, p->spec.leg, sizeof p->spec.leg));
  }
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(p->root, "pulmonary_outlets"))
  {
    PetscCheck(cJSON_IsString(it) && p->spec.npulmonary < 8, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: pulmonary_outlets must be at most 8 strings");
    PetscCall(PetscStrncpy(p->spec.pulmonary[p->spec.npulmonary++], it->valuestring, 64));
  }
  PetscCall(HtZCalibration_Default(&p->cal));
  if ((o = cJSON_GetObjectItemCaseSensitive(p->root, "measurements"))) {
    static const char *const k[] = {"comment", "site", "systolic_mmHg", "diastolic_mmHg", "mean_mmHg", "cardiac_output_L_min", "cardiac_index_L_min_m2", "body_surface_area_m2", "flow_split_percent", "tolerance_percent", "max_iterations", "keep_time_constant", NULL};
    PetscReal ci, bsa;
    const cJSON *x;
    PetscCall(Keys(o, "plan.measurements", k));
    p->calibrate = PETSC_TRUE;
    PetscCall(GetStr(o, "plan.measurements", "site", PETSC_FALSE, p->cal.site, sizeof p->cal.site));
    PetscCall(GetReal(o, "plan.measurements", "systolic_mmHg", PETSC_FALSE, -1, &p->cal.systolic_mmHg));
    PetscCall(GetReal(o, "plan.measurements", "diastolic_mmHg", PETSC_FALSE, -1, &p->cal.diastolic_mmHg));
    PetscCall(GetReal(o, "plan.measurements", "mean_mmHg", PETSC_FALSE, -1, &p->cal.mean_mmHg));
    PetscCall(GetReal(o, "plan.measurements", "cardiac_output_L_min", PETSC_FALSE, -1, &p->cal.cardiac_output_L_min));
    PetscCall(GetReal(o, "plan.measurements", "cardiac_index_L_min_m2", PETSC_FALSE, -1, &ci));
    PetscCall(GetReal(o, "plan.measurements", "body_surface_area_m2", PETSC_FALSE, -1, &bsa));
    PetscCheck(!(ci > 0) || bsa > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: measurements.cardiac_index_L_min_m2 needs measurements.body_surface_area_m2");
    PetscCheck(!(ci > 0) || !(p->cal.cardiac_output_L_min > 0), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: measurements: give cardiac_output_L_min or cardiac_index_L_min_m2, not both");
    if (ci > 0) p->cal.cardiac_output_L_min = ci * bsa;
    PetscCall(GetReal(o, "plan.measurements", "tolerance_percent", PETSC_FALSE, p->cal.tolerance_percent, &p->cal.tolerance_percent));
    PetscCall(GetReal(o, "plan.measurements", "max_iterations", PETSC_FALSE, 15, &v));
    p->cal.max_iterations = (PetscInt)v;
    if ((x = cJSON_GetObjectItemCaseSensitive(o, "keep_time_constant"))) {
      PetscCheck(cJSON_IsBool(x), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: measurements.keep_time_constant must be true or false");
      p->cal.keep_time_constant = (PetscBool)cJSON_IsTrue(x);
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "flow_split_percent"))
    {
      PetscCheck(cJSON_IsNumber(x) && p->cal.nsplits < 16, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: measurements.flow_split_percent.%s must be a number (at most 16)", x->string);
      PetscCall(PetscStrncpy(p->cal.split_bc[p->cal.nsplits], x->string, 64));
      p->cal.split_percent[p->cal.nsplits++] = x->valuedouble;
    }
  }
  /* candidates: [0] is the baseline (no operation) */
  PetscCall(PetscStrncpy(p->cand[0].name, "baseline", 64));
  p->ncand = 1;
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(p->root, "candidates"))
  {
    static const char *const k[] = {"name", "operations", "comment", NULL};
    char                     pth[64];
    Candidate               *c = &p->cand[p->ncand];
    PetscCall(PetscSNPrintf(pth, sizeof pth, "plan.candidates[%" PetscInt_FMT "]", p->ncand - 1));
    PetscCheck(p->ncand < MAXC, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: more than %d candidates", MAXC - 1);
    PetscCall(Keys(it, pth, k));
    PetscCall(GetStr(it, pth, "name", PETSC_TRUE, c->name, sizeof c->name));
    for (const char *q = c->name; *q; q++) PetscCheck((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '-', PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.name '%s' may use letters, digits, _ and - only (it names a file)", pth, c->name);
    for (PetscInt j = 0; j < p->ncand; j++) PetscCheck(strcmp(p->cand[j].name, c->name), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.name '%s' is used twice (baseline is reserved)", pth, c->name);
    c->ops = cJSON_GetObjectItemCaseSensitive(it, "operations");
    PetscCall(PetscSNPrintf(c->path, sizeof c->path, "%s.operations", pth));
    PetscCheck(cJSON_IsArray(c->ops), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.operations must be an array", pth);
    p->ncand++;
  }
  PetscCheck(p->ncand > 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: no candidates");
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(p->root, "objectives"))
  {
    static const char *const k[] = {"metric", "unacceptable", "target", "weight", "comment", NULL};
    char                     pth[64];
    Objective               *b = &p->obj[p->nobj];
    PetscCall(PetscSNPrintf(pth, sizeof pth, "plan.objectives[%" PetscInt_FMT "]", p->nobj));
    PetscCheck(p->nobj < 16, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: more than 16 objectives");
    PetscCall(Keys(it, pth, k));
    PetscCall(GetStr(it, pth, "metric", PETSC_TRUE, b->metric, sizeof b->metric));
    PetscCall(GetReal(it, pth, "unacceptable", PETSC_TRUE, 0, &b->unacceptable));
    PetscCall(GetReal(it, pth, "target", PETSC_TRUE, 0, &b->target));
    PetscCall(GetReal(it, pth, "weight", PETSC_FALSE, 1, &b->weight));
    PetscCheck(b->target != b->unacceptable && b->weight >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s needs target != unacceptable and weight >= 0", pth);
    p->nobj++;
  }
  PetscCheck(p->nobj > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: no objectives");
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(p->root, "guards"))
  {
    static const char *const k[] = {"metric", "max_value", "min_value", "max_change_percent", "min_change_percent", "min_probability", "comment", NULL};
    static const char *const lim[] = {"max_value", "min_value", "max_change_percent", "min_change_percent"};
    char                     pth[64];
    Guard                   *g = &p->guard[p->nguard];
    PetscInt                 nk = 0;
    PetscCall(PetscSNPrintf(pth, sizeof pth, "plan.guards[%" PetscInt_FMT "]", p->nguard));
    PetscCheck(p->nguard < 16, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: more than 16 guards");
    PetscCall(Keys(it, pth, k));
    PetscCall(GetStr(it, pth, "metric", PETSC_TRUE, g->metric, sizeof g->metric));
    for (PetscInt j = 0; j < 4; j++)
      if (cJSON_GetObjectItemCaseSensitive(it, lim[j])) {
        g->kind = j;
        PetscCall(GetReal(it, pth, lim[j], PETSC_TRUE, 0, &g->limit));
        nk++;
      }
    PetscCheck(nk == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s needs exactly one of max_value, min_value, max_change_percent, min_change_percent", pth);
    PetscCall(GetReal(it, pth, "min_probability", PETSC_FALSE, 0.9, &g->min_probability));
    p->nguard++;
  }
  p->seed = 1;
  if ((o = cJSON_GetObjectItemCaseSensitive(p->root, "uncertainty"))) {
    static const char *const k[] = {"samples", "seed", "time_pts_per_cardiac_cycle", "cardiac_cycles", "outlet_resistance_spread_percent", "outlet_compliance_spread_percent", "inflow_spread_percent", "success_spread_percent", "model_error_score", "compare_independent", "comment", NULL};
    const cJSON *x;
    PetscCall(Keys(o, "plan.uncertainty", k));
    PetscCall(GetReal(o, "plan.uncertainty", "samples", PETSC_FALSE, 0, &v));
    p->samples = (PetscInt)v;
    PetscCall(GetReal(o, "plan.uncertainty", "seed", PETSC_FALSE, 1, &v));
    p->seed = (unsigned long long)v;
    PetscCall(GetReal(o, "plan.uncertainty", "time_pts_per_cardiac_cycle", PETSC_FALSE, 0, &v));
    p->s_pts = (PetscInt)v;
    PetscCall(GetReal(o, "plan.uncertainty", "cardiac_cycles", PETSC_FALSE, 0, &v));
    p->s_cycles = (PetscInt)v;
    PetscCall(GetReal(o, "plan.uncertainty", "outlet_resistance_spread_percent", PETSC_FALSE, 0, &p->sd_R));
    PetscCall(GetReal(o, "plan.uncertainty", "outlet_compliance_spread_percent", PETSC_FALSE, 0, &p->sd_C));
    PetscCall(GetReal(o, "plan.uncertainty", "inflow_spread_percent", PETSC_FALSE, 0, &p->sd_Q));
    PetscCall(GetReal(o, "plan.uncertainty", "success_spread_percent", PETSC_FALSE, 0, &p->sd_success));
    PetscCall(GetReal(o, "plan.uncertainty", "model_error_score", PETSC_FALSE, 0.05, &p->model_error_score));
    if ((x = cJSON_GetObjectItemCaseSensitive(o, "compare_independent"))) p->compare_independent = (PetscBool)cJSON_IsTrue(x);
    PetscCheck(p->samples >= 0 && p->sd_R >= 0 && p->sd_C >= 0 && p->sd_Q >= 0 && p->sd_success >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: uncertainty: samples and spreads must be >= 0");
  } else p->model_error_score = 0.05;
  PetscFunctionReturn(0);
}

/* ---- models ------------------------------------------------------------------------------------------- */
static void SetSim(cJSON *model, PetscInt pts, PetscInt cycles)
{
  cJSON *sp = cJSON_GetObjectItemCaseSensitive(model, "simulation_parameters");
  if (!sp) sp = cJSON_AddObjectToObject(model, "simulation_parameters");
  if (pts > 0) {
    cJSON_DeleteItemFromObjectCaseSensitive(sp, "number_of_time_pts_per_cardiac_cycle");
    cJSON_AddNumberToObject(sp, "number_of_time_pts_per_cardiac_cycle", (double)pts);
  }
  if (cycles > 0) {
    cJSON_DeleteItemFromObjectCaseSensitive(sp, "number_of_cardiac_cycles");
    cJSON_AddNumberToObject(sp, "number_of_cardiac_cycles", (double)cycles);
  }
}

static PetscErrorCode ApplyOps(cJSON *model, const HtZUnits *u, const cJSON *ops, PetscReal success, const char *what)
{
  const cJSON *op;
  PetscInt     i = 0;
  char         pth[128];

  PetscFunctionBeginUser;
  cJSON_ArrayForEach(op, ops)
  {
    PetscCall(PetscSNPrintf(pth, sizeof pth, "%s[%" PetscInt_FMT "]", what, i++));
    PetscCall(HtZModel_ApplyOperation(model, u, op, success, pth));
  }
  PetscFunctionReturn(0);
}

/* ---- random draws (counter-based: the draw depends on (seed, sample, stream) only, not on the rank) --- */
static unsigned long long Mix(unsigned long long x)
{
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
static PetscReal Normal(unsigned long long seed, PetscInt sample, PetscInt stream)
{
  unsigned long long a = Mix(Mix(seed) ^ Mix((unsigned long long)sample * 7919ULL + 1) ^ Mix((unsigned long long)stream * 104729ULL + 7));
  unsigned long long b = Mix(a);
  PetscReal          u1 = ((a >> 11) + 0.5) / 9007199254740992.0, u2 = ((b >> 11) + 0.5) / 9007199254740992.0;
  return PetscSqrtReal(-2.0 * PetscLogReal(u1)) * PetscCosReal(2.0 * PETSC_PI * u2);
}

/* perturb outlets and inflow of a model copy: stream base 'st' (per candidate for independent sampling) */
static PetscErrorCode Perturb(const Plan *p, cJSON *m, PetscInt s, PetscInt st, PetscReal *success)
{
  cJSON   *b, *x;
  PetscInt k = 0;

  PetscFunctionBeginUser;
  cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(m, "boundary_conditions"))
  {
    cJSON      *bv = cJSON_GetObjectItemCaseSensitive(b, "bc_values");
    const char *ty = cJSON_GetObjectItemCaseSensitive(b, "bc_type") ? cJSON_GetObjectItemCaseSensitive(b, "bc_type")->valuestring : "";
    /* lognormal factors: resistances and compliances stay positive */
    PetscReal fR = PetscExpReal(p->sd_R / 100.0 * Normal(p->seed, s, st + 2 * k)), fC = PetscExpReal(p->sd_C / 100.0 * Normal(p->seed, s, st + 2 * k + 1));
    if (!strcmp(ty, "RCR") || !strcmp(ty, "ClosedLoopRCR")) {
      if ((x = cJSON_GetObjectItemCaseSensitive(bv, "Rp"))) cJSON_SetNumberValue(x, x->valuedouble * fR);
      if ((x = cJSON_GetObjectItemCaseSensitive(bv, "Rd"))) cJSON_SetNumberValue(x, x->valuedouble * fR);
      if ((x = cJSON_GetObjectItemCaseSensitive(bv, "C"))) cJSON_SetNumberValue(x, x->valuedouble * fC);
    } else if (!strcmp(ty, "RESISTANCE")) {
      if ((x = cJSON_GetObjectItemCaseSensitive(bv, "R"))) cJSON_SetNumberValue(x, x->valuedouble * fR);
    } else if (!strcmp(ty, "FLOW")) {
      PetscReal fQ = PetscExpReal(p->sd_Q / 100.0 * Normal(p->seed, s, st + 1000));
      cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(bv, "Q")) if (cJSON_IsNumber(x)) cJSON_SetNumberValue(x, x->valuedouble * fQ);
    }
    k++;
  }
  *success = PetscMax(0.0, 1.0 + p->sd_success / 100.0 * Normal(p->seed, s, st + 1001));
  PetscFunctionReturn(0);
}

/* ---- scoring ------------------------------------------------------------------------------------------- */
static PetscErrorCode Score(const Plan *p, const HtCandidateResult *r, const HtCandidateResult *base, PetscReal *score, PetscBool *guards_ok, PetscInt *failed_guard)
{
  PetscReal wsum = 0, s = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < p->nobj; i++) {
    PetscReal x, d;
    PetscCall(HtCandidateResult_GetMetric(r, p->obj[i].metric, &x, NULL));
    d = (x - p->obj[i].unacceptable) / (p->obj[i].target - p->obj[i].unacceptable);
    s += p->obj[i].weight * PetscMin(1.0, PetscMax(0.0, d));
    wsum += p->obj[i].weight;
  }
  *score       = wsum > 0 ? s / wsum : 0;
  *guards_ok   = PETSC_TRUE;
  *failed_guard = -1;
  for (PetscInt i = 0; i < p->nguard; i++) {
    const Guard *g = &p->guard[i];
    PetscReal    x, x0, ch;
    PetscBool    ok;
    PetscCall(HtCandidateResult_GetMetric(r, g->metric, &x, NULL));
    PetscCall(HtCandidateResult_GetMetric(base, g->metric, &x0, NULL));
    ch = x0 != 0 ? 100.0 * (x - x0) / PetscAbsReal(x0) : 0;
    ok = (PetscBool)(g->kind == 0 ? x <= g->limit : g->kind == 1 ? x >= g->limit : g->kind == 2 ? ch <= g->limit : ch >= g->limit);
    if (!ok && *guards_ok) *failed_guard = i;
    if (!ok) *guards_ok = PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

/* scores of every candidate on sample s (stream base per candidate when independent) */
static PetscErrorCode RunSample(const Plan *p, const cJSON *base, const HtZUnits *u, PetscInt s, PetscBool independent, PetscReal *score, PetscReal *gok)
{
  HtCandidateResult *r;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(p->ncand, &r));
  for (PetscInt c = 0; c < p->ncand; c++) {
    cJSON    *m = cJSON_Duplicate(base, 1);
    PetscReal success;
    PetscCall(Perturb(p, m, s, independent ? 5000 * (c + 1) : 0, &success));
    SetSim(m, p->s_pts, p->s_cycles);
    if (c) PetscCall(ApplyOps(m, u, p->cand[c].ops, success, p->cand[c].path));
    PetscCall(HtZPlan_Evaluate(PETSC_COMM_SELF, m, &p->spec, p->cand[c].name, &r[c]));
    cJSON_Delete(m);
  }
  for (PetscInt c = 0; c < p->ncand; c++) {
    PetscBool ok;
    PetscInt  fg;
    PetscCall(Score(p, &r[c], &r[0], &score[c], &ok, &fg));
    gok[c] = ok ? 1.0 : 0.0;
  }
  for (PetscInt c = 0; c < p->ncand; c++) PetscCall(HtCandidateResult_Destroy(&r[c]));
  PetscCall(PetscFree(r));
  PetscFunctionReturn(0);
}

/* ---- report ------------------------------------------------------------------------------------------- */
static const char *Colour(PetscInt i)
{
  static const char *c[] = {"#444444", "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"};
  return c[i % 10];
}

static PetscErrorCode WriteHTML(const char *path, const Plan *p, const HtCandidateResult *det, const PetscInt *order, const PetscReal *mean, const PetscReal *sd, const PetscReal *pbest, const PetscReal *pguard, const PetscReal *stab, const PetscReal *pbeat, const char *notes)
{
  FILE *f;
  char  tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(tmp, sizeof tmp, "%s.tmp", path));
  f = fopen(tmp, "w");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot write the report", tmp);
  fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>hemotwin plan report</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:3px 8px;text-align:right}th{background:#eee}</style></head><body>");
  fprintf(f, "<h1>hemotwin surgical plan</h1>\n<p>Baseline model: %s. %" PetscInt_FMT " candidates, %" PetscInt_FMT " paired samples.</p>", strrchr(p->model_path, '/') ? strrchr(p->model_path, '/') + 1 : p->model_path, p->ncand - 1, p->samples);
  fprintf(f, "<h2>Ranking</h2>\n<table><tr><th>rank</th><th>candidate</th><th>score (deterministic)</th><th>score mean</th><th>score sd</th><th>P(best)</th><th>P(all guards hold)</th><th>rank stability</th>");
  for (PetscInt i = 0; i < p->nobj; i++) fprintf(f, "<th>%s</th>", p->obj[i].metric);
  fprintf(f, "</tr>");
  for (PetscInt r = 0; r < p->ncand; r++) {
    PetscInt c = order[r];
    fprintf(f, "<tr><td>%d</td><td style=\"text-align:left;color:%s\">%s</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td>", (int)r + 1, Colour(c), p->cand[c].name, (double)det[c].score, (double)mean[c], (double)sd[c], (double)pbest[c], (double)pguard[c], (double)stab[c]);
    for (PetscInt i = 0; i < p->nobj; i++) {
      PetscReal x = 0;
      PetscCall(HtCandidateResult_GetMetric(&det[c], p->obj[i].metric, &x, NULL));
      fprintf(f, "<td>%.4g</td>", (double)x);
    }
    fprintf(f, "</tr>");
  }
  fprintf(f, "</table>\n<p>%s</p>\n<h2>P(row beats column)</h2>\n<table><tr><th></th>", notes);
  for (PetscInt b = 0; b < p->ncand; b++) fprintf(f, "<th>%s</th>", p->cand[order[b]].name);
  fprintf(f, "</tr>");
  for (PetscInt a = 0; a < p->ncand; a++) {
    fprintf(f, "<tr><th>%s</th>", p->cand[order[a]].name);
    for (PetscInt b = 0; b < p->ncand; b++) fprintf(f, a == b ? "<td>-</td>" : "<td>%.3f</td>", (double)pbeat[order[a] * p->ncand + order[b]]);
    fprintf(f, "</tr>");
  }
  fprintf(f, "</table>\n<h2>Calibration</h2>");
  if (p->calibrate) {
    fprintf(f, "<p>%" PetscInt_FMT " iterations; total outlet resistance %.6g -> %.6g (model units)</p><table><tr><th>target</th><th>wanted</th><th>achieved</th><th>residual %%</th></tr>", p->cal.iterations, (double)p->cal.total_resistance_before, (double)p->cal.total_resistance_after);
    for (PetscInt i = 0; i < p->cal.ntargets; i++) fprintf(f, "<tr><td style=\"text-align:left\">%s</td><td>%.4g</td><td>%.4g</td><td>%.3f</td></tr>", p->cal.t[i].what, (double)p->cal.t[i].target, (double)p->cal.t[i].achieved, (double)p->cal.t[i].residual_percent);
    fprintf(f, "</table>");
  } else fprintf(f, "<p>No measurements: the baseline model is used as given.</p>");
  fprintf(f, "<h2>Waveforms at the named sites (last cycle, deterministic)</h2>");
  for (PetscInt s = 0; s < p->spec.nsites; s++)
    for (PetscInt kind = 0; kind < 2; kind++) { /* pressure, flow */
      const PetscReal W = 560, H = 240, L = 50, B = 30;
      PetscReal       lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL, t0 = det[0].t_s[0], t1 = det[0].t_s[det[0].nt - 1];
      const char     *unit = kind ? "mL/s" : "mmHg";
      for (PetscInt c = 0; c < p->ncand; c++) {
        const PetscReal *y = (kind ? det[c].q_out_mL_s : det[c].p_in_mmHg) + s * det[c].nt;
        for (PetscInt i = 0; i < det[c].nt; i++) lo = PetscMin(lo, y[i]), hi = PetscMax(hi, y[i]);
      }
      if (hi <= lo) hi = lo + 1;
      fprintf(f, "<h3>%s at %s (%s %s)</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\"><rect x=\"%g\" y=\"0\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#999\"/>", kind ? "Flow" : "Pressure", p->spec.site[s].name, p->spec.site[s].vessel, p->spec.site[s].outlet ? "outlet" : "inlet", (double)(W + L + 160), (double)(H + B), (double)L, (double)W, (double)H);
      fprintf(f, "<text x=\"2\" y=\"12\" font-size=\"11\">%.4g</text><text x=\"2\" y=\"%g\" font-size=\"11\">%.4g</text><text x=\"2\" y=\"%g\" font-size=\"11\">%s</text><text x=\"%g\" y=\"%g\" font-size=\"11\">time in cycle (%.3f s)</text>", (double)hi, (double)H, (double)lo, (double)(H / 2), unit, (double)(L + W / 2 - 40), (double)(H + 20), (double)(t1 - t0));
      for (PetscInt c = 0; c < p->ncand; c++) {
        const PetscReal *y = (kind ? det[c].q_out_mL_s : det[c].p_in_mmHg) + s * det[c].nt;
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", Colour(c));
        for (PetscInt i = 0; i < det[c].nt; i++) fprintf(f, "%.1f,%.1f ", (double)(L + W * (det[c].t_s[i] - det[c].t_s[0]) / (t1 - t0 > 0 ? t1 - t0 : 1)), (double)(H - H * (y[i] - lo) / (hi - lo)));
        fprintf(f, "\"/><text x=\"%g\" y=\"%g\" font-size=\"11\" fill=\"%s\">%s</text>", (double)(L + W + 6), (double)(14 + 14 * c), Colour(c), p->cand[c].name);
      }
      fprintf(f, "</svg>\n");
    }
  fprintf(f, "<p>Models of every candidate: candidates/&lt;name&gt;.json (svZeroDSolver format; re-run with <code>hemotwin 0d</code> or svZeroDSolver).</p></body></html>");
  PetscCheck(!fclose(f), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", tmp);
  PetscCheck(!rename(tmp, path), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot rename into place", path);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPlan_RunFile(MPI_Comm comm, const char *plan_path, const char *out_dir)
{
  Plan              *p;
  cJSON             *base = NULL, *model = NULL;
  HtZUnits           u;
  HtCandidateResult *det;
  PetscMPIInt        rank, size;
  PetscInt           nc, ns, *order, nfailed = 0;
  PetscReal         *score, *gok, *mean, *sd, *pbest, *pguard, *stab, *pbeat, dpair_sd = 0, dind_sd = 0;
  char               path[PETSC_MAX_PATH_LEN], notes[1024] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscNew(&p));
  PetscCall(ReadPlan(plan_path, p));
  {
    FILE *f = fopen(p->model_path, "rb");
    long  len;
    char *txt;
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open the baseline model named by plan %s", p->model_path, plan_path);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    PetscCall(PetscMalloc1(len + 1, &txt));
    if (fread(txt, 1, (size_t)len, f) != (size_t)len) len = -1;
    fclose(f);
    if (len >= 0) txt[len] = 0;
    model = len >= 0 ? cJSON_Parse(txt) : NULL;
    PetscCall(PetscFree(txt));
    PetscCheck(model, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: baseline model is not readable JSON", p->model_path);
  }
  PetscCall(HtZModel_GetUnits(model, p->pressure_unit, &u));
  p->spec.units = u;
  SetSim(model, p->pts, p->cycles);
  if (p->baseline_ops) PetscCall(ApplyOps(model, &u, p->baseline_ops, 1.0, "plan.baseline_operations"));
  if (p->calibrate) {
    HtLog_Info("plan: calibrating the outlet boundary conditions");
    PetscCall(HtZPlan_Calibrate(comm, model, &p->spec, &p->cal));
    for (PetscInt i = 0; i < p->cal.ntargets; i++) HtLog_Info("plan: calibration %s target %g achieved %g (%.3f %%)", p->cal.t[i].what, (double)p->cal.t[i].target, (double)p->cal.t[i].achieved, (double)p->cal.t[i].residual_percent);
  }
  base = model;
  nc   = p->ncand;
  ns   = p->samples;
  /* deterministic evaluation of every candidate (the stated pressures; candidates/<name>.json) */
  PetscCall(PetscCalloc1(nc, &det));
  PetscCall(HtPath_MakeDir(out_dir));
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/candidates", out_dir));
  PetscCall(HtPath_MakeDir(path));
  for (PetscInt c = 0; c < nc; c++) {
    cJSON *m = cJSON_Duplicate(base, 1);
    if (c) PetscCall(ApplyOps(m, &u, p->cand[c].ops, 1.0, p->cand[c].path));
    PetscCall(HtZPlan_Evaluate(comm, m, &p->spec, p->cand[c].name, &det[c]));
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/candidates/%s.json", out_dir, p->cand[c].name));
    if (!rank) PetscCall(HtPlan_WriteModel(path, m));
    cJSON_Delete(m);
  }
  for (PetscInt c = 0; c < nc; c++) {
    PetscInt fg;
    PetscCall(Score(p, &det[c], &det[0], &det[c].score, &det[c].guard_failed, &fg));
    det[c].guard_failed = (PetscBool)!det[c].guard_failed;
    if (fg >= 0) PetscCall(PetscSNPrintf(det[c].guard_note, sizeof det[c].guard_note, "%s", p->guard[fg].metric));
    HtLog_Info("plan: %-24s score %.4f%s", p->cand[c].name, (double)det[c].score, det[c].guard_failed ? " (guard fails)" : "");
  }
  /* paired samples: sample s on rank s % size; the draws depend on s only */
  PetscCall(PetscCalloc4(PetscMax(1, ns) * nc, &score, PetscMax(1, ns) * nc, &gok, nc, &mean, nc, &sd));
  PetscCall(PetscCalloc4(nc, &pbest, nc, &pguard, nc, &stab, nc * nc, &pbeat));
  PetscCall(PetscMalloc1(nc, &order));
  {
    PetscReal *tmp, *tmpg;
    PetscCall(PetscCalloc2(PetscMax(1, ns) * nc, &tmp, PetscMax(1, ns) * nc, &tmpg));
    PetscReal *fl, *fail;
    PetscInt   k = 0;
    PetscCall(PetscCalloc2(PetscMax(1, ns), &fl, PetscMax(1, ns), &fail));
    for (PetscInt s = rank; s < ns; s += size) {
      /* a sample whose model does not solve is left out (reported), never stalls the other ranks */
      PetscErrorCode e = RunSample(p, base, &u, s, PETSC_FALSE, tmp + s * nc, tmpg + s * nc);
      if (e) {
        HtLog_Warn("plan: sample %d left out: %s", (int)s, HtError_LastMessage());
        fl[s] = 1;
        for (PetscInt c = 0; c < nc; c++) tmp[s * nc + c] = tmpg[s * nc + c] = 0;
      }
    }
    PetscCallMPI(MPI_Allreduce(tmp, score, (PetscMPIInt)(PetscMax(1, ns) * nc), MPIU_REAL, MPIU_SUM, comm));
    PetscCallMPI(MPI_Allreduce(tmpg, gok, (PetscMPIInt)(PetscMax(1, ns) * nc), MPIU_REAL, MPIU_SUM, comm));
    PetscCallMPI(MPI_Allreduce(fl, fail, (PetscMPIInt)PetscMax(1, ns), MPIU_REAL, MPIU_SUM, comm));
    for (PetscInt s = 0; s < ns; s++)
      if (fail[s] == 0) {
        for (PetscInt c = 0; c < nc; c++) score[k * nc + c] = score[s * nc + c], gok[k * nc + c] = gok[s * nc + c];
        k++;
      }
    nfailed = ns - k;
    ns      = k;
    PetscCheck(ns > 0 || p->samples == 0, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "plan %s: every one of the %d uncertainty samples failed to solve", plan_path, (int)p->samples);
    PetscCall(PetscFree2(fl, fail));
    PetscCall(PetscFree2(tmp, tmpg));
  }
  if (ns == 0) { /* no sampling: the deterministic result is the only sample */
    for (PetscInt c = 0; c < nc; c++) score[c] = det[c].score, gok[c] = det[c].guard_failed ? 0 : 1;
    ns = 1;
  }
  for (PetscInt c = 0; c < nc; c++) {
    for (PetscInt s = 0; s < ns; s++) mean[c] += score[s * nc + c] / ns, pguard[c] += gok[s * nc + c] / ns;
    for (PetscInt s = 0; s < ns; s++) sd[c] += PetscSqr(score[s * nc + c] - mean[c]) / PetscMax(1, ns - 1);
    sd[c] = PetscSqrtReal(sd[c]);
  }
  /* ranking: candidates whose guards hold with their required probability first, then by mean score
   * (ties keep plan order) */
  {
    PetscBool feas[MAXC];
    for (PetscInt c = 0; c < nc; c++) {
      feas[c] = PETSC_TRUE;
      if (p->nguard) feas[c] = (PetscBool)(pguard[c] >= p->guard[0].min_probability - 1e-12);
      for (PetscInt g = 1; g < p->nguard; g++) feas[c] = (PetscBool)(feas[c] && pguard[c] >= p->guard[g].min_probability - 1e-12);
      order[c] = c;
    }
    for (PetscInt i = 1; i < nc; i++)
      for (PetscInt j = i; j > 0; j--) {
        PetscInt a = order[j - 1], b = order[j];
        if ((feas[b] && !feas[a]) || (feas[b] == feas[a] && mean[b] > mean[a])) order[j - 1] = b, order[j] = a;
        else break;
      }
    for (PetscInt r = 0; r < nc; r++) det[order[r]].rank = r + 1;
  }
  for (PetscInt s = 0; s < ns; s++) {
    const PetscReal *x = score + s * nc;
    PetscReal        top = x[0];
    PetscInt         ntop = 0;
    for (PetscInt c = 1; c < nc; c++) top = PetscMax(top, x[c]);
    for (PetscInt c = 0; c < nc; c++) ntop += x[c] == top;
    for (PetscInt c = 0; c < nc; c++) /* a tie for the best shares the sample */
      if (x[c] == top) pbest[c] += 1.0 / (ns * ntop);
    for (PetscInt a = 0; a < nc; a++) {
      PetscInt r = 1;
      for (PetscInt b = 0; b < nc; b++) {
        if (a == b) continue;
        pbeat[a * nc + b] += (x[a] > x[b] ? 1.0 : x[a] == x[b] ? 0.5 : 0.0) / ns; /* ties split: P(A>B)+P(B>A) = 1 */
        if (x[b] > x[a] || (x[b] == x[a] && b < a)) r++;
      }
      if (r == det[a].rank) stab[a] += 1.0 / ns;
    }
  }
  /* spread of the score difference of the top two: paired vs independent draws */
  if (ns > 1) {
    PetscInt  A = order[0], B = order[1];
    PetscReal m = 0;
    for (PetscInt s = 0; s < ns; s++) m += (score[s * nc + A] - score[s * nc + B]) / ns;
    for (PetscInt s = 0; s < ns; s++) dpair_sd += PetscSqr(score[s * nc + A] - score[s * nc + B] - m) / (ns - 1);
    dpair_sd = PetscSqrtReal(dpair_sd);
    if (p->compare_independent) {
      PetscReal *tmp, *ind, *tg, mi = 0;
      PetscCall(PetscCalloc3(ns * nc, &tmp, ns * nc, &ind, ns * nc, &tg));
      for (PetscInt s = rank; s < ns; s += size) PetscCall(RunSample(p, base, &u, s, PETSC_TRUE, tmp + s * nc, tg + s * nc)); /* independent draws: a failure is an error */
      PetscCallMPI(MPI_Allreduce(tmp, ind, (PetscMPIInt)(ns * nc), MPIU_REAL, MPIU_SUM, comm));
      for (PetscInt s = 0; s < ns; s++) mi += (ind[s * nc + A] - ind[s * nc + B]) / ns;
      for (PetscInt s = 0; s < ns; s++) dind_sd += PetscSqr(ind[s * nc + A] - ind[s * nc + B] - mi) / (ns - 1);
      dind_sd = PetscSqrtReal(dind_sd);
      PetscCall(PetscFree3(tmp, ind, tg));
      HtLog_Info("plan: spread of score(%s) - score(%s): paired %.4g, independent %.4g", p->cand[A].name, p->cand[B].name, (double)dpair_sd, (double)dind_sd);
    }
  }
  /* escalation */
  {
    PetscReal gap = mean[order[0]] - mean[order[1]];
    if (gap < p->model_error_score)
      PetscCall(PetscSNPrintf(notes, sizeof notes, "Escalation: the top two (%s, %s) differ by %.3f in mean score, less than the 0D model error (%.3f): a 3D simulation of both is recommended before deciding. Wall shear stress needs the 3D engine.", p->cand[order[0]].name, p->cand[order[1]].name, (double)gap, (double)p->model_error_score));
    else PetscCall(PetscSNPrintf(notes, sizeof notes, "The top candidate (%s) leads by %.3f in mean score (0D model error %.3f): no escalation needed. Wall shear stress would need the 3D engine.", p->cand[order[0]].name, (double)gap, (double)p->model_error_score));
  }
  if (!rank) {
    cJSON *rep = cJSON_CreateObject(), *arr, *o, *mt, *mat;
    char  *txt;
    FILE  *f;
    cJSON_AddStringToObject(rep, "baseline_model", strrchr(p->model_path, '/') ? strrchr(p->model_path, '/') + 1 : p->model_path);
    cJSON_AddStringToObject(rep, "model_pressure_unit", p->pressure_unit);
    cJSON_AddNumberToObject(rep, "samples", (double)p->samples);
    cJSON_AddNumberToObject(rep, "samples_failed", (double)nfailed);
    cJSON_AddNumberToObject(rep, "ranks", (double)size);
    cJSON_AddNumberToObject(rep, "seed", (double)p->seed);
    o = cJSON_AddObjectToObject(rep, "calibration");
    cJSON_AddBoolToObject(o, "performed", p->calibrate);
    if (p->calibrate) {
      cJSON_AddNumberToObject(o, "iterations", (double)p->cal.iterations);
      cJSON_AddNumberToObject(o, "total_outlet_resistance_before", p->cal.total_resistance_before);
      cJSON_AddNumberToObject(o, "total_outlet_resistance_after", p->cal.total_resistance_after);
      arr = cJSON_AddArrayToObject(o, "targets");
      for (PetscInt i = 0; i < p->cal.ntargets; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "target", p->cal.t[i].what);
        cJSON_AddNumberToObject(t, "wanted", p->cal.t[i].target);
        cJSON_AddNumberToObject(t, "achieved", p->cal.t[i].achieved);
        cJSON_AddNumberToObject(t, "residual_percent", p->cal.t[i].residual_percent);
        cJSON_AddItemToArray(arr, t);
      }
    }
    arr = cJSON_AddArrayToObject(rep, "candidates");
    for (PetscInt r = 0; r < nc; r++) {
      PetscInt c = order[r];
      cJSON   *cc = cJSON_CreateObject();
      cJSON_AddStringToObject(cc, "name", p->cand[c].name);
      cJSON_AddNumberToObject(cc, "rank", (double)det[c].rank);
      cJSON_AddNumberToObject(cc, "score_deterministic", det[c].score);
      cJSON_AddBoolToObject(cc, "guards_hold_deterministic", !det[c].guard_failed);
      if (det[c].guard_failed) cJSON_AddStringToObject(cc, "failed_guard_metric", det[c].guard_note);
      cJSON_AddNumberToObject(cc, "score_mean", mean[c]);
      cJSON_AddNumberToObject(cc, "score_sd", sd[c]);
      cJSON_AddNumberToObject(cc, "p_best", pbest[c]);
      cJSON_AddNumberToObject(cc, "p_all_guards_hold", pguard[c]);
      cJSON_AddNumberToObject(cc, "rank_stability", stab[c]);
      {
        char mp[128];
        PetscCall(PetscSNPrintf(mp, sizeof mp, "candidates/%s.json", p->cand[c].name));
        cJSON_AddStringToObject(cc, "model", mp);
      }
      mt = cJSON_AddObjectToObject(cc, "metrics");
      for (PetscInt i = 0; i < det[c].nmetrics; i++) cJSON_AddNumberToObject(mt, det[c].metrics[i].name, det[c].metrics[i].value);
      cJSON_AddItemToArray(arr, cc);
    }
    mat = cJSON_AddObjectToObject(rep, "p_beats");
    for (PetscInt a = 0; a < nc; a++) {
      cJSON *row = cJSON_AddObjectToObject(mat, p->cand[a].name);
      for (PetscInt b = 0; b < nc; b++)
        if (a != b) cJSON_AddNumberToObject(row, p->cand[b].name, pbeat[a * nc + b]);
    }
    if (ns > 1) {
      o = cJSON_AddObjectToObject(rep, "score_difference_top_two_sd");
      cJSON_AddNumberToObject(o, "paired", dpair_sd);
      if (p->compare_independent) cJSON_AddNumberToObject(o, "independent", dind_sd);
    }
    cJSON_AddStringToObject(rep, "notes", notes);
    txt = cJSON_Print(rep);
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/report.json", out_dir));
    f = fopen(path, "w");
    PetscCheck(f && txt, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot write", path);
    fputs(txt, f);
    PetscCheck(!fclose(f), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", path);
    cJSON_free(txt);
    cJSON_Delete(rep);
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/report.html", out_dir));
    PetscCall(WriteHTML(path, p, det, order, mean, sd, pbest, pguard, stab, pbeat, notes));
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/calibrated_baseline.json", out_dir));
    PetscCall(HtPlan_WriteModel(path, base));
  }
  HtLog_Info("plan: best %s (mean score %.4f, P(best) %.3f); report in %s", p->cand[order[0]].name, (double)mean[order[0]], (double)pbest[order[0]], out_dir);
  for (PetscInt c = 0; c < nc; c++) PetscCall(HtCandidateResult_Destroy(&det[c]));
  PetscCall(PetscFree(det));
  PetscCall(PetscFree4(score, gok, mean, sd));
  PetscCall(PetscFree4(pbest, pguard, stab, pbeat));
  PetscCall(PetscFree(order));
  cJSON_Delete(model);
  cJSON_Delete(p->root);
  PetscCall(PetscFree(p));
  PetscFunctionReturn(0);
}

int HtPlan_Main(int argc, char **argv)
{
  const char    *plan = NULL, *out = NULL;
  PetscErrorCode ierr;

  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
    else if (!strcmp(argv[i], "plan") && !plan) continue;
    else if (argv[i][0] != '-' && !plan) plan = argv[i];
    else if (argv[i][0] == '-' && argv[i][1] != '-' && i + 1 < argc && argv[i + 1][0] != '-') i++; /* PETSc option with a value */
  }
  if (!plan || !out) {
    fprintf(stderr, "usage: hemotwin plan PLAN.json --out DIR [PETSc options]\n");
    return 2;
  }
  /* one-line errors: keep the innermost message instead of PETSc's traceback */
  if (HtError_PushHandler()) return 1;
  HtError_Clear();
  ierr = HtPlan_RunFile(PETSC_COMM_WORLD, plan, out);
  if (HtError_PopHandler()) return 1;
  if (ierr) {
    const char *msg = HtError_LastMessage();
    PetscMPIInt rank = 0;
    MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
    if (!rank) fprintf(stderr, "hemotwin plan: error: %s\n", msg && msg[0] ? msg : "failed (see above)");
    return 1;
  }
  return 0;
}
