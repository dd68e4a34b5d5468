/* Planning on the aorta-coarctation phantom's exact geometry (its analytic axis and radius profile, not
 * a segmentation): the lesion must be found where the phantom put it, with the phantom's severity; the
 * tuned baseline must hit the target mean pressure, and stent and bypass must beat the baseline. */
#include <htplan.h>
#include <htphantom.h>
#include <httest.h>
#include <stdlib.h>

static PetscReal Metric(const HtCandidateResult *r, const char *name)
{
  PetscReal v = NAN;
  PetscBool f;
  if (HtCandidateResult_GetMetric(r, name, &v, &f) || !f) return NAN;
  return v;
}

/* Segment of tube t from s0 to s1 sampled every ~1 mm with the exact axis and radius. */
static PetscErrorCode AddTubeSegment(HtNetwork *net, const HtPhantom *ph, PetscInt t, PetscReal s0, PetscReal s1, PetscInt n0, PetscInt n1, const char *name)
{
  PetscInt   n = (PetscInt)ceil(s1 - s0) + 1;
  PetscReal *x, *r, tg[3];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(3 * n, &x, n, &r));
  for (PetscInt i = 0; i < n; i++) PetscCall(HtPhantom_TubeEval(ph, t, s0 + (s1 - s0) * i / (n - 1), &x[3 * i], tg, &r[i]));
  PetscCall(HtNetwork_AddSegment(net, n0, n1, n, x, r, name, NULL));
  PetscCall(PetscFree2(x, r));
  PetscFunctionReturn(0);
}

