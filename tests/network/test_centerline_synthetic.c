/* Centerline extraction on label maps rasterised here from analytic shapes whose axis and radius are
 * known exactly: a tilted straight tube (anisotropic voxels), an arch (semicircle with two straight
 * legs), a Y bifurcation (radii 4/3/3 mm) and a tube with a 50 % cosine stenosis. */
#include "httest.h"
#include <htcenterline.h>

typedef PetscReal (*AxisDist)(const PetscReal x[3], void *ctx, PetscReal *r_true);

/* label 1 where the distance to the axis is <= the true radius there */
static PetscReal raster_rot = 0; /* rotation of the grid axes about z (radians), for oblique grids */
static PetscErrorCode Raster(const PetscInt n[3], const PetscReal o[3], const PetscReal sp[3], AxisDist f, void *ctx, HtLabels *lab)
{
  HtGrid g;
  PetscFunctionBeginUser;
  HtGrid_SetAxisAligned(&g, n, o, sp);
  if (raster_rot != 0) {
    /* rotate about the grid centre so the shape stays inside */
    PetscReal c = cos(raster_rot), s = sin(raster_rot), ctr[3], ijk[3] = {0.5 * (n[0] - 1), 0.5 * (n[1] - 1), 0.5 * (n[2] - 1)}, x[3];
    HtGrid_IndexToWorld(&g, ijk, ctr);
    g.dir[0] = c; g.dir[1] = s; g.dir[3] = -s; g.dir[4] = c;
    HtGrid_IndexToWorld(&g, ijk, x);
    for (int a = 0; a < 3; a++) g.origin[a] += ctr[a] - x[a];
  }
  PetscCall(HtLabels_Alloc(lab, &g));
  PetscCall(HtLabels_SetName(lab, 1, "vessel"));
  for (PetscInt k = 0; k < n[2]; k++)
    for (PetscInt j = 0; j < n[1]; j++)
      for (PetscInt i = 0; i < n[0]; i++) {
        PetscReal ijk[3] = {i, j, k}, x[3], r, d;
        HtGrid_IndexToWorld(&g, ijk, x);
        d = f(x, ctx, &r);
        if (d <= r) lab->lab[HtGrid_Index(&g, i, j, k)] = 1;
      }
  PetscFunctionReturn(0);
}

/* RMS and max distance of every centerline sample to the true axis */
static void AxisError(const HtNetwork *net, AxisDist f, void *ctx, PetscReal *rms, PetscReal *mx)
{
  PetscReal acc = 0, r;
  PetscInt  cnt = 0;
  *mx           = 0;
  for (PetscInt i = 0; i < net->nsegs; i++)
    for (PetscInt j = 0; j < net->segs[i].npts; j++) {
      PetscReal d = f(&net->segs[i].x[3 * j], ctx, &r);
      acc += d * d;
      cnt++;
      *mx = PetscMax(*mx, d);
    }
  *rms = PetscSqrtReal(acc / PetscMax(cnt, 1));
}

/* mean and max relative radius error over samples farther than skip_mm from both segment ends */
static void RadiusError(const HtNetSegment *sg, AxisDist f, void *ctx, PetscReal skip_mm, PetscReal *mean_rel, PetscReal *max_rel)
{
  PetscReal L = HtNetSegment_Length(sg), acc = 0, r;
  PetscInt  cnt = 0;
  *max_rel      = 0;
  for (PetscInt j = 0; j < sg->npts; j++) {
    if (sg->s[j] < skip_mm || sg->s[j] > L - skip_mm) continue;
    (void)f(&sg->x[3 * j], ctx, &r);
    acc += (sg->r[j] - r) / r;
    cnt++;
    *max_rel = PetscMax(*max_rel, PetscAbsReal(sg->r[j] - r) / r);
  }
  *mean_rel = cnt ? acc / cnt : 1e9;
}

/* ---- straight / stenosed tube along a tilted axis -------------------------------------------- */
typedef struct {
  PetscReal a0[3], d[3], r0;
  PetscReal sten_s, sten_len, sten_frac; /* s measured from a0 along d */
} Tube;

static PetscReal TubeR(const Tube *t, PetscReal s)
{
  if (t->sten_len > 0 && PetscAbsReal(s - t->sten_s) < 0.5 * t->sten_len) return t->r0 * (1 - t->sten_frac * 0.5 * (1 + cos(2 * PETSC_PI * (s - t->sten_s) / t->sten_len)));
  return t->r0;
}

