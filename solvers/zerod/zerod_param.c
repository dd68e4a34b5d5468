/* Block parameters: constants or periodic piecewise-linear functions of time ("values" + "t").
 * Evaluation follows svZeroDSolver: time is wrapped with fmod(time, period) and interpolated
 * linearly between samples; the steady initial-condition solve replaces time-dependent values by
 * the plain mean of their samples. */
#include "zerod_impl.h"
#include <math.h>

static PetscErrorCode PushParam(HtZeroD zd, HtZDParam *p, PetscInt *id)
{
  PetscFunctionBeginUser;
  if (zd->nparams == zd->mparams) {
    PetscInt   m = zd->mparams ? 2 * zd->mparams : 32;
    HtZDParam *np;
    PetscCall(PetscCalloc1(m, &np));
    if (zd->nparams) PetscCall(PetscArraycpy(np, zd->params, zd->nparams));
    PetscCall(PetscFree(zd->params));
    zd->params  = np;
    zd->mparams = m;
  }
  zd->params[zd->nparams] = *p;
  *id                     = zd->nparams++;
  PetscFunctionReturn(0);
}

PetscErrorCode HtZD_AddParamConst(HtZeroD zd, PetscReal v, PetscInt *id)
{
  HtZDParam p;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&p, sizeof(p)));
  p.constant = PETSC_TRUE;
  p.value    = v;
  PetscCall(PushParam(zd, &p, id));
  PetscFunctionReturn(0);
}

