/* Difficult files (torture/ + truth.csv, values from pydicom/DCMTK/GDCM): each single file is either
 * read with exactly the reference value range and mean, or refused with a one-line message naming
 * the file. Never a crash, never invented geometry. The MR_small family (explicit LE, implicit LE,
 * big endian, RLE, JPEG-LS) and CT_small must read, with identical pixels. */
#include "dicomtest.h"
#include <htdicom.h>

#define MAXF 64
/* split one CSV line (no quoted commas in truth.csv, but handle quotes anyway) */
static int SplitCsv(char *line, char **f, int maxf)
{
  int   n = 0;
  char *p = line;
  while (n < maxf) {
    if (*p == '"') {
      f[n++] = ++p;
      while (*p && !(*p == '"' && (p[1] == ',' || p[1] == 0 || p[1] == '\n'))) p++;
      if (*p) *p++ = 0;
    } else f[n++] = p;
    while (*p && *p != ',' && *p != '\n') p++;
    if (*p != ',') {
      *p = 0;
      break;
    }
    *p++ = 0;
  }
  return n;
}

static PetscErrorCode Body(void)
{
  char        csv[PETSC_MAX_PATH_LEN], root[PETSC_MAX_PATH_LEN], line[8192], msg[2048];
  char       *hdr[MAXF], hline[8192];
  int         nh, ipath = -1, imin = -1, imax = -1, imean = -1, ok = 0, refused = 0, bad = 0;
  HtVolume    vol, ref;
  HtDicomMeta meta;
  PetscBool   have_ref = PETSC_FALSE;
  PetscFunctionBeginUser;
  memset(&ref, 0, sizeof(ref));
  if (!HtTest_RequireData("dicom/truth.csv", csv, sizeof(csv))) PetscFunctionReturn(0);
  PetscCall(HtData_Path("dicom", root, sizeof(root), NULL));
  FILE *f = fopen(csv, "r");
  PetscCheck(f && fgets(hline, sizeof(hline), f), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: unreadable", csv);
  nh = SplitCsv(hline, hdr, MAXF);
  for (int q = 0; q < nh; q++) {
    if (!strcmp(hdr[q], "path")) ipath = q;
    if (!strcmp(hdr[q], "rescaled_min")) imin = q;
    if (!strcmp(hdr[q], "rescaled_max")) imax = q;
    if (!strcmp(hdr[q], "rescaled_mean")) imean = q;
  }
  PetscCheck(ipath >= 0 && imin >= 0 && imax >= 0 && imean >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: columns missing", csv);
  const char *must[] = {"pydicom__MR_small.dcm", "pydicom__MR_small_implicit.dcm", "pydicom__MR_small_bigendian.dcm", "pydicom__MR_small_RLE.dcm", "pydicom__MR_small_jpeg_ls_lossless.dcm", "pydicom__CT_small.dcm"};
  const char *must_fail[] = {"pydicom__MR_truncated.dcm", "pydicom__no_meta.dcm", "pydicom-data__emri_small.dcm", "notZaki__MR_Explicit_Little_MultiFrame.dcm"};
  int nmust = 0;
  while (fgets(line, sizeof(line), f)) {
    char *c[MAXF];
    int   n = SplitCsv(line, c, MAXF);
    if (n <= imean || strncmp(c[ipath], "torture/", 8)) continue;
    char file[PETSC_MAX_PATH_LEN];
    PetscCall(HtT_Join(file, sizeof(file), root, c[ipath]));
    const char *base = c[ipath] + 8;
    PetscBool   is_must = PETSC_FALSE, is_must_fail = PETSC_FALSE;
    for (size_t q = 0; q < sizeof(must) / sizeof(must[0]); q++) is_must |= !strcmp(base, must[q]);
    for (size_t q = 0; q < sizeof(must_fail) / sizeof(must_fail[0]); q++) is_must_fail |= !strcmp(base, must_fail[q]);
    const char    *files[1] = {file};
    PetscErrorCode e;
    HtError_Clear();
    PetscCall(HtError_PushHandler());
    e = HtDicom_ReadFiles(1, files, &vol, &meta);
    PetscCall(HtError_PopHandler());
    if (e) {
      snprintf(msg, sizeof(msg), "%s", HtError_LastMessage());
      printf("%-58s refused: %s\n", base, msg);
      refused++;
      HT_CHECK(strstr(msg, base) != NULL && !strchr(msg, '\n'), "%s: one-line message naming the file", base);
      HT_CHECK(!is_must, "%s: must be read", base);
      continue;
    }
    size_t nv  = HtGrid_Count(&vol.g);
    double sum = 0;
    for (size_t q = 0; q < nv; q++) sum += vol.val[q];
    double tmin = atof(c[imin]), tmax = atof(c[imax]), tmean = atof(c[imean]);
    int    good = c[imin][0] && meta.hu_min == tmin && meta.hu_max == tmax && fabs(sum / nv - tmean) < 1e-3;
    printf("%-58s read %" PetscInt_FMT "x%" PetscInt_FMT ": %.0f..%.0f mean %.4f (truth %s..%s mean %s) %s\n", base, vol.g.n[0], vol.g.n[1], meta.hu_min, meta.hu_max, sum / nv, c[imin], c[imax], c[imean], good ? "ok" : "WRONG");
    if (good) ok++;
    else bad++;
    HT_CHECK(good, "%s: read values must equal the reference", base);
    HT_CHECK(!is_must_fail, "%s: must be refused", base);
    if (!strcmp(base, "pydicom-data__eCT_Supplemental.dcm")) {
      /* NOTES.md: enhanced CT, geometry only in functional groups: frames 10 mm apart, pixel 0.388672 mm */
      printf("  enhanced CT: %" PetscInt_FMT " frames, spacing %.6g %.6g %.6g mm, IOP row (%g %g %g)\n", vol.g.n[2], vol.g.spacing[0], vol.g.spacing[1], vol.g.spacing[2], vol.g.dir[0], vol.g.dir[1], vol.g.dir[2]);
      HT_CHECK(vol.g.n[2] == 2, "eCT: 2 frames as slices");
      HT_CHECK_CLOSE(vol.g.spacing[2], 10.0, 0, 1e-6, "eCT frame step");
      HT_CHECK_CLOSE(vol.g.spacing[0], 0.388672, 0, 1e-6, "eCT pixel spacing");
      HT_CHECK_CLOSE(vol.g.dir[0], -1.0, 0, 1e-6, "eCT row cosine -1,0,0");
    }
    if (is_must && strstr(base, "MR_small")) {
      nmust++;
      if (!have_ref) {
        PetscCall(HtVolume_Copy(&vol, &ref));
        have_ref = PETSC_TRUE;
      } else {
        size_t nd = 0;
        for (size_t q = 0; q < nv && q < HtGrid_Count(&ref.g); q++) nd += vol.val[q] != ref.val[q];
        HT_CHECK(nd == 0 && HtGrid_Same(&vol.g, &ref.g, 1e-9), "%s: pixels identical to MR_small", base);
      }
    } else if (is_must) nmust++;
    PetscCall(HtVolume_Free(&vol));
    PetscCall(HtDicomMeta_Free(&meta));
  }
  fclose(f);
  PetscCall(HtVolume_Free(&ref));
  printf("torture: %d read correctly, %d refused with a message, %d wrong; %d of 6 required reads\n", ok, refused, bad, nmust);
  HT_CHECK(nmust == 6, "all 6 required files read");
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
