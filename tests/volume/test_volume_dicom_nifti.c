/* The NIfTI reader against a second reader (DCMTK-based HtDicom_ReadSeries) on the same pixels:
 *  1. thorax CTA: image.nii.gz and the DICOM series hold the same pixels (SOURCE.md) -> same
 *     grid and identical values;
 *  2. abdomen: labels.nii.gz is stored LAS (row flipped against DICOM). Mapped through world
 *     coordinates onto the DICOM volume, the labels must give the documented mean HU
 *     (aorta 177.3 HU, T12 vertebra 267.0 HU in labels.json; a wrong flip gives nonsense). */
#include <htvolumeio.h>
#include <htdicom.h>
#include "httest.h"

static void MeanThroughWorld(const HtLabels *l, const HtVolume *v, int value, double *mean, size_t *n, size_t *outside)
{
  double s = 0;
  *n = *outside = 0;
  for (PetscInt k = 0; k < l->g.n[2]; k++)
    for (PetscInt j = 0; j < l->g.n[1]; j++)
      for (PetscInt i = 0; i < l->g.n[0]; i++) {
        if (l->lab[HtGrid_Index(&l->g, i, j, k)] != value) continue;
        PetscReal ijk[3] = {i, j, k}, x[3], q[3];
        HtGrid_IndexToWorld(&l->g, ijk, x);
        HtGrid_WorldToIndex(&v->g, x, q);
        PetscInt a = (PetscInt)lround(q[0]), b = (PetscInt)lround(q[1]), c = (PetscInt)lround(q[2]);
        if (a < 0 || b < 0 || c < 0 || a >= v->g.n[0] || b >= v->g.n[1] || c >= v->g.n[2]) {
          (*outside)++;
          continue;
        }
        s += v->val[HtGrid_Index(&v->g, a, b, c)];
        (*n)++;
      }
  *mean = *n ? s / (double)*n : 0;
}

static PetscErrorCode Run(void)
{
  char     p[PETSC_MAX_PATH_LEN];
  HtVolume dcm, nii;
  HtLabels lab;
  PetscFunctionBeginUser;
  if (HtTest_RequireData("dicom/series_ts_thorax_cta/dicom", p, sizeof p)) {
    PetscCall(HtDicom_ReadSeries(p, NULL, &dcm, NULL));
    if (HtTest_RequireData("volumes/ts_thorax_cta/image.nii.gz", p, sizeof p)) {
      PetscCall(HtVolume_ReadNIfTI(p, &nii));
      PetscBool same = HtGrid_Same(&dcm.g, &nii.g, 1e-2);
      printf("thorax: DICOM grid %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " origin %.3f %.3f %.3f; NIfTI origin %.3f %.3f %.3f; same grid: %s\n", dcm.g.n[0], dcm.g.n[1], dcm.g.n[2], dcm.g.origin[0], dcm.g.origin[1], dcm.g.origin[2], nii.g.origin[0], nii.g.origin[1], nii.g.origin[2], same ? "yes" : "no");
      HT_CHECK(same, "DICOM and NIfTI grids differ");
      if (same) {
        double maxd = 0;
        for (size_t i = 0; i < HtGrid_Count(&dcm.g); i++) maxd = PetscMax(maxd, fabs((double)dcm.val[i] - (double)nii.val[i]));
        printf("thorax: max |DICOM - NIfTI| = %g HU\n", maxd);
        HT_CHECK(maxd == 0, "pixels differ by up to %g HU", maxd);
      }
      PetscCall(HtVolume_Free(&nii));
    }
    PetscCall(HtVolume_Free(&dcm));
  }
  if (HtTest_RequireData("dicom/series_ts_abdomen_ct/dicom", p, sizeof p)) {
    PetscCall(HtDicom_ReadSeries(p, NULL, &dcm, NULL));
    if (HtTest_RequireData("dicom/series_ts_abdomen_ct/labels.nii.gz", p, sizeof p)) {
      double m;
      size_t n, out;
      PetscCall(HtLabels_ReadNIfTI(p, &lab));
      /* LAS is left-handed (qfac -1): VTK reverses the slices, so k may point to I; i -> L, j -> A */
      printf("abdomen labels: dir diag %.0f %.0f %.0f (file LAS: i -> L, j -> A)\n", lab.g.dir[0], lab.g.dir[4], lab.g.dir[8]);
      HT_CHECK(lab.g.dir[0] > 0.99 && lab.g.dir[4] < -0.99 && fabs(lab.g.dir[8]) > 0.99, "LAS directions");
      MeanThroughWorld(&lab, &dcm, 52, &m, &n, &out);
      printf("abdomen aorta (52): %zu voxels, %zu outside the DICOM volume, mean %.1f HU (documented 177.3)\n", n, out, m);
      HT_CHECK(n > 0 && out == 0, "aorta voxels map inside the DICOM volume");
      HT_CHECK_CLOSE(m, 177.3, 0, 2.0, "aorta mean HU through world coordinates");
      MeanThroughWorld(&lab, &dcm, 32, &m, &n, &out);
      printf("abdomen T12 (32): %zu voxels, mean %.1f HU (documented 267.0)\n", n, m);
      HT_CHECK_CLOSE(m, 267.0, 0, 2.0, "T12 mean HU through world coordinates");
      /* reorienting the labels must not move them */
      PetscCall(HtLabels_Reorient(&lab));
      MeanThroughWorld(&lab, &dcm, 52, &m, &n, &out);
      printf("abdomen aorta after reorient (dir diag %.0f %.0f %.0f): mean %.1f HU\n", lab.g.dir[0], lab.g.dir[4], lab.g.dir[8], m);
      HT_CHECK_CLOSE(m, 177.3, 0, 2.0, "aorta mean HU after reorient");
      printf("abdomen labels after reorient: origin %.3f %.3f %.3f, DICOM origin %.3f %.3f %.3f\n", lab.g.origin[0], lab.g.origin[1], lab.g.origin[2], dcm.g.origin[0], dcm.g.origin[1], dcm.g.origin[2]);
      HT_CHECK(HtGrid_Same(&lab.g, &dcm.g, 1e-2), "reoriented labels lie on the DICOM grid");
      PetscCall(HtLabels_Free(&lab));
    }
    PetscCall(HtVolume_Free(&dcm));
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
