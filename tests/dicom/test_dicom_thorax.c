/* Thorax CTA series: geometry and HU range equal to the values of SOURCE.md (from the original NIfTI,
 * independent of our reader); the same volume when the files are copied with shuffled names. */
#include "dicomtest.h"
#include <htdicom.h>

static PetscErrorCode Body(void)
{
  char              dir[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  HtVolume          vol, vol2;
  HtDicomMeta       meta;
  PetscInt          ns;
  HtDicomSeriesInfo *info;
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("dicom/series_ts_thorax_cta/dicom", dir, sizeof(dir))) PetscFunctionReturn(0);

  PetscCall(HtDicom_ScanFolder(dir, &ns, &info));
  printf("scan: %" PetscInt_FMT " series, %" PetscInt_FMT " files, %" PetscInt_FMT " positions, %s\n", ns, info[0].nfiles, info[0].npositions, info[0].modality);
  HT_CHECK(ns == 1 && info[0].nfiles == 164 && info[0].npositions == 164 && !strcmp(info[0].modality, "CT"), "scan: 1 CT series of 164 files expected");
  HT_CHECK(info[0].rows == 126 && info[0].cols == 120, "scan rows/cols");
  PetscCall(PetscFree(info));

  PetscCall(HtDicom_ReadSeries(dir, NULL, &vol, &meta));
  const HtGrid *g = &vol.g;
  printf("dims %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT ", spacing %.6g %.6g %.6g mm, origin %.6f %.6f %.6f mm\n", g->n[0], g->n[1], g->n[2], g->spacing[0], g->spacing[1], g->spacing[2], g->origin[0], g->origin[1], g->origin[2]);
  HT_CHECK(g->n[0] == 120 && g->n[1] == 126 && g->n[2] == 164, "dims 120 x 126 x 164 (cols x rows x slices)");
  for (int a = 0; a < 3; a++) HT_CHECK_CLOSE(g->spacing[a], 1.5, 0, 1e-6, "spacing 1.5 mm");
  HT_CHECK_CLOSE(g->origin[0], -71.6582, 0, 1e-4, "origin x");
  HT_CHECK_CLOSE(g->origin[1], -255.6582, 0, 1e-4, "origin y");
  HT_CHECK_CLOSE(g->origin[2], 540.2, 0, 1e-4, "origin z");
  for (int q = 0; q < 9; q++) HT_CHECK_CLOSE(g->dir[q], (q % 4 == 0) ? 1.0 : 0.0, 0, 1e-9, "direction = identity (IOP 1\\0\\0\\0\\1\\0, ascending z)");
  /* last slice centre at origin + 163 * 1.5 along +z */
  PetscReal ijk[3] = {0, 0, 163}, x[3];
  HtGrid_IndexToWorld(g, ijk, x);
  HT_CHECK_CLOSE(x[2], 540.2 + 163 * 1.5, 0, 1e-3, "last slice z");
  size_t nv = HtGrid_Count(g);
  double lo = 1e30, hi = -1e30, sum = 0;
  for (size_t q = 0; q < nv; q++) {
    lo = PetscMin(lo, vol.val[q]);
    hi = PetscMax(hi, vol.val[q]);
    sum += vol.val[q];
  }
  printf("HU min %.1f max %.1f mean %.4f; meta hu %.1f..%.1f, step %.4f mm, %" PetscInt_FMT " slices, %" PetscInt_FMT " warnings\n", lo, hi, sum / nv, meta.hu_min, meta.hu_max, meta.slice_step_mm, meta.nslices, meta.nwarnings);
  HT_CHECK(lo == -1078 && hi == 3343, "HU range -1078..3343");
  HT_CHECK_CLOSE(sum / nv, -200.7137, 0, 1e-3, "HU mean (series_truth.json)");
  HT_CHECK(meta.nslices == 164 && meta.sop_instance_uid && meta.sop_instance_uid[0][0], "per-slice SOP UIDs");
  HT_CHECK(!strcmp(meta.modality, "CT"), "modality CT");
  HT_CHECK(meta.patient_name[0] && meta.patient_id[0] && meta.study_instance_uid[0], "identifying attributes kept in memory for de-identification");
  HT_CHECK(HtGrid_Same(&meta.grid, g, 1e-9), "meta grid equals volume grid");

  /* shuffled copy: names whose order has nothing to do with the slice order */
  int    nf;
  char **names;
  PetscCall(HtT_TempDir("thorax_shuffled", tmp, sizeof(tmp)));
  PetscCall(HtT_ListDir(dir, &nf, &names));
  int *perm = (int *)malloc(sizeof(int) * nf);
  for (int q = 0; q < nf; q++) perm[q] = q;
  HtT_Shuffle(perm, nf, 12345u);
  for (int q = 0; q < nf; q++) {
    char src[PETSC_MAX_PATH_LEN], dst[PETSC_MAX_PATH_LEN], nm[32];
    snprintf(nm, sizeof(nm), "s%03d", perm[q]);
    PetscCall(HtT_Join(src, sizeof(src), dir, names[q]));
    PetscCall(HtT_Join(dst, sizeof(dst), tmp, nm));
    PetscCall(HtT_CopyFile(src, dst));
  }
  HtT_FreeList(nf, names);
  free(perm);
  PetscCall(HtDicom_ReadSeries(tmp, NULL, &vol2, NULL));
  HT_CHECK(HtGrid_Same(&vol.g, &vol2.g, 1e-9), "shuffled: same grid");
  size_t ndiff = 0;
  for (size_t q = 0; q < nv; q++) ndiff += vol.val[q] != vol2.val[q];
  printf("shuffled copy (%d files): %zu voxels differ\n", nf, ndiff);
  HT_CHECK(ndiff == 0, "shuffled file names give the identical volume");
  HtT_RmTree(tmp);
  PetscCall(HtVolume_Free(&vol2));
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
