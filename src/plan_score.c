/* Planning: desirability functions, weighted score, guards and ranking of candidates.
 *
 * Each objective maps a metric linearly to a desirability in [0, 1]: 0 at the "unacceptable" value,
 * 1 at the "target" value, clamped (works for either direction). The score is the weighted mean of
 * the desirabilities of the objectives a candidate has (a metric absent from every candidate, e.g. no
 * lesion region, drops out), minus the penalty of every guard it violates. Rank 1 = highest score. */
#include <htplan.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *metric;
  PetscReal   unacceptable, target, weight;
} DefaultObjective;

/* The known objectives and their default ranges. The 20 mmHg peak-to-peak gradient is the guideline
 * threshold for coarctation intervention (ESC 2020 ACHD / AHA-ACC 2018); 5 mmHg a good repair. */
static PetscErrorCode KnownObjective(const HtPhysiology *ph, const char *metric, HtObjective *o, PetscBool *known)
{
  PetscReal co = ph ? ph->cardiac_output_L_min : 5.0;
  const DefaultObjective tab[] = {
    {"pressure_drop_peak_mmHg", 20.0, 5.0, 0.6},
    {"pressure_drop_mean_mmHg", 10.0, 2.0, 0.0},
    {"pressure_drop_max_instantaneous_mmHg", 30.0, 8.0, 0.0},
    {"flow_split_change_percent", 10.0, 0.0, 0.2},
    {"cardiac_output_L_min", 0.8 * co, co, 0.2},
    {"power_loss_mW", 200.0, 20.0, 0.0},
  };

  PetscFunctionBeginUser;
  *known = PETSC_FALSE;
  for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
    if (strcmp(tab[i].metric, metric)) continue;
    PetscCall(PetscMemzero(o, sizeof(*o)));
    PetscCall(PetscStrncpy(o->metric, tab[i].metric, sizeof(o->metric)));
    o->unacceptable = tab[i].unacceptable;
    o->target       = tab[i].target;
    o->weight       = tab[i].weight;
    *known          = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtScoring_Default(const HtPhysiology *ph, HtScoring *s)
{
  const char *def[] = {"pressure_drop_peak_mmHg", "flow_split_change_percent", "cardiac_output_L_min"};
  PetscBool   known;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(s, sizeof(*s)));
  for (int i = 0; i < 3; i++) PetscCall(KnownObjective(ph, def[i], &s->obj[s->nobj++], &known));
  PetscCall(PetscStrncpy(s->guard[0].metric, "flow_split_change_percent", sizeof(s->guard[0].metric)));
  s->guard[0].max_value = 10.0;
  s->guard[0].penalty   = 1.0;
  s->nguards            = 1;
  PetscFunctionReturn(0);
}

PetscBool HtScoring_IsKnownMetric(const char *metric)
{
  HtObjective o;
  PetscBool   known = PETSC_FALSE;
  if (KnownObjective(NULL, metric, &o, &known)) return PETSC_FALSE;
  return known;
}

PetscErrorCode HtScoring_SetWeight(HtScoring *s, const char *metric, PetscReal weight)
{
  PetscBool known;

  PetscFunctionBeginUser;
  PetscCheck(weight >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "scoring: weight of %s is %g (must be >= 0)", metric, (double)weight);
  for (PetscInt i = 0; i < s->nobj; i++) {
    if (!strcmp(s->obj[i].metric, metric)) {
      s->obj[i].weight = weight;
      PetscFunctionReturn(0);
    }
  }
  PetscCheck(s->nobj < HT_PLAN_MAX_OBJECTIVES, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "scoring: more than %d objectives", HT_PLAN_MAX_OBJECTIVES);
  PetscCall(KnownObjective(NULL, metric, &s->obj[s->nobj], &known));
  PetscCheck(known, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "scoring: no default range for metric %s (known: %s)", metric, HT_SCORING_KNOWN_METRICS);
  s->obj[s->nobj++].weight = weight;
  PetscFunctionReturn(0);
}

