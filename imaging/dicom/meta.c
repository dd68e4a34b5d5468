/* HtDicomMeta helpers: release, and the list of identifying strings used by PHI scans. */
#include <htdicom.h>
#include <string.h>

PetscErrorCode HtDicomMeta_Free(HtDicomMeta *meta)
{
  PetscFunctionBeginUser;
  if (!meta) PetscFunctionReturn(0);
  PetscCall(PetscFree(meta->sop_instance_uid));
  memset(meta, 0, sizeof(*meta));
  PetscFunctionReturn(0);
}

typedef struct {
  PetscInt     n, cap;
  char       **s;
  const char **a;
} PhiList;

static PetscErrorCode PhiAdd(PhiList *l, const char *attr, const char *v, size_t len)
{
  PetscFunctionBeginUser;
  /* ignore padding and empty values */
  while (len && (v[len - 1] == ' ' || v[len - 1] == '^')) len--;
  while (len && (*v == ' ' || *v == '^')) {
    v++;
    len--;
  }
  if (len < 3) PetscFunctionReturn(0); /* 1-2 characters would match everywhere */
  for (PetscInt q = 0; q < l->n; q++)
    if (strlen(l->s[q]) == len && !memcmp(l->s[q], v, len)) PetscFunctionReturn(0);
  if (l->n == l->cap) {
    PetscInt     cap = l->cap ? 2 * l->cap : 64;
    char       **s;
    const char **a;
    PetscCall(PetscCalloc1(cap, &s));
    PetscCall(PetscCalloc1(cap, &a));
    if (l->n) {
      PetscCall(PetscArraycpy(s, l->s, l->n));
      PetscCall(PetscArraycpy(a, l->a, l->n));
    }
    PetscCall(PetscFree(l->s));
    PetscCall(PetscFree(l->a));
    l->s   = s;
    l->a   = a;
    l->cap = cap;
  }
  PetscCall(PetscMalloc1(len + 1, &l->s[l->n]));
  memcpy(l->s[l->n], v, len);
  l->s[l->n][len] = 0;
  l->a[l->n]      = attr;
  l->n++;
  PetscFunctionReturn(0);
}

/* The whole value, and (for multi-valued or person names) each component of >= 4 characters:
 * shorter fragments would match random bytes of binary files. */
static PetscErrorCode PhiAddValue(PhiList *l, const char *attr, const char *v, PetscBool split)
{
  PetscFunctionBeginUser;
  size_t len = strlen(v);
  PetscCall(PhiAdd(l, attr, v, len));
  if (split) {
    const char *p = v;
    while (*p) {
      size_t k = strcspn(p, "\\^=");
      if (k >= 4 && k < len) PetscCall(PhiAdd(l, attr, p, k));
      p += k;
      if (*p) p++;
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtDicomMeta_PhiStrings(const HtDicomMeta *m, PetscInt *n, char ***strs, const char ***attr_names)
{
  PhiList l = {0, 0, NULL, NULL};
  PetscFunctionBeginUser;
  PetscCall(PhiAddValue(&l, "PatientName", m->patient_name, PETSC_TRUE));
  PetscCall(PhiAddValue(&l, "PatientID", m->patient_id, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "IssuerOfPatientID", m->issuer_of_patient_id, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "OtherPatientIDs", m->other_patient_ids, PETSC_TRUE));
  PetscCall(PhiAddValue(&l, "PatientBirthDate", m->patient_birth_date, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "PatientAge", m->patient_age, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "StudyDate", m->study_date, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "SeriesDate", m->series_date, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "AcquisitionDate", m->acquisition_date, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "ContentDate", m->content_date, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "AccessionNumber", m->accession_number, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "InstitutionName", m->institution_name, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "InstitutionAddress", m->institution_address, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "ReferringPhysicianName", m->referring_physician_name, PETSC_TRUE));
  PetscCall(PhiAddValue(&l, "PerformingPhysicianName", m->performing_physician_name, PETSC_TRUE));
  PetscCall(PhiAddValue(&l, "OperatorsName", m->operators_name, PETSC_TRUE));
  PetscCall(PhiAddValue(&l, "StationName", m->station_name, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "DeviceSerialNumber", m->device_serial_number, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "StudyDescription", m->study_description, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "SeriesDescription", m->series_description, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "ProtocolName", m->protocol_name, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "StudyID", m->study_id, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "StudyInstanceUID", m->study_instance_uid, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "SeriesInstanceUID", m->series_instance_uid, PETSC_FALSE));
  PetscCall(PhiAddValue(&l, "FrameOfReferenceUID", m->frame_of_reference_uid, PETSC_FALSE));
  for (PetscInt k = 0; k < m->nslices; k++) PetscCall(PhiAddValue(&l, "SOPInstanceUID", m->sop_instance_uid[k], PETSC_FALSE));
  *n          = l.n;
  *strs       = l.s;
  *attr_names = l.a;
  PetscFunctionReturn(0);
}

PetscErrorCode HtDicomMeta_PhiStringsFree(PetscInt n, char ***strs, const char ***attr_names)
{
  PetscFunctionBeginUser;
  if (strs && *strs) {
    for (PetscInt q = 0; q < n; q++) PetscCall(PetscFree((*strs)[q]));
    PetscCall(PetscFree(*strs));
  }
  if (attr_names) PetscCall(PetscFree(*attr_names));
  PetscFunctionReturn(0);
}
