/* hemotwin DICOM ingest: scan folders for series, read one series into an HtVolume (LPS mm, HU).
 * DCMTK is hidden behind this plain C header (adaptor in dicom.cxx).
 *
 * Slices are grouped by SeriesInstanceUID and sorted by the projection of ImagePositionPatient on
 * the slice normal (row cosine x column cosine), never by file name or InstanceNumber.
 * Geometry: origin = position of the first sorted slice, spacing = (column spacing, row spacing,
 * measured slice step) i.e. PixelSpacing[1], PixelSpacing[0], step; dir rows = IOP row cosine
 * (i axis, along a row), IOP column cosine (j axis), slice normal (k axis).
 *
 * PHI: HtDicomMeta holds identifying attributes in memory only, for the de-identifying store and for
 * PHI scans. Never print or log them; error messages name files by path only. */
#pragma once
#include <htvolume.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HT_DICOM_UID_LEN  68  /* 64 chars + NUL, padded */
#define HT_DICOM_MAX_WARN 16

typedef struct {
  char     series_uid[HT_DICOM_UID_LEN]; /* identifying: do not print */
  char     modality[17];
  PetscInt nfiles;     /* image files of this series                   */
  PetscInt rows, cols; /* of the first file                            */
  PetscInt npositions; /* distinct ImagePositionPatient along the normal (0 if no geometry) */
  PetscInt nframes;    /* NumberOfFrames of the first file (1 for single-frame) */
  PetscInt nphases;    /* images per position (cine phases; 1 for a plain stack, 0 if unknown) */
  char     first_file[PETSC_MAX_PATH_LEN]; /* one file of the series (path, not PHI) */
} HtDicomSeriesInfo;

/* Everything the store and the pipeline need to know about a series that was read. */
typedef struct {
  /* ---- identifying (PS3.15 Annex E basic profile): memory only, never print ---------------- */
  char patient_name[324];
  char patient_id[68];
  char issuer_of_patient_id[68];
  char other_patient_ids[324];
  char patient_birth_date[36];
  char patient_sex[17];
  char patient_age[17];
  char study_date[36], study_time[36];
  char series_date[36], series_time[36];
  char acquisition_date[36], content_date[36];
  char accession_number[36];
  char institution_name[132];
  char institution_address[1028];
  char referring_physician_name[324];
  char performing_physician_name[324];
  char operators_name[324];
  char station_name[36];
  char device_serial_number[68];
  char study_description[132];
  char series_description[132];
  char protocol_name[132];
  char study_id[36];
  char study_instance_uid[HT_DICOM_UID_LEN];
  char series_instance_uid[HT_DICOM_UID_LEN];
  char frame_of_reference_uid[HT_DICOM_UID_LEN];
  PetscInt nslices;
  char   (*sop_instance_uid)[HT_DICOM_UID_LEN]; /* nslices entries in sorted slice order, owned */

  /* ---- non-identifying ------------------------------------------------------------------- */
  char      modality[17];
  char      manufacturer[68];
  char      manufacturer_model[68];
  char      sop_class_uid[HT_DICOM_UID_LEN]; /* a standard UID, not PHI */
  char      transfer_syntax_uid[HT_DICOM_UID_LEN];
  char      burned_in_annotation[17];        /* "YES"/"NO"/"" */
  char      body_part[68];
  PetscReal kvp;                /* 0 if absent */
  PetscReal slice_thickness_mm; /* 0 if absent */
  PetscReal slice_step_mm;      /* measured median step along the normal */
  PetscReal rescale_slope, rescale_intercept; /* of the first slice */
  PetscReal hu_min, hu_max;     /* of the volume after rescale */
  PetscBool has_padding;        /* PixelPaddingValue present (voxels outside the scanned field)   */
  PetscReal padding_hu;         /* its value after rescale (e.g. -3024); compare voxels with ==    */
  PetscInt  rows, cols;
  HtGrid    grid;               /* same as the volume's */

  /* ---- warnings (no PHI), e.g. skipped non-DICOM files, varying rescale: NOT logged by the
   *      reader when meta is given (the caller prints them); logged directly when meta is NULL -- */
  PetscInt nwarnings;
  char     warnings[HT_DICOM_MAX_WARN][256];
} HtDicomMeta;

/* Recursive scan; groups image files by SeriesInstanceUID. Non-DICOM files are skipped with a
 * warning as long as at least one DICOM image is found. Errors: folder missing, empty, no DICOM.
 * *list is allocated (PetscFree it); ordered by decreasing nfiles. */
PetscErrorCode HtDicom_ScanFolder(const char *path, PetscInt *nseries, HtDicomSeriesInfo **list);

/* Read one series (series_uid NULL: the series with most files) from a folder (recursive) into a
 * volume in LPS mm, float HU after RescaleSlope/Intercept (per slice). meta may be NULL. Same as
 * HtDicom_ReadSeriesOpt with the default options (cine: end-diastole; localizers excluded; irregular
 * spacing resampled and gantry tilt corrected, with warnings). Transfer syntaxes: implicit/explicit
 * LE, explicit BE, deflated, RLE, JPEG (baseline/extended/lossless), JPEG-LS (DCMTK codecs) and JPEG
 * 2000 (OpenJPEG, also multi-frame). Enhanced multi-frame images whose frames carry positions in the
 * functional groups are read frame by frame as slices. Files without SeriesInstanceUID form one
 * unnamed series (warning). Errors name the file and the problem: mixed orientation (when localizers
 * are kept), missing ImagePositionPatient, duplicate positions without distinct trigger times,
 * missing slice (gap > 1.5x the median step), differing rows/cols/spacing, truncated or absent pixel
 * data, colour images, multi-frame files without per-frame positions (no 3D volume is invented). */
