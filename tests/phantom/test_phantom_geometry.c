/* Analytic volumes of the exact inside test: straight tilted capsule, half-torus arc tube, the
 * default LV ellipsoid; default phantom sanity (connected blood pool, spine gap, LV volume). */
#include <htphantom.h>
#include "httest.h"

/* volume (mm^3) of points with label `want` (-1: any non-zero) on a cell-centred grid of step h */
static PetscErrorCode IntegrateLabel(const HtPhantom *ph, const PetscReal lo[3], const PetscReal hi[3], PetscReal h, int want, PetscReal *vol)
{
  PetscInt n[3];
  size_t   cnt = 0;

  PetscFunctionBeginUser;
  for (int a = 0; a < 3; a++) n[a] = (PetscInt)PetscCeilReal((hi[a] - lo[a]) / h);
  for (PetscInt k = 0; k < n[2]; k++)
    for (PetscInt j = 0; j < n[1]; j++)
      for (PetscInt i = 0; i < n[0]; i++) {
        PetscReal x[3] = {lo[0] + (i + 0.5) * h, lo[1] + (j + 0.5) * h, lo[2] + (k + 0.5) * h};
        int       l;
        PetscCall(HtPhantom_Inside(ph, x, &l));
        if (want < 0 ? l != 0 : l == want) cnt++;
      }
  *vol = (PetscReal)cnt * h * h * h;
  PetscFunctionReturn(0);
}