static PetscReal TubeDist(const PetscReal x[3], void *ctx, PetscReal *r)
{
  Tube     *t = (Tube *)ctx;
  PetscReal v[3], s = 0, d2 = 0;
  for (int c = 0; c < 3; c++) {
    v[c] = x[c] - t->a0[c];
    s += v[c] * t->d[c];
  }
  for (int c = 0; c < 3; c++) d2 += PetscSqr(v[c] - s * t->d[c]);
  *r = TubeR(t, s);
  return PetscSqrtReal(d2);
}

static PetscReal TubeS(const Tube *t, const PetscReal x[3])
{
  PetscReal s = 0;
  for (int c = 0; c < 3; c++) s += (x[c] - t->a0[c]) * t->d[c];
  return s;
}

static void TubeInit(Tube *t, const PetscReal a0[3], const PetscReal d[3], PetscReal r0)
{
  PetscReal nd = PetscSqrtReal(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  memset(t, 0, sizeof(*t));
  for (int c = 0; c < 3; c++) {
    t->a0[c] = a0[c];
    t->d[c]  = d[c] / nd;
  }
  t->r0 = r0;
}

static PetscErrorCode TestStraight(PetscReal rot)
{
  PetscInt            n[3]  = {36, 36, 70};
  PetscReal           o[3]  = {-12.25, -12.25, 0}, sp[3] = {0.7, 0.7, 0.9}, a0[3] = {0.11, -0.23, 31.05}, d[3] = {0.15, 0.1, 1};
  Tube                t;
  HtLabels            lab;
  HtNetwork           net;
  HtCenterlineOptions opt;
  HtCenterlineReport  rep;
  PetscReal           rms, mx, mrel, xrel, Ltrue;
  PetscFunctionBeginUser;
  TubeInit(&t, a0, d, 5.0);
  raster_rot = rot;
  PetscCall(Raster(n, o, sp, TubeDist, &t, &lab));
  raster_rot = 0;
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtCenterline_DefaultOptions(&opt));
  PetscCall(HtCenterline_Extract(&lab, 1, &opt, &net, &rep));
  if (rot != 0) printf("(grid rotated %.0f degrees about z)\n", (double)(rot * 180 / PETSC_PI));
  /* the tube is cut by the first and last slice planes z = 0 and z = 69 * 0.9 */
  Ltrue = (69 * 0.9) / t.d[2];
  AxisError(&net, TubeDist, &t, &rms, &mx);
  printf("straight tube r=5 mm, voxels 0.7x0.7x0.9 mm: %" PetscInt_FMT " segments, %" PetscInt_FMT " junctions, length %.3f mm (true %.3f)\n", net.nsegs, rep.njunctions, (double)HtNetwork_TotalLength(&net), (double)Ltrue);
  printf("  axis distance RMS %.3f mm, max %.3f mm; paths %" PetscInt_FMT ", pruned %" PetscInt_FMT "\n", (double)rms, (double)mx, rep.npaths, rep.npruned);
  HT_CHECK(net.nsegs == 1 && rep.njunctions == 0, "straight tube: expected 1 segment, got %d", (int)net.nsegs);
  HT_CHECK_CLOSE(HtNetwork_TotalLength(&net), Ltrue, 0, 2 * 0.9, "straight tube length within 2 voxels");
  HT_CHECK(rms <= 0.5 * 0.7, "straight tube: axis RMS %g mm > half a voxel", (double)rms);
  if (net.nsegs >= 1) {
    RadiusError(&net.segs[0], TubeDist, &t, 5.0, &mrel, &xrel);
    printf("  radius: mean rel. error %+.3f %%, max %.3f %%\n", (double)(100 * mrel), (double)(100 * xrel));
    HT_CHECK(PetscAbsReal(mrel) <= 0.025, "straight tube: mean radius error %g %% > 2.5 %%", (double)(100 * mrel));
    HT_CHECK(xrel <= 0.05, "straight tube: max radius error %g %% > 5 %%", (double)(100 * xrel));
  }
  HT_CHECK(HtNetwork_FindNode(&net, "inlet") >= 0 && HtNetwork_FindNode(&net, "outlet_1") >= 0, "straight tube: inlet/outlet_1 names");
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&lab));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestStenosis(void)
{
  PetscInt            n[3]  = {40, 40, 100};
  PetscReal           o[3]  = {-9.75, -9.75, 0}, sp[3] = {0.5, 0.5, 0.6}, a0[3] = {0.07, 0.13, 30.0}, d[3] = {0.1, -0.05, 1};
  Tube                t;
  HtLabels            lab;
  HtNetwork           net;
  HtCenterlineOptions opt;
  HtCenterlineReport  rep;
  PetscInt            seg;
  PetscReal           s_min, r_min, x[3], s_found;
  PetscFunctionBeginUser;
  TubeInit(&t, a0, d, 5.0);
  t.sten_s    = 3.3; /* 3.3 mm beyond the tube's mid point */
  t.sten_len  = 16.0;
  t.sten_frac = 0.5;
  PetscCall(Raster(n, o, sp, TubeDist, &t, &lab));
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtCenterline_DefaultOptions(&opt));
  PetscCall(HtCenterline_Extract(&lab, 1, &opt, &net, &rep));
  PetscCall(HtNetwork_MinRadius(&net, 5.0, &seg, &s_min, &r_min));
  HT_CHECK(seg >= 0, "stenosis: no radius sample");
  if (seg >= 0) {
    HtNetSegment_PointAt(&net.segs[seg], s_min, x);
    s_found = TubeS(&t, x);
    printf("stenosis 50 %% (r 5 -> 2.5 mm): %" PetscInt_FMT " segments; min radius %.3f mm at axial %.2f mm (true 2.5 mm at %.2f mm)\n", net.nsegs, (double)r_min, (double)s_found, (double)t.sten_s);
    HT_CHECK(PetscAbsReal(s_found - t.sten_s) <= 2.0, "stenosis located %g mm from the truth", (double)PetscAbsReal(s_found - t.sten_s));
    HT_CHECK_CLOSE(r_min, 2.5, 0.10, 0, "stenosis minimum radius");
  }
  HT_CHECK(net.nsegs == 1, "stenosis: expected 1 segment, got %d", (int)net.nsegs);
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&lab));
  PetscFunctionReturn(0);
}

