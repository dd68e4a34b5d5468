/* Straight tube label map (r = 5 mm, 0.5 mm voxels, oblique grid) -> surface -> caps.
 * Reference values are analytic: pi r^2 L for the capped volume, pi r^2 for cap areas, the tube axis
 * for cap normals, r for the wall's distance to the axis. */
#include "httest.h"
#include "tube.h"
#include <htsurface.h>

/* Small vessel: r = 1.5 mm (3 voxels) along k on an axis-aligned 0.5 mm grid; mean distance of the
 * surface vertices from the axis over the middle third (away from the closed ends) and the area radius
 * of cross-sections (caps cut 1.1 mm inside each end), against the area radius of the voxel disk
 * (voxel count of one slice; the axis sits between voxel centres, so 32 voxels = 8 mm^2, 1.596 mm). */
static PetscErrorCode SmallTube(PetscReal r_mm, PetscReal *mean_r, PetscReal *area_r, PetscReal *vox_r)
{
  HtGrid    g;
  HtLabels  l;
  HtSurface s;
  PetscInt  n[3] = {24, 24, 60}, cnt = 0;
  PetscReal o[3] = {0, 0, 0}, sp[3] = {0.5, 0.5, 0.5}, c = 11.5 * 0.5, sum = 0;
  int       val = 1;
  HtSurfaceOptions so;
  PetscFunctionBeginUser;
  PetscCall(HtSurfaceOptions_Default(&so));
  PetscCall(HtSurfaceOptions_SetFromOptions(&so, NULL));
  HtGrid_SetAxisAligned(&g, n, o, sp);
  PetscCall(HtLabels_Alloc(&l, &g));
  for (PetscInt k = 0; k < n[2]; k++)
    for (PetscInt j = 0; j < n[1]; j++)
      for (PetscInt i = 0; i < n[0]; i++) {
        PetscReal dx = i * 0.5 - c, dy = j * 0.5 - c;
        if (dx * dx + dy * dy <= r_mm * r_mm) {
          l.lab[HtGrid_Index(&g, i, j, k)] = 1;
          if (k == 0) cnt++;
        }
      }
  *vox_r = sqrt(cnt * 0.25 / PETSC_PI);
  cnt    = 0;
  PetscCall(HtSurface_FromLabels(&l, &val, 1, &so, &s));
  /* vertex distance from the axis over the middle third */
  for (PetscInt v = 0; v < s.npts; v++) {
    const PetscReal *x = &s.x[3 * v];
    if (x[2] < 10 || x[2] > 20) continue;
    sum += sqrt((x[0] - c) * (x[0] - c) + (x[1] - c) * (x[1] - c));
    cnt++;
  }
  *mean_r = sum / PetscMax(cnt, 1);
  /* cross-section area radius from the caps */
  {
    HtNetwork net;
    HtSurface cs;
    PetscReal x[2 * 3] = {c, c, 0, c, c, 29.5}, rr[2] = {r_mm, r_mm};
    PetscInt  n0, n1;
    PetscCall(HtNetwork_Init(&net));
    PetscCall(HtNetwork_AddNode(&net, &x[0], HT_NODE_INLET, "inlet", &n0));
    PetscCall(HtNetwork_AddNode(&net, &x[3], HT_NODE_OUTLET, "outlet_1", &n1));
    PetscCall(HtNetwork_AddSegment(&net, n0, n1, 2, x, rr, "seg_0", NULL));
    PetscCall(HtSurface_Cap(&s, &net, &cs));
    *area_r = 0.5 * (cs.caps[0].radius_mm + cs.caps[1].radius_mm);
    PetscCall(HtSurface_Destroy(&cs));
    PetscCall(HtNetwork_Destroy(&net));
  }
  PetscCall(HtSurface_Destroy(&s));
  PetscCall(HtLabels_Free(&l));
  PetscFunctionReturn(0);
}

/* Crescent tube (disk r 5 mm minus a disk r 3.5 mm shifted 2.5 mm): its cross-section is not
 * star-shaped about the centroid, so caps take the ear-clipping path. Reference: voxel area of a slice. */
