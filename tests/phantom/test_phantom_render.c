/* Rendered HU statistics: deep inside the blood pool the CT is the blood HU plus white noise, so the
 * mean is 350 HU within 3 sd/sqrt(n) and the sd is the noise sd; the same seed reproduces the volume. */
#include <htphantom.h>
#include "httest.h"

/* voxel (i,j,k) and every voxel within +-e along each axis carry a non-zero truth label */
static PetscBool DeepInside(const HtLabels *lab, PetscInt i, PetscInt j, PetscInt k, PetscInt e)
{
  const HtGrid *g = &lab->g;
  if (i < e || j < e || k < e || i >= g->n[0] - e || j >= g->n[1] - e || k >= g->n[2] - e) return PETSC_FALSE;
  for (PetscInt c = -e; c <= e; c++)
    for (PetscInt b = -e; b <= e; b++)
      for (PetscInt a = -e; a <= e; a++)
        if (!lab->lab[HtGrid_Index(g, i + a, j + b, k + c)]) return PETSC_FALSE;
  return PETSC_TRUE;
}

static PetscErrorCode Body(void)
{
  HtPhantom ph;
  HtGrid    g;
  HtVolume  ct, ct2;
  HtLabels  lab;
  double    sum = 0, sum2 = 0, t0, maxdiff = 0, ndiff = 0;
  size_t    cnt = 0, n;
  PetscInt  e;

  PetscFunctionBeginUser;
  PetscCall(HtPhantom_Default(&ph));
  PetscCall(HtPhantom_DefaultGrid(&ph, &g));
  n  = HtGrid_Count(&g);
  t0 = HtTime_Now();
  PetscCall(HtPhantom_Render(&ph, &g, 1234u, &ct));
  printf("rendered %.2f M voxels in %.2f s (information only)\n", n / 1e6, HtTime_Now() - t0);
  PetscCall(HtPhantom_TrueLabels(&ph, &g, &lab));
  /* 3 mm from any boundary: well beyond the partial-volume voxel plus 3 blur sigmas (2.1 mm) */
  e = (PetscInt)PetscCeilReal(3.0 / g.spacing[0]);
  for (PetscInt k = 0; k < g.n[2]; k++)
    for (PetscInt j = 0; j < g.n[1]; j++)
      for (PetscInt i = 0; i < g.n[0]; i++)
        if (lab.lab[HtGrid_Index(&g, i, j, k)] && DeepInside(&lab, i, j, k, e)) {
          double v = ct.val[HtGrid_Index(&g, i, j, k)];
          sum += v, sum2 += v * v, cnt++;
        }
  HT_CHECK(cnt > 10000, "only %zu deep blood voxels", cnt);
  if (cnt > 1) {
    double mean = sum / cnt, sd = sqrt((sum2 - cnt * mean * mean) / (cnt - 1)), tol = 3 * ph.noise_sd_HU / sqrt((double)cnt);
    printf("blood pool >= %" PetscInt_FMT " voxels from the wall: n = %zu, mean %.3f HU (expected %.0f +- %.3f), sd %.3f HU (noise sd %.1f)\n", e, cnt, mean, (double)ph.hu_blood, tol, sd, (double)ph.noise_sd_HU);
    HT_CHECK(fabs(mean - ph.hu_blood) <= tol, "blood mean %.3f HU not within %.3f of %.0f", mean, tol, (double)ph.hu_blood);
    HT_CHECK_CLOSE(sd, ph.noise_sd_HU, 0.03, 0, "blood noise sd");
  }
  /* reproducible: same seed -> identical volume; other seed -> different noise, same mean structure */
  PetscCall(HtPhantom_Render(&ph, &g, 1234u, &ct2));
  for (size_t i = 0; i < n; i++) maxdiff = PetscMax(maxdiff, fabs((double)ct.val[i] - ct2.val[i]));
  printf("same seed: max |difference| %.3g HU\n", maxdiff);
  HT_CHECK(maxdiff == 0, "same seed gave a different volume (max diff %g)", maxdiff);
  PetscCall(HtVolume_Free(&ct2));
  PetscCall(HtPhantom_Render(&ph, &g, 99u, &ct2));
  for (size_t i = 0; i < n; i++) ndiff += ct.val[i] != ct2.val[i];
  printf("other seed: %.1f %% of voxels differ\n", 100.0 * ndiff / n);
  HT_CHECK(ndiff > 0.99 * n, "another seed did not change the noise");
  PetscCall(HtVolume_Free(&ct2));
  /* the vertebral body and lungs are rendered: check HU at their exactly known centres */
  {
    PetscReal xb[3] = {ph.vb_c[0], ph.vb_c[1], ph.vb_z0_mm + 0.5 * (ph.vb_body_mm + ph.vb_disc_mm)}, ijk[3];
    PetscReal xl[3] = {ph.grid_lo_mm[0] + 5, 0, -60};
    HtGrid_WorldToIndex(&g, xb, ijk);
    {
      double v = ct.val[HtGrid_Index(&g, (PetscInt)lround(ijk[0]), (PetscInt)lround(ijk[1]), (PetscInt)lround(ijk[2]))];
      printf("vertebral body centre: %.1f HU (cancellous %.0f)\n", v, (double)ph.hu_cancellous);
      HT_CHECK(fabs(v - ph.hu_cancellous) < 5 * ph.noise_sd_HU, "vertebral body centre %.1f HU", v);
    }
    HtGrid_WorldToIndex(&g, xl, ijk);
    {
      double v = ct.val[HtGrid_Index(&g, (PetscInt)lround(ijk[0]), (PetscInt)lround(ijk[1]), (PetscInt)lround(ijk[2]))];
      printf("right lung point: %.1f HU (lung %.0f)\n", v, (double)ph.hu_lung);
      HT_CHECK(fabs(v - ph.hu_lung) < 5 * ph.noise_sd_HU, "lung point %.1f HU", v);
    }
  }
  PetscCall(HtLabels_Free(&lab));
  PetscCall(HtVolume_Free(&ct));
  /* partial volume + blur conserve the blood "mass": sum of (HU - soft)/(blood - soft) x voxel volume
   * over a noise-free render of a tilted capsule (r 5.3, L 40) is its analytic volume */
  {
    HtPhantom cap;
    HtGrid    cg;
    PetscInt  cn[3] = {48, 48, 56};
    PetscReal co[3] = {-29.375, -29.375, -34.375}, cs[3] = {1.25, 1.25, 1.25}, d[3] = {0.36, -0.48, 0.8}, r = 5.3, L = 40;
    double    frac = 0, exact = PETSC_PI * r * r * L + 4.0 / 3.0 * PETSC_PI * r * r * r;
    memset(&cap, 0, sizeof(cap));
    cap.ntubes = 1;
    PetscCall(PetscStrncpy(cap.tube[0].name, "capsule", sizeof(cap.tube[0].name)));
    cap.tube[0].npieces = 1, cap.tube[0].nknots = 1, cap.tube[0].knot_r_mm[0] = r, cap.tube[0].parent = -1;
    for (int c = 0; c < 3; c++) cap.tube[0].piece[0].a[c] = -0.5 * L * d[c], cap.tube[0].piece[0].b[c] = 0.5 * L * d[c];
    cap.hu_blood = ph.hu_blood, cap.hu_soft = ph.hu_soft, cap.supersample = 5, cap.blur_sigma_mm = ph.blur_sigma_mm, cap.noise_sd_HU = 0;
    PetscCall(HtPhantom_SetUp(&cap));
    HtGrid_SetAxisAligned(&cg, cn, co, cs);
    PetscCall(HtPhantom_Render(&cap, &cg, 1u, &ct));
    for (size_t i = 0; i < HtGrid_Count(&cg); i++) frac += (ct.val[i] - cap.hu_soft) / (cap.hu_blood - cap.hu_soft);
    frac *= HtGrid_VoxelVolume_mm3(&cg);
    printf("noise-free tilted capsule (r %.1f, L %.0f, 1.25 mm voxels, 5^3 supersampling, blur %.1f mm): blood fraction x volume %.1f mm^3, analytic %.1f mm^3, rel err %.2e\n", (double)r, (double)L, (double)cap.blur_sigma_mm, frac, exact, (frac - exact) / exact);
    HT_CHECK_CLOSE(frac, exact, 0.01, 0, "partial-volume capsule volume");
    PetscCall(HtVolume_Free(&ct));
  }
  PetscCall(HtPhantom_Destroy(&ph));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