static PetscErrorCode BuildPhantomNetwork(const HtPhantom *ph, HtNetwork *net)
{
  PetscReal xr[3], s_root, r_root, x[3], tg[3], r, bs[HT_PHANTOM_MAX_TUBES];
  PetscInt  nb = 0, bt[HT_PHANTOM_MAX_TUBES], prev, node;

  PetscFunctionBeginUser;
  PetscCall(HtNetwork_Init(net));
  PetscCall(HtPhantom_AorticRoot(ph, xr, &s_root, &r_root));
  /* branches off the aorta, ordered along it */
  for (PetscInt t = 1; t < ph->ntubes; t++)
    if (ph->tube[t].parent == 0) {
      bt[nb]   = t;
      bs[nb++] = ph->tube[t].parent_s_mm;
    }
  for (PetscInt i = 0; i < nb; i++)
    for (PetscInt j = i + 1; j < nb; j++)
      if (bs[j] < bs[i]) {
        PetscReal ts = bs[i];
        PetscInt  tt = bt[i];
        bs[i] = bs[j], bt[i] = bt[j], bs[j] = ts, bt[j] = tt;
      }
  PetscCall(HtNetwork_AddNode(net, xr, HT_NODE_INLET, "inlet", &prev));
  PetscReal sp = s_root;
  for (PetscInt i = 0; i <= nb; i++) {
    PetscReal se = i < nb ? bs[i] : ph->tube[0].length_mm;
    char      nm[32];
    PetscCall(HtPhantom_TubeEval(ph, 0, se, x, tg, &r));
    PetscCall(PetscSNPrintf(nm, sizeof(nm), i < nb ? "junction_%d" : "descending", (int)(i + 1)));
    PetscCall(HtNetwork_AddNode(net, x, i < nb ? HT_NODE_JUNCTION : HT_NODE_OUTLET, nm, &node));
    PetscCall(PetscSNPrintf(nm, sizeof(nm), "aorta_%d", (int)i));
    PetscCall(AddTubeSegment(net, ph, 0, sp, se, prev, node, nm));
    if (i < nb) {
      PetscInt out;
      PetscCall(HtPhantom_TubeEval(ph, bt[i], ph->tube[bt[i]].length_mm, x, tg, &r));
      PetscCall(HtNetwork_AddNode(net, x, HT_NODE_OUTLET, ph->tube[bt[i]].name, &out));
      PetscCall(AddTubeSegment(net, ph, bt[i], 0, ph->tube[bt[i]].length_mm, node, out, ph->tube[bt[i]].name));
    }
    prev = node;
    sp   = se;
  }
  PetscCall(HtNetwork_Check(net));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  HtPhantom         ph;
  HtNetwork         net, st, by;
  HtPhysiology      phys;
  HtLesion         *les;
  PetscInt          nl;
  PetscReal         xc[3], rmin, rref;
  HtOutletSet       bcs;
  HtCandidateResult res[3];
  HtScoring         sc;

  PetscFunctionBeginUser;
  PetscCall(HtPhantom_Default(&ph));
  PetscCall(HtPhantom_SetUp(&ph));
  PetscCall(HtPhantom_Coarctation(&ph, xc, &rmin, &rref));
  PetscCall(BuildPhantomNetwork(&ph, &net));
  printf("phantom network: %d nodes, %d segments\n", (int)net.nnodes, (int)net.nsegs);
  PetscCall(HtPlan_FindLesions(&net, 0.2, &nl, &les));
  HT_CHECK(nl >= 1, "no lesion found on the phantom");
  if (nl < 1) PetscFunctionReturn(0);
  {
    PetscReal d = 0;
    for (int c = 0; c < 3; c++) d += PetscSqr(les[0].x_min_mm[c] - xc[c]);
    d = PetscSqrtReal(d);
    printf("phantom coarctation: found %d lesion(s); worst at %.2f mm from the true minimum, r_min %.3f mm (true %.3f), severity %.3f (true 1 - r_min/r_ref = %.3f), length %.1f mm (true 18)\n", (int)nl, (double)d, (double)les[0].r_min_mm, (double)rmin, (double)les[0].severity, (double)(1 - rmin / rref), (double)les[0].length_mm);
    HT_CHECK(d <= 2.0, "lesion %g mm from the phantom's coarctation", (double)d);
    HT_CHECK_CLOSE(les[0].r_min_mm, rmin, 0.01, 0, "coarctation minimum radius");
    HT_CHECK_CLOSE(les[0].severity, 1 - rmin / rref, 0, 0.03, "coarctation severity");
    HT_CHECK(nl == 1, "%d lesions found on a phantom with one narrowing", (int)nl);
  }
  PetscCall(HtPhysiology_Default(&phys));
  PetscCall(HtPlan_TuneOutlets(&net, &phys, NULL, &les[0], &bcs));
  printf("tuning: %d solves, mean inlet pressure %.3f mmHg (target %.1f, residual %+.3f %%), pulse pressure %.1f\n", (int)bcs.solves, (double)bcs.mean_pressure_sim_mmHg, (double)phys.mean_pressure_mmHg, (double)bcs.mean_pressure_residual_percent, (double)bcs.pulse_pressure_sim_mmHg);
  HT_CHECK(fabs(bcs.mean_pressure_residual_percent) < 1, "tuning residual %g %%", (double)bcs.mean_pressure_residual_percent);
  PetscCall(HtPlan_Simulate(&net, &phys, &bcs, &les[0], "baseline", &res[0]));
  PetscCall(HtNetwork_Clone(&net, &st));
  PetscCall(HtPlan_ApplyStent(&st, &les[0], 1.0));
  PetscCall(HtPlan_Simulate(&st, &phys, &bcs, &les[0], "stent", &res[1]));
  PetscCall(HtNetwork_Clone(&net, &by));
  PetscCall(HtPlan_ApplyBypassAroundLesion(&by, &les[0], 15, 6, 0, NULL));
  PetscCall(HtPlan_Simulate(&by, &phys, &bcs, &les[0], "bypass", &res[2]));
  PetscCall(HtScoring_Default(&phys, &sc));
  PetscCall(HtPlan_Score(res, 3, 0, &sc));
  for (int c = 0; c < 3; c++) {
    printf("%-8s rank %d score %.3f: dP peak %.2f mmHg, mean %.2f, inlet %.1f/%.1f mmHg, split desc %.1f %%, split change %.2f pp, power loss %.1f mW, cycles %d\n", res[c].name, (int)res[c].rank, (double)res[c].score, (double)Metric(&res[c], "pressure_drop_peak_mmHg"), (double)Metric(&res[c], "pressure_drop_mean_mmHg"), (double)Metric(&res[c], "inlet_pressure_systolic_mmHg"),
           (double)Metric(&res[c], "inlet_pressure_diastolic_mmHg"), (double)Metric(&res[c], "flow_split_percent_descending"), (double)Metric(&res[c], "flow_split_change_percent"), (double)Metric(&res[c], "power_loss_mW"), (int)res[c].cycles_used);
  }
  HT_CHECK(Metric(&res[1], "pressure_drop_peak_mmHg") < 0.2 * Metric(&res[0], "pressure_drop_peak_mmHg"), "stent does not remove the gradient");
  HT_CHECK(Metric(&res[2], "pressure_drop_peak_mmHg") < Metric(&res[0], "pressure_drop_peak_mmHg"), "bypass does not lower the gradient");
  HT_CHECK(res[1].rank < res[0].rank, "stent not ranked above baseline");
  HT_CHECK(res[1].cycle_change_mmHg <= phys.cycle_tolerance_mmHg, "stent not periodic");
  PetscCall(HtPlan_WriteResultsVTK("plan_phantom_results", "baseline", &net, &res[0]));
  {
    /* resection with end-to-end anastomosis: the narrowed 17 mm removed, the descending aorta moved up */
    HtNetwork         rs;
    HtCandidateResult rr;
    PetscCall(HtNetwork_Clone(&net, &rs));
    PetscCall(HtPlan_ApplyResection(&rs, &les[0]));
    PetscCall(HtPlan_Simulate(&rs, &phys, &bcs, &les[0], "resection", &rr));
    printf("resection: dP peak %.2f mmHg over the old lesion's span, inlet %.1f/%.1f mmHg, power loss %.1f mW\n", (double)Metric(&rr, "pressure_drop_peak_mmHg"), (double)Metric(&rr, "inlet_pressure_systolic_mmHg"), (double)Metric(&rr, "inlet_pressure_diastolic_mmHg"), (double)Metric(&rr, "power_loss_mW"));
    HT_CHECK(Metric(&rr, "pressure_drop_peak_mmHg") < 0.2 * Metric(&res[0], "pressure_drop_peak_mmHg"), "resection does not remove the gradient");
    PetscCall(HtCandidateResult_Destroy(&rr));
    PetscCall(HtNetwork_Destroy(&rs));
  }
  for (int c = 0; c < 3; c++) PetscCall(HtCandidateResult_Destroy(&res[c]));
  PetscCall(HtOutletSet_Destroy(&bcs));
  PetscCall(PetscFree(les));
  PetscCall(HtNetwork_Destroy(&st));
  PetscCall(HtNetwork_Destroy(&by));
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtPhantom_Destroy(&ph));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