static PetscErrorCode CrescentTube(PetscReal *cap_area, PetscReal *vox_area, PetscReal *maxoff, PetscInt *boundary)
{
  HtGrid           g;
  HtLabels         l;
  HtSurface        s, cs;
  HtNetwork        net;
  HtSurfaceQuality q;
  PetscInt         n[3] = {32, 32, 60}, cnt = 0, n0, n1;
  PetscReal        o[3] = {0, 0, 0}, sp[3] = {0.5, 0.5, 0.5}, c = 15.5 * 0.5;
  PetscReal        x[6] = {c, c, 0, c, c, 29.5}, rr[2] = {5.0, 5.0};
  int              val = 1;
  PetscFunctionBeginUser;
  HtGrid_SetAxisAligned(&g, n, o, sp);
  PetscCall(HtLabels_Alloc(&l, &g));
  for (PetscInt k = 0; k < n[2]; k++)
    for (PetscInt j = 0; j < n[1]; j++)
      for (PetscInt i = 0; i < n[0]; i++) {
        PetscReal dx = i * 0.5 - c, dy = j * 0.5 - c, ex = dx - 2.5;
        if (dx * dx + dy * dy <= 25.0 && !(ex * ex + dy * dy <= 3.5 * 3.5)) {
          l.lab[HtGrid_Index(&g, i, j, k)] = 1;
          if (k == 0) cnt++;
        }
      }
  *vox_area = cnt * 0.25;
  PetscCall(HtSurface_FromLabels(&l, &val, 1, NULL, &s));
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtNetwork_AddNode(&net, &x[0], HT_NODE_INLET, "inlet", &n0));
  PetscCall(HtNetwork_AddNode(&net, &x[3], HT_NODE_OUTLET, "outlet_1", &n1));
  PetscCall(HtNetwork_AddSegment(&net, n0, n1, 2, x, rr, "seg_0", NULL));
  PetscCall(HtSurface_Cap(&s, &net, &cs));
  PetscCall(HtSurface_Quality(&cs, &q));
  *boundary = q.boundary_edges + q.nonmanifold_edges + q.inconsistent_edges;
  *cap_area = 0.5 * (cs.caps[0].area_mm2 + cs.caps[1].area_mm2);
  *maxoff   = 0;
  for (PetscInt t = 0; t < cs.ntri; t++) {
    if (!cs.tag[t]) continue;
    for (int k = 0; k < 3; k++) {
      const PetscReal *p = &cs.x[3 * cs.tri[3 * t + k]];
      PetscReal        off = 0;
      for (int e = 0; e < 3; e++) off += (p[e] - cs.caps[cs.tag[t] - 1].centre[e]) * cs.caps[cs.tag[t] - 1].normal[e];
      *maxoff = PetscMax(*maxoff, PetscAbsReal(off));
    }
  }
  PetscCall(HtSurface_Destroy(&cs));
  PetscCall(HtSurface_Destroy(&s));
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&l));
  PetscFunctionReturn(0);
}

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
  {
    PetscReal rs = 0, ra = 0, rv = 0;
    PetscCall(SmallTube(1.5, &rs, &ra, &rv));
    printf("small tube r 1.5 mm (3 voxels): voxel-disk area radius %.4f mm; surface cross-section (cap) radius %.4f mm, loss %.2f %%; mean vertex distance from the axis %.4f mm\n", (double)rv, (double)ra, 100 * (1 - ra / rv), (double)rs);
    HT_CHECK(fabs(1 - ra / rv) < 0.02, "small tube cross-section radius off by %.2f %% (>= 2 %%)", 100 * (1 - ra / rv));
  }
  {
    PetscReal ca = 0, va = 0, off = 1;
    PetscInt  bad = -1;
    PetscCall(CrescentTube(&ca, &va, &off, &bad));
    printf("crescent tube: cap area %.2f mm^2 vs voxel area %.2f mm^2 (%+.2f %%), max off-plane %.1e mm, %d bad edges\n", (double)ca, (double)va, 100 * (ca / va - 1), (double)off, (int)bad);
    HT_CHECK(bad == 0, "crescent capped surface not watertight/manifold");
    HT_CHECK(off < 1e-6, "crescent caps not planar");
    HT_CHECK_CLOSE(ca, va, 0.05, 0, "crescent cap area (mm^2) vs voxel area");
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
