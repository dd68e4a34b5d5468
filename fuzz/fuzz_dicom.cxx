/* libFuzzer target: the DICOM reader (header scan, pixel decode of every transfer syntax, geometry,
 * `dicom info` statistics) on arbitrary bytes. Errors are expected; crashes, leaks, UB, hangs and
 * huge allocations are bugs. Built by fuzz/build.sh (clang -fsanitize=fuzzer,address,undefined). */
#include <htdicom.h>
#include <petscsys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_path[256];
static FILE *g_null;

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc, (void)argv;
  int    pac = 1;
  char  *pav0 = (char *)"fuzz_dicom", **pav = &pav0;
  if (PetscInitialize(&pac, &pav, NULL, NULL)) abort();
  /* errors are the normal outcome here: keep them silent and cheap */
  PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
  HtLog_SetQuiet(PETSC_TRUE);
  snprintf(g_path, sizeof(g_path), "/dev/shm/ht_fuzz_dicom_%d.dcm", (int)getpid());
  g_null = fopen("/dev/null", "w");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  FILE *f = fopen(g_path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  /* the `dicom info` path: every frame decoded, statistics */
  (void)HtDicom_Info(g_path, PETSC_TRUE, g_null);
  /* the 3D path: one file as a series */
  HtVolume    vol;
  HtDicomMeta meta;
  const char *files[1] = {g_path};
  if (!HtDicom_ReadFiles(1, files, &vol, &meta)) {
    HtVolume_Free(&vol);
    HtDicomMeta_Free(&meta);
  }
  /* the header-only path used by the store */
  if (!HtDicom_ReadHeader(g_path, &meta)) HtDicomMeta_Free(&meta);
  return 0;
}
