/* Segmentation on small synthetic CTs with exactly known geometry:
 *  1. a bright vertical cylinder (350 HU, r = 10 mm) in soft tissue (40 HU) with a dense bone
 *     block nearby, partial volume by supersampling, Gaussian noise 20 HU: the whole cylinder is
 *     found, its volume within 3 % of pi r^2 L, no bone;
 *  2. the same cylinder ending in a sphere of radius 28 mm (a "chamber"): the tube is labelled
 *     aorta and the sphere heart, each volume within a few % of the analytic value. */
#include <htsegment.h>
#include "httest.h"

static unsigned long long rng_state = 88172645463325252ULL;
static double             Uniform(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return ((rng_state >> 11) + 0.5) / 9007199254740992.0;
}
static double Gauss(void) { return sqrt(-2.0 * log(Uniform())) * cos(2 * PETSC_PI * Uniform()); }

typedef struct {
  double cx, cy, r;          /* cylinder axis (x, y) and radius, mm */
  double z0, z1;             /* cylinder extent in z (mm) */
  int    sphere;             /* add a sphere */
  double sc[3], sr;          /* sphere centre and radius */
  double bone_lo[3], bone_hi[3];
} Scene;

static int Class(const Scene *s, const double x[3]) /* 0 tissue, 1 blood, 2 bone */
{
  if (x[0] >= s->bone_lo[0] && x[0] <= s->bone_hi[0] && x[1] >= s->bone_lo[1] && x[1] <= s->bone_hi[1] && x[2] >= s->bone_lo[2] && x[2] <= s->bone_hi[2]) return 2;
  double dx = x[0] - s->cx, dy = x[1] - s->cy;
  if (dx * dx + dy * dy < s->r * s->r && x[2] >= s->z0 && x[2] <= s->z1) return 1;
  if (s->sphere) {
    double d[3] = {x[0] - s->sc[0], x[1] - s->sc[1], x[2] - s->sc[2]};
    if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < s->sr * s->sr) return 1;
  }
  return 0;
}