static PetscErrorCode OneTube(HtPhantom *ph, PetscReal r)
{
  PetscFunctionBeginUser;
  memset(ph, 0, sizeof(*ph));
  ph->ntubes = 1;
  PetscCall(PetscStrncpy(ph->tube[0].name, "test", sizeof(ph->tube[0].name)));
  ph->tube[0].npieces      = 1;
  ph->tube[0].nknots       = 1;
  ph->tube[0].knot_r_mm[0] = r;
  ph->tube[0].parent       = -1;
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  HtPhantom ph;
  PetscReal vol, exact, lo[3], hi[3];

  PetscFunctionBeginUser;
  /* 1. straight tube, tilted along (1,2,2)/3, r = 7, L = 60: capsule pi r^2 L + 4/3 pi r^3 */
  {
    const PetscReal r = 7, L = 60, d[3] = {1.0 / 3, 2.0 / 3, 2.0 / 3};
    PetscCall(OneTube(&ph, r));
    ph.tube[0].piece[0].type = HT_PHANTOM_LINE;
    for (int c = 0; c < 3; c++) ph.tube[0].piece[0].a[c] = 1.3 - 0.5 * L * d[c], ph.tube[0].piece[0].b[c] = 1.3 + 0.5 * L * d[c];
    PetscCall(HtPhantom_SetUp(&ph));
    HT_CHECK_CLOSE(ph.tube[0].length_mm, L, 1e-12, 0, "tilted tube length");
    for (int c = 0; c < 3; c++) lo[c] = 1.3 - 0.5 * L * d[c] - r - 1, hi[c] = 1.3 + 0.5 * L * d[c] + r + 1;
    PetscCall(IntegrateLabel(&ph, lo, hi, 0.2, 1, &vol));
    exact = PETSC_PI * r * r * L + 4.0 / 3.0 * PETSC_PI * r * r * r;
    printf("straight tilted capsule r=%g L=%g: integrated %.1f mm^3, analytic %.1f mm^3, rel err %.2e\n", (double)r, (double)L, (double)vol, (double)exact, (double)((vol - exact) / exact));
    HT_CHECK_CLOSE(vol, exact, 0.01, 0, "capsule volume");
  }
  /* 2. straight tube segment (no caps): axial tube r = 10, volume in the slab |z| < 20 is pi r^2 40 */
  {
    const PetscReal r = 10;
    PetscCall(OneTube(&ph, r));
    ph.tube[0].piece[0].type = HT_PHANTOM_LINE;
    ph.tube[0].piece[0].a[2] = -50, ph.tube[0].piece[0].b[2] = 50;
    PetscCall(HtPhantom_SetUp(&ph));
    lo[0] = lo[1] = -12, lo[2] = -20, hi[0] = hi[1] = 12, hi[2] = 20;
    PetscCall(IntegrateLabel(&ph, lo, hi, 0.2, 1, &vol));
    exact = PETSC_PI * r * r * 40;
    printf("straight tube segment r=%g L=40: integrated %.1f mm^3, analytic pi r^2 L %.1f mm^3, rel err %.2e\n", (double)r, (double)vol, (double)exact, (double)((vol - exact) / exact));
    HT_CHECK_CLOSE(vol, exact, 0.01, 0, "straight tube segment volume");
  }
  /* 3. arc tube: half circle R = 30 in the x-z plane, r = 6: Pappus pi r^2 (pi R) + caps 4/3 pi r^3 */
  {
    const PetscReal r = 6, R = 30;
    PetscCall(OneTube(&ph, r));
    ph.tube[0].piece[0].type  = HT_PHANTOM_ARC;
    ph.tube[0].piece[0].e1[0] = 1, ph.tube[0].piece[0].e2[2] = 1;
    ph.tube[0].piece[0].R     = R;
    ph.tube[0].piece[0].t0    = 0, ph.tube[0].piece[0].t1 = PETSC_PI;
    PetscCall(HtPhantom_SetUp(&ph));
    lo[0] = -R - r - 1, lo[1] = -r - 1, lo[2] = -r - 1, hi[0] = R + r + 1, hi[1] = r + 1, hi[2] = R + r + 1;
    PetscCall(IntegrateLabel(&ph, lo, hi, 0.2, 1, &vol));
    exact = PETSC_PI * r * r * PETSC_PI * R + 4.0 / 3.0 * PETSC_PI * r * r * r;
    printf("half-torus arc tube r=%g R=%g: integrated %.1f mm^3, analytic %.1f mm^3, rel err %.2e\n", (double)r, (double)R, (double)vol, (double)exact, (double)((vol - exact) / exact));
    HT_CHECK_CLOSE(vol, exact, 0.01, 0, "arc tube volume");
  }
  /* 4. the default phantom's LV ellipsoid (label 2 wins over the aorta inside it) */
  {
    PetscReal ext;
    PetscCall(HtPhantom_Default(&ph));
    ext = ph.lv_semi_mm[0] + 1;
    for (int c = 0; c < 3; c++) lo[c] = ph.lv_c[c] - ext, hi[c] = ph.lv_c[c] + ext;
    PetscCall(IntegrateLabel(&ph, lo, hi, 0.4, 2, &vol));
    exact = 4.0 / 3.0 * PETSC_PI * ph.lv_semi_mm[0] * ph.lv_semi_mm[1] * ph.lv_semi_mm[2];
    printf("LV ellipsoid %gx%gx%g mm: integrated %.2f mL, analytic 4/3 pi abc %.2f mL, rel err %.2e\n", (double)ph.lv_semi_mm[0], (double)ph.lv_semi_mm[1], (double)ph.lv_semi_mm[2], (double)vol / 1000, (double)exact / 1000, (double)((vol - exact) / exact));
    HT_CHECK_CLOSE(vol, exact, 0.01, 0, "LV ellipsoid volume");
    HT_CHECK(exact >= 120e3 && exact <= 150e3, "LV volume %.1f mL outside 120-150 mL", (double)exact / 1000);
  }
  /* 5. default phantom sanity: blood pool connected on the default grid, spine gap, coarctation */
  {
    HtGrid    g;
    HtLabels  lab;
    size_t    n, nblood = 0, nreach = 0, head = 0, tail = 0, *queue;
    uint8_t  *seen;
    PetscReal xc[3], rmin, rref, gap = PETSC_MAX_REAL;

    PetscCall(HtPhantom_DefaultGrid(&ph, &g));
    n = HtGrid_Count(&g);
    printf("default grid %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT " = %.2f M voxels, spacing %.2f mm, FOV %.0f x %.0f x %.0f mm\n", g.n[0], g.n[1], g.n[2], n / 1e6, (double)g.spacing[0], (double)(g.n[0] * g.spacing[0]), (double)(g.n[1] * g.spacing[1]), (double)(g.n[2] * g.spacing[2]));
    HT_CHECK(n <= 5000000, "default grid has %zu voxels (> 5 M)", n);
    PetscCall(HtPhantom_TrueLabels(&ph, &g, &lab));
    PetscCall(PetscMalloc1(n, &queue));
    PetscCall(PetscCalloc1(n, &seen));
    for (size_t i = 0; i < n; i++)
      if (lab.lab[i]) {
        nblood++;
        if (tail == 0) queue[tail++] = i, seen[i] = 1;
      }
    while (head < tail) { /* 6-connected flood fill from the first blood voxel */
      size_t   id = queue[head++];
      PetscInt i = (PetscInt)(id % (size_t)g.n[0]), j = (PetscInt)((id / (size_t)g.n[0]) % (size_t)g.n[1]), k = (PetscInt)(id / ((size_t)g.n[0] * g.n[1]));
      PetscInt nb[6][3] = {
        {i - 1, j,     k    },
        {i + 1, j,     k    },
        {i,     j - 1, k    },
        {i,     j + 1, k    },
        {i,     j,     k - 1},
        {i,     j,     k + 1}
      };
      nreach++;
      for (int q = 0; q < 6; q++) {
        size_t m;
        if (nb[q][0] < 0 || nb[q][1] < 0 || nb[q][2] < 0 || nb[q][0] >= g.n[0] || nb[q][1] >= g.n[1] || nb[q][2] >= g.n[2]) continue;
        m = HtGrid_Index(&g, nb[q][0], nb[q][1], nb[q][2]);
        if (lab.lab[m] && !seen[m]) seen[m] = 1, queue[tail++] = m;
      }
    }
    printf("blood pool: %.1f mL aorta+branches, %.1f mL LV (voxel-centre truth), %zu of %zu blood voxels 6-connected to the first\n", (double)HtLabels_Volume_mL(&lab, 1), (double)HtLabels_Volume_mL(&lab, 2), nreach, nblood);
    HT_CHECK(nreach == nblood, "blood pool not one connected region (%zu of %zu)", nreach, nblood);
    PetscCall(PetscFree(queue));
    PetscCall(PetscFree(seen));
    PetscCall(HtLabels_Free(&lab));
    /* gap between the aortic wall and the vertebral body surface, over the descending aorta's height */
    for (PetscReal z = -140; z <= 40; z += 1)
      for (int q = 0; q < 720; q++) {
        PetscReal th = 2 * PETSC_PI * q / 720, x[3] = {ph.vb_c[0] + ph.vb_semi_mm[0] * PetscCosReal(th), ph.vb_c[1] + ph.vb_semi_mm[1] * PetscSinReal(th), z}, d, r;
        PetscInt  t;
        PetscCall(HtPhantom_NearestAxis(&ph, x, &t, &d, NULL, &r, NULL));
        gap = PetscMin(gap, d - r);
      }
    printf("closest vertebral-body surface to the aortic wall: %.2f mm\n", (double)gap);
    HT_CHECK(gap > 8 && gap < 12, "spine-aorta gap %.2f mm not ~10 mm", (double)gap);
    PetscCall(HtPhantom_Coarctation(&ph, xc, &rmin, &rref));
    printf("coarctation at (%.2f, %.2f, %.2f) mm: r_min %.3f mm, r_ref %.3f mm, ratio %.3f, length %.1f mm\n", (double)xc[0], (double)xc[1], (double)xc[2], (double)rmin, (double)rref, (double)(rmin / rref), (double)ph.tube[0].sten_len_mm);
    HT_CHECK(rmin / rref >= 0.45 && rmin / rref <= 0.50, "coarctation ratio %.3f outside 0.45-0.50", (double)(rmin / rref));
  }
  /* 6. options: spacing and coarctation depth */
  {
    HtGrid    g;
    PetscReal xc[3], rmin, rref;
    PetscCall(PetscOptionsSetValue(NULL, "-phantom_spacing", "1.0"));
    PetscCall(PetscOptionsSetValue(NULL, "-phantom_coarct_frac", "0.3"));
    PetscCall(HtPhantom_Default(&ph));
    PetscCall(HtPhantom_SetFromOptions(&ph));
    PetscCall(HtPhantom_DefaultGrid(&ph, &g));
    PetscCall(HtPhantom_Coarctation(&ph, xc, &rmin, &rref));
    printf("options -phantom_spacing 1.0 -phantom_coarct_frac 0.3: grid %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " at %.2f mm, coarctation ratio %.4f\n", g.n[0], g.n[1], g.n[2], (double)g.spacing[0], (double)(rmin / rref));
    HT_CHECK(g.spacing[0] == 1.0 && g.n[0] == 151, "spacing option not applied");
    HT_CHECK_CLOSE(rmin / rref, 0.7, 2e-3, 0, "coarctation ratio with -phantom_coarct_frac 0.3");
    PetscCall(PetscOptionsClearValue(NULL, "-phantom_spacing"));
    PetscCall(PetscOptionsClearValue(NULL, "-phantom_coarct_frac"));
  }
  /* 7. bad input is rejected with an error */
  {
    PetscErrorCode ierr;
    PetscCall(OneTube(&ph, -1));
    ph.tube[0].piece[0].type = HT_PHANTOM_LINE;
    ph.tube[0].piece[0].b[2] = 10;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = HtPhantom_SetUp(&ph);
    PetscCall(PetscPopErrorHandler());
    HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "negative radius accepted (error %d)", (int)ierr);
  }
  PetscCall(HtPhantom_Destroy(&ph));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