static PetscReal Desirability(const HtObjective *o, PetscReal v)
{
  PetscReal d = (o->unacceptable - v) / (o->unacceptable - o->target);
  return PetscMax(0.0, PetscMin(1.0, d));
}

typedef struct {
  PetscInt  i;
  PetscReal score;
} Order;

static int CmpOrder(const void *a, const void *b)
{
  const Order *x = (const Order *)a, *y = (const Order *)b;
  if (x->score != y->score) return (x->score < y->score) - (x->score > y->score);
  return (x->i > y->i) - (x->i < y->i);
}

PetscErrorCode HtPlan_Score(HtCandidateResult *res, PetscInt n, PetscInt baseline, const HtScoring *s)
{
  Order *ord;

  PetscFunctionBeginUser;
  PetscCheck(n > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "scoring: no candidates");
  PetscCheck(baseline >= 0 && baseline < n, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "scoring: baseline index %" PetscInt_FMT " outside [0, %" PetscInt_FMT ")", baseline, n);
  for (PetscInt i = 0; i < s->nobj; i++) PetscCheck(s->obj[i].unacceptable != s->obj[i].target, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "scoring: objective %s has equal unacceptable and target values", s->obj[i].metric);
  /* comparative metrics: flow split change vs baseline (percentage points), gradient change */
  for (PetscInt c = 0; c < n; c++) {
    PetscReal maxchg = 0, v0, v1;
    PetscBool f0, f1;
    for (PetscInt m = 0; m < res[baseline].nmetrics; m++) {
      const char *nm = res[baseline].metrics[m].name;
      if (strncmp(nm, "flow_split_percent_", 19)) continue;
      PetscCall(HtCandidateResult_GetMetric(&res[c], nm, &v1, &f1));
      PetscCheck(f1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "scoring: candidate %s has no %s (outlets differ from the baseline)", res[c].name, nm);
      maxchg = PetscMax(maxchg, PetscAbsReal(v1 - res[baseline].metrics[m].value));
    }
    PetscCall(HtCandidateResult_SetMetric(&res[c], "flow_split_change_percent", maxchg));
    PetscCall(HtCandidateResult_GetMetric(&res[baseline], "pressure_drop_peak_mmHg", &v0, &f0));
    PetscCall(HtCandidateResult_GetMetric(&res[c], "pressure_drop_peak_mmHg", &v1, &f1));
    if (f0 && f1) PetscCall(HtCandidateResult_SetMetric(&res[c], "pressure_drop_peak_change_mmHg", v1 - v0));
  }
  PetscCall(PetscMalloc1(n, &ord));
  for (PetscInt c = 0; c < n; c++) {
    PetscReal sw = 0, sd = 0, v;
    PetscBool f;
    res[c].guard_failed  = PETSC_FALSE;
    res[c].guard_note[0] = 0;
    for (PetscInt i = 0; i < s->nobj; i++) {
      if (s->obj[i].weight <= 0) continue;
      PetscCall(HtCandidateResult_GetMetric(&res[c], s->obj[i].metric, &v, &f));
      if (!f) continue;
      sw += s->obj[i].weight;
      sd += s->obj[i].weight * Desirability(&s->obj[i], v);
    }
    res[c].score = sw > 0 ? sd / sw : 0;
    for (PetscInt g = 0; g < s->nguards; g++) {
      PetscCall(HtCandidateResult_GetMetric(&res[c], s->guard[g].metric, &v, &f));
      if (f && v > s->guard[g].max_value) {
        res[c].score -= s->guard[g].penalty;
        res[c].guard_failed = PETSC_TRUE;
        PetscCall(PetscSNPrintf(res[c].guard_note, sizeof(res[c].guard_note), "%s = %.3g > %.3g", s->guard[g].metric, (double)v, (double)s->guard[g].max_value));
      }
    }
    ord[c].i     = c;
    ord[c].score = res[c].score;
  }
  qsort(ord, n, sizeof(Order), CmpOrder);
  for (PetscInt r = 0; r < n; r++) res[ord[r].i].rank = r + 1;
  PetscCall(PetscFree(ord));
  PetscFunctionReturn(0);
}