static PetscErrorCode Render(const Scene *s, const HtGrid *g, HtVolume *ct)
{
  const double hu[3] = {40, 350, 1100};
  const int    S     = 3;
  PetscFunctionBeginUser;
  PetscCall(HtVolume_Alloc(ct, g));
  for (PetscInt k = 0; k < g->n[2]; k++)
    for (PetscInt j = 0; j < g->n[1]; j++)
      for (PetscInt i = 0; i < g->n[0]; i++) {
        double acc = 0;
        for (int c = 0; c < S * S * S; c++) {
          PetscReal ijk[3] = {i + ((c % S) + 0.5) / S - 0.5, j + (((c / S) % S) + 0.5) / S - 0.5, k + ((c / (S * S)) + 0.5) / S - 0.5}, x[3];
          HtGrid_IndexToWorld(g, ijk, x);
          double xd[3] = {x[0], x[1], x[2]};
          acc += hu[Class(s, xd)];
        }
        ct->val[HtGrid_Index(g, i, j, k)] = (float)(acc / (S * S * S) + 20.0 * Gauss());
      }
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  HtGrid           g;
  HtVolume         ct;
  HtLabels         seg;
  HtSegmentOptions o;
  HtSegmentReport  rep;
  PetscInt         n[3]  = {80, 80, 100};
  PetscReal        or[3] = {-50, -50, 0}, sp[3] = {1.25, 1.25, 1.25};
  PetscFunctionBeginUser;
  HtGrid_SetAxisAligned(&g, n, or, sp);
  PetscCall(HtSegment_DefaultOptions(&o));
  PetscCall(HtSegment_SetFromOptions(&o));
  /* 1. cylinder through the whole field of view (z from the first to the last voxel face) */
  {
    Scene s;
    memset(&s, 0, sizeof s);
    s.cx = 5, s.cy = 8, s.r = 10, s.z0 = -1, s.z1 = 200;
    s.bone_lo[0] = 25, s.bone_lo[1] = -20, s.bone_lo[2] = -1; /* 10 mm beside the tube */
    s.bone_hi[0] = 40, s.bone_hi[1] = 20, s.bone_hi[2] = 200;
    PetscCall(Render(&s, &g, &ct));
    PetscCall(HtSegment_BloodPool(&ct, &o, &seg, &rep));
    double L = n[2] * sp[2], Vtrue = PETSC_PI * s.r * s.r * L / 1000.0, V = HtLabels_Volume_mL(&seg, -1);
    printf("cylinder: threshold %.0f HU (tissue %.0f, blood %.0f), seed (%.1f, %.1f) mm, radius %.2f mm (true 10)\n", rep.threshold_HU, rep.tissue_HU, rep.blood_HU, rep.seed_mm[0], rep.seed_mm[1], rep.aorta_radius_mm);
    printf("cylinder: segmented %.2f mL, analytic pi r^2 L = %.2f mL (%.2f %%), aorta %.2f mL, heart %.2f mL\n", V, Vtrue, 100 * (V - Vtrue) / Vtrue, rep.volume_mL[1], rep.volume_mL[2]);
    HT_CHECK_CLOSE(V, Vtrue, 0.03, 0, "cylinder volume");
    HT_CHECK(fabs(rep.seed_mm[0] - s.cx) < s.r && fabs(rep.seed_mm[1] - s.cy) < s.r, "seed inside the cylinder");
    HT_CHECK_CLOSE(rep.aorta_radius_mm, s.r, 0.15, 0, "tube radius");
    size_t nbone = 0;
    for (PetscInt k = 0; k < n[2]; k++)
      for (PetscInt j = 0; j < n[1]; j++)
        for (PetscInt i = 0; i < n[0]; i++) {
          PetscReal ijk[3] = {i, j, k}, x[3];
          HtGrid_IndexToWorld(&g, ijk, x);
          if (seg.lab[HtGrid_Index(&g, i, j, k)] && x[0] > s.bone_lo[0] - 2) nbone++;
        }
    printf("cylinder: %zu labelled voxels in or next to the bone block\n", nbone);
    HT_CHECK(nbone == 0, "no bone labelled");
    PetscCall(HtLabels_Free(&seg));
    PetscCall(HtVolume_Free(&ct));
  }
  /* 1b. the same cylinder scanned as a coronal stack (j -> S, k -> P): labels come back on the
   * input grid, same volume */
  {
    Scene  s;
    HtGrid gc;
    PetscInt nc[3] = {80, 100, 80};
    memset(&s, 0, sizeof s);
    s.cx = 5, s.cy = 8, s.r = 10, s.z0 = -1, s.z1 = 200;
    s.bone_lo[0] = s.bone_hi[0] = 1e9;
    HtGrid_SetAxisAligned(&gc, nc, or, sp);
    const PetscReal dir[9] = {1, 0, 0, 0, 0, 1, 0, 1, 0};
    PetscCall(PetscArraycpy(gc.dir, dir, 9));
    PetscCall(Render(&s, &gc, &ct));
    PetscCall(HtSegment_BloodPool(&ct, &o, &seg, &rep));
    double L = nc[1] * sp[1], Vtrue = PETSC_PI * s.r * s.r * L / 1000.0, V = HtLabels_Volume_mL(&seg, -1);
    printf("coronal cylinder: segmented %.2f mL, analytic %.2f mL (%.2f %%), labels on the input grid: %s\n", V, Vtrue, 100 * (V - Vtrue) / Vtrue, HtGrid_Same(&seg.g, &gc, 1e-9) ? "yes" : "no");
    HT_CHECK(HtGrid_Same(&seg.g, &gc, 1e-9), "labels on the input grid");
    HT_CHECK_CLOSE(V, Vtrue, 0.03, 0, "coronal cylinder volume");
    PetscCall(HtLabels_Free(&seg));
    PetscCall(HtVolume_Free(&ct));
  }
  /* 2. tube (r 10) from the top down into a sphere (r 28, centre z = 35): aorta + chamber */
  {
    Scene s;
    memset(&s, 0, sizeof s);
    s.cx = 0, s.cy = 0, s.r = 10, s.z0 = 35, s.z1 = 200;
    s.sphere = 1, s.sc[0] = 0, s.sc[1] = 0, s.sc[2] = 35, s.sr = 28;
    s.bone_lo[0] = s.bone_hi[0] = 1e9; /* no bone */
    PetscCall(Render(&s, &g, &ct));
    PetscCall(HtSegment_BloodPool(&ct, &o, &seg, &rep));
    double ztop = n[2] * sp[2] - 0.5 * sp[2] + 0.5 * sp[2]; /* upper face of the last slice */
    double Vs = 4.0 / 3.0 * PETSC_PI * pow(s.sr, 3) / 1000.0;
    /* tube part outside the sphere: from z = 35 + sqrt(28^2 - 10^2) (where the tube leaves the sphere) to the top, plus the cap */
    double zl = s.sc[2] + sqrt(s.sr * s.sr - s.r * s.r);
    double h = s.sr - sqrt(s.sr * s.sr - s.r * s.r);                               /* sphere cap height inside the tube */
    double Vcap = PETSC_PI * h * h * (3 * s.sr - h) / 3.0 / 1000.0;                /* cap above the plane z = zl */
    double Vt = PETSC_PI * s.r * s.r * (ztop - zl) / 1000.0;                       /* cylinder part above zl */
    double Vall = Vs - Vcap + Vt;
    double V = HtLabels_Volume_mL(&seg, -1);
    printf("tube+chamber: all %.1f mL (analytic %.1f), aorta %.1f mL (tube above the sphere %.1f), heart %.1f mL (sphere %.1f)\n", V, Vall, rep.volume_mL[1], Vt, rep.volume_mL[2], Vs);
    HT_CHECK_CLOSE(V, Vall, 0.03, 0, "tube + chamber volume");
    HT_CHECK_CLOSE(rep.volume_mL[2], Vs, 0.10, 0, "chamber labelled heart");
    HT_CHECK_CLOSE(rep.volume_mL[1], Vt, 0.15, 0, "tube labelled aorta");
    PetscCall(HtLabels_Free(&seg));
    PetscCall(HtVolume_Free(&ct));
  }
  /* 3. no contrast: a clear error, no labels */
  {
    PetscErrorCode ierr;
    PetscCall(HtVolume_Alloc(&ct, &g));
    for (size_t i = 0; i < HtGrid_Count(&g); i++) ct.val[i] = (float)(40 + 20 * Gauss());
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = HtSegment_BloodPool(&ct, &o, &seg, &rep);
    PetscCall(PetscPopErrorHandler());
    printf("non-contrast volume: error code %d\n", (int)ierr);
    HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "non-contrast input -> PETSC_ERR_USER_INPUT");
    HT_CHECK(seg.lab == NULL, "no labels on error");
    PetscCall(HtVolume_Free(&ct));
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
