/* Planning: solve a candidate's 0D model to periodic state, metrics, and outlet (RCR) tuning. */
#include <htplan.h>
#include <htzerod.h>
#include <stdio.h>
#include <string.h>

/* ---- results ---------------------------------------------------------------------------------- */
PetscErrorCode HtCandidateResult_Destroy(HtCandidateResult *res)
{
  PetscFunctionBeginUser;
  if (res->model) cJSON_Delete(res->model);
  PetscCall(HtModelMap_Destroy(&res->map));
  PetscCall(PetscFree(res->t_s));
  PetscCall(PetscFree(res->p_in_mmHg));
  PetscCall(PetscFree(res->p_out_mmHg));
  PetscCall(PetscFree(res->q_in_mL_s));
  PetscCall(PetscFree(res->q_out_mL_s));
  PetscCall(PetscMemzero(res, sizeof(*res)));
  PetscFunctionReturn(0);
}

PetscErrorCode HtCandidateResult_GetMetric(const HtCandidateResult *res, const char *name, PetscReal *value, PetscBool *found)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < res->nmetrics; i++) {
    if (!strcmp(res->metrics[i].name, name)) {
      *value = res->metrics[i].value;
      if (found) *found = PETSC_TRUE;
      PetscFunctionReturn(0);
    }
  }
  PetscCheck(found, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "candidate %s: no metric named %s", res->name, name);
  *found = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode HtCandidateResult_SetMetric(HtCandidateResult *res, const char *name, PetscReal value)
{
  PetscFunctionBeginUser;
  PetscCheck(strlen(name) < sizeof(res->metrics[0].name), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "candidate %s: metric name %s too long", res->name, name);
  for (PetscInt i = 0; i < res->nmetrics; i++) {
    if (!strcmp(res->metrics[i].name, name)) {
      res->metrics[i].value = value;
      PetscFunctionReturn(0);
    }
  }
  PetscCheck(res->nmetrics < HT_PLAN_MAX_METRICS, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "candidate %s: more than %d metrics", res->name, HT_PLAN_MAX_METRICS);
  PetscCall(PetscStrncpy(res->metrics[res->nmetrics].name, name, sizeof(res->metrics[0].name)));
  res->metrics[res->nmetrics].value = value;
  res->nmetrics++;
  PetscFunctionReturn(0);
}

/* Cycle mean of f (nt samples over one period), trapezoid. */
static PetscReal CycleMean(PetscInt nt, const PetscReal *t, const PetscReal *f)
{
  PetscReal s = 0, T = t[nt - 1] - t[0];
  for (PetscInt i = 0; i + 1 < nt; i++) s += 0.5 * (f[i] + f[i + 1]) * (t[i + 1] - t[i]);
  return T > 0 ? s / T : f[0];
}

static PetscReal Max(PetscInt n, const PetscReal *f)
{
  PetscReal m = -PETSC_MAX_REAL;
  for (PetscInt i = 0; i < n; i++) m = PetscMax(m, f[i]);
  return m;
}

static PetscReal Min(PetscInt n, const PetscReal *f)
{
  PetscReal m = PETSC_MAX_REAL;
  for (PetscInt i = 0; i < n; i++) m = PetscMin(m, f[i]);
  return m;
}

/* Pressure (mmHg, over the cycle) and flow at arc length s of segment seg: a vessel boundary. */
static PetscErrorCode PointSeries(const HtCandidateResult *res, PetscInt seg, PetscReal s, const PetscReal **p, const PetscReal **q)
{
  const HtModelMap *m = &res->map;
  PetscInt          best = -1, side = 0;
  PetscReal         dbest = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  PetscCheck(seg >= 0 && seg < m->nsegs, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "candidate %s: segment %" PetscInt_FMT " not in the model", res->name, seg);
  for (PetscInt v = m->seg_first[seg]; v < m->seg_first[seg] + m->seg_count[seg]; v++) {
    PetscReal d0 = PetscAbsReal(m->vessels[v].s0_mm - s), d1 = PetscAbsReal(m->vessels[v].s1_mm - s);
    if (d0 < dbest) { dbest = d0; best = v; side = 0; }
    if (d1 < dbest) { dbest = d1; best = v; side = 1; }
  }
  PetscCheck(best >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "candidate %s: segment %" PetscInt_FMT " has no vessel", res->name, seg);
  if (side == 0) {
    *p = res->p_in_mmHg + best * res->nt;
    *q = res->q_in_mL_s + best * res->nt;
  } else {
    *p = res->p_out_mmHg + best * res->nt;
    *q = res->q_out_mL_s + best * res->nt;
  }
  PetscFunctionReturn(0);
}

