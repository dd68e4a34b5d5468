/* Test-only adaptor: the identifying strings of DICOM files, read with DCMTK directly (independent of
 * imaging/dicom), for PHI scans of the store. */
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
/* Append to (*vals, *n) every distinct value (>= minlen bytes) of PN, DA, DT, TM, AS, LO, SH, ST, LT
 * and non-standard UI elements of the data set of `file`, including inside sequences; person names
 * are also split into their components. Manufacturer and ManufacturerModelName are skipped (retained
 * by PS3.15 Annex E). Returns 0 on success, non-zero if the file cannot be parsed. */
int HtTestPhi_Collect(const char *file, int minlen, int *n, char ***vals);
void HtTestPhi_Free(int n, char **vals);
#ifdef __cplusplus
}
#endif