static PetscErrorCode BlockPushParam(HtZDBlock *b, PetscInt id, const char *key)
{
  PetscInt    *np;
  const char **nn;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(b->nparam + 1, &np));
  PetscCall(PetscMalloc1(b->nparam + 1, &nn));
  if (b->nparam) PetscCall(PetscArraycpy(np, b->param, b->nparam));
  if (b->nparam) PetscCall(PetscArraycpy(nn, b->pname, b->nparam));
  np[b->nparam] = id;
  nn[b->nparam] = key;
  PetscCall(PetscFree(b->param));
  PetscCall(PetscFree(b->pname));
  b->param = np;
  b->pname = nn;
  b->nparam++;
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadArray(HtZeroD zd, HtZDBlock *b, const cJSON *arr, const char *key, PetscInt *n, PetscReal **v)
{
  PetscInt     i = 0;
  const cJSON *it;

  PetscFunctionBeginUser;
  *n = cJSON_GetArraySize(arr);
  PetscCheck(*n > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: parameter %s of block %s is an empty list", zd->source, key, b->name);
  PetscCall(PetscMalloc1(*n, v));
  cJSON_ArrayForEach(it, arr)
  {
    PetscCheck(cJSON_IsNumber(it), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: parameter %s of block %s has a non-numeric entry", zd->source, key, b->name);
    (*v)[i++] = it->valuedouble;
  }
  PetscFunctionReturn(0);
}

/* Scalar or time series ("key": [..], "t": [..]) parameter. */
PetscErrorCode HtZD_ReadParam(HtZeroD zd, HtZDBlock *b, const cJSON *values, const char *key, PetscBool optional, PetscReal def)
{
  const cJSON *item = values ? cJSON_GetObjectItemCaseSensitive(values, key) : NULL;
  HtZDParam    p;
  PetscInt     id;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&p, sizeof(p)));
  if (!item) {
    PetscCheck(optional, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block %s (%s) lacks the mandatory parameter %s", zd->source, b->name, b->type->type_name, key);
    p.constant = PETSC_TRUE;
    p.value    = def;
  } else if (cJSON_IsNumber(item)) {
    p.constant = PETSC_TRUE;
    p.value    = item->valuedouble;
  } else if (cJSON_IsArray(item)) {
    PetscInt     nt;
    PetscReal   *tv;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(values, "t");
    PetscCall(ReadArray(zd, b, item, key, &p.n, &p.v));
    if (p.n == 1) {
      p.constant = PETSC_TRUE;
      p.value    = p.v[0];
      PetscCall(PetscFree(p.v));
      p.n = 0;
    } else {
      PetscCheck(t && cJSON_IsArray(t), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block %s: time-dependent parameter %s needs a list \"t\"", zd->source, b->name, key);
      PetscCall(ReadArray(zd, b, t, "t", &nt, &tv));
      if (nt != p.n) {
        PetscCall(PetscFree(tv));
        PetscCall(PetscFree(p.v));
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block %s: parameter %s has %" PetscInt_FMT " values but t has %" PetscInt_FMT, zd->source, b->name, key, p.n, nt);
      }
      for (PetscInt i = 1; i < nt; i++) {
        if (!(tv[i] > tv[i - 1])) {
          PetscCall(PetscFree(tv));
          PetscCall(PetscFree(p.v));
          SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block %s: times of parameter %s are not increasing", zd->source, b->name, key);
        }
      }
      p.t           = tv;
      p.constant    = PETSC_FALSE;
      p.period      = tv[nt - 1] - tv[0];
      p.nonperiodic = zd->reading_nonperiodic;
      /* all periodic inputs must share one cardiac cycle */
      if (!p.nonperiodic && zd->model_period > 0.0 && p.period != zd->model_period) {
        PetscCall(PetscFree(p.t));
        PetscCall(PetscFree(p.v));
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: block %s: period %g of parameter %s differs from the cardiac cycle period %g of other inputs", zd->source, b->name, (double)p.period, key, (double)zd->model_period);
      }
      if (!p.nonperiodic) zd->model_period = p.period;
    }
  } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block %s: parameter %s is neither a number nor a list", zd->source, b->name, key);
  PetscCall(PushParam(zd, &p, &id));
  PetscCall(BlockPushParam(b, id, key));
  PetscFunctionReturn(0);
}

/* A list of constant values (one per outlet of a junction). */
PetscErrorCode HtZD_ReadParamList(HtZeroD zd, HtZDBlock *b, const cJSON *values, const char *key, PetscInt count)
{
  const cJSON *item = values ? cJSON_GetObjectItemCaseSensitive(values, key) : NULL;
  PetscInt     n, id;
  PetscReal   *v;

  PetscFunctionBeginUser;
  PetscCheck(item && cJSON_IsArray(item), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block %s (%s) needs the list parameter %s", zd->source, b->name, b->type->type_name, key);
  PetscCall(ReadArray(zd, b, item, key, &n, &v));
  if (count >= 0 && n != count) {
    PetscCall(PetscFree(v));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block %s: list %s has %" PetscInt_FMT " values, expected %" PetscInt_FMT, zd->source, b->name, key, n, count);
  }
  for (PetscInt i = 0; i < n; i++) {
    PetscCall(HtZD_AddParamConst(zd, v[i], &id));
    PetscCall(BlockPushParam(b, id, key));
  }
  b->nlist = n;
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

/* Unknown keys are errors (a typo would otherwise silently use a default). Keys starting with '_' are comments. */
PetscErrorCode HtZD_CheckKeys(HtZeroD zd, HtZDBlock *b, const cJSON *values, const char *const *allowed)
{
  const cJSON *it;

  PetscFunctionBeginUser;
  if (!values) PetscFunctionReturn(0);
  PetscCheck(cJSON_IsObject(values), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: values of block %s are not a JSON object", zd->source, b->name);
  cJSON_ArrayForEach(it, values)
  {
    PetscBool ok = PETSC_FALSE;
    if (!it->string || it->string[0] == '_') continue;
    for (PetscInt i = 0; allowed[i]; i++)
      if (!strcmp(allowed[i], it->string)) ok = PETSC_TRUE;
    PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: unknown parameter %s in %s block %s", zd->source, it->string, b->type->type_name, b->name);
  }
  PetscFunctionReturn(0);
}

PetscReal HtZD_ParamGet(const HtZDParam *p, PetscReal time)
{
  PetscReal rt;
  PetscInt  k, m;

  if (p->constant) return p->value;
  rt = p->nonperiodic ? time : fmod(time, p->period);
  /* first sample >= rt (lower_bound, binary search: inflow series have ~1000 samples) */
  {
    PetscInt lo = 0, hi = p->n;
    while (lo < hi) {
      PetscInt mid = lo + (hi - lo) / 2;
      if (p->t[mid] < rt) lo = mid + 1;
      else hi = mid;
    }
    k = lo;
  }
  if (k == p->n) k = p->n - 1;
  else if (p->t[k] == rt) return p->v[k];
  m = k ? k - 1 : 1;
  return p->v[m] + (p->v[k] - p->v[m]) / (p->t[k] - p->t[m]) * (rt - p->t[m]);
}

void HtZD_UpdateTime(HtZeroD zd, PetscReal time)
{
  zd->sys.time   = time;
  zd->sys.period = zd->period;
  for (PetscInt i = 0; i < zd->nparams; i++) zd->pv[i] = HtZD_ParamGet(&zd->params[i], time);
}

void HtZD_ToSteady(HtZeroD zd)
{
  for (PetscInt i = 0; i < zd->nparams; i++) {
    HtZDParam *p = &zd->params[i];
    if (!p->constant) {
      PetscReal s = 0.0;
      for (PetscInt j = 0; j < p->n; j++) s += p->v[j];
      p->value            = s / (PetscReal)p->n;
      p->constant         = PETSC_TRUE;
      p->steady_converted = PETSC_TRUE;
    }
  }
  for (PetscInt b = 0; b < zd->nblocks; b++) {
    HtZDBlock *blk = &zd->blocks[b];
    blk->steady    = PETSC_TRUE;
    /* Windkessel capacitances are removed: the steady state of an RC is the charged capacitor */
    if (!strcmp(blk->type->type_name, "RCR") || !strcmp(blk->type->type_name, "ClosedLoopRCR")) {
      HtZDParam *p = &zd->params[blk->param[1]];
      p->saved     = HtZD_ParamGet(p, 0.0);
      p->zeroed    = PETSC_TRUE;
      p->steady_converted = PETSC_FALSE;
      p->value = 0.0;
      p->constant = PETSC_TRUE;
    }
  }
}

void HtZD_ToUnsteady(HtZeroD zd)
{
  for (PetscInt i = 0; i < zd->nparams; i++) {
    HtZDParam *p = &zd->params[i];
    if (p->zeroed) {
      /* restored as a constant, as svZeroDSolver does */
      p->value = p->saved;
      p->constant = PETSC_TRUE;
      p->zeroed = PETSC_FALSE;
    } else if (p->steady_converted) {
      p->constant         = PETSC_FALSE;
      p->steady_converted = PETSC_FALSE;
    }
  }
  for (PetscInt b = 0; b < zd->nblocks; b++) zd->blocks[b].steady = PETSC_FALSE;
}

PetscErrorCode HtZD_ParamsDestroy(HtZeroD zd)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < zd->nparams; i++) {
    PetscCall(PetscFree(zd->params[i].t));
    PetscCall(PetscFree(zd->params[i].v));
  }
  PetscCall(PetscFree(zd->params));
  zd->nparams = zd->mparams = 0;
  PetscFunctionReturn(0);
}

/* Largest Rd C of the RCR outlets (sets the cycle count of use_cycle_to_cycle_error). */
void HtZD_LargestTau(HtZeroD zd)
{
  zd->largest_tau = 0.0;
  for (PetscInt b = 0; b < zd->nblocks; b++) {
    const HtZDBlock *blk = &zd->blocks[b];
    if (strcmp(blk->type->type_name, "RCR")) continue;
    if (zd->params[blk->param[1]].constant && zd->params[blk->param[2]].constant) zd->largest_tau = PetscMax(zd->largest_tau, zd->params[blk->param[1]].value * zd->params[blk->param[2]].value);
  }
}

PetscErrorCode HtZeroD_SetParameter(HtZeroD zd, const char *block, const char *param, PetscReal value)
{
  HtZDBlock *b = NULL;
  PetscInt   j = -1, count = 0;
  HtZDParam *p;

  PetscFunctionBeginUser;
  PetscCheck(zd->loaded, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtZeroD_SetParameter: no model loaded");
  PetscCheck(PetscIsNormalReal(value) || value == 0.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: value %g for parameter %s of block %s is not a finite number", zd->source, (double)value, param, block);
  for (PetscInt i = 0; i < zd->nblocks && !b; i++)
    if (!strcmp(zd->blocks[i].name, block)) b = &zd->blocks[i];
  PetscCheck(b, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: no block named %s", zd->source, block);
  for (PetscInt i = 0; i < b->nparam; i++)
    if (b->pname[i] && !strcmp(b->pname[i], param)) {
      if (j < 0) j = i;
      count++;
    }
  PetscCheck(j >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: block %s (%s) has no parameter %s", zd->source, block, b->type->type_name, param);
  PetscCheck(count == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: parameter %s of block %s is a list (one value per outlet); HtZeroD_SetParameter sets scalars only", zd->source, param, block);
  p = &zd->params[b->param[j]];
  PetscCall(PetscFree(p->t));
  PetscCall(PetscFree(p->v));
  p->n                = 0;
  p->constant         = PETSC_TRUE;
  p->value            = value;
  p->steady_converted = PETSC_FALSE;
  p->zeroed           = PETSC_FALSE;
  /* the cycle count of use_cycle_to_cycle_error follows the Windkessel time constants */
  HtZD_LargestTau(zd);
  if (zd->setup && zd->sp.use_cycle_error && zd->has_windkessel) PetscCall(HtZD_CycleCount(zd));
  zd->solved = PETSC_FALSE;
  PetscFunctionReturn(0);
}
