/* Every series of series_truth.json (geometry and values computed by pydicom, a second reader):
 * rows/cols, pixel spacing, slice normal, first position along the normal, median gap, HU range and
 * mean. A multi-phase series (several images per position) must be refused with a clear message. */
#include "dicomtest.h"
#include <cjson/cJSON.h>
#include <htdicom.h>

static double Num(const cJSON *o, const char *k) { return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k)); }

static PetscErrorCode CheckSeries(const char *root, const cJSON *t)
{
  char        dir[PETSC_MAX_PATH_LEN], sub[PETSC_MAX_PATH_LEN], msg[1024];
  const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(t, "series"));
  HtVolume    vol;
  HtDicomMeta meta;
  PetscFunctionBeginUser;
  snprintf(sub, sizeof(sub), "%s/dicom", name);
  PetscCall(HtT_Join(dir, sizeof(dir), root, sub));
  const cJSON *ipp = cJSON_GetObjectItem(t, "images_per_position");
  if (ipp && cJSON_GetArraySize(ipp) == 1 && cJSON_GetArrayItem(ipp, 0)->valuedouble > 1) {
    /* default read of a cine series: end-diastole (phase 0 = earliest TriggerTime), with a warning */
    HtVolume    ed;
    HtDicomMeta edm;
    PetscCall(HtDicom_ReadSeries(dir, NULL, &ed, &edm));
    PetscBool said = PETSC_FALSE;
    for (PetscInt w = 0; w < edm.nwarnings; w++) said = said || strstr(edm.warnings[w], "end-diastole") != NULL;
    printf("%s: %g images per position -> default read %" PetscInt_FMT " slices, warning %s\n", name, cJSON_GetArrayItem(ipp, 0)->valuedouble, ed.g.n[2], edm.nwarnings ? edm.warnings[edm.nwarnings - 1] : "(none)");
    HT_CHECK(said, "%s: cine default read says end-diastole", name);
    /* duplicates without distinct timing are still refused (ReadFiles of phase 0 twice) */
    /* one cardiac phase read as a volume: files N.dcm = InstanceNumber N, 20 phases per position
     * (SOURCE.md), so N = 1, 21, 41, ... is one image per position: oblique geometry check */
    int          npos = (int)Num(t, "n_unique_positions"), per = (int)cJSON_GetArrayItem(ipp, 0)->valuedouble;
    char       **files = (char **)malloc(sizeof(char *) * npos);
    const cJSON *nrm = cJSON_GetObjectItem(t, "slice_normal"), *fp = cJSON_GetObjectItem(t, "first_ipp_sorted_along_normal"), *iop = cJSON_GetObjectItem(t, "iop");
    for (int k = 0; k < npos; k++) {
      char nm[32];
      files[k] = (char *)malloc(PETSC_MAX_PATH_LEN);
      snprintf(nm, sizeof(nm), "%d.dcm", 1 + per * k);
      PetscCall(HtT_Join(files[k], PETSC_MAX_PATH_LEN, dir, nm));
    }
    PetscCall(HtDicom_ReadFiles(npos, (const char *const *)files, &vol, &meta));
    const HtGrid *g = &vol.g;
    printf("%s phase 0 (files 1+20k): %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT ", spacing %.7g %.7g %.5g mm, origin %.4f %.4f %.4f, normal %.5f %.5f %.5f\n", name, g->n[0], g->n[1], g->n[2], g->spacing[0], g->spacing[1], g->spacing[2], g->origin[0], g->origin[1], g->origin[2], g->dir[6], g->dir[7], g->dir[8]);
    HT_CHECK(g->n[0] == (PetscInt)Num(t, "cols") && g->n[1] == (PetscInt)Num(t, "rows") && g->n[2] == npos, "%s phase: dims", name);
    HT_CHECK_CLOSE(g->spacing[2], Num(t, "gap_median"), 0, 2e-3, "oblique slice step");
    for (int c = 0; c < 3; c++) {
      HT_CHECK_CLOSE(g->dir[6 + c], cJSON_GetArrayItem(nrm, c)->valuedouble, 0, 1e-4, "oblique slice normal");
      HT_CHECK_CLOSE(g->origin[c], cJSON_GetArrayItem(fp, c)->valuedouble, 0, 1e-3, "oblique first position along the normal");
    }
    for (int c = 0; c < 6; c++) HT_CHECK_CLOSE(g->dir[c], cJSON_GetArrayItem(iop, c)->valuedouble, 0, 1e-5, "oblique row/column cosines");
    /* last slice centre lands on the last position along the normal: distance min..max from the truth */
    PetscReal ijk[3] = {0, 0, (PetscReal)(npos - 1)}, x0[3], x1[3];
    HtGrid_IndexToWorld(g, (PetscReal[3]){0, 0, 0}, x0);
    HtGrid_IndexToWorld(g, ijk, x1);
    double d0 = x0[0] * g->dir[6] + x0[1] * g->dir[7] + x0[2] * g->dir[8], d1 = x1[0] * g->dir[6] + x1[1] * g->dir[7] + x1[2] * g->dir[8];
    HT_CHECK_CLOSE(d0, Num(t, "normal_dist_min"), 0, 1e-3, "first distance along the normal");
    HT_CHECK_CLOSE(d1, Num(t, "normal_dist_max"), 0, 1e-2, "last distance along the normal");
    /* the same phase selected by TriggerTime: identical volume; phase 7 = files 8 + 20 k */
    HtVolume ph;
    PetscCall(HtDicom_ReadSeriesPhase(dir, NULL, 0, &ph, NULL));
    size_t nd = 0, nvp = HtGrid_Count(&vol.g);
    for (size_t q = 0; q < nvp; q++) nd += ph.val[q] != vol.val[q];
    printf("%s: phase 0 by TriggerTime vs files 1+%dk: %zu voxels differ\n", name, per, nd);
    HT_CHECK(nd == 0 && HtGrid_Same(&ph.g, &vol.g, 1e-9), "phase 0 selection");
    nd = 0;
    for (size_t q = 0; q < nvp; q++) nd += ed.val[q] != vol.val[q];
    HT_CHECK(nd == 0 && HtGrid_Same(&ed.g, &vol.g, 1e-9), "default (end-diastole) read = files 1+%dk", per);
    PetscCall(HtVolume_Free(&ed));
    PetscCall(HtDicomMeta_Free(&edm));
    PetscCall(HtVolume_Free(&ph));
    {
      const char *dup[2] = {files[0], files[0]};
      HT_EXPECT_ERROR(HtDicom_ReadFiles(2, dup, &ph, NULL), msg, sizeof(msg));
      printf("%s: the same file twice -> %s\n", name, msg);
      HT_CHECK(strstr(msg, "duplicate slice position") != NULL, "duplicates without timing refused");
    }
    PetscCall(HtVolume_Free(&vol));
    PetscCall(HtDicomMeta_Free(&meta));
    for (int k = 0; k < npos; k++) {
      char nm[32];
      snprintf(nm, sizeof(nm), "%d.dcm", 8 + per * k);
      PetscCall(HtT_Join(files[k], PETSC_MAX_PATH_LEN, dir, nm));
    }
    PetscCall(HtDicom_ReadFiles(npos, (const char *const *)files, &vol, &meta));
    PetscCall(HtDicom_ReadSeriesPhase(dir, NULL, 7, &ph, NULL));
    nd = 0;
    for (size_t q = 0; q < nvp; q++) nd += ph.val[q] != vol.val[q];
    printf("%s: phase 7 by TriggerTime vs files 8+%dk: %zu voxels differ\n", name, per, nd);
    HT_CHECK(nd == 0, "phase 7 selection");
    PetscCall(HtVolume_Free(&ph));
    HT_EXPECT_ERROR(HtDicom_ReadSeriesPhase(dir, NULL, per, &ph, NULL), msg, sizeof(msg));
    printf("%s: phase %d -> %s\n", name, per, msg);
    HT_CHECK(strstr(msg, "phase(s)") != NULL, "missing phase message");
    for (int k = 0; k < npos; k++) free(files[k]);
    free(files);
    PetscCall(HtVolume_Free(&vol));
    PetscCall(HtDicomMeta_Free(&meta));
    PetscFunctionReturn(0);
  }
  PetscCall(HtDicom_ReadSeries(dir, NULL, &vol, &meta));
  const HtGrid *g = &vol.g;
  double ps_row = 0, ps_col = 0;
  sscanf(cJSON_GetStringValue(cJSON_GetObjectItem(t, "pixel_spacing")), "%lf\\%lf", &ps_row, &ps_col);
  const cJSON *nrm = cJSON_GetObjectItem(t, "slice_normal"), *fp = cJSON_GetObjectItem(t, "first_ipp_sorted_along_normal");
  printf("%s: %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT ", spacing %.8g %.8g %.8g mm, origin %.4f %.4f %.4f, normal %.4f %.4f %.4f, HU %.0f..%.0f\n", name, g->n[0], g->n[1], g->n[2], g->spacing[0], g->spacing[1], g->spacing[2], g->origin[0], g->origin[1],
         g->origin[2], g->dir[6], g->dir[7], g->dir[8], meta.hu_min, meta.hu_max);
  HT_CHECK(g->n[0] == (PetscInt)Num(t, "cols") && g->n[1] == (PetscInt)Num(t, "rows"), "%s: cols x rows", name);
  HT_CHECK(g->n[2] == (PetscInt)Num(t, "n_unique_positions"), "%s: slices", name);
  HT_CHECK_CLOSE(g->spacing[0], ps_col, 1e-6, 0, "column spacing (PixelSpacing[1])");
  HT_CHECK_CLOSE(g->spacing[1], ps_row, 1e-6, 0, "row spacing (PixelSpacing[0])");
  HT_CHECK_CLOSE(g->spacing[2], Num(t, "gap_median"), 0, 1e-3, "slice step");
  for (int c = 0; c < 3; c++) {
    HT_CHECK_CLOSE(g->dir[6 + c], cJSON_GetArrayItem(nrm, c)->valuedouble, 0, 1e-4, "slice normal");
    HT_CHECK_CLOSE(g->origin[c], cJSON_GetArrayItem(fp, c)->valuedouble, 0, 1e-3, "first position along the normal");
  }
  const cJSON *iop = cJSON_GetObjectItem(t, "iop");
  for (int c = 0; c < 6; c++) HT_CHECK_CLOSE(g->dir[c], cJSON_GetArrayItem(iop, c)->valuedouble, 0, 1e-4, "row/column cosines");
  size_t nv  = HtGrid_Count(g);
  double sum = 0;
  for (size_t q = 0; q < nv; q++) sum += vol.val[q];
  printf("%s: HU mean %.4f (truth %.4f)\n", name, sum / nv, Num(t, "rescaled_mean"));
  HT_CHECK(meta.hu_min == Num(t, "rescaled_min") && meta.hu_max == Num(t, "rescaled_max"), "%s: value range", name);
  HT_CHECK_CLOSE(sum / nv, Num(t, "rescaled_mean"), 0, 1e-3, "mean");
  if (!strcmp(name, "series_lidc_0001_chest_ct")) {
    /* dcmdump: PixelPaddingValue US 63536 with PixelRepresentation 1 -> -2000, intercept -1024 */
    printf("%s: padding %d %.0f HU\n", name, (int)meta.has_padding, meta.padding_hu);
    HT_CHECK(meta.has_padding && meta.padding_hu == -3024, "LIDC padding value -3024 HU");
  }
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char  root[PETSC_MAX_PATH_LEN], js[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("dicom/series_truth.json", js, sizeof(js))) PetscFunctionReturn(0);
  PetscCall(HtData_Path("dicom", root, sizeof(root), NULL));
  FILE *f = fopen(js, "rb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", js);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *txt = (char *)malloc((size_t)n + 1);
  PetscCheck(fread(txt, 1, (size_t)n, f) == (size_t)n, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", js);
  txt[n] = 0;
  fclose(f);
  cJSON *arr = cJSON_Parse(txt);
  free(txt);
  PetscCheck(cJSON_IsArray(arr), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not a JSON array", js);
  int ns = cJSON_GetArraySize(arr);
  printf("%d series in %s\n", ns, js);
  HT_CHECK(ns >= 4, "at least the 4 reference series");
  for (int q = 0; q < ns; q++) PetscCall(CheckSeries(root, cJSON_GetArrayItem(arr, q)));
  cJSON_Delete(arr);
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