/* One solve of the model with ncycles; fills res arrays with the last cycle; *change = max
 * |P(t) - P(t - T)| (mmHg) over the inlet and outlet pressures. */
static PetscErrorCode SolveOnce(HtCandidateResult *res, const HtPhysiology *ph, PetscInt ncycles, PetscReal *change, PetscReal *change_prev)
{
  HtZeroD          zd;
  cJSON           *sp = cJSON_GetObjectItemCaseSensitive(res->model, "simulation_parameters");
  cJSON           *nc = sp ? cJSON_GetObjectItemCaseSensitive(sp, "number_of_cardiac_cycles") : NULL;
  const HtModelMap *m = &res->map;
  PetscReal        T  = 60.0 / ph->heart_rate_bpm;
  PetscInt         i0 = -1, ntall = 0, per = ph->points_per_cycle;

  PetscFunctionBeginUser;
  PetscCheck(nc, PETSC_COMM_SELF, PETSC_ERR_LIB, "candidate %s: model has no number_of_cardiac_cycles", res->name);
  cJSON_SetNumberValue(nc, (double)ncycles);
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadJSON(zd, res->model, res->name));
  PetscCall(HtZeroD_SetFromOptions(zd));
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  *change      = 0;
  *change_prev = -1;
  for (PetscInt v = 0; v < m->nvessels; v++) {
    PetscInt         nt;
    const PetscReal *t, *qi, *qo, *pi, *po;
    PetscCall(HtZeroD_GetVesselResult(zd, m->vessels[v].name, &nt, &t, &qi, &qo, &pi, &po));
    if (v == 0) {
      /* the last cycle: samples with t >= t_end - T */
      ntall = nt;
      for (i0 = 0; i0 < nt && t[i0] < t[nt - 1] - T * (1 + 1e-9) + 1e-12; i0++) {}
      PetscCheck(nt - i0 >= 2, PETSC_COMM_SELF, PETSC_ERR_LIB, "candidate %s: 0D result has %" PetscInt_FMT " samples in the last cycle", res->name, nt - i0);
      res->nt = nt - i0;
      per     = res->nt - 1;
      PetscCall(PetscFree(res->t_s));
      PetscCall(PetscFree(res->p_in_mmHg));
      PetscCall(PetscFree(res->p_out_mmHg));
      PetscCall(PetscFree(res->q_in_mL_s));
      PetscCall(PetscFree(res->q_out_mL_s));
      PetscCall(PetscMalloc1(res->nt, &res->t_s));
      PetscCall(PetscMalloc1(res->nt * m->nvessels, &res->p_in_mmHg));
      PetscCall(PetscMalloc1(res->nt * m->nvessels, &res->p_out_mmHg));
      PetscCall(PetscMalloc1(res->nt * m->nvessels, &res->q_in_mL_s));
      PetscCall(PetscMalloc1(res->nt * m->nvessels, &res->q_out_mL_s));
      for (PetscInt i = 0; i < res->nt; i++) res->t_s[i] = t[i0 + i];
    }
    PetscCheck(nt == ntall, PETSC_COMM_SELF, PETSC_ERR_LIB, "candidate %s: vessel %s has %" PetscInt_FMT " result samples, expected %" PetscInt_FMT, res->name, m->vessels[v].name, nt, ntall);
    for (PetscInt i = 0; i < res->nt; i++) {
      PetscCheck(!PetscIsInfOrNanReal(pi[i0 + i]) && !PetscIsInfOrNanReal(po[i0 + i]) && !PetscIsInfOrNanReal(qi[i0 + i]) && !PetscIsInfOrNanReal(qo[i0 + i]), PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "candidate %s: non-finite pressure or flow in vessel %s", res->name, m->vessels[v].name);
      res->p_in_mmHg[v * res->nt + i]  = pi[i0 + i] / HT_MMHG_TO_DYNCM2;
      res->p_out_mmHg[v * res->nt + i] = po[i0 + i] / HT_MMHG_TO_DYNCM2;
      res->q_in_mL_s[v * res->nt + i]  = qi[i0 + i];
      res->q_out_mL_s[v * res->nt + i] = qo[i0 + i];
    }
    /* periodicity of the boundary pressures */
    PetscBool bnd = (PetscBool)(v == m->inlet_vessel);
    for (PetscInt k = 0; k < m->noutlets; k++)
      if (m->outlet_vessel[k] == v) bnd = PETSC_TRUE;
    if (bnd) {
      if (i0 - per >= 0) {
        for (PetscInt i = i0; i < nt; i++) {
          *change = PetscMax(*change, PetscAbsReal(pi[i] - pi[i - per]) / HT_MMHG_TO_DYNCM2);
          *change = PetscMax(*change, PetscAbsReal(po[i] - po[i - per]) / HT_MMHG_TO_DYNCM2);
        }
        /* the change one cycle earlier: its decay rate predicts the cycles still needed */
        if (i0 - 2 * per >= 0) {
          *change_prev = PetscMax(*change_prev, 0);
          for (PetscInt i = i0 - per; i < nt - per; i++) {
            *change_prev = PetscMax(*change_prev, PetscAbsReal(pi[i] - pi[i - per]) / HT_MMHG_TO_DYNCM2);
            *change_prev = PetscMax(*change_prev, PetscAbsReal(po[i] - po[i - per]) / HT_MMHG_TO_DYNCM2);
          }
        }
      } else {
        /* only the last cycle was returned: use the engine's relative cycle-to-cycle change */
        PetscInt  nc2;
        PetscReal period, rel;
        PetscCall(HtZeroD_GetCycleInfo(zd, &nc2, &period, &rel));
        *change = PetscMax(*change, rel * Max(res->nt, res->p_in_mmHg + v * res->nt));
      }
    }
  }
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