/* ---- arch: semicircle of radius R in the x-z plane, legs going down out of the grid ----------- */
typedef struct {
  PetscReal c[3], R, r;
} Arch;

static PetscReal ArchDist(const PetscReal x[3], void *ctx, PetscReal *r)
{
  Arch     *a = (Arch *)ctx;
  PetscReal th = atan2(x[2] - a->c[2], x[0] - a->c[0]), best, p[3];
  *r           = a->r;
  if (th < 0) th = (th < -0.5 * PETSC_PI) ? PETSC_PI : 0; /* below the centre: nearest arc end */
  p[0] = a->c[0] + a->R * cos(th);
  p[1] = a->c[1];
  p[2] = a->c[2] + a->R * sin(th);
  best = PetscSqrtReal(PetscSqr(x[0] - p[0]) + PetscSqr(x[1] - p[1]) + PetscSqr(x[2] - p[2]));
  for (int sgn = -1; sgn <= 1; sgn += 2) { /* legs x = cx +- R, z <= cz */
    PetscReal z = PetscMin(x[2], a->c[2]);
    PetscReal dd = PetscSqrtReal(PetscSqr(x[0] - a->c[0] - sgn * a->R) + PetscSqr(x[1] - a->c[1]) + PetscSqr(x[2] - z));
    best = PetscMin(best, dd);
  }
  return best;
}

static PetscErrorCode TestArch(void)
{
  PetscInt            n[3] = {88, 28, 66};
  PetscReal           o[3] = {-30.1, -9.3, -15.2}, sp[3] = {0.7, 0.7, 0.7};
  Arch                a    = {{0.2, 0.1, 0.0}, 20.0, 4.0};
  HtLabels            lab;
  HtNetwork           net;
  HtCenterlineOptions opt;
  HtCenterlineReport  rep;
  PetscReal           rms, mx, mrel, xrel, Ltrue;
  PetscFunctionBeginUser;
  PetscCall(Raster(n, o, sp, ArchDist, &a, &lab));
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtCenterline_DefaultOptions(&opt));
  opt.have_inlet_hint  = PETSC_TRUE; /* the inlet is the +x leg */
  opt.inlet_hint_mm[0] = 20;
  opt.inlet_hint_mm[1] = 0;
  opt.inlet_hint_mm[2] = -20;
  PetscCall(HtCenterline_Extract(&lab, 1, &opt, &net, &rep));
  AxisError(&net, ArchDist, &a, &rms, &mx);
  Ltrue = PETSC_PI * a.R + 2 * (a.c[2] - o[2]);
  printf("arch R=20 mm r=4 mm, voxels 0.7 mm: %" PetscInt_FMT " segments, length %.3f mm (true %.3f), axis distance RMS %.3f mm max %.3f mm\n", net.nsegs, (double)HtNetwork_TotalLength(&net), (double)Ltrue, (double)rms, (double)mx);
  HT_CHECK(net.nsegs == 1, "arch: expected 1 segment, got %d", (int)net.nsegs);
  HT_CHECK(rms <= 0.5 * 0.7, "arch: axis RMS %g mm > half a voxel", (double)rms);
  HT_CHECK_CLOSE(HtNetwork_TotalLength(&net), Ltrue, 0, 2 * 0.7, "arch length within 2 voxels");
  if (net.nsegs >= 1) {
    PetscInt in = HtNetwork_FindNode(&net, "inlet");
    RadiusError(&net.segs[0], ArchDist, &a, 4.0, &mrel, &xrel);
    printf("  radius: mean rel. error %+.3f %%, max %.3f %%; inlet at (%.1f, %.1f, %.1f)\n", (double)(100 * mrel), (double)(100 * xrel), (double)net.nodes[in].x[0], (double)net.nodes[in].x[1], (double)net.nodes[in].x[2]);
    HT_CHECK(PetscAbsReal(mrel) <= 0.03, "arch: mean radius error %g %%", (double)(100 * mrel));
    HT_CHECK(in >= 0 && net.nodes[in].x[0] > 10, "arch: inlet not on the hinted leg");
  }
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&lab));
  PetscFunctionReturn(0);
}

