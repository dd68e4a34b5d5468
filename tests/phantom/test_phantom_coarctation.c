/* The coarctation seen in the truth labels: on a fine grid around the isthmus, the cross-section
 * area of the label-1 region per axial slice (the proximal descending aorta runs nearly vertically
 * there) has its minimum where HtPhantom_Coarctation says, with the stated minimum radius. Also the
 * true centerlines: samples lie on the axis (distance 0 from HtPhantom_NearestAxis) and are clipped
 * to the field of view. */
#include <htphantom.h>
#include "httest.h"

static PetscErrorCode Body(void)
{
  HtPhantom       ph;
  HtGrid          g, dg;
  HtLabels        lab;
  PetscReal       xc[3], rmin, rref, o[3], sp[3] = {0.2, 0.2, 0.25};
  PetscInt        n[3], kmin = -1;
  double         *area, amin = PETSC_MAX_REAL;
  HtPhantomCurve *cv;
  PetscInt        ncv;

  PetscFunctionBeginUser;
  PetscCall(HtPhantom_Default(&ph));
  PetscCall(HtPhantom_Coarctation(&ph, xc, &rmin, &rref));
  printf("HtPhantom_Coarctation: x = (%.3f, %.3f, %.3f) mm, r_min %.3f mm, r_ref %.3f mm\n", (double)xc[0], (double)xc[1], (double)xc[2], (double)rmin, (double)rref);
  /* box around the descending side of the arch only (y > 10 excludes the ascending side; no branch
   * comes below z = 20) */
  o[0] = xc[0] - 14, o[1] = PetscMax(10.0, xc[1] - 14), o[2] = xc[2] - 16;
  n[0] = (PetscInt)(28 / sp[0]) + 1, n[1] = (PetscInt)((xc[1] + 14 - o[1]) / sp[1]) + 1, n[2] = (PetscInt)(32 / sp[2]) + 1;
  HtGrid_SetAxisAligned(&g, n, o, sp);
  PetscCall(HtPhantom_TrueLabels(&ph, &g, &lab));
  PetscCall(PetscCalloc1(n[2], &area));
  for (PetscInt k = 0; k < n[2]; k++) {
    size_t c = 0;
    for (PetscInt j = 0; j < n[1]; j++)
      for (PetscInt i = 0; i < n[0]; i++) c += lab.lab[HtGrid_Index(&g, i, j, k)] == 1;
    area[k] = c * sp[0] * sp[1];
    if (area[k] < amin) amin = area[k], kmin = k;
  }
  HT_CHECK(kmin > 0 && kmin < n[2] - 1, "area minimum at the box edge (slice %" PetscInt_FMT ")", kmin);
  if (kmin > 0 && kmin < n[2] - 1) {
    /* least-squares parabola through the +-2 mm around the slice minimum (sub-slice position) */
    PetscInt w = (PetscInt)(2.0 / sp[2]);
    double   S[5] = {0}, T[3] = {0}, zmin, rmeas, det, c0, c1, c2, zbot = 0, abot;
    for (PetscInt k = PetscMax(0, kmin - w); k <= PetscMin(n[2] - 1, kmin + w); k++) {
      double t = (k - kmin) * sp[2], tp = 1;
      for (int p = 0; p < 5; p++) S[p] += tp, tp *= t;
      T[0] += area[k], T[1] += area[k] * t, T[2] += area[k] * t * t;
    }
    /* normal equations [S0 S1 S2; S1 S2 S3; S2 S3 S4] c = T (Cramer) */
    det  = S[0] * (S[2] * S[4] - S[3] * S[3]) - S[1] * (S[1] * S[4] - S[3] * S[2]) + S[2] * (S[1] * S[3] - S[2] * S[2]);
    c0   = (T[0] * (S[2] * S[4] - S[3] * S[3]) - S[1] * (T[1] * S[4] - S[3] * T[2]) + S[2] * (T[1] * S[3] - S[2] * T[2])) / det;
    c1   = (S[0] * (T[1] * S[4] - T[2] * S[3]) - T[0] * (S[1] * S[4] - S[3] * S[2]) + S[2] * (S[1] * T[2] - T[1] * S[2])) / det;
    c2   = (S[0] * (S[2] * T[2] - S[3] * T[1]) - S[1] * (S[1] * T[2] - S[3] * T[0]) + T[0] * (S[1] * S[3] - S[2] * S[2])) / det;
    zmin = o[2] + kmin * sp[2] - c1 / (2 * c2);
    rmeas = sqrt((c0 - c1 * c1 / (4 * c2)) / PETSC_PI);
    printf("truth labels (%.2f x %.2f x %.2f mm grid): minimum cross-section at z = %.3f mm (slice %.3f), equivalent radius %.3f mm\n", (double)sp[0], (double)sp[1], (double)sp[2], zmin, (double)(o[2] + kmin * sp[2]), rmeas);
    printf("  position error %.3f mm, radius error %.2f %%\n", zmin - xc[2], 100 * (rmeas - rmin) / rmin);
    HT_CHECK(fabs(zmin - xc[2]) < 0.5, "area minimum at z = %.3f, HtPhantom_Coarctation says %.3f", zmin, (double)xc[2]);
    HT_CHECK_CLOSE(rmeas, rmin, 0.02, 0, "minimum equivalent radius");
    /* reference: 12 mm below the narrowing the lumen is back to full size, with the taper */
    abot = area[(PetscInt)(4.0 / sp[2])];
    zbot = o[2] + 4.0;
    printf("  at z = %.2f mm (below the narrowing): equivalent radius %.3f mm; narrowing ratio measured %.3f vs stated %.3f\n", zbot, sqrt(abot / PETSC_PI), rmeas / sqrt(abot / PETSC_PI), (double)(rmin / rref));
    HT_CHECK(rmeas / sqrt(abot / PETSC_PI) > 0.44 && rmeas / sqrt(abot / PETSC_PI) < 0.51, "measured narrowing ratio outside 45-50 %%");
  }
  PetscCall(PetscFree(area));
  PetscCall(HtLabels_Free(&lab));
  /* the coarctation is distal to the left subclavian artery origin, in the proximal descending aorta */
  {
    PetscReal xs[3];
    PetscCall(HtPhantom_TubeEval(&ph, 0, ph.tube[3].parent_s_mm, xs, NULL, NULL));
    printf("left subclavian origin on the aortic axis at s = %.1f mm; coarctation centre at s = %.1f mm (%.1f mm distal)\n", (double)ph.tube[3].parent_s_mm, (double)ph.tube[0].sten_s_mm, (double)(ph.tube[0].sten_s_mm - ph.tube[3].parent_s_mm));
    HT_CHECK(!strcmp(ph.tube[3].name, "left_subclavian") && ph.tube[0].sten_s_mm > ph.tube[3].parent_s_mm + 15, "coarctation not distal to the left subclavian");
  }
  /* aortic root: on the LV ellipsoid surface, ~15 mm from the aorta's start inside the LV */
  {
    PetscReal xr[3], sr, rr, v[3], q = 0;
    PetscCall(HtPhantom_AorticRoot(&ph, xr, &sr, &rr));
    for (int c = 0; c < 3; c++) v[c] = xr[c] - ph.lv_c[c];
    for (int a = 0; a < 3; a++) {
      PetscReal w = (v[0] * ph.lv_axis[3 * a] + v[1] * ph.lv_axis[3 * a + 1] + v[2] * ph.lv_axis[3 * a + 2]) / ph.lv_semi_mm[a];
      q += w * w;
    }
    printf("aortic root at (%.2f, %.2f, %.2f) mm, s = %.2f mm, r = %.2f mm, ellipsoid equation value %.9f\n", (double)xr[0], (double)xr[1], (double)xr[2], (double)sr, (double)rr, (double)q);
    HT_CHECK_CLOSE(q, 1.0, 1e-9, 0, "aortic root on the LV surface");
  }
  /* true centerlines, clipped to the default field of view */
  PetscCall(HtPhantom_DefaultGrid(&ph, &dg));
  PetscCall(HtPhantom_Centerlines(&ph, &dg, 1.0, &ncv, &cv));
  for (PetscInt c = 0; c < ncv; c++) {
    double maxd = 0, len = 0;
    for (PetscInt i = 0; i < cv[c].npts; i++) {
      PetscReal d, ijk[3];
      PetscCall(HtPhantom_NearestAxis(&ph, &cv[c].x[3 * i], NULL, &d, NULL, NULL, NULL));
      maxd = PetscMax(maxd, d);
      HtGrid_WorldToIndex(&dg, &cv[c].x[3 * i], ijk);
      for (int a = 0; a < 3; a++) HT_CHECK(ijk[a] >= -0.5 && ijk[a] <= dg.n[a] - 0.5, "%s: sample outside the field of view", cv[c].name);
    }
    if (cv[c].npts > 1) len = cv[c].s[cv[c].npts - 1] - cv[c].s[0];
    printf("centerline %-20s %4" PetscInt_FMT " samples, %.1f mm in the field of view, r %.2f..%.2f mm, max distance to the axis %.2e mm\n", cv[c].name, cv[c].npts, len, (double)cv[c].r[0], (double)cv[c].r[cv[c].npts - 1], maxd);
    HT_CHECK(cv[c].npts > 10 && maxd < 1e-9, "%s: %" PetscInt_FMT " samples, off-axis %g", cv[c].name, cv[c].npts, maxd);
    if (c > 0) HT_CHECK(len >= 40 && len <= 70, "%s: %.1f mm inside the field of view", cv[c].name, len);
  }
  PetscCall(HtPhantom_CurvesDestroy(ncv, &cv));
  PetscCall(HtPhantom_Destroy(&ph));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
