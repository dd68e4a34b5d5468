/* hemotwin anonymized patient-data store: de-identification (DICOM PS3.15 Annex E basic profile with
 * "Retain Longitudinal Temporal Information with Modified Dates") + SQLite database.
 *
 * - Patients are keyed by a pseudonym "HT-" + 16 hex digits of HMAC-SHA256(key, PatientID ["|" issuer]).
 * - UIDs are remapped to "2.25.<decimal of the first 128 bits of HMAC-SHA256(key, uid)>".
 * - Dates are shifted back by a per-patient offset of 0..3650 days derived from HMAC(key, PatientID).
 * - Names, IDs, addresses, descriptions, original UIDs are never written to the database.
 * The secret key lives in its own file ($HEMOTWIN_KEY, else <dbpath>.key), 32 random bytes created with
 * mode 0600 if absent; it is never stored in the database.
 *
 * Tables: patients(id, pseudonym), studies(id, patient_id, deid_uid, study_date_shifted),
 * series(id, study_id, deid_uid, modality, geometry_json, encoding "int16"|"float32", scale, offset, nvox,
 * volume = zlib of the byte planes of the little-endian values, checksum = SHA-256 hex of the values
 * before shuffling), runs(id, series_id, case_name, time, report_json),
 * audit(id, time, event, detail) — detail never contains PHI. */
#pragma once
#include <htdicom.h>
#include <htvolume.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _p_HtStore *HtStore;

typedef struct {
  PetscInt  patient_id, study_id, series_id; /* database row ids */
  char      pseudonym[24];                    /* "HT-" + 16 hex digits */
  char      study_uid[HT_DICOM_UID_LEN];      /* de-identified "2.25...." */
  char      series_uid[HT_DICOM_UID_LEN];     /* de-identified "2.25...." */
  char      study_date_shifted[16];           /* YYYYMMDD or "" */
  PetscBool existed;                          /* series was already in the store */
} HtStoreIds;

/* Open (create if absent) the database and the key file (keypath NULL: $HEMOTWIN_KEY, else
 * <dbpath>.key). Error if the key file exists but is not 32+ bytes or is group/world readable. */
PetscErrorCode HtStore_Open(const char *dbpath, const char *keypath, HtStore *st);
PetscErrorCode HtStore_Close(HtStore *st);

/* De-identify and import one series (as read by HtDicom_ReadSeries). One transaction: on any error
 * the store is unchanged. Importing the same series again returns the existing ids (ids->existed)
 * and keeps the stored volume (a warning if the new pixels differ). */
PetscErrorCode HtStore_ImportSeries(HtStore st, const HtVolume *vol, const HtDicomMeta *meta, HtStoreIds *ids);
/* Volume of a stored series (checksum verified). */
PetscErrorCode HtStore_LoadVolume(HtStore st, PetscInt series_id, HtVolume *vol);
/* Modality and de-identified series UID of a stored series (for labelling outputs). */
PetscErrorCode HtStore_GetSeries(HtStore st, PetscInt series_id, char modality[17], char deid_uid[HT_DICOM_UID_LEN], char pseudonym[24]);
/* Record a pipeline run on a series; report_json must be valid JSON without PHI (may be NULL). */
PetscErrorCode HtStore_RecordRun(HtStore st, PetscInt series_id, const char *case_name, const char *report_json, PetscInt *run_id);
/* Patients (pseudonym), studies, series, runs, as text or JSON. */
PetscErrorCode HtStore_List(HtStore st, FILE *out, PetscBool json);
PetscErrorCode HtStore_Counts(HtStore st, PetscInt *npatients, PetscInt *nstudies, PetscInt *nseries, PetscInt *nruns);
/* PRAGMA integrity_check == "ok". */
PetscErrorCode HtStore_IntegrityCheck(HtStore st, PetscBool *ok);

/* Import policy: a series whose BurnedInAnnotation is "YES" (identifying text may be burned into the
 * pixels) is refused unless allowed (then imported with a warning and an audit row). Default: refuse. */
PetscErrorCode HtStore_SetAllowBurnedIn(HtStore st, PetscBool allow);

/* One series: ids, de-identified UIDs, pseudonym, shifted study date, modality, geometry, encoding,
 * runs and its audit rows, as text or JSON (no PHI: the store holds none). */
PetscErrorCode HtStore_ShowSeries(HtStore st, PetscInt series_id, FILE *out, PetscBool json);
/* Delete a series and its runs (its study and patient too when left empty), one transaction,
 * recorded in the audit trail. Error if the series does not exist. */
PetscErrorCode HtStore_DeleteSeries(HtStore st, PetscInt series_id);
/* Export a stored series as de-identified DICOM into outdir (created; must be absent or empty): one
 * CT/MR Image Storage file per slice (Secondary Capture for other modalities), explicit VR little
 * endian, 16-bit signed pixels with RescaleSlope/Intercept reproducing the stored values, geometry
 * from the stored grid, PatientName/ID = pseudonym, the store's de-identified study/series UIDs,
 * SOP/FrameOfReference UIDs derived with the key, shifted study date, PatientIdentityRemoved YES,
 * DeidentificationMethod(+CodeSequence 113100/113106). No identifying value is written. Audited. */
PetscErrorCode HtStore_ExportDicom(HtStore st, PetscInt series_id, const char *outdir, PetscInt *nfiles);

/* `hemotwin store ACTION ...`: list [--json] | show ID [--json] | export ID --out DIR | delete ID,
 * with --store FILE (default hemotwin.db) --key FILE --quiet. argv[0] is "store" (or the program
 * name). Prints one error line on failure; returns the exit code (0 ok, 1 error, 2 usage). Listing,
 * show, export and delete never create a store: a missing database is an error. */
int HtStore_Main(int argc, char **argv);

/* De-identification primitives with the store's key (also usable by the pipeline for outputs). */
PetscErrorCode HtStore_Pseudonym(HtStore st, const HtDicomMeta *meta, char pseudonym[24]);
PetscErrorCode HtStore_DeidUid(HtStore st, const char *uid, char out[HT_DICOM_UID_LEN]);
/* Shift a DICOM date YYYYMMDD back by the patient's offset; "" stays "". Error on malformed dates. */
PetscErrorCode HtStore_ShiftDate(HtStore st, const HtDicomMeta *meta, const char *date, char out[16]);

/* Scan any file for the identifying strings of meta (HtDicomMeta_PhiStrings; byte match, values
 * shorter than 8 bytes only as a standalone token so random base64/binary does not match).
 * *found = PETSC_TRUE and `what` gets the attribute NAME (e.g. "PatientName"), never the value. */
PetscErrorCode HtStore_PhiScanFile(const char *path, const HtDicomMeta *meta, PetscBool *found, char *what, size_t len);

/* HtSha256 / HtHmacSha256: declared in htdicom.h (implemented in imaging/dicom/sha256.c). */

#ifdef __cplusplus
}
#endif
