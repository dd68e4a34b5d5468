/* Series handling on edited copies of the LIDC series (16 axial slices, 2.5 mm, 512x512, files named
 * by their z position, rescale 1/-1024), with analytic pixel content so the expected voxels are known
 * independently of the reader:
 * - a localizer (oblique copy of a slice) mixed in: excluded with a warning (error when kept);
 * - irregular spacing (odd slices moved +0.5 mm, pixels = 2000 + 4 z): resampled to a uniform step,
 *   each output slice equals 2000 + 4 z(k) - 1024 HU exactly (linear in z); refused under strict;
 * - gantry tilt (slice k shifted k x 2.5 tan 15 deg along the column axis, pixels = 1000 + 2 row):
 *   after the in-plane correction voxel (i, j, k) = 1000 + 2 (j - shift_k / dy) - 1024 HU; refused
 *   under strict. */
#include "dicomtest.h"
#include "dcm_edit.h"
#include <htdicom.h>

typedef PetscErrorCode (*OpFn)(const char *name, int k, char *op, size_t len);

/* copy the series into dir, every file edited by fn (k = index in z order: file names sort by z
 * descending as negative numbers, so order by atof) */
static int ByZ(const void *a, const void *b)
{
  double za = atof(*(char *const *)a), zb = atof(*(char *const *)b);
  return (za > zb) - (za < zb);
}

static PetscErrorCode Build(const char *src, const char *dir, OpFn fn, const char *extra_from, const char *extra_op)
{
  int    n;
  char **names;
  PetscFunctionBeginUser;
  PetscCall(HtPath_MakeDir(dir));
  PetscCall(HtT_ListDir(src, &n, &names));
  qsort(names, (size_t)n, sizeof(char *), ByZ);
  for (int k = 0; k < n; k++) {
    char a[PETSC_MAX_PATH_LEN], b[PETSC_MAX_PATH_LEN], op[256] = "";
    PetscCall(HtT_Join(a, sizeof(a), src, names[k]));
    PetscCall(HtT_Join(b, sizeof(b), dir, names[k]));
    if (fn) PetscCall(fn(names[k], k, op, sizeof(op)));
    if (op[0]) {
      int rc = HtTestDcm_Edit(a, b, op);
      PetscCheck(rc == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "edit %s of %s failed (%d)", op, a, rc);
    } else PetscCall(HtT_CopyFile(a, b));
    if (extra_from && !strcmp(names[k], extra_from)) {
      PetscCall(HtT_Join(b, sizeof(b), dir, "localizer.dcm"));
      int rc = HtTestDcm_Edit(a, b, extra_op);
      PetscCheck(rc == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "edit %s of %s failed (%d)", extra_op, a, rc);
    }
  }
  HtT_FreeList(n, names);
  PetscFunctionReturn(0);
}

static PetscErrorCode OpIrregular(const char *name, int k, char *op, size_t len)
{
  PetscFunctionBeginUser;
  double z = atof(name) + ((k & 1) ? 0.5 : 0.0);
  snprintf(op, len, "%sfill=%.6f,0", (k & 1) ? "ipp_add=0,0,0.5;" : "", 2000 + 4 * z);
  PetscFunctionReturn(0);
}

#define TILT_DEG 15.0
static PetscErrorCode OpTilt(const char *name, int k, char *op, size_t len)
{
  PetscFunctionBeginUser;
  (void)name;
  snprintf(op, len, "ipp_add=0,%.6f,0;fill=1000,2", k * 2.5 * tan(TILT_DEG * PETSC_PI / 180));
  PetscFunctionReturn(0);
}

static PetscBool Warned(const HtDicomMeta *m, const char *what)
{
  for (PetscInt w = 0; w < m->nwarnings; w++)
    if (strstr(m->warnings[w], what)) return PETSC_TRUE;
  return PETSC_FALSE;
}

