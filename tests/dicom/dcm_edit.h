/* Test-only DCMTK adaptor: write a modified copy of a DICOM file to build inconsistent series. */
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
/* op: "oblique" (IOP rotated 30 degrees about z), "no_ipp" (delete ImagePositionPatient),
 * "small" (one row fewer: Rows-1 with matching pixel data), "half_pixels" (PixelData cut to half
 * its length), "series_uid=<uid>" (set SeriesInstanceUID), "ipp_add=dx,dy,dz" (shift ImagePositionPatient, mm),
 * "sop=<uid>" (set SOPInstanceUID), "fill=a,b" (16-bit pixels = a + b x row index), "exp_ds"
 * (PixelSpacing, ImagePositionPatient, rescale as exponent-form DS), "pack12" (12-bit packed
 * pixels), "acrnema" (write the data set only: no preamble, no meta, implicit VR),
 * "deflate" (write deflated explicit VR little endian), "j2k_frames=N" / "j2k_frames_sgnd=N" (N lossless JPEG 2000 frames, frame f = pixels + 100 f, one
 * fragment each; _sgnd: the codestream claims signed samples). Several ops
 * separated by ';' are applied in order. Returns 0 on success. */
int HtTestDcm_Edit(const char *src, const char *dst, const char *op);
#ifdef __cplusplus
}
#endif
