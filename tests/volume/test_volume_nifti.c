/* NIfTI reader against the documented geometry of the reference volumes (SOURCE.md, checked
 * there with nibabel and VTK) and the documented mean HU of labelled structures. */
#include <htvolumeio.h>
#include "httest.h"

/* mean HU and centroid (LPS mm) of voxels with label value v */
static void LabelStats(const HtVolume *ct, const HtLabels *l, int v, double *mean, double c[3], size_t *count)
{
  double s = 0, x[3] = {0, 0, 0};
  size_t m = 0;
  for (PetscInt k = 0; k < l->g.n[2]; k++)
    for (PetscInt j = 0; j < l->g.n[1]; j++)
      for (PetscInt i = 0; i < l->g.n[0]; i++) {
        size_t id = HtGrid_Index(&l->g, i, j, k);
        if (l->lab[id] != v) continue;
        PetscReal ijk[3] = {i, j, k}, w[3];
        HtGrid_IndexToWorld(&l->g, ijk, w);
        s += ct->val[id];
        for (int d = 0; d < 3; d++) x[d] += w[d];
        m++;
      }
  *mean  = m ? s / m : 0;
  *count = m;
  for (int d = 0; d < 3; d++) c[d] = m ? x[d] / m : 0;
}

static PetscErrorCode Run(void)
{
  char     p[PETSC_MAX_PATH_LEN];
  HtVolume ct;
  HtLabels lab;
  PetscFunctionBeginUser;
  if (HtTest_RequireData("volumes/ts_thorax_cta/image.nii.gz", p, sizeof p)) {
    PetscCall(HtVolume_ReadNIfTI(p, &ct));
    printf("thorax CTA: %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT ", spacing %.4f %.4f %.4f, origin %.3f %.3f %.3f\n", ct.g.n[0], ct.g.n[1], ct.g.n[2], ct.g.spacing[0], ct.g.spacing[1], ct.g.spacing[2], ct.g.origin[0], ct.g.origin[1], ct.g.origin[2]);
    HT_CHECK(ct.g.n[0] == 120 && ct.g.n[1] == 126 && ct.g.n[2] == 164, "thorax dims");
    for (int a = 0; a < 3; a++) HT_CHECK_CLOSE(ct.g.spacing[a], 1.5, 0, 1e-5, "thorax spacing");
    HT_CHECK_CLOSE(ct.g.origin[0], -71.658, 0, 1e-3, "thorax origin x");
    HT_CHECK_CLOSE(ct.g.origin[1], -255.658, 0, 1e-3, "thorax origin y");
    HT_CHECK_CLOSE(ct.g.origin[2], 540.2, 0, 1e-3, "thorax origin z");
    for (int a = 0; a < 9; a++) HT_CHECK_CLOSE(ct.g.dir[a], (a % 4 == 0) ? 1.0 : 0.0, 0, 1e-6, "thorax direction = identity");
    float mn = 1e30f, mx = -1e30f;
    for (size_t i = 0; i < HtGrid_Count(&ct.g); i++) {
      mn = PetscMin(mn, ct.val[i]);
      mx = PetscMax(mx, ct.val[i]);
    }
    printf("thorax HU range %.0f .. %.0f (documented -1078 .. 3343)\n", (double)mn, (double)mx);
    HT_CHECK(mn == -1078.f && mx == 3343.f, "thorax HU range");
    if (HtTest_RequireData("volumes/ts_thorax_cta/aorta_true_false_lumen.nii.gz", p, sizeof p)) {
      double mean1, mean2, c[3];
      size_t n1, n2;
      PetscCall(HtLabels_ReadNIfTI(p, &lab));
      HT_CHECK(HtGrid_Same(&lab.g, &ct.g, 1e-3), "lumen labels on the image grid");
      LabelStats(&ct, &lab, 1, &mean1, c, &n1);
      LabelStats(&ct, &lab, 2, &mean2, c, &n2);
      printf("true lumen %zu voxels mean %.0f HU (documented ~487), false lumen %zu voxels mean %.0f HU (documented ~212)\n", n1, mean1, n2, mean2);
      HT_CHECK_CLOSE(mean1, 487, 0, 15, "true lumen mean HU");
      HT_CHECK_CLOSE(mean2, 212, 0, 15, "false lumen mean HU");
      PetscCall(HtLabels_Free(&lab));
    }
    PetscCall(HtVolume_Free(&ct));
  }
  if (HtTest_RequireData("volumes/ts_abdomen_ct/image.nii.gz", p, sizeof p)) {
    PetscCall(HtVolume_ReadNIfTI(p, &ct));
    printf("abdomen CT: %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT ", origin %.3f %.3f %.3f, dir diag %.0f %.0f %.0f\n", ct.g.n[0], ct.g.n[1], ct.g.n[2], ct.g.origin[0], ct.g.origin[1], ct.g.origin[2], ct.g.dir[0], ct.g.dir[4], ct.g.dir[8]);
    HT_CHECK(ct.g.n[0] == 122 && ct.g.n[1] == 101 && ct.g.n[2] == 112, "abdomen dims");
    HT_CHECK_CLOSE(ct.g.origin[0], 177.956, 0, 1e-3, "abdomen origin x");
    HT_CHECK_CLOSE(ct.g.origin[1], -11.319, 0, 1e-3, "abdomen origin y");
    HT_CHECK_CLOSE(ct.g.origin[2], 94.302, 0, 1e-3, "abdomen origin z");
    HT_CHECK_CLOSE(ct.g.dir[0], -1, 0, 1e-6, "abdomen dir i = -L (RAS voxel order)");
    HT_CHECK_CLOSE(ct.g.dir[4], -1, 0, 1e-6, "abdomen dir j = -P");
    HT_CHECK_CLOSE(ct.g.dir[8], 1, 0, 1e-6, "abdomen dir k = +S");
    if (HtTest_RequireData("volumes/ts_abdomen_ct/labels.nii.gz", p, sizeof p)) {
      double mean, c[3];
      size_t n;
      PetscCall(HtLabels_ReadNIfTI(p, &lab));
      HT_CHECK(HtGrid_Same(&lab.g, &ct.g, 1e-3), "abdomen labels on the image grid");
      LabelStats(&ct, &lab, 52, &mean, c, &n);
      printf("abdomen aorta (label 52): %zu voxels, mean %.1f HU (documented 42), centroid LPS %.1f %.1f %.1f\n", n, mean, c[0], c[1], c[2]);
      HT_CHECK_CLOSE(mean, 42, 0, 5, "abdomen aorta mean HU");
      /* anatomy: the abdominal aorta lies left of the midline-ish and anterior to the spine; the IVC (63) lies to its right */
      double mi, ci[3];
      size_t ni;
      LabelStats(&ct, &lab, 63, &mi, ci, &ni);
      printf("abdomen IVC (label 63): %zu voxels, centroid LPS %.1f %.1f %.1f\n", ni, ci[0], ci[1], ci[2]);
      HT_CHECK(ci[0] < c[0], "IVC is to the patient's right of the aorta (smaller L coordinate)");
      PetscCall(HtLabels_Free(&lab));
    }
    PetscCall(HtVolume_Free(&ct));
  }
  /* bad input: clear error, no crash */
  {
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = HtVolume_ReadNIfTI("/nonexistent/x.nii.gz", &ct);
    HT_CHECK(ierr == PETSC_ERR_FILE_OPEN, "missing file -> PETSC_ERR_FILE_OPEN (got %d)", (int)ierr);
    FILE *f = fopen("garbage.nii", "wb");
    if (f) {
      fputs("this is not a nifti file at all, just some text\n", f);
      fclose(f);
    }
    ierr = HtVolume_ReadNIfTI("garbage.nii", &ct);
    HT_CHECK(ierr != 0, "garbage file -> error");
    HT_CHECK(ct.val == NULL, "no volume on error");
    ierr = HtVolume_Read("x.png", &ct);
    HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "unknown extension -> PETSC_ERR_USER_INPUT");
    PetscCall(PetscPopErrorHandler());
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
