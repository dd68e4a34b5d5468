/* HtNetwork storage: arc length, split keeps total length and the radius profile, radius
 * interpolation against the analytic linear taper, Check catches an orphan outlet, Clone is deep. */
#include "httest.h"
#include <htnetwork.h>

static PetscErrorCode Body(void)
{
  HtNetwork net, cl;
  PetscReal x[3 * 11], r[11], p0[3] = {0, 0, 0}, p1[3] = {0, 0, 0}, pj[3];
  PetscInt  n0, n1, n2, s0, nnode, nseg, s1;
  PetscErrorCode ierr;
  PetscFunctionBeginUser;
  PetscCall(HtNetwork_Init(&net));
  /* quarter circle of radius 20 mm in the x-y plane, radius tapering 6 -> 4 mm with arc length */
  for (int i = 0; i <= 10; i++) {
    PetscReal t = 0.5 * PETSC_PI * i / 10.0;
    x[3 * i] = 20 * cos(t); x[3 * i + 1] = 20 * sin(t); x[3 * i + 2] = 0;
    r[i] = 6 - 2.0 * i / 10.0;
  }
  p0[0] = 20; p1[1] = 20;
  PetscCall(HtNetwork_AddNode(&net, p0, HT_NODE_INLET, "inlet", &n0));
  PetscCall(HtNetwork_AddNode(&net, p1, HT_NODE_OUTLET, "outlet_1", &n1));
  PetscCall(HtNetwork_AddSegment(&net, n0, n1, 11, x, r, NULL, &s0));
  /* chord sum of 10 chords: 10 * 2 * 20 * sin(pi/40) */
  PetscReal Lexp = 10 * 2 * 20 * sin(PETSC_PI / 40);
  PetscReal L    = HtNetSegment_Length(&net.segs[s0]);
  printf("quarter circle length %.6f mm (chord sum %.6f, arc %.6f)\n", (double)L, (double)Lexp, (double)(10 * PETSC_PI));
  HT_CHECK_CLOSE(L, Lexp, 1e-12, 0, "chord length");
  HT_CHECK_CLOSE(HtNetSegment_RadiusAt(&net.segs[s0], 0.35 * L), 6 - 2 * 0.35, 1e-12, 0, "radius at 35%");
  HT_CHECK_CLOSE(HtNetSegment_RadiusAt(&net.segs[s0], -1), 6, 0, 1e-12, "radius clamped below");
  HT_CHECK_CLOSE(HtNetSegment_RadiusAt(&net.segs[s0], L + 5), 4, 0, 1e-12, "radius clamped above");
  PetscCall(HtNetwork_Check(&net));
  PetscCall(HtNetwork_Clone(&net, &cl));
  /* split at 40 % (between samples) and then exactly on a sample */
  PetscCall(HtNetwork_SplitSegment(&net, s0, 0.4 * L + 0.3, &n2, &s1));
  PetscReal La = HtNetSegment_Length(&net.segs[s0]), Lb = HtNetSegment_Length(&net.segs[s1]);
  printf("split: %.6f + %.6f = %.6f mm\n", (double)La, (double)Lb, (double)(La + Lb));
  HT_CHECK_CLOSE(La + Lb, L, 1e-12, 0, "split keeps total length");
  HT_CHECK_CLOSE(La, 0.4 * L + 0.3, 1e-12, 0, "proximal length");
  HT_CHECK(net.segs[s0].node[1] == n2 && net.segs[s1].node[0] == n2 && net.segs[s1].node[1] == n1, "split connectivity");
  HT_CHECK_CLOSE(net.segs[s1].r[0], 6 - 2 * (0.4 * L + 0.3) / L, 1e-12, 0, "radius at split node");
  HT_CHECK_CLOSE(HtNetSegment_RadiusAt(&net.segs[s1], 0.1 * L), 6 - 2 * (0.5 * L + 0.3) / L, 1e-12, 0, "radius on distal part");
  HT_CHECK(HtNetwork_NodeDegree(&net, n2, NULL, 0) == 2, "split node degree");
  PetscCall(HtNetwork_Check(&net));
  PetscReal sk = net.segs[s1].s[3];
  PetscCall(HtNetwork_SplitSegment(&net, s1, sk, NULL, NULL));
  HT_CHECK_CLOSE(HtNetwork_TotalLength(&net), L, 1e-12, 0, "split on a sample keeps total length");
  for (PetscInt i = 0; i < net.nsegs; i++)
    for (PetscInt j = 1; j < net.segs[i].npts; j++) HT_CHECK(net.segs[i].s[j] > net.segs[i].s[j - 1], "no zero-length chord in %s", net.segs[i].name);
  PetscCall(HtNetwork_Check(&net));
  /* invalid split positions are refused */
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = HtNetwork_SplitSegment(&net, s0, 0.0, NULL, NULL);
  HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "split at 0 refused");
  /* an orphan outlet (no segment) must be caught */
  pj[0] = 50; pj[1] = 50; pj[2] = 0;
  PetscCall(HtNetwork_AddNode(&net, pj, HT_NODE_OUTLET, "outlet_2", &nnode));
  ierr = HtNetwork_Check(&net);
  HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "orphan outlet caught");
  /* a segment pointing upstream into the inlet is caught too */
  PetscCall(HtNetwork_AddSegment(&cl, n1, n0, 11, x, r, NULL, &nseg));
  ierr = HtNetwork_Check(&cl);
  HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "segment into inlet caught");
  PetscCall(PetscPopErrorHandler());
  /* clone is independent of the original */
  HT_CHECK(cl.nsegs == 2 && cl.segs[0].npts == 11, "clone keeps the unsplit segment");
  HT_CHECK_CLOSE(HtNetSegment_Length(&cl.segs[0]), L, 1e-12, 0, "clone length");
  PetscCall(HtNetwork_Destroy(&cl));
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtNetwork_Destroy(&net)); /* safe twice */
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