/* ---- Y bifurcation: parent r=4 up to J, daughters r=3 at +-30 degrees ------------------------ */
typedef struct {
  PetscReal p0[3], J[3], e1[3], e2[3];
} Yb;

static PetscReal SegDist(const PetscReal x[3], const PetscReal a[3], const PetscReal b[3])
{
  PetscReal ab[3], t = 0, l2 = 0, d2 = 0;
  for (int c = 0; c < 3; c++) {
    ab[c] = b[c] - a[c];
    l2 += ab[c] * ab[c];
    t += (x[c] - a[c]) * ab[c];
  }
  t = PetscMin(1.0, PetscMax(0.0, t / l2));
  for (int c = 0; c < 3; c++) d2 += PetscSqr(x[c] - a[c] - t * ab[c]);
  return PetscSqrtReal(d2);
}

/* distance to the nearest axis, with the radius of that branch; inside = inside any branch */
static PetscReal YDist(const PetscReal x[3], void *ctx, PetscReal *r)
{
  Yb       *y  = (Yb *)ctx;
  PetscReal d0 = SegDist(x, y->p0, y->J), d1 = SegDist(x, y->J, y->e1), d2 = SegDist(x, y->J, y->e2);
  /* the label is the union of the capsules: report the branch that contains the point best */
  PetscReal m0 = d0 - 4, m1 = d1 - 3, m2 = d2 - 3;
  if (m0 <= m1 && m0 <= m2) {
    *r = 4;
    return d0;
  }
  *r = 3;
  return m1 <= m2 ? d1 : d2;
}

