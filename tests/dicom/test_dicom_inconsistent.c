/* Inconsistent series built from the LIDC slices with one file modified (DCMTK, test adaptor):
 * mixed orientation, missing ImagePositionPatient, differing rows, truncated pixel data -> an error
 * naming the modified file. Two series in one folder: the scan lists both (most files first), the
 * default read takes the larger one with a warning, a series UID selects the other. */
#include "dicomtest.h"
#include "dcm_edit.h"
#include <htdicom.h>

/* copy the LIDC series into dir, with file number `which` (name order) replaced by an edited copy */
static PetscErrorCode BuildSeries(const char *src, const char *dir, int which, const char *op, char *edited, size_t len)
{
  int    n;
  char **names;
  PetscFunctionBeginUser;
  PetscCall(HtPath_MakeDir(dir));
  PetscCall(HtT_ListDir(src, &n, &names));
  for (int q = 0; q < n; q++) {
    char a[PETSC_MAX_PATH_LEN], b[PETSC_MAX_PATH_LEN];
    PetscCall(HtT_Join(a, sizeof(a), src, names[q]));
    PetscCall(HtT_Join(b, sizeof(b), dir, names[q]));
    if (q == which) {
      int rc = HtTestDcm_Edit(a, b, op);
      PetscCheck(rc == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "edit %s of %s failed (%d)", op, a, rc);
      if (edited) snprintf(edited, len, "%s", names[q]);
    } else PetscCall(HtT_CopyFile(a, b));
  }
  HtT_FreeList(n, names);
  PetscFunctionReturn(0);
}

static PetscErrorCode Expect(const char *src, const char *tmp, const char *op, const char *what)
{
  char        dir[PETSC_MAX_PATH_LEN], name[256], msg[2048];
  HtVolume    vol;
  HtDicomMeta meta;
  PetscFunctionBeginUser;
  PetscCall(HtT_Join(dir, sizeof(dir), tmp, op));
  PetscCall(BuildSeries(src, dir, 5, op, name, sizeof(name)));
  /* localizers are kept so the odd file is reported rather than excluded (see test_dicom_series) */
  HtDicomOptions opt;
  PetscCall(HtDicomOptions_Default(&opt));
  opt.keep_localizers = PETSC_TRUE;
  HT_EXPECT_ERROR(HtDicom_ReadSeriesOpt(dir, NULL, &opt, &vol, &meta), msg, sizeof(msg));
  printf("%-12s -> %s\n", op, msg);
  HT_CHECK(strstr(msg, what) != NULL, "%s: message says '%s'", op, what);
  HT_CHECK(strstr(msg, name) != NULL, "%s: message names the modified file %s", op, name);
  HT_CHECK(vol.val == NULL, "%s: no volume left allocated", op);
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char              src[PETSC_MAX_PATH_LEN], thorax[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], dir[PETSC_MAX_PATH_LEN];
  HtVolume          vol;
  HtDicomMeta       meta;
  PetscInt          ns;
  HtDicomSeriesInfo *info;
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("dicom/series_lidc_0001_chest_ct/dicom", src, sizeof(src))) PetscFunctionReturn(0);
  if (!HtTest_RequireData("dicom/series_ts_thorax_cta/dicom", thorax, sizeof(thorax))) PetscFunctionReturn(0);
  PetscCall(HtT_TempDir("dicom_inconsistent", tmp, sizeof(tmp)));
  PetscCall(Expect(src, tmp, "oblique", "mixed orientations"));
  PetscCall(Expect(src, tmp, "no_ipp", "ImagePositionPatient missing"));
  PetscCall(Expect(src, tmp, "small", "rows x"));
  PetscCall(Expect(src, tmp, "half_pixels", "truncated pixel data"));

  /* two series in one folder (thorax 164 files + LIDC 16 files, in subfolders) */
  char a[PETSC_MAX_PATH_LEN], b[PETSC_MAX_PATH_LEN];
  PetscCall(HtT_Join(dir, sizeof(dir), tmp, "two"));
  PetscCall(HtT_Join(a, sizeof(a), dir, "lidc"));
  PetscCall(BuildSeries(src, a, -1, NULL, NULL, 0));
  PetscCall(HtT_Join(b, sizeof(b), dir, "thorax"));
  PetscCall(BuildSeries(thorax, b, -1, NULL, NULL, 0));
  PetscCall(HtDicom_ScanFolder(dir, &ns, &info));
  printf("two series: %" PetscInt_FMT " found, files %" PetscInt_FMT " and %" PetscInt_FMT "\n", ns, info[0].nfiles, ns > 1 ? info[1].nfiles : -1);
  HT_CHECK(ns == 2 && info[0].nfiles == 164 && info[1].nfiles == 16 && info[1].rows == 512, "scan: both series, most files first");
  PetscCall(HtDicom_ReadSeries(dir, NULL, &vol, &meta));
  HT_CHECK(vol.g.n[2] == 164 && meta.nwarnings >= 1, "default: the series with most files, with a warning");
  printf("default read: %" PetscInt_FMT " slices, warning: %s\n", vol.g.n[2], meta.nwarnings ? meta.warnings[0] : "(none)");
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  PetscCall(HtDicom_ReadSeries(dir, ns > 1 ? info[1].series_uid : NULL, &vol, &meta));
  HT_CHECK(vol.g.n[0] == 512 && vol.g.n[2] == 16, "series selected by UID");
  printf("selected read: %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT "\n", vol.g.n[0], vol.g.n[1], vol.g.n[2]);
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  PetscCall(PetscFree(info));
  HtT_RmTree(tmp);
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