static PetscErrorCode Body(void)
{
  char           src[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], dir[PETSC_MAX_PATH_LEN], msg[2048];
  HtVolume       vol;
  HtDicomMeta    meta;
  HtDicomOptions opt;
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("dicom/series_lidc_0001_chest_ct/dicom", src, sizeof(src))) PetscFunctionReturn(0);
  PetscCall(HtT_TempDir("dicom_series", tmp, sizeof(tmp)));

  /* ---- localizer mixed in ---- */
  PetscCall(HtT_Join(dir, sizeof(dir), tmp, "localizer"));
  PetscCall(Build(src, dir, NULL, "-110.000000.dcm", "oblique;sop=1.2.826.0.1.3680043.9999.1"));
  PetscCall(HtDicom_ReadSeries(dir, NULL, &vol, &meta));
  printf("localizer: %" PetscInt_FMT " slices, step %.4g mm; warning: %s\n", vol.g.n[2], vol.g.spacing[2], meta.nwarnings ? meta.warnings[0] : "(none)");
  HT_CHECK(vol.g.n[2] == 16 && fabs(vol.g.spacing[2] - 2.5) < 1e-9, "localizer excluded: 16 slices at 2.5 mm");
  HT_CHECK(Warned(&meta, "excluded") && Warned(&meta, "localizer.dcm"), "exclusion warning names the file");
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  PetscCall(HtDicomOptions_Default(&opt));
  opt.keep_localizers = PETSC_TRUE;
  HT_EXPECT_ERROR(HtDicom_ReadSeriesOpt(dir, NULL, &opt, &vol, &meta), msg, sizeof(msg));
  printf("localizer kept -> %s\n", msg);
  HT_CHECK(strstr(msg, "mixed orientations") != NULL, "kept localizer: mixed orientations error");

  /* ---- irregular spacing ---- */
  PetscCall(HtT_Join(dir, sizeof(dir), tmp, "irregular"));
  PetscCall(Build(src, dir, OpIrregular, NULL, NULL));
  PetscCall(HtDicom_ReadSeries(dir, NULL, &vol, &meta));
  {
    /* z from -132.5 to -95 + 0.5 (the last slice, k = 15, moved): 38 mm; gaps 3/2 mm, median 3 */
    double len = 38.0, z0 = -132.5;
    int    nexp = (int)lround(len / 3.0) + 1;
    double step = len / (nexp - 1), maxerr = 0;
    printf("irregular: %" PetscInt_FMT " slices at %.6g mm (expected %d at %.6g), origin z %.4f\n", vol.g.n[2], vol.g.spacing[2], nexp, step, vol.g.origin[2]);
    HT_CHECK(vol.g.n[2] == nexp, "resampled slice count");
    HT_CHECK_CLOSE(vol.g.spacing[2], step, 1e-9, 0, "uniform step");
    HT_CHECK_CLOSE(vol.g.origin[2], z0, 0, 1e-6, "origin at the first slice");
    HT_CHECK(Warned(&meta, "irregular"), "irregular spacing warning");
    size_t np = (size_t)vol.g.n[0] * vol.g.n[1];
    for (PetscInt k = 0; k < vol.g.n[2]; k++) {
      double expect = 2000 + 4 * (z0 + k * step) - 1024;
      for (size_t q = 0; q < np; q += 997) maxerr = fmax(maxerr, fabs(vol.val[k * np + q] - expect));
    }
    printf("irregular: max |HU - (2000 + 4 z - 1024)| = %.3g\n", maxerr);
    HT_CHECK(maxerr < 1e-2, "resampled values follow the linear z profile");
  }
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  PetscCall(HtDicomOptions_Default(&opt));
  opt.strict = PETSC_TRUE;
  HT_EXPECT_ERROR(HtDicom_ReadSeriesOpt(dir, NULL, &opt, &vol, &meta), msg, sizeof(msg));
  printf("irregular, strict -> %s\n", msg);
  HT_CHECK(strstr(msg, "irregular slice spacing") && strstr(msg, "strict"), "strict refuses irregular spacing");

  /* ---- gantry tilt ---- */
  PetscCall(HtT_Join(dir, sizeof(dir), tmp, "tilt"));
  PetscCall(Build(src, dir, OpTilt, NULL, NULL));
  PetscCall(HtDicom_ReadSeries(dir, NULL, &vol, &meta));
  {
    double sh = 2.5 * tan(TILT_DEG * PETSC_PI / 180), dy = vol.g.spacing[1], maxerr = 0;
    size_t nx = (size_t)vol.g.n[0], ny = (size_t)vol.g.n[1], ncheck = 0;
    printf("tilt: %" PetscInt_FMT " slices at %.6g mm, row spacing %.6g mm; warnings:", vol.g.n[2], vol.g.spacing[2], dy);
    for (PetscInt w = 0; w < meta.nwarnings; w++) printf(" [%s]", meta.warnings[w]);
    printf("\n");
    HT_CHECK(vol.g.n[2] == 16 && fabs(vol.g.spacing[2] - 2.5) < 1e-6, "16 slices at 2.5 mm along the normal");
    HT_CHECK(fabs(vol.g.dir[8] - 1) < 1e-9, "normal stays the z axis (orthogonal grid)");
    HT_CHECK(Warned(&meta, "gantry tilt"), "tilt warning");
    for (size_t k = 0; k < 16; k++)
      for (size_t j = 0; j < ny; j += 7) {
        double srow = (double)j - k * sh / dy;
        if (srow < 0 || srow > ny - 1) continue; /* outside the shifted slice: filled */
        for (size_t i = 0; i < nx; i += 101) {
          maxerr = fmax(maxerr, fabs(vol.val[(k * ny + j) * nx + i] - (1000 + 2 * srow - 1024)));
          ncheck++;
        }
      }
    printf("tilt: max |HU - (1000 + 2 (j - shift/dy) - 1024)| = %.3g over %zu voxels\n", maxerr, ncheck);
    HT_CHECK(ncheck > 1000 && maxerr < 1e-2, "tilt-corrected voxels follow the shifted row profile");
  }
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  HT_EXPECT_ERROR(HtDicom_ReadSeriesOpt(dir, NULL, &opt, &vol, &meta), msg, sizeof(msg));
  printf("tilt, strict -> %s\n", msg);
  HT_CHECK(strstr(msg, "gantry tilt") && strstr(msg, "strict"), "strict refuses gantry tilt");
  HtT_RmTree(tmp);
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