PetscErrorCode HtPlan_Simulate(const HtNetwork *net, const HtPhysiology *ph, const HtOutletSet *bcs, const HtLesion *region, const char *cand_name, HtCandidateResult *res)
{
  PetscInt   ncyc, nt;
  PetscReal  change = PETSC_MAX_REAL;
  char       mname[64];
  PetscReal *tmp;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(res, sizeof(*res)));
  PetscCall(PetscStrncpy(res->name, cand_name ? cand_name : "candidate", sizeof(res->name)));
  PetscCall(HtPlan_BuildModel(net, ph, bcs, region, &res->model, &res->map));
  /* periodic state: the transient decays geometrically (rate rho per cycle, set by the RC time
   * constants), so from the last two cycle-to-cycle changes predict the cycles still needed and re-run
   * with that many (plus margin); without a usable rate, double */
  ncyc = PetscMin(ph->max_cycles, 4);
  for (;;) {
    PetscReal cprev = -1, rho;
    PetscInt  next;
    PetscCall(SolveOnce(res, ph, ncyc, &change, &cprev));
    if (change <= ph->cycle_tolerance_mmHg || ncyc >= ph->max_cycles) break;
    rho = cprev > 0 ? change / cprev : 1;
    if (rho > 0 && rho < 0.95) next = ncyc + (PetscInt)PetscCeilReal(1.2 * PetscLogReal(ph->cycle_tolerance_mmHg / change) / PetscLogReal(rho)) + 1;
    else next = 2 * ncyc;
    ncyc = PetscMin(PetscMax(next, ncyc + 2), ph->max_cycles);
  }
  res->cycles_used       = ncyc;
  res->cycle_change_mmHg = change;
  if (change > ph->cycle_tolerance_mmHg) HtLog_Warn("candidate %s: not periodic after %" PetscInt_FMT " cycles (change %.3g mmHg > %.3g)", res->name, ncyc, (double)change, (double)ph->cycle_tolerance_mmHg);

  /* ---- metrics ---- */
  nt = res->nt;
  PetscCall(PetscMalloc1(nt, &tmp));
  {
    const HtModelMap *m   = &res->map;
    const PetscReal  *pin = res->p_in_mmHg + m->inlet_vessel * nt, *qin = res->q_in_mL_s + m->inlet_vessel * nt;
    PetscReal         qm  = CycleMean(nt, res->t_s, qin), qsum = 0;

    PetscCall(HtCandidateResult_SetMetric(res, "inlet_pressure_systolic_mmHg", Max(nt, pin)));
    PetscCall(HtCandidateResult_SetMetric(res, "inlet_pressure_diastolic_mmHg", Min(nt, pin)));
    PetscCall(HtCandidateResult_SetMetric(res, "inlet_pressure_mean_mmHg", CycleMean(nt, res->t_s, pin)));
    PetscCall(HtCandidateResult_SetMetric(res, "inlet_pulse_pressure_mmHg", Max(nt, pin) - Min(nt, pin)));
    PetscCall(HtCandidateResult_SetMetric(res, "cardiac_output_L_min", qm * 60.0 / 1000.0));
    for (PetscInt k = 0; k < m->noutlets; k++) qsum += CycleMean(nt, res->t_s, res->q_out_mL_s + m->outlet_vessel[k] * nt);
    for (PetscInt k = 0; k < m->noutlets; k++) {
      PetscReal qk = CycleMean(nt, res->t_s, res->q_out_mL_s + m->outlet_vessel[k] * nt);
      PetscCall(PetscSNPrintf(mname, sizeof(mname), "flow_split_percent_%s", bcs->bc[k].name));
      PetscCall(HtCandidateResult_SetMetric(res, mname, qsum != 0 ? 100.0 * qk / qsum : 0));
      PetscCall(PetscSNPrintf(mname, sizeof(mname), "outlet_flow_mean_mL_s_%s", bcs->bc[k].name));
      PetscCall(HtCandidateResult_SetMetric(res, mname, qk));
      PetscCall(PetscSNPrintf(mname, sizeof(mname), "outlet_pressure_mean_mmHg_%s", bcs->bc[k].name));
      PetscCall(HtCandidateResult_SetMetric(res, mname, CycleMean(nt, res->t_s, res->p_out_mmHg + m->outlet_vessel[k] * nt)));
    }
    /* hydraulic power dissipated in the network: inflow power minus outflow power (1 erg/s = 1e-4 mW) */
    for (PetscInt i = 0; i < nt; i++) {
      tmp[i] = pin[i] * HT_MMHG_TO_DYNCM2 * qin[i];
      for (PetscInt k = 0; k < m->noutlets; k++) {
        PetscInt v = m->outlet_vessel[k];
        tmp[i] -= res->p_out_mmHg[v * nt + i] * HT_MMHG_TO_DYNCM2 * res->q_out_mL_s[v * nt + i];
      }
    }
    PetscCall(HtCandidateResult_SetMetric(res, "power_loss_mW", CycleMean(nt, res->t_s, tmp) * 1e-4));
    if (region) {
      PetscInt         rs[2];
      PetscReal        rsv[2];
      const PetscReal *pp, *pd, *qp, *qd;
      PetscCall(HtPlan_LocateRegion(net, region, rs, rsv));
      PetscCall(PointSeries(res, rs[0], rsv[0], &pp, &qp));
      PetscCall(PointSeries(res, rs[1], rsv[1], &pd, &qd));
      for (PetscInt i = 0; i < nt; i++) tmp[i] = pp[i] - pd[i];
      PetscCall(HtCandidateResult_SetMetric(res, "pressure_drop_peak_mmHg", Max(nt, pp) - Max(nt, pd)));
      PetscCall(HtCandidateResult_SetMetric(res, "pressure_drop_mean_mmHg", CycleMean(nt, res->t_s, tmp)));
      PetscCall(HtCandidateResult_SetMetric(res, "pressure_drop_max_instantaneous_mmHg", Max(nt, tmp)));
      PetscCall(HtCandidateResult_SetMetric(res, "region_flow_mean_mL_s", CycleMean(nt, res->t_s, qp)));
    }
    {
      PetscReal gq = 0;
      PetscBool any = PETSC_FALSE;
      for (PetscInt g = 0; g < net->nsegs; g++) {
        if (net->segs[g].kind != 1) continue;
        any = PETSC_TRUE;
        gq += CycleMean(nt, res->t_s, res->q_in_mL_s + m->seg_first[g] * nt);
      }
      if (any) {
        PetscCall(HtCandidateResult_SetMetric(res, "graft_flow_mean_mL_s", gq));
        PetscCall(HtCandidateResult_SetMetric(res, "graft_flow_percent", qm != 0 ? 100.0 * gq / qm : 0));
      }
    }
  }
  PetscCall(PetscFree(tmp));
  PetscFunctionReturn(0);
}

