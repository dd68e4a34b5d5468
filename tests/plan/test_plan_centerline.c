/* Planning on the network that centerline extraction (HtCenterline_Extract) produces from the aorta
 * phantom's exact label map: the real chain up to the network, minus image noise. The lesion must be
 * found where the phantom put it (within 2 mm), with its severity
 * within 0.03; tuning within 1 %; stent and bypass lower the gradient and rank above the baseline. */
#include <htplan.h>
#include <htphantom.h>
#include <htcenterline.h>
#include <httest.h>

static PetscReal Metric(const HtCandidateResult *r, const char *name)
{
  PetscReal v = NAN;
  PetscBool f;
  if (HtCandidateResult_GetMetric(r, name, &v, &f) || !f) return NAN;
  return v;
}

static PetscErrorCode Run(void)
{
  HtPhantom           ph;
  HtGrid              g;
  HtLabels            lab;
  HtNetwork           net, st, by;
  HtCenterlineOptions co;
  HtCenterlineReport  rep;
  HtPhysiology        phys;
  HtLesion           *les;
  PetscInt            nl;
  PetscReal           xc[3], rmin, rref, xr[3], sr, rr, d = 0;
  HtOutletSet         bcs;
  HtCandidateResult   res[3];
  HtScoring           sc;

  PetscFunctionBeginUser;
  PetscCall(HtPhantom_Default(&ph));
  PetscCall(HtPhantom_SetUp(&ph));
  PetscCall(HtPhantom_Coarctation(&ph, xc, &rmin, &rref));
  PetscCall(HtPhantom_AorticRoot(&ph, xr, &sr, &rr));
  PetscCall(HtPhantom_DefaultGrid(&ph, &g));
  PetscCall(HtPhantom_TrueLabels(&ph, &g, &lab));
  PetscCall(HtCenterline_DefaultOptions(&co));
  co.have_inlet_hint = PETSC_TRUE;
  for (int c = 0; c < 3; c++) co.inlet_hint_mm[c] = xr[c];
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtCenterline_Extract(&lab, 1, &co, &net, &rep));
  PetscCall(HtLabels_Free(&lab));
  printf("extracted network: %d nodes, %d segments, %.0f mm\n", (int)net.nnodes, (int)net.nsegs, (double)rep.total_length_mm);
  PetscCall(HtPlan_FindLesions(&net, 0.2, &nl, &les));
  HT_CHECK(nl >= 1, "no lesion found on the extracted phantom network");
  if (nl < 1) PetscFunctionReturn(0);
  for (int c = 0; c < 3; c++) d += PetscSqr(les[0].x_min_mm[c] - xc[c]);
  d = PetscSqrtReal(d);
  printf("coarctation on the extracted network: %d lesion(s); worst %.2f mm from the true minimum, r_min %.2f mm (true %.2f), r_ref %.2f (true %.2f), severity %.3f (true %.3f), length %.1f mm\n", (int)nl, (double)d, (double)les[0].r_min_mm, (double)rmin, (double)les[0].r_ref_mm, (double)rref, (double)les[0].severity, (double)(1 - rmin / rref), (double)les[0].length_mm);
  for (PetscInt i = 1; i < nl; i++) printf("  other lesion %d: severity %.3f on segment %s at s = %.1f mm\n", (int)i, (double)les[i].severity, net.segs[les[i].seg].name, (double)les[i].s_min_mm);
  HT_CHECK(d <= 2.0, "lesion %g mm from the phantom's coarctation", (double)d);
  HT_CHECK_CLOSE(les[0].severity, 1 - rmin / rref, 0, 0.03, "coarctation severity");
  PetscCall(HtPhysiology_Default(&phys));
  PetscCall(HtPlan_TuneOutlets(&net, &phys, NULL, &les[0], &bcs));
  printf("tuning: %d solves, mean inlet pressure %.3f mmHg (residual %+.3f %%), pulse pressure %.1f mmHg, Rp share %.3f\n", (int)bcs.solves, (double)bcs.mean_pressure_sim_mmHg, (double)bcs.mean_pressure_residual_percent, (double)bcs.pulse_pressure_sim_mmHg, (double)bcs.rp_fraction);
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
  for (int c = 0; c < 3; c++)
    printf("%-8s rank %d score %.3f: dP peak %.2f mmHg, mean %.2f, inlet %.1f/%.1f mmHg, split change %.2f pp, power loss %.1f mW, cycles %d\n", res[c].name, (int)res[c].rank, (double)res[c].score, (double)Metric(&res[c], "pressure_drop_peak_mmHg"), (double)Metric(&res[c], "pressure_drop_mean_mmHg"), (double)Metric(&res[c], "inlet_pressure_systolic_mmHg"), (double)Metric(&res[c], "inlet_pressure_diastolic_mmHg"), (double)Metric(&res[c], "flow_split_change_percent"), (double)Metric(&res[c], "power_loss_mW"), (int)res[c].cycles_used);
  HT_CHECK(Metric(&res[1], "pressure_drop_peak_mmHg") < 0.25 * Metric(&res[0], "pressure_drop_peak_mmHg"), "stent does not remove the gradient");
  HT_CHECK(Metric(&res[2], "pressure_drop_peak_mmHg") < Metric(&res[0], "pressure_drop_peak_mmHg"), "bypass does not lower the gradient");
  HT_CHECK(res[1].rank < res[0].rank && res[2].rank < res[0].rank, "stent/bypass not ranked above the baseline");
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
