/* Straight tube label map (r = 5 mm, 0.5 mm voxels, oblique grid) -> surface -> caps.
 * Reference values are analytic: pi r^2 L for the capped volume, pi r^2 for cap areas, the tube axis
 * for cap normals, r for the wall's distance to the axis. */
#include "httest.h"
#include "tube.h"
#include <htsurface.h>

static PetscErrorCode Body(void)
{
  HtLabels         l;
  HtNetwork        net;
  HtSurface        s, c, open;
  HtSurfaceQuality q;
  int              val = 1;
  PetscReal        x0[3], t[3], rsum = 0, rmin = 1e9, rmax = 0;
  PetscInt         nw = 0;
  PetscFunctionBeginUser;
  PetscCall(Tube_Labels(&l));
  PetscCall(Tube_Network(&net));
  PetscCall(HtSurface_FromLabels(&l, &val, 1, NULL, &s));
  PetscCall(HtSurface_Check(&s, &q));
  printf("surface: %d points, %d triangles, boundary %d, non-manifold %d, components %d, Euler %d, volume %.4f mL, area %.1f mm^2, edge %.3f..%.3f mm\n", (int)q.npts, (int)q.ntri, (int)q.boundary_edges, (int)q.nonmanifold_edges, (int)q.components, (int)q.euler, (double)q.volume_mL, (double)q.area_mm2, (double)q.min_edge_mm, (double)q.max_edge_mm);
  HT_CHECK(q.euler == 2, "closed tube surface must have Euler characteristic 2, got %d", (int)q.euler);

  PetscCall(HtSurface_Cap(&s, &net, &c));
  PetscCall(HtSurface_Check(&c, &q));
  printf("capped: %d points, %d triangles, boundary %d, non-manifold %d, components %d, Euler %d, volume %.4f mL\n", (int)q.npts, (int)q.ntri, (int)q.boundary_edges, (int)q.nonmanifold_edges, (int)q.components, (int)q.euler, (double)q.volume_mL);
  HT_CHECK(c.ncaps == 2, "2 caps expected, got %d", (int)c.ncaps);
  HT_CHECK(q.euler == 2, "capped Euler %d", (int)q.euler);
  Tube_Axis(0, x0, t);
  if (c.ncaps == 2) {
    PetscReal d[3], L = 0;
    for (int k = 0; k < 3; k++) d[k] = c.caps[1].centre[k] - c.caps[0].centre[k];
    L = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    PetscReal vexp = PETSC_PI * TUBE_R_MM * TUBE_R_MM * L / 1000.0;
    printf("capped length %.3f mm (expected %.3f), volume %.4f mL vs pi r^2 L %.4f mL: %+.2f %%\n", L, (TUBE_NK - 1) * TUBE_H_MM - 2 * 0.75 * TUBE_R_MM, (double)q.volume_mL, vexp, 100 * (q.volume_mL - vexp) / vexp);
    HT_CHECK_CLOSE(L, (TUBE_NK - 1) * TUBE_H_MM - 2 * 0.75 * TUBE_R_MM, 0, 0.05, "distance between cap centres (mm)");
    HT_CHECK_CLOSE(q.volume_mL, vexp, 0.02, 0, "capped volume (mL) vs pi r^2 L");
    for (PetscInt k = 0; k < 2; k++) {
      HtSurfaceCap *cp  = &c.caps[k];
      PetscReal     cs  = fabs(cp->normal[0] * t[0] + cp->normal[1] * t[1] + cp->normal[2] * t[2]);
      PetscReal     ang = acos(PetscMin(1.0, cs)) * 180 / PETSC_PI;
      PetscReal     out = (k == 0 ? -1 : 1) * (cp->normal[0] * t[0] + cp->normal[1] * t[1] + cp->normal[2] * t[2]);
      printf("cap %s tag %d: area %.3f mm^2 (pi r^2 %.3f, %+.2f %%), normal angle to axis %.3f deg, centre off-axis %.3f mm\n", cp->name, (int)cp->tag, (double)cp->area_mm2, PETSC_PI * 25.0, 100 * (cp->area_mm2 / (PETSC_PI * 25.0) - 1), (double)ang, (double)Tube_RadialDist(cp->centre));
      HT_CHECK(ang < 5.0, "cap %s normal %.2f deg from the axis", cp->name, (double)ang);
      HT_CHECK(out > 0, "cap %s normal must point out of the tube", cp->name);
      HT_CHECK_CLOSE(cp->area_mm2, PETSC_PI * TUBE_R_MM * TUBE_R_MM, 0.03, 0, "cap area (mm^2) vs pi r^2");
      HT_CHECK(cp->tag == k + 1, "cap tag");
    }
    HT_CHECK(!strcmp(c.caps[0].name, "inlet") && !strcmp(c.caps[1].name, "outlet_1"), "cap names %s %s", c.caps[0].name, c.caps[1].name);
    /* planarity: every cap vertex on its plane */
    PetscReal maxoff = 0;
    for (PetscInt tr = 0; tr < c.ntri; tr++) {
      if (c.tag[tr] == 0) continue;
      HtSurfaceCap *cp = &c.caps[c.tag[tr] - 1];
      for (int k = 0; k < 3; k++) {
        const PetscReal *p = &c.x[3 * c.tri[3 * tr + k]];
        PetscReal        o = 0;
        for (int e = 0; e < 3; e++) o += (p[e] - cp->centre[e]) * cp->normal[e];
        maxoff = PetscMax(maxoff, fabs(o));
      }
    }
    printf("cap planarity: max off-plane %.2e mm\n", (double)maxoff);
    HT_CHECK(maxoff < 1e-6, "caps not planar: %.3g mm", (double)maxoff);
  }
  /* wall radius: mean distance of wall vertices from the axis, away from the caps */
  {
    PetscBool *wall;
    PetscCall(PetscCalloc1(c.npts, &wall));
    for (PetscInt tr = 0; tr < c.ntri; tr++)
      if (c.tag[tr] == 0)
        for (int k = 0; k < 3; k++) wall[c.tri[3 * tr + k]] = PETSC_TRUE;
    for (PetscInt tr = 0; tr < c.ntri; tr++)
      if (c.tag[tr] != 0)
        for (int k = 0; k < 3; k++) wall[c.tri[3 * tr + k]] = PETSC_FALSE; /* rim shared with caps */
    for (PetscInt v = 0; v < c.npts; v++)
      if (wall[v]) {
        PetscReal rr = Tube_RadialDist(&c.x[3 * v]);
        rsum += rr;
        rmin = PetscMin(rmin, rr);
        rmax = PetscMax(rmax, rr);
        nw++;
      }
    PetscCall(PetscFree(wall));
    PetscReal rm = rsum / nw;
    printf("wall radius: mean %.4f mm (r %.1f, loss %.2f %%), min %.3f, max %.3f over %d vertices\n", rm, TUBE_R_MM, 100 * (1 - rm / TUBE_R_MM), rmin, rmax, (int)nw);
    HT_CHECK(fabs(1 - rm / TUBE_R_MM) < 0.02, "mean radius loss %.2f %% >= 2 %%", 100 * (1 - rm / TUBE_R_MM));
  }
  /* a hole must be reported, with its location */
  PetscCall(HtSurface_Copy(&s, &open));
  open.ntri--;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  PetscErrorCode ierr = HtSurface_Check(&open, &q);
  PetscCall(PetscPopErrorHandler());
  printf("open surface: check returned %d, %d boundary edges\n", (int)ierr, (int)q.boundary_edges);
  HT_CHECK(ierr == PETSC_ERR_USER_INPUT && q.boundary_edges == 3, "open surface must fail the check with 3 boundary edges");
  PetscCall(HtSurface_Destroy(&open));
  PetscCall(HtSurface_Destroy(&s));
  PetscCall(HtSurface_Destroy(&c));
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&l));
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
