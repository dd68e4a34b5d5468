/* Centerlines of the analytic aorta phantom (imaging/phantom): truth labels at 1.25 mm, label 1
 * ("aorta": ascending aorta, arch, 3 head-neck branches, descending aorta with a coarctation), inlet
 * hint = LV centre as the pipeline passes it. Compared with the phantom's exact axis and radius. */
#include "httest.h"
#include <htcenterline.h>
#include <htphantom.h>

static PetscErrorCode Body(void)
{
  HtPhantom           ph;
  HtGrid              g;
  HtLabels            lab;
  HtNetwork           net;
  HtCenterlineOptions opt;
  HtCenterlineReport  rep;
  PetscReal           h = 1.25, acc_all = 0, acc = 0, racc = 0, rabs = 0, rmax = 0, xc[3], rmin_true, rref, s_min, r_min, xm[3], dcoarc;
  PetscInt            cnt_all = 0, cnt = 0, rcnt = 0, seg, ntube[8] = {0}, in_tube = -1, segtube[64];
  PetscReal           in_s = -1, in_d, xworst[3] = {0, 0, 0}, rworst[2] = {0, 0};
  PetscFunctionBeginUser;
  PetscCall(HtPhantom_Default(&ph));
  PetscCall(HtPhantom_DefaultGrid(&ph, &g));
  h = g.spacing[0];
  PetscCall(HtPhantom_TrueLabels(&ph, &g, &lab));
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtCenterline_DefaultOptions(&opt));
  PetscCall(HtCenterline_SetFromOptions(&opt, NULL));
  opt.have_inlet_hint = PETSC_TRUE;
  for (int c = 0; c < 3; c++) opt.inlet_hint_mm[c] = ph.lv_c[c];
  PetscCall(HtCenterline_Extract(&lab, 1, &opt, &net, &rep));
  printf("phantom grid %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " at %.2f mm: %" PetscInt_FMT " voxels, %" PetscInt_FMT " segments, %" PetscInt_FMT " junctions, %" PetscInt_FMT " open ends, %.1f mm total, %" PetscInt_FMT " paths, %" PetscInt_FMT " pruned\n",
         g.n[0], g.n[1], g.n[2], (double)h, rep.used_voxels, net.nsegs, rep.njunctions, rep.nends, (double)rep.total_length_mm, rep.npaths, rep.npruned);
  HT_CHECK(rep.nends == 5, "phantom: expected 5 open ends (root, descending, 3 branches), got %d", (int)rep.nends);
  HT_CHECK(rep.njunctions == 3, "phantom: expected 3 junctions, got %d", (int)rep.njunctions);

  /* inlet: on the aorta axis near its start (the root leaves the LV about 15-20 mm along the axis) */
  {
    PetscInt in = HtNetwork_FindNode(&net, "inlet");
    HT_CHECK(in >= 0, "phantom: no inlet");
    if (in >= 0) {
      PetscCall(HtPhantom_NearestAxis(&ph, net.nodes[in].x, &in_tube, &in_d, &in_s, NULL, NULL));
      printf("  inlet on tube %s at s = %.1f mm, %.2f mm from its axis\n", in_tube >= 0 ? ph.tube[in_tube].name : "?", (double)in_s, (double)in_d);
      HT_CHECK(in_tube == 0 && in_s < 40, "phantom: inlet is not the aortic root");
    }
  }
  /* axis distance and radius away from junctions (1.5 x the junction radius) */
  for (PetscInt i = 0; i < net.nsegs; i++) {
    const HtNetSegment *sg = &net.segs[i];
    PetscInt            tb, tcount[8] = {0}, best = 0;
    for (PetscInt j = 0; j < sg->npts; j++) {
      PetscReal d, s, rt, near = PETSC_MAX_REAL;
      PetscCall(HtPhantom_NearestAxis(&ph, &sg->x[3 * j], &tb, &d, &s, &rt, NULL));
      if (tb >= 0 && tb < 8) tcount[tb]++;
      acc_all += d * d;
      cnt_all++;
      for (int e = 0; e < 2; e++)
        if (net.nodes[sg->node[e]].kind == HT_NODE_JUNCTION) {
          PetscReal de = PetscAbsReal(e ? HtNetSegment_Length(sg) - sg->s[j] : sg->s[j]);
          near         = PetscMin(near, de - 1.5 * (e ? sg->r[sg->npts - 1] : sg->r[0]));
        }
      if (near < 0) continue;
      acc += d * d;
      cnt++;
      /* radius: also away from open ends and the steep coarctation flanks */
      {
        PetscReal de = PetscMin(sg->s[j], HtNetSegment_Length(sg) - sg->s[j]);
        if (de > 5 && rt >= 2) {
          PetscReal rel = (sg->r[j] - rt) / rt;
          racc += rel;
          rabs += PetscAbsReal(rel);
          if (PetscAbsReal(rel) > rmax) {
            rmax = PetscAbsReal(rel);
            for (int c = 0; c < 3; c++) xworst[c] = sg->x[3 * j + c];
            rworst[0] = sg->r[j];
            rworst[1] = rt;
          }
          rcnt++;
        }
      }
    }
    for (int t = 1; t < 8; t++)
      if (tcount[t] > tcount[best]) best = t;
    ntube[best]++;
    if (i < 64) segtube[i] = best;
    printf("  %s %s -> %s: length %.1f mm, mostly on %s, radius %.2f .. %.2f mm\n", sg->name, net.nodes[sg->node[0]].name, net.nodes[sg->node[1]].name, (double)HtNetSegment_Length(sg), ph.tube[best].name, (double)sg->r[0], (double)sg->r[sg->npts - 1]);
  }
  printf("  axis distance RMS %.3f mm (all samples), %.3f mm away from junctions (%" PetscInt_FMT " samples); half voxel %.3f mm\n", (double)PetscSqrtReal(acc_all / PetscMax(cnt_all, 1)), (double)PetscSqrtReal(acc / PetscMax(cnt, 1)), cnt, (double)(0.5 * h));
  printf("  radius vs truth: mean %+.2f %%, mean |err| %.2f %%, max %.2f %% (%" PetscInt_FMT " samples)\n", (double)(100 * racc / PetscMax(rcnt, 1)), (double)(100 * rabs / PetscMax(rcnt, 1)), (double)(100 * rmax), rcnt);
  printf("  largest radius error at (%.1f, %.1f, %.1f): %.2f mm vs %.2f mm\n", (double)xworst[0], (double)xworst[1], (double)xworst[2], (double)rworst[0], (double)rworst[1]);
  HT_CHECK(cnt > 100 && PetscSqrtReal(acc / cnt) <= 0.5 * h, "phantom: centerline RMS distance to the axis > half a voxel");
  HT_CHECK(rcnt > 100 && PetscAbsReal(racc / rcnt) <= 0.02, "phantom: mean radius bias > 2 %%");
  HT_CHECK(ntube[1] == 1 && ntube[2] == 1 && ntube[3] == 1, "phantom: each head-neck branch should be one segment (%d %d %d)", (int)ntube[1], (int)ntube[2], (int)ntube[3]);

  /* junctions against the true branch origins (branch axis start on the arch axis) */
  for (PetscInt n = 0; n < net.nnodes; n++) {
    PetscReal best = PETSC_MAX_REAL;
    if (net.nodes[n].kind != HT_NODE_JUNCTION) continue;
    for (PetscInt t = 1; t < ph.ntubes; t++) {
      PetscReal xo[3];
      PetscCall(HtPhantom_TubeEval(&ph, t, 0.0, xo, NULL, NULL));
      best = PetscMin(best, PetscSqrtReal(PetscSqr(xo[0] - net.nodes[n].x[0]) + PetscSqr(xo[1] - net.nodes[n].x[1]) + PetscSqr(xo[2] - net.nodes[n].x[2])));
    }
    printf("  %s: %.1f mm from the nearest true branch origin\n", net.nodes[n].name, (double)best);
    HT_CHECK(best <= 6.0, "phantom: %s is %g mm from a branch origin (> half the aortic radius)", net.nodes[n].name, (double)best);
  }
  /* coarctation: the radius minimum */
  PetscCall(HtPhantom_Coarctation(&ph, xc, &rmin_true, &rref));
  /* radius minimum along the aorta (the branches are natively narrower than the coarctation), away
   * from junction zones (1.5 x junction radius) and open ends (5 mm) */
  seg = -1;
  r_min = PETSC_MAX_REAL;
  for (PetscInt i = 0; i < net.nsegs; i++) {
    const HtNetSegment *sg = &net.segs[i];
    PetscReal           L  = HtNetSegment_Length(sg);
    if (i >= 64 || segtube[i] != 0) continue;
    for (PetscInt j = 0; j < sg->npts; j++) {
      PetscBool skip = PETSC_FALSE;
      for (int e = 0; e < 2; e++) {
        PetscReal de = e ? L - sg->s[j] : sg->s[j];
        if (net.nodes[sg->node[e]].kind == HT_NODE_JUNCTION ? de < 1.5 * (e ? sg->r[sg->npts - 1] : sg->r[0]) : de < 5) skip = PETSC_TRUE;
      }
      if (!skip && sg->r[j] < r_min) {
        r_min = sg->r[j];
        s_min = sg->s[j];
        seg   = i;
      }
    }
  }
  HT_CHECK(seg >= 0, "phantom: no radius minimum");
  if (seg >= 0) {
    HtNetSegment_PointAt(&net.segs[seg], s_min, xm);
    dcoarc = PetscSqrtReal(PetscSqr(xm[0] - xc[0]) + PetscSqr(xm[1] - xc[1]) + PetscSqr(xm[2] - xc[2]));
    printf("  minimum on %s at s = %.1f mm of %.1f\n", net.segs[seg].name, (double)s_min, (double)HtNetSegment_Length(&net.segs[seg]));
    printf("  coarctation: min radius %.2f mm (true %.2f, reference %.2f) found %.2f mm from the true site\n", (double)r_min, (double)rmin_true, (double)rref, (double)dcoarc);
    HT_CHECK(dcoarc <= 5.0, "phantom: coarctation located %g mm away", (double)dcoarc);
    HT_CHECK_CLOSE(r_min, rmin_true, 0.10, 0, "phantom coarctation radius");
  }
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&lab));
  PetscCall(HtPhantom_Destroy(&ph));
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