/* ---- outlets -------------------------------------------------------------------------------- */
PetscErrorCode HtOutletSet_Destroy(HtOutletSet *bcs)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(bcs->bc));
  PetscCall(PetscMemzero(bcs, sizeof(*bcs)));
  PetscFunctionReturn(0);
}

/* Outlets in node order with Murray fractions (r^3 of the mean radius over the last 5 mm). */
static PetscErrorCode OutletsCreate(const HtNetwork *net, HtOutletSet *bcs)
{
  PetscInt  n = 0;
  PetscReal sum = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(bcs, sizeof(*bcs)));
  for (PetscInt i = 0; i < net->nnodes; i++)
    if (net->nodes[i].kind == HT_NODE_OUTLET) n++;
  PetscCheck(n > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: no outlet node");
  PetscCall(PetscCalloc1(n, &bcs->bc));
  bcs->n = 0;
  for (PetscInt i = 0; i < net->nnodes; i++) {
    if (net->nodes[i].kind != HT_NODE_OUTLET) continue;
    HtOutletBC *b = &bcs->bc[bcs->n++];
    PetscInt    g;
    PetscReal   r = 0, w = 0;
    b->node = i;
    PetscCall(PetscStrncpy(b->name, net->nodes[i].name, sizeof(b->name)));
    for (g = 0; g < net->nsegs; g++)
      if (net->segs[g].node[1] == i) break;
    PetscCheck(g < net->nsegs, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: outlet %s is not the distal end of any segment", net->nodes[i].name);
    const HtNetSegment *S = &net->segs[g];
    PetscReal           L = HtNetSegment_Length(S);
    for (PetscInt j = 0; j < S->npts; j++)
      if (S->s[j] >= L - 5.0) {
        r += S->r[j];
        w += 1;
      }
    r /= w;
    b->flow_fraction = r * r * r;
    sum += b->flow_fraction;
  }
  for (PetscInt k = 0; k < bcs->n; k++) bcs->bc[k].flow_fraction /= sum;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOutletSet_CreateFixed(const HtNetwork *net, PetscReal Rp_cgs, PetscReal C_cgs, PetscReal Rd_cgs, PetscReal Pd_mmHg, HtOutletSet *bcs)
{
  PetscFunctionBeginUser;
  PetscCall(OutletsCreate(net, bcs));
  for (PetscInt k = 0; k < bcs->n; k++) {
    bcs->bc[k].Rp_cgs  = Rp_cgs;
    bcs->bc[k].C_cgs   = C_cgs;
    bcs->bc[k].Rd_cgs  = Rd_cgs;
    bcs->bc[k].Pd_mmHg = Pd_mmHg;
  }
  PetscFunctionReturn(0);
}

/* Mean flow leaving node nd downstream (sum of its outlets' target flows), memoised; tree assumed. */
static PetscReal DownFlow(const HtNetwork *net, const HtOutletSet *bcs, const PetscReal *Qk, PetscInt nd, PetscReal *memo, PetscInt depth)
{
  if (memo[nd] >= 0) return memo[nd];
  PetscReal q = 0;
  if (net->nodes[nd].kind == HT_NODE_OUTLET) {
    for (PetscInt k = 0; k < bcs->n; k++)
      if (bcs->bc[k].node == nd) q = Qk[k];
  } else if (depth < net->nsegs + 1) {
    for (PetscInt g = 0; g < net->nsegs; g++)
      if (net->segs[g].node[0] == nd) q += DownFlow(net, bcs, Qk, net->segs[g].node[1], memo, depth + 1);
  }
  memo[nd] = q;
  return q;
}

PetscErrorCode HtPlan_TuneOutlets(const HtNetwork *net, const HtPhysiology *ph, const PetscReal *split, const HtLesion *region, HtOutletSet *bcs)
{
  PetscReal  Qm = ph->cardiac_output_L_min * 1000.0 / 60.0, Pt = ph->mean_pressure_mmHg * HT_MMHG_TO_DYNCM2, Pd = ph->venous_pressure_mmHg * HT_MMHG_TO_DYNCM2;
  PetscReal *Qk, *dP, *RT, Ctot, Cves = 0;
  cJSON     *model;
  HtModelMap map;
  const PetscReal rp_frac = 0.09; /* Rp/(Rp+Rd): initial proximal share of the outlet resistance */
  const PetscInt  max_solves = 5;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Check(ph));
  PetscCall(OutletsCreate(net, bcs));
  if (split) {
    PetscReal sum = 0;
    for (PetscInt k = 0; k < bcs->n; k++) {
      PetscCheck(split[k] > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "outlet %s: flow split %g must be > 0", bcs->bc[k].name, (double)split[k]);
      sum += split[k];
    }
    PetscCheck(PetscAbsReal(sum - 1) < 1e-3, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "outlet flow splits sum to %g, not 1", (double)sum);
    for (PetscInt k = 0; k < bcs->n; k++) bcs->bc[k].flow_fraction = split[k];
  }
  PetscCall(PetscMalloc3(bcs->n, &Qk, bcs->n, &dP, bcs->n, &RT));
  for (PetscInt k = 0; k < bcs->n; k++) {
    Qk[k]              = bcs->bc[k].flow_fraction * Qm;
    bcs->bc[k].Pd_mmHg = ph->venous_pressure_mmHg;
    bcs->bc[k].Rp_cgs  = 1; /* provisional: the first build below only serves its vessel parameters */
    bcs->bc[k].Rd_cgs  = 1;
    bcs->bc[k].C_cgs   = 0;
  }
  /* first guess: steady path drops along the tree with the target flows */
  PetscCall(HtPlan_BuildModel(net, ph, bcs, region, &model, &map));
  cJSON_Delete(model);
  {
    PetscReal *memo;
    PetscCall(PetscMalloc1(net->nnodes, &memo));
    for (PetscInt i = 0; i < net->nnodes; i++) memo[i] = -1;
    for (PetscInt v = 0; v < map.nvessels; v++) Cves += map.vessels[v].C_cgs;
    for (PetscInt k = 0; k < bcs->n; k++) {
      PetscInt nd = bcs->bc[k].node, steps = 0;
      dP[k]       = 0;
      while (net->nodes[nd].kind != HT_NODE_INLET && steps++ <= net->nsegs) {
        PetscInt g;
        for (g = 0; g < net->nsegs; g++)
          if (net->segs[g].node[1] == nd) break;
        if (g == net->nsegs) break;
        PetscReal q = DownFlow(net, bcs, Qk, nd, memo, 0);
        for (PetscInt v = map.seg_first[g]; v < map.seg_first[g] + map.seg_count[g]; v++) dP[k] += map.vessels[v].R_cgs * q + map.vessels[v].K_stenosis_cgs * q * q;
        nd = net->segs[g].node[0];
      }
    }
    PetscCall(PetscFree(memo));
  }
  PetscCall(HtModelMap_Destroy(&map));
  for (PetscInt k = 0; k < bcs->n; k++) {
    RT[k] = (Pt - Pd - dP[k]) / Qk[k];
    if (RT[k] < 0.1 * (Pt - Pd) / Qk[k]) {
      HtLog_Warn("outlet %s: path pressure drop %.1f mmHg leaves too little for the target mean pressure; outlet resistance clamped", bcs->bc[k].name, (double)(dP[k] / HT_MMHG_TO_DYNCM2));
      RT[k] = 0.1 * (Pt - Pd) / Qk[k];
    }
  }
  /* total compliance: stroke volume over pulse pressure (or tau / R), minus the vessels' own */
  if (ph->pulse_pressure_mmHg > 0) Ctot = Qm * (60.0 / ph->heart_rate_bpm) / (ph->pulse_pressure_mmHg * HT_MMHG_TO_DYNCM2);
  else {
    PetscReal G = 0;
    for (PetscInt k = 0; k < bcs->n; k++) G += 1.0 / RT[k];
    Ctot = ph->tau_s * G;
  }
  Ctot = PetscMax(Ctot - Cves, 0.2 * Ctot);
  for (PetscInt k = 0; k < bcs->n; k++) bcs->bc[k].C_cgs = Ctot * bcs->bc[k].flow_fraction;

  /* nonlinear correction: each outlet's resistance from its simulated path drop (the mean pressure of
   * an RCR at periodic state is Pd + (Rp + Rd) Q, whatever C). Pulse pressure: first the compliance is
   * scaled by PP_sim/PP_target; when that cannot move it (the pulse is then set by Rp times the peak
   * flow and by the vessels' inertance), the proximal share Rp/(Rp+Rd) is scaled within [0.02, 0.15].
   * A change that makes the pulse pressure worse is undone and ends its stage; one that removes less
   * than 10 % of the error ends it too. RC time constants are kept <= 3 s. */
  PetscInt   stage = (ph->steady_inflow || ph->pulse_pressure_mmHg <= 0) ? 2 : 0; /* 0: C, 1: Rp share, 2: done */
  PetscInt   last_knob = -1;
  PetscReal  prev_pp_err = PETSC_MAX_REAL, rp = rp_frac, rp_prev = rp_frac, *Cprev;
  PetscCall(PetscMalloc1(bcs->n, &Cprev));
  for (PetscInt it = 1;; it++) {
    HtCandidateResult res;
    PetscReal         Pin = 0, PP = 0, pp_err;
    PetscBool         undo = PETSC_FALSE;
    for (PetscInt k = 0; k < bcs->n; k++) {
      bcs->bc[k].Rp_cgs = rp * RT[k];
      bcs->bc[k].Rd_cgs = (1 - rp) * RT[k];
    }
    PetscCall(HtPlan_Simulate(net, ph, bcs, region, "tuning", &res));
    PetscCall(HtCandidateResult_GetMetric(&res, "inlet_pressure_mean_mmHg", &Pin, NULL));
    PetscCall(HtCandidateResult_GetMetric(&res, "inlet_pulse_pressure_mmHg", &PP, NULL));
    bcs->solves                         = it;
    bcs->rp_fraction                    = rp;
    bcs->mean_pressure_sim_mmHg         = Pin;
    bcs->mean_pressure_residual_percent = 100.0 * (Pin - ph->mean_pressure_mmHg) / ph->mean_pressure_mmHg;
    bcs->pulse_pressure_sim_mmHg        = PP;
    HtLog_Info("outlet tuning solve %" PetscInt_FMT ": mean inlet pressure %.2f mmHg (target %.2f, %+.3f %%), pulse pressure %.1f mmHg (Rp share %.3f)", it, (double)Pin, (double)ph->mean_pressure_mmHg, (double)bcs->mean_pressure_residual_percent, (double)PP, (double)rp);
    pp_err = PetscAbsReal(PP - ph->pulse_pressure_mmHg);
    if (stage < 2 && last_knob >= 0) {
      if (pp_err > prev_pp_err) {
        undo = PETSC_TRUE;
        stage++;
      } else if (prev_pp_err - pp_err < 0.1 * prev_pp_err) stage++;
    }
    PetscBool pp_ok = (PetscBool)(stage == 2 || pp_err < 0.05 * ph->pulse_pressure_mmHg);
    if ((!undo && PetscAbsReal(bcs->mean_pressure_residual_percent) < 0.2 && pp_ok) || it >= max_solves) {
      PetscCall(HtCandidateResult_Destroy(&res));
      break;
    }
    for (PetscInt k = 0; k < bcs->n; k++) {
      PetscReal pout = 0, drop;
      char      nm[64];
      PetscCall(PetscSNPrintf(nm, sizeof(nm), "outlet_pressure_mean_mmHg_%s", bcs->bc[k].name));
      PetscCall(HtCandidateResult_GetMetric(&res, nm, &pout, NULL));
      drop  = (Pin - pout) * HT_MMHG_TO_DYNCM2;
      RT[k] = PetscMax((Pt - Pd - drop) / Qk[k], 0.1 * (Pt - Pd) / Qk[k]);
    }
    if (undo) {
      if (last_knob == 0)
        for (PetscInt k = 0; k < bcs->n; k++) bcs->bc[k].C_cgs = Cprev[k];
      if (last_knob == 1) rp = rp_prev;
    } else prev_pp_err = pp_err;
    last_knob = -1;
    if (stage == 0 && pp_err >= 0.05 * ph->pulse_pressure_mmHg) {
      PetscReal Cscale = PetscMax(0.5, PetscMin(2.0, PP / ph->pulse_pressure_mmHg));
      for (PetscInt k = 0; k < bcs->n; k++) {
        Cprev[k]         = bcs->bc[k].C_cgs;
        bcs->bc[k].C_cgs = PetscMin(bcs->bc[k].C_cgs * Cscale, 3.0 / ((1 - rp) * RT[k]));
      }
      last_knob = 0;
    } else if (stage == 1 && pp_err >= 0.05 * ph->pulse_pressure_mmHg) {
      rp_prev   = rp;
      rp        = PetscMax(0.02, PetscMin(0.15, rp * PetscMax(0.33, PetscMin(3.0, ph->pulse_pressure_mmHg / PP))));
      last_knob = rp != rp_prev ? 1 : -1;
      if (last_knob < 0) stage = 2;
    }
    PetscCall(HtCandidateResult_Destroy(&res));
  }
  PetscCall(PetscFree(Cprev));
  if (ph->pulse_pressure_mmHg > 0 && !ph->steady_inflow && PetscAbsReal(bcs->pulse_pressure_sim_mmHg - ph->pulse_pressure_mmHg) > 0.2 * ph->pulse_pressure_mmHg)
    HtLog_Warn("outlet tuning: pulse pressure %.1f mmHg vs target %.1f after %" PetscInt_FMT " solves (Rp share %.3f)", (double)bcs->pulse_pressure_sim_mmHg, (double)ph->pulse_pressure_mmHg, bcs->solves, (double)bcs->rp_fraction);
  if (PetscAbsReal(bcs->mean_pressure_residual_percent) > 1.0) HtLog_Warn("outlet tuning: mean inlet pressure off by %.2f %% after %" PetscInt_FMT " solves", (double)bcs->mean_pressure_residual_percent, bcs->solves);
  PetscCall(PetscFree3(Qk, dP, RT));
  PetscFunctionReturn(0);
}