PetscErrorCode HtDicom_ReadSeries(const char *path, const char *series_uid, HtVolume *vol, HtDicomMeta *meta);

/* Multi-phase (cine) series: read the phase-th image (0-based, ordered by TriggerTime, then
 * TemporalPositionIdentifier, then InstanceNumber) at every slice position. Error if positions have
 * differing image counts or the phase does not exist. phase < 0: end-diastole (phase 0). */
PetscErrorCode HtDicom_ReadSeriesPhase(const char *path, const char *series_uid, PetscInt phase, HtVolume *vol, HtDicomMeta *meta);

/* Same, from an explicit list of files (all of one series), default options. meta->nslices counts
 * the source images (it differs from the volume's slices after resampling). */
PetscErrorCode HtDicom_ReadFiles(PetscInt nfiles, const char *const files[], HtVolume *vol, HtDicomMeta *meta);

/* Read identifying + non-identifying attributes of one file without pixel data (meta->nslices = 0). */
PetscErrorCode HtDicom_ReadHeader(const char *file, HtDicomMeta *meta);

/* Series reading options (HtDicom_ReadSeriesOpt). */
typedef struct {
  PetscInt  phase;         /* cine phase (0-based, by TriggerTime / TemporalPositionIdentifier);
                            * HT_DICOM_PHASE_ED (default): end-diastole = earliest trigger after R */
  PetscBool strict;        /* refuse irregular slice spacing and gantry tilt instead of resampling */
  PetscBool keep_localizers; /* PETSC_FALSE (default): images whose orientation or size differ from
                              * the majority (localizers, scouts) are excluded with a warning */
} HtDicomOptions;
#define HT_DICOM_PHASE_ED (-1)

/* Defaults: phase = HT_DICOM_PHASE_ED, strict = keep_localizers = PETSC_FALSE. */
PetscErrorCode HtDicomOptions_Default(HtDicomOptions *opt);

/* Read one series as a uniform 3D volume (series_uid NULL: the series with most files):
 * - cine series (several images per position with distinct TriggerTime/TemporalPositionIdentifier):
 *   opt->phase is read (end-diastole by default), warning;
 * - localizers / other orientations mixed in: excluded, warning;
 * - irregular slice spacing (steps differ by > 1 %, no step > 1.5x the median): linearly resampled
 *   along the normal to the median step, warning (error under strict);
 * - gantry tilt (slice origins sheared within the plane): each slice is shifted in-plane
 *   (bilinear) onto the orthogonal grid of the first slice, warning (error under strict).
 * meta->warnings records what was done. */
PetscErrorCode HtDicom_ReadSeriesOpt(const char *path, const char *series_uid, const HtDicomOptions *opt, HtVolume *vol, HtDicomMeta *meta);

/* `hemotwin dicom info PATH [--json]` (PATH: file or folder). For every series prints
 * {"series":[{"series_uid","modality","rows","columns","frames","positions","phases",
 *  "pixel_spacing_mm":[row,col],"orientation":[6],"first_position_mm":[3],"slice_spacing_mm",
 *  "rescaled_min","rescaled_max","rescaled_mean","warnings":[...]}]}
 * with statistics over all frames after rescale (all samples for colour images). series_uid is a
 * surrogate "2.25.<SHA-256 of the UID>" (the real UID is PHI and never printed). Absent geometry is
 * null. On failure: one line on stderr naming the file and the reason, return 1. argv[0] is "info"
 * (or the program name); returns the process exit code. */
int HtDicom_InfoMain(int argc, char **argv);
/* The same report on out (json: the JSON above; else a short text table). */
PetscErrorCode HtDicom_Info(const char *path, PetscBool json, FILE *out);

/* SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), implemented here (used by the store). */
void HtSha256(const void *data, size_t len, uint8_t out[32]);
void HtHmacSha256(const void *key, size_t klen, const void *msg, size_t mlen, uint8_t out[32]);

/* Free meta->sop_instance_uid and zero the struct (safe on a zeroed struct). */
PetscErrorCode HtDicomMeta_Free(HtDicomMeta *meta);

/* Identifying strings of meta (values of at least 3 characters, plus each component of at least 4
 * characters of multi-valued and person-name values), for PHI scans. *strs and each string
 * are allocated: release with HtDicomMeta_PhiStringsFree. Never print them. */
PetscErrorCode HtDicomMeta_PhiStrings(const HtDicomMeta *meta, PetscInt *n, char ***strs, const char ***attr_names);
/* attr_names[i] is the DICOM keyword the value came from (static strings; the array is allocated). */
PetscErrorCode HtDicomMeta_PhiStringsFree(PetscInt n, char ***strs, const char ***attr_names);

#ifdef __cplusplus
}
#endif