static PetscErrorCode TestY(void)
{
  PetscInt            n[3] = {84, 24, 100};
  PetscReal           o[3] = {-20.75, -5.75, 0}, sp[3] = {0.5, 0.5, 0.5}, a = 30 * PETSC_PI / 180, L = 40;
  Yb                  y    = {{0, 0, -10}, {0, 0, 24}, {0}, {0}};
  HtLabels            lab;
  HtNetwork           net;
  HtCenterlineOptions opt;
  HtCenterlineReport  rep;
  PetscReal           rms, mx;
  PetscFunctionBeginUser;
  y.e1[0] = L * sin(a);  y.e1[2] = 24 + L * cos(a);
  y.e2[0] = -L * sin(a); y.e2[2] = 24 + L * cos(a);
  PetscCall(Raster(n, o, sp, YDist, &y, &lab));
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtCenterline_DefaultOptions(&opt));
  opt.have_inlet_hint  = PETSC_TRUE;
  opt.inlet_hint_mm[2] = -5;
  PetscCall(HtCenterline_Extract(&lab, 1, &opt, &net, &rep));
  AxisError(&net, YDist, &y, &rms, &mx);
  printf("Y bifurcation 4/3/3 mm, voxels 0.5 mm: %" PetscInt_FMT " segments, %" PetscInt_FMT " junctions, %" PetscInt_FMT " ends, pruned %" PetscInt_FMT ", axis RMS %.3f mm max %.3f mm\n", net.nsegs, rep.njunctions, rep.nends, rep.npruned, (double)rms, (double)mx);
  HT_CHECK(net.nsegs == 3 && rep.njunctions == 1, "Y: expected 3 segments and 1 junction, got %d and %d", (int)net.nsegs, (int)rep.njunctions);
  if (net.nsegs == 3) {
    PetscInt jn = HtNetwork_FindNode(&net, "junction_1");
    if (jn >= 0) printf("  junction at (%.2f, %.2f, %.2f), true (0, 0, 24)\n", (double)net.nodes[jn].x[0], (double)net.nodes[jn].x[1], (double)net.nodes[jn].x[2]);
    /* the branch point of the medial axis lies above the axes' intersection (where the daughters'
     * walls part), so allow 1.5 x the parent radius */
    HT_CHECK(jn >= 0 && PetscSqrtReal(PetscSqr(net.nodes[jn].x[0]) + PetscSqr(net.nodes[jn].x[1]) + PetscSqr(net.nodes[jn].x[2] - 24)) < 6, "Y: junction misplaced");
    for (PetscInt i = 0; i < 3; i++) {
      const HtNetSegment *sg = &net.segs[i];
      PetscReal           L  = HtNetSegment_Length(sg), acc = 0, rt = net.nodes[sg->node[0]].kind == HT_NODE_INLET ? 4 : 3;
      PetscInt            cnt = 0;
      /* mid part: away from the junction (1.5 x parent radius + daughter radius) and from open ends */
      for (PetscInt j = 0; j < sg->npts; j++) {
        PetscReal dj = net.nodes[sg->node[0]].kind == HT_NODE_INLET ? L - sg->s[j] : sg->s[j];
        PetscReal de = net.nodes[sg->node[0]].kind == HT_NODE_INLET ? sg->s[j] : L - sg->s[j];
        if (dj < 10 || de < 3) continue;
        acc += sg->r[j];
        cnt++;
      }
      printf("  %s (%s -> %s): length %.2f mm, mean radius %.3f mm (true %.1f)\n", sg->name, net.nodes[sg->node[0]].name, net.nodes[sg->node[1]].name, (double)L, (double)(cnt ? acc / cnt : 0), (double)rt);
      HT_CHECK(cnt > 0, "Y: %s has no mid samples", sg->name);
      if (cnt) HT_CHECK_CLOSE(acc / cnt, rt, 0.05, 0, "Y branch radius");
    }
    HT_CHECK(net.segs[0].node[0] == HtNetwork_FindNode(&net, "inlet"), "Y: first segment starts at the inlet");
  }
  /* without a hint the inlet is the end with the largest radius: the 4 mm parent */
  opt.have_inlet_hint = PETSC_FALSE;
  PetscCall(HtCenterline_Extract(&lab, 1, &opt, &net, &rep));
  {
    PetscInt in = HtNetwork_FindNode(&net, "inlet");
    printf("  no hint: inlet at (%.2f, %.2f, %.2f)\n", in >= 0 ? (double)net.nodes[in].x[0] : 0.0, in >= 0 ? (double)net.nodes[in].x[1] : 0.0, in >= 0 ? (double)net.nodes[in].x[2] : 0.0);
    HT_CHECK(in >= 0 && net.nodes[in].x[2] < 5, "Y without hint: inlet should be the parent end (z = 0)");
  }
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&lab));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestErrors(void)
{
  PetscInt       n[3] = {10, 10, 10};
  PetscReal      o[3] = {0, 0, 0}, sp[3] = {1, 1, 1};
  HtGrid         g;
  HtLabels       lab;
  HtNetwork      net;
  PetscErrorCode ierr;
  PetscFunctionBeginUser;
  HtGrid_SetAxisAligned(&g, n, o, sp);
  PetscCall(HtLabels_Alloc(&lab, &g));
  PetscCall(HtNetwork_Init(&net));
  lab.lab[5] = 1;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = HtCenterline_Extract(&lab, 2, NULL, &net, NULL);
  HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "empty region must be refused (got %d)", (int)ierr);
  ierr = HtCenterline_Extract(&lab, 1, NULL, &net, NULL);
  HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "single voxel region must be refused (got %d)", (int)ierr);
  PetscCall(PetscPopErrorHandler());
  HT_CHECK(net.nsegs == 0, "no output after an error");
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&lab));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  PetscFunctionBeginUser;
  PetscCall(TestStraight(0));
  PetscCall(TestStraight(25 * PETSC_PI / 180));
  PetscCall(TestStenosis());
  PetscCall(TestArch());
  PetscCall(TestY());
  PetscCall(TestErrors());
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
