/* Legacy encodings built from pydicom's MR_small (64x64, stored 127..2145, mean 518.8813 per the
 * torture NOTES): the same pixels must come back from
 * - a headerless ACR-NEMA file (no preamble, no meta, implicit VR),
 * - 12-bit packed pixel data (BitsAllocated 12), also headerless,
 * - decimal strings in exponent form (PixelSpacing 3.125000e-01, ImagePositionPatient, rescale),
 * - the deflated explicit VR little endian transfer syntax,
 * - multi-frame JPEG 2000 (signed/unsigned codestreams, PixelRepresentation decides),
 * through both the 3D reader and `dicom info`. */
#include "dicomtest.h"
#include "dcm_edit.h"
#include <htdicom.h>

static PetscErrorCode Check(const char *file, const char *what, const HtVolume *ref)
{
  HtVolume    vol;
  HtDicomMeta meta;
  const char *files[1] = {file};
  PetscFunctionBeginUser;
  PetscCall(HtDicom_ReadFiles(1, files, &vol, &meta));
  size_t nd = 0, n = HtGrid_Count(&ref->g);
  double sum = 0;
  for (size_t q = 0; q < n; q++) {
    nd += vol.val[q] != ref->val[q];
    sum += vol.val[q];
  }
  printf("%-10s: %" PetscInt_FMT "x%" PetscInt_FMT ", spacing %.6g x %.6g mm, min %g max %g mean %.4f, %zu voxels differ from MR_small\n", what, vol.g.n[0], vol.g.n[1], vol.g.spacing[0], vol.g.spacing[1], meta.hu_min, meta.hu_max, sum / (double)n, nd);
  HT_CHECK(HtGrid_Same(&vol.g, &ref->g, 1e-6), "%s: geometry", what);
  if (!strcmp(what, "deflated")) HT_CHECK(!strcmp(meta.transfer_syntax_uid, "1.2.840.10008.1.2.1.99"), "deflated transfer syntax read (%s)", meta.transfer_syntax_uid);
  HT_CHECK(nd == 0, "%s: pixels identical", what);
  HT_CHECK(meta.hu_min == 127 && meta.hu_max == 2145, "%s: range 127..2145 (NOTES)", what);
  HT_CHECK_CLOSE(sum / (double)n, 518.8813, 1e-6, 1e-4, what);
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  /* dicom info on the same file */
  char  *buf = NULL;
  size_t len = 0;
  FILE  *m   = open_memstream(&buf, &len);
  PetscCall(HtDicom_Info(file, PETSC_TRUE, m));
  fclose(m);
  HT_CHECK(strstr(buf, "\"rescaled_min\":127,\"rescaled_max\":2145,\"rescaled_mean\":518.8813") != NULL, "%s: info statistics", what);
  free(buf);
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char        src[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], f[PETSC_MAX_PATH_LEN];
  HtVolume    ref;
  const char *files[1];
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("dicom/torture/pydicom__MR_small.dcm", src, sizeof(src))) PetscFunctionReturn(0);
  PetscCall(HtT_TempDir("dicom_formats", tmp, sizeof(tmp)));
  files[0] = src;
  PetscCall(HtDicom_ReadFiles(1, files, &ref, NULL));
  const char *ops[][2] = {{"acrnema", "acrnema"}, {"pack12", "pack12"}, {"pack12;acrnema", "pack12-acr"}, {"exp_ds", "exp_ds"}, {"deflate", "deflated"}};
  for (int q = 0; q < 5; q++) {
    char name[64];
    snprintf(name, sizeof(name), "%s.dcm", ops[q][1]);
    PetscCall(HtT_Join(f, sizeof(f), tmp, name));
    int rc = HtTestDcm_Edit(src, f, ops[q][0]);
    HT_CHECK(rc == 0, "edit %s (%d)", ops[q][0], rc);
    if (!rc) PetscCall(Check(f, ops[q][1], &ref));
  }
  /* multi-frame JPEG 2000 (one fragment per frame, OpenJPEG-encoded here): frame f = MR_small + 100 f,
   * so over 3 frames: min 127, max 2345, mean 518.8813 + 100 */
  const char *jops[2] = {"j2k_frames=3", "j2k_frames_sgnd=3"};
  for (int q = 0; q < 2; q++) {
    PetscCall(HtT_Join(f, sizeof(f), tmp, q ? "j2k_sgnd.dcm" : "j2k.dcm"));
    int rc = HtTestDcm_Edit(src, f, jops[q]);
    HT_CHECK(rc == 0, "edit %s (%d)", jops[q], rc);
    if (rc) continue;
    char  *buf = NULL;
    size_t len = 0;
    FILE  *m   = open_memstream(&buf, &len);
    PetscCall(HtDicom_Info(f, PETSC_TRUE, m));
    fclose(m);
    printf("%s: %s", jops[q], strstr(buf, "\"frames\"") ? strstr(buf, "\"frames\"") : buf);
    HT_CHECK(strstr(buf, "\"frames\":3,") != NULL, "%s: 3 frames", jops[q]);
    HT_CHECK(strstr(buf, "\"rescaled_min\":127,\"rescaled_max\":2345,\"rescaled_mean\":618.8813") != NULL, "%s: statistics over the 3 frames", jops[q]);
    free(buf);
  }
  /* PixelRepresentation wins over the codestream: signed values (MR_small - 1000 + 100 f) in an
   * unsigned codestream as bit patterns must come back negative: min -873, max 1345, mean -381.1187 */
  PetscCall(HtT_Join(f, sizeof(f), tmp, "j2k_wrap.dcm"));
  {
    int rc = HtTestDcm_Edit(src, f, "j2k_frames_wrap=3");
    HT_CHECK(rc == 0, "edit j2k_frames_wrap (%d)", rc);
    char  *buf = NULL;
    size_t len = 0;
    FILE  *m   = open_memstream(&buf, &len);
    if (!rc) PetscCall(HtDicom_Info(f, PETSC_TRUE, m));
    fclose(m);
    printf("j2k_frames_wrap=3: %s", buf && strstr(buf, "\"rescaled_min\"") ? strstr(buf, "\"rescaled_min\"") : "(none)\n");
    HT_CHECK(buf && strstr(buf, "\"rescaled_min\":-873,\"rescaled_max\":1345,\"rescaled_mean\":-381.1186") != NULL, "signed values from an unsigned codestream");
    free(buf);
  }
  PetscCall(HtVolume_Free(&ref));
  HtT_RmTree(tmp);
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
