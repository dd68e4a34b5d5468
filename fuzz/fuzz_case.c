/* libFuzzer target: the case-file parser (src/case.c, HtCase_LoadString) on arbitrary text.
 * Every malformed document must give an error, never a crash, leak or UB. */
#include <htcase.h>
#include <petscsys.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc, (void)argv;
  int   pac  = 1;
  char *pav0 = (char *)"fuzz_case", **pav = &pav0;
  if (PetscInitialize(&pac, &pav, NULL, NULL)) abort();
  PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
  HtLog_SetQuiet(PETSC_TRUE);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = (char *)malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0; /* the loader reads a NUL-terminated file image */
  HtCase *c = (HtCase *)calloc(1, sizeof(HtCase));
  (void)HtCase_LoadString(text, "fuzz.json", "/nonexistent-fuzz-base", "/nonexistent-fuzz-out", c);
  free(c);
  free(text);
  return 0;
}
