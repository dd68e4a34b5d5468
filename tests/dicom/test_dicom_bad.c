/* Bad input gives a non-zero error whose one-line message names the problem (and the file):
 * missing folder, empty folder, a lone non-DICOM file, a series with a missing middle slice, a
 * duplicated slice position, truncated pixel data, no geometry. A folder with junk beside a valid
 * series is read with a warning. All copies go to temp folders under the build dir. */
#include "dicomtest.h"
#include <htdicom.h>

static PetscErrorCode CopySeries(const char *src, const char *dst, int skip, int dup)
{
  int    n;
  char **names;
  PetscFunctionBeginUser;
  PetscCall(HtT_ListDir(src, &n, &names));
  for (int q = 0; q < n; q++) {
    char a[PETSC_MAX_PATH_LEN], b[PETSC_MAX_PATH_LEN];
    if (q == skip) continue;
    PetscCall(HtT_Join(a, sizeof(a), src, names[q]));
    PetscCall(HtT_Join(b, sizeof(b), dst, names[q]));
    PetscCall(HtT_CopyFile(a, b));
    if (q == dup) {
      char nm[300];
      snprintf(nm, sizeof(nm), "zz_copy_of_%.200s", names[q]);
      PetscCall(HtT_Join(b, sizeof(b), dst, nm));
      PetscCall(HtT_CopyFile(a, b));
    }
  }
  HtT_FreeList(n, names);
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char        src[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], p[PETSC_MAX_PATH_LEN], msg[2048];
  HtVolume    vol;
  HtDicomMeta meta;
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("dicom/series_lidc_0001_chest_ct/dicom", src, sizeof(src))) PetscFunctionReturn(0);

  /* missing folder */
  PetscCall(HtT_TempDir("dicom_bad", tmp, sizeof(tmp)));
  PetscCall(HtT_Join(p, sizeof(p), tmp, "does_not_exist"));
  HT_EXPECT_ERROR(HtDicom_ReadSeries(p, NULL, &vol, &meta), msg, sizeof(msg));
  printf("missing folder: %s\n", msg);
  HT_CHECK(strstr(msg, "does not exist") && strstr(msg, "does_not_exist"), "missing folder message");

  /* empty folder */
  PetscCall(HtT_Join(p, sizeof(p), tmp, "empty"));
  PetscCall(HtPath_MakeDir(p));
  HT_EXPECT_ERROR(HtDicom_ReadSeries(p, NULL, &vol, &meta), msg, sizeof(msg));
  printf("empty folder: %s\n", msg);
  HT_CHECK(strstr(msg, "is empty") && strstr(msg, "empty"), "empty folder message");

  /* a lone non-DICOM file */
  char junk[PETSC_MAX_PATH_LEN];
  PetscCall(HtT_Join(p, sizeof(p), tmp, "junk"));
  PetscCall(HtPath_MakeDir(p));
  PetscCall(HtT_Join(junk, sizeof(junk), p, "notes.txt"));
  FILE *f = fopen(junk, "w");
  fprintf(f, "this is not a DICOM file\n");
  fclose(f);
  HT_EXPECT_ERROR(HtDicom_ReadSeries(p, NULL, &vol, &meta), msg, sizeof(msg));
  printf("non-DICOM file: %s\n", msg);
  HT_CHECK(strstr(msg, "notes.txt") && strstr(msg, ": not DICOM ("), "non-DICOM message names the file");

  /* junk beside a valid series: read with a warning */
  PetscCall(CopySeries(src, p, -1, -1));
  PetscCall(HtDicom_ReadSeries(p, NULL, &vol, &meta));
  printf("junk + series: %" PetscInt_FMT " slices, %" PetscInt_FMT " warning(s): %s\n", vol.g.n[2], meta.nwarnings, meta.nwarnings ? meta.warnings[0] : "");
  HT_CHECK(vol.g.n[2] == 16 && meta.nwarnings >= 1 && strstr(meta.warnings[0], "skipped 1"), "junk skipped with a warning");
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));

  /* missing middle slice (file 7 of 16 in name order; names are z positions) */
  PetscCall(HtT_Join(p, sizeof(p), tmp, "gap"));
  PetscCall(HtPath_MakeDir(p));
  PetscCall(CopySeries(src, p, 7, -1));
  HT_EXPECT_ERROR(HtDicom_ReadSeries(p, NULL, &vol, &meta), msg, sizeof(msg));
  printf("missing slice: %s\n", msg);
  HT_CHECK(strstr(msg, "missing slice") && strstr(msg, "gap 5 mm"), "missing slice message with the 5 mm gap");

  /* duplicate position */
  PetscCall(HtT_Join(p, sizeof(p), tmp, "dup"));
  PetscCall(HtPath_MakeDir(p));
  PetscCall(CopySeries(src, p, -1, 3));
  HT_EXPECT_ERROR(HtDicom_ReadSeries(p, NULL, &vol, &meta), msg, sizeof(msg));
  printf("duplicate position: %s\n", msg);
  HT_CHECK(strstr(msg, "duplicate slice position"), "duplicate position message");

  /* truncated pixel data and missing geometry (torture files) */
  char t[PETSC_MAX_PATH_LEN];
  if (HtTest_RequireData("dicom/torture/pydicom__MR_truncated.dcm", t, sizeof(t))) {
    const char *files[1] = {t};
    HT_EXPECT_ERROR(HtDicom_ReadFiles(1, files, &vol, &meta), msg, sizeof(msg));
    printf("truncated: %s\n", msg);
    HT_CHECK(strstr(msg, ": truncated (") && strstr(msg, "MR_truncated"), "truncated message names the file and the problem");
  }
  if (HtTest_RequireData("dicom/torture/pydicom-data__emri_small.dcm", t, sizeof(t))) {
    const char *files[1] = {t};
    HT_EXPECT_ERROR(HtDicom_ReadFiles(1, files, &vol, &meta), msg, sizeof(msg));
    printf("no geometry (multi-frame, enhanced MR): %s\n", msg);
    HT_CHECK(strstr(msg, "emri_small") != NULL, "message names the file");
  }
  /* nothing half-read is left behind */
  HT_CHECK(vol.val == NULL && meta.sop_instance_uid == NULL, "failed reads leave no allocation");
  HtT_RmTree(tmp);
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
