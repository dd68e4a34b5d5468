/* Test-only second reader: one DICOM slice read with DCMTK's DcmFileFormat directly (not through
 * hemotwin's DICOM stage), so the phantom writer is checked by an independent reader. */
#pragma once
#include <htcore.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  char    sop_class[80], media_sop_class[80], media_sop_uid[80], pixel_vr[8], series_uid[80], sop_uid[80], transfer_syntax[80], modality[16], photometric[32], patient_name[80];
  long    rows, cols, bits_allocated, bits_stored, high_bit, pixel_rep, samples_per_pixel, instance;
  double  ipp[3], iop[6], pixel_spacing[2], slice_thickness, intercept, slope;
  double *hu; /* rows*cols rescaled values (stored * slope + intercept), owned */
} HtTestDcmSlice;

PetscErrorCode HtTestDcm_ReadSlice(const char *path, HtTestDcmSlice *s);
PetscErrorCode HtTestDcm_FreeSlice(HtTestDcmSlice *s);

#ifdef __cplusplus
}
#endif
