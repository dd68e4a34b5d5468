/* Private to imaging/store: the DCMTK writer behind HtStore_ExportDicom (export.cxx). */
#pragma once
#include <htdicom.h>
#include <htvolume.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  char      pseudonym[24];                  /* PatientName and PatientID                      */
  char      study_uid[HT_DICOM_UID_LEN];    /* de-identified (store)                          */
  char      series_uid[HT_DICOM_UID_LEN];   /* de-identified (store)                          */
  char      for_uid[HT_DICOM_UID_LEN];      /* derived with the key                           */
  char      study_date[16];                 /* shifted, YYYYMMDD or ""                        */
  char      modality[17];
  char      burned_in[4];                   /* "YES"/"NO"                                     */
  PetscReal slice_thickness_mm;             /* 0: use the slice step                          */
  PetscInt  nslices;
  char    (*sop_uids)[HT_DICOM_UID_LEN];    /* nslices, derived with the key                  */
} HtStoreExportInfo;

/* One file per slice into outdir (created if absent; must be empty). On error, files written so far
 * are removed. */
PetscErrorCode HtStore_WriteDicomSeries(const HtStoreExportInfo *info, const HtVolume *vol, const char *outdir, PetscInt *nfiles);

#ifdef __cplusplus
}
#endif
