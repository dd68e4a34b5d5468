/* Anonymized patient-data store: de-identification (PS3.15 Annex E basic profile, retain longitudinal
 * temporal information with modified dates) and SQLite persistence with zlib-compressed volumes.
 * Nothing identifying is written: the database holds pseudonyms, remapped UIDs, shifted dates,
 * geometry, pixels and pipeline reports. The HMAC key lives in its own 0600 file. */
#include <htstore.h>
#include "store_export.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

struct _p_HtStore {
  sqlite3  *db;
  uint8_t   key[32];
  char      dbpath[PETSC_MAX_PATH_LEN];
  PetscBool allow_burned_in;
};

#define HT_STORE_SCHEMA_VERSION 1

/* ---- small helpers ----------------------------------------------------------------------- */
static void Hex(const uint8_t *b, size_t n, char *out, PetscBool upper)
{
  const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (size_t q = 0; q < n; q++) {
    out[2 * q]     = d[b[q] >> 4];
    out[2 * q + 1] = d[b[q] & 15];
  }
  out[2 * n] = 0;
}

static void KeyedHash(HtStore st, const char *domain, const char *value, uint8_t out[32])
{
  size_t ld = strlen(domain), lv = strlen(value);
  char   buf[2048];
  /* domain separation: "domain\0value"; values are bounded by DICOM VR lengths */
  if (ld + 1 + lv > sizeof(buf)) lv = sizeof(buf) - ld - 1;
  memcpy(buf, domain, ld);
  buf[ld] = 0;
  memcpy(buf + ld + 1, value, lv);
  HtHmacSha256(st->key, sizeof(st->key), buf, ld + 1 + lv, out);
}

static PetscErrorCode Exec(HtStore st, const char *sql)
{
  char *err = NULL;
  PetscFunctionBeginUser;
  if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
    char msg[256];
    snprintf(msg, sizeof(msg), "%s", err ? err : sqlite3_errmsg(st->db));
    sqlite3_free(err);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: SQL failed (%s)", st->dbpath, msg);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode Prepare(HtStore st, const char *sql, sqlite3_stmt **s)
{
  PetscFunctionBeginUser;
  PetscCheck(sqlite3_prepare_v2(st->db, sql, -1, s, NULL) == SQLITE_OK, PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: cannot prepare statement (%s)", st->dbpath, sqlite3_errmsg(st->db));
  PetscFunctionReturn(0);
}

static PetscErrorCode StepDone(HtStore st, sqlite3_stmt *s)
{
  PetscFunctionBeginUser;
  int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE) {
    char msg[256];
    snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(st->db));
    sqlite3_finalize(s);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: write failed (%s)", st->dbpath, msg);
  }
  sqlite3_finalize(s);
  PetscFunctionReturn(0);
}

static void NowIso(char out[32])
{
  time_t    t = time(NULL);
  struct tm tmv;
  gmtime_r(&t, &tmv);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv);
}

static PetscErrorCode Audit(HtStore st, const char *event, const char *detail)
{
  sqlite3_stmt *s;
  char          now[32];
  PetscFunctionBeginUser;
  NowIso(now);
  PetscCall(Prepare(st, "INSERT INTO audit(time, event, detail) VALUES(?,?,?)", &s));
  sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, event, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, detail, -1, SQLITE_TRANSIENT);
  PetscCall(StepDone(st, s));
  PetscFunctionReturn(0);
}

/* ---- key file ------------------------------------------------------------------------------ */
/* A new key is made only for a new database: an existing store whose key file is missing must fail
 * (a fresh key would not open it, and a stray wrong key beside the database invites mistakes). */
static PetscErrorCode LoadOrCreateKey(const char *keypath, const char *dbpath, uint8_t key[32])
{
  struct stat sb;
  PetscFunctionBeginUser;
  if (stat(keypath, &sb) == 0) {
    PetscCheck(S_ISREG(sb.st_mode), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "key file %s: not a regular file", keypath);
    PetscCheck((sb.st_mode & 077) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "key file %s: readable by group/others (mode %o); chmod 600 it", keypath, (unsigned)(sb.st_mode & 0777));
    FILE *f = fopen(keypath, "rb");
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "key file %s: cannot open (%s)", keypath, strerror(errno));
    size_t got = fread(key, 1, 32, f);
    fclose(f);
    PetscCheck(got == 32, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "key file %s: shorter than 32 bytes", keypath);
    PetscFunctionReturn(0);
  }
  PetscCheck(stat(dbpath, &sb) != 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "key file %s: missing for the existing store %s (give it with --key or $HEMOTWIN_KEY)", keypath, dbpath);
  FILE *r = fopen("/dev/urandom", "rb");
  PetscCheck(r, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file /dev/urandom: cannot open for the store key");
  size_t got = fread(key, 1, 32, r);
  fclose(r);
  PetscCheck(got == 32, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file /dev/urandom: short read");
  int fd = open(keypath, O_WRONLY | O_CREAT | O_EXCL, 0600);
  PetscCheck(fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "key file %s: cannot create (%s)", keypath, strerror(errno));
  ssize_t w = write(fd, key, 32);
  int     ok = (w == 32) && fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(keypath);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "key file %s: write failed", keypath);
  }
  HtLog_Info("store: created a new de-identification key %s (keep it secret and backed up)", keypath);
  PetscFunctionReturn(0);
}

/* AUTOINCREMENT: ids of deleted rows are never reused, so the audit trail ("series N") stays
 * unambiguous after `store delete`. */
static const char *kSchema =
  "CREATE TABLE IF NOT EXISTS info(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS patients(id INTEGER PRIMARY KEY AUTOINCREMENT, pseudonym TEXT NOT NULL UNIQUE, date_shift_applied INTEGER NOT NULL DEFAULT 1);"
  "CREATE TABLE IF NOT EXISTS studies(id INTEGER PRIMARY KEY AUTOINCREMENT, patient_id INTEGER NOT NULL REFERENCES patients(id), deid_uid TEXT NOT NULL UNIQUE, study_date_shifted TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY AUTOINCREMENT, study_id INTEGER NOT NULL REFERENCES studies(id), deid_uid TEXT NOT NULL UNIQUE,"
  " modality TEXT NOT NULL, geometry_json TEXT NOT NULL, encoding TEXT NOT NULL CHECK(encoding IN ('int16','float32')),"
  " scale REAL NOT NULL, offset REAL NOT NULL, nvox INTEGER NOT NULL, volume BLOB NOT NULL, checksum TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY AUTOINCREMENT, series_id INTEGER NOT NULL REFERENCES series(id), case_name TEXT NOT NULL, time TEXT NOT NULL, report_json TEXT);"
  "CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY, time TEXT NOT NULL, event TEXT NOT NULL, detail TEXT);";

PetscErrorCode HtStore_Open(const char *dbpath, const char *keypath, HtStore *out)
{
  HtStore st;
  char    kp[PETSC_MAX_PATH_LEN], check[65];
  uint8_t h[32];
  PetscFunctionBeginUser;
  PetscCheck(dbpath && dbpath[0] && out, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_Open: no database path given");
  *out = NULL;
  if (keypath && keypath[0]) snprintf(kp, sizeof(kp), "%s", keypath);
  else if (getenv("HEMOTWIN_KEY") && getenv("HEMOTWIN_KEY")[0]) snprintf(kp, sizeof(kp), "%s", getenv("HEMOTWIN_KEY"));
  else snprintf(kp, sizeof(kp), "%s.key", dbpath);
  PetscCheck(strcmp(kp, dbpath), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: the key file must be a separate file", dbpath);
  PetscCall(PetscCalloc1(1, &st));
  snprintf(st->dbpath, sizeof(st->dbpath), "%s", dbpath);
  PetscErrorCode ierr = LoadOrCreateKey(kp, dbpath, st->key);
  if (ierr) {
    PetscCall(PetscFree(st));
    PetscCall(ierr);
  }
  if (sqlite3_open_v2(dbpath, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    char msg[256];
    snprintf(msg, sizeof(msg), "%s", st->db ? sqlite3_errmsg(st->db) : "out of memory");
    sqlite3_close(st->db);
    PetscCall(PetscFree(st));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "database %s: cannot open (%s)", dbpath, msg);
  }
  sqlite3_busy_timeout(st->db, 10000);
  /* a key check value (HMAC of a constant, not the key) detects a wrong key file for this database */
  KeyedHash(st, "hemotwin-key-check", "v1", h);
  Hex(h, 16, check, PETSC_FALSE);
  ierr = Exec(st, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
  if (!ierr) ierr = Exec(st, "BEGIN IMMEDIATE");
  if (!ierr) ierr = Exec(st, kSchema);
  if (!ierr) {
    sqlite3_stmt *s = NULL;
    ierr            = Prepare(st, "SELECT value FROM info WHERE name='key_check'", &s);
    if (!ierr) {
      if (sqlite3_step(s) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        if (!v || strcmp(v, check)) {
          sqlite3_finalize(s);
          Exec(st, "ROLLBACK");
          sqlite3_close(st->db);
          PetscCall(PetscFree(st));
          SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "key file %s: does not belong to database %s (different key)", kp, dbpath);
        }
        sqlite3_finalize(s);
      } else {
        sqlite3_finalize(s);
        char sql[256];
        snprintf(sql, sizeof(sql), "INSERT INTO info(name,value) VALUES('key_check','%s'),('schema_version','%d')", check, HT_STORE_SCHEMA_VERSION);
        ierr = Exec(st, sql);
      }
    }
  }
  if (!ierr) ierr = Exec(st, "COMMIT");
  if (ierr) {
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(st->db);
    PetscCall(PetscFree(st));
    PetscCall(ierr);
  }
  *out = st;
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_Close(HtStore *st)
{
  PetscFunctionBeginUser;
  if (!st || !*st) PetscFunctionReturn(0);
  int rc = sqlite3_close((*st)->db);
  memset((*st)->key, 0, sizeof((*st)->key));
  char path[PETSC_MAX_PATH_LEN];
  snprintf(path, sizeof(path), "%s", (*st)->dbpath);
  PetscCall(PetscFree(*st));
  PetscCheck(rc == SQLITE_OK, PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: close failed (statements left open)", path);
  PetscFunctionReturn(0);
}

/* ---- de-identification primitives ------------------------------------------------------------ */
/* Study identity: StudyInstanceUID; over-anonymized exports blank it, then the FrameOfReferenceUID
 * (or the first SOPInstanceUID) stands in. Empty string if nothing identifies the study. */
static void StudyKey(const HtDicomMeta *m, char *buf, size_t len)
{
  if (m->study_instance_uid[0]) snprintf(buf, len, "%s", m->study_instance_uid);
  else if (m->frame_of_reference_uid[0]) snprintf(buf, len, "surrogate-study-for:%s", m->frame_of_reference_uid);
  else if (m->nslices > 0 && m->sop_instance_uid[0][0]) snprintf(buf, len, "surrogate-study-sop:%s", m->sop_instance_uid[0]);
  else buf[0] = 0;
}

static void PatientKey(const HtDicomMeta *m, char *buf, size_t len)
{
  /* the patient identity: PatientID + issuer; without a PatientID every study is its own patient */
  char sk[256];
  if (m->patient_id[0]) snprintf(buf, len, "id:%s|%s", m->patient_id, m->issuer_of_patient_id);
  else {
    StudyKey(m, sk, sizeof(sk));
    snprintf(buf, len, "study:%s", sk);
  }
}

PetscErrorCode HtStore_Pseudonym(HtStore st, const HtDicomMeta *meta, char pseudonym[24])
{
  char    pk[512], hex[65];
  uint8_t h[32];
  PetscFunctionBeginUser;
  PetscCheck(st && meta, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_Pseudonym: NULL argument");
  StudyKey(meta, pk, sizeof(pk));
  PetscCheck(meta->patient_id[0] || pk[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "series: neither PatientID nor a study identity (StudyInstanceUID/FrameOfReferenceUID) present; cannot key the patient");
  PatientKey(meta, pk, sizeof(pk));
  KeyedHash(st, "hemotwin-patient", pk, h);
  Hex(h, 8, hex, PETSC_TRUE);
  memcpy(pseudonym, "HT-", 3);
  memcpy(pseudonym + 3, hex, 17); /* 16 hex digits + NUL */
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_DeidUid(HtStore st, const char *uid, char out[HT_DICOM_UID_LEN])
{
  uint8_t h[32];
  char    dec[48];
  int     nd = 0;
  PetscFunctionBeginUser;
  PetscCheck(st && uid && uid[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_DeidUid: empty UID");
  KeyedHash(st, "hemotwin-uid", uid, h);
  /* 128-bit big-endian integer -> decimal by repeated division by 10 (PS3.5 B.2 "2.25." UUID-derived form) */
  uint8_t num[16];
  memcpy(num, h, 16);
  num[0] &= 0x7f; /* keep below 2^127 so the UID has at most 39 digits */
  for (;;) {
    int      zero = 1;
    unsigned rem  = 0;
    for (int q = 0; q < 16; q++) {
      unsigned cur = rem * 256 + num[q];
      num[q]       = (uint8_t)(cur / 10);
      rem          = cur % 10;
      if (num[q]) zero = 0;
    }
    dec[nd++] = (char)('0' + rem);
    if (zero) break;
  }
  char *p = out + snprintf(out, HT_DICOM_UID_LEN, "2.25.");
  /* no leading zeros (a UID component must not start with 0 unless it is 0) */
  while (nd > 1 && dec[nd - 1] == '0') nd--;
  for (int q = nd - 1; q >= 0; q--) *p++ = dec[q];
  *p = 0;
  PetscFunctionReturn(0);
}

static int DaysFromCivil(int y, unsigned m, unsigned d)
{
  y -= m <= 2;
  const int      era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int)doe - 719468;
}

static void CivilFromDays(int z, int *y, unsigned *m, unsigned *d)
{
  z += 719468;
  const int      era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp  = (5 * doy + 2) / 153;
  *d                 = doy - (153 * mp + 2) / 5 + 1;
  *m                 = mp < 10 ? mp + 3 : mp - 9;
  *y                 = (int)yoe + era * 400 + (*m <= 2);
}

static PetscErrorCode DateShiftDays(HtStore st, const HtDicomMeta *meta, int *days)
{
  char    pk[512];
  uint8_t h[32];
  PetscFunctionBeginUser;
  PatientKey(meta, pk, sizeof(pk));
  KeyedHash(st, "hemotwin-dateshift", pk, h);
  uint32_t v = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
  *days      = 1 + (int)(v % 3650u); /* 1..3650 days back: never zero, so no original date survives */
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_ShiftDate(HtStore st, const HtDicomMeta *meta, const char *date, char out[16])
{
  int      days, y;
  unsigned m, d;
  PetscFunctionBeginUser;
  out[0] = 0;
  if (!date || !date[0]) PetscFunctionReturn(0);
  PetscCheck(strlen(date) == 8 && strspn(date, "0123456789") == 8, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "series: a DICOM date is not YYYYMMDD");
  y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
  m = (unsigned)((date[4] - '0') * 10 + (date[5] - '0'));
  d = (unsigned)((date[6] - '0') * 10 + (date[7] - '0'));
  PetscCheck(m >= 1 && m <= 12 && d >= 1 && d <= 31 && y >= 1800, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "series: a DICOM date is out of range");
  PetscCall(DateShiftDays(st, meta, &days));
  CivilFromDays(DaysFromCivil(y, m, d) - days, &y, &m, &d);
  PetscCheck(y >= 0 && y <= 9999, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "series: a shifted DICOM date is out of range");
  snprintf(out, 16, "%04d%02u%02u", y % 10000, m % 100u, d % 100u);
  PetscFunctionReturn(0);
}

/* ---- import ---------------------------------------------------------------------------------- */
static PetscErrorCode FindId(HtStore st, const char *sql, const char *key, PetscInt *id)
{
  sqlite3_stmt *s;
  PetscFunctionBeginUser;
  *id = -1;
  PetscCall(Prepare(st, sql, &s));
  sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) *id = (PetscInt)sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  PetscCheck(rc == SQLITE_ROW || rc == SQLITE_DONE, PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: query failed (%s)", st->dbpath, sqlite3_errmsg(st->db));
  PetscFunctionReturn(0);
}

static PetscErrorCode GeometryJson(const HtVolume *vol, const HtDicomMeta *meta, char **json)
{
  cJSON *o = cJSON_CreateObject();
  PetscFunctionBeginUser;
  PetscCheck(o, PETSC_COMM_SELF, PETSC_ERR_MEM, "geometry JSON: out of memory");
  double n[3] = {(double)vol->g.n[0], (double)vol->g.n[1], (double)vol->g.n[2]};
  cJSON_AddItemToObject(o, "n", cJSON_CreateDoubleArray(n, 3));
  cJSON_AddItemToObject(o, "origin_mm", cJSON_CreateDoubleArray(vol->g.origin, 3));
  cJSON_AddItemToObject(o, "spacing_mm", cJSON_CreateDoubleArray(vol->g.spacing, 3));
  cJSON_AddItemToObject(o, "dir", cJSON_CreateDoubleArray(vol->g.dir, 9));
  cJSON_AddNumberToObject(o, "slice_thickness_mm", meta->slice_thickness_mm);
  cJSON_AddNumberToObject(o, "kvp", meta->kvp);
  cJSON_AddNumberToObject(o, "hu_min", meta->hu_min);
  cJSON_AddNumberToObject(o, "hu_max", meta->hu_max);
  cJSON_AddStringToObject(o, "manufacturer", meta->manufacturer);
  cJSON_AddStringToObject(o, "manufacturer_model", meta->manufacturer_model);
  cJSON_AddStringToObject(o, "sop_class_uid", meta->sop_class_uid);
  cJSON_AddStringToObject(o, "burned_in_annotation", meta->burned_in_annotation);
  cJSON_AddStringToObject(o, "deidentification", "PS3.15 E basic profile; retain longitudinal temporal information with modified dates");
  char *s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  PetscCheck(s, PETSC_COMM_SELF, PETSC_ERR_MEM, "geometry JSON: out of memory");
  *json = s;
  PetscFunctionReturn(0);
}

/* Byte planes (all byte 0 of each value, then all byte 1, ...): CT values change slowly, so their
 * high bytes form long runs and zlib compresses the planes far better than interleaved values. */
static void Shuffle(const uint8_t *in, uint8_t *out, size_t nval, size_t w)
{
  for (size_t q = 0; q < nval; q++)
    for (size_t b = 0; b < w; b++) out[b * nval + q] = in[q * w + b];
}
static void Unshuffle(const uint8_t *in, uint8_t *out, size_t nval, size_t w)
{
  for (size_t q = 0; q < nval; q++)
    for (size_t b = 0; b < w; b++) out[q * w + b] = in[b * nval + q];
}

/* Encode the volume: int16 when every value is an integer in range (exact), else float32. */
static PetscErrorCode EncodeVolume(HtStore st, const HtVolume *vol, const char **enc, void **raw, size_t *rawlen)
{
  size_t    nv     = HtGrid_Count(&vol->g);
  PetscBool asint  = PETSC_TRUE;
  PetscFunctionBeginUser;
  for (size_t q = 0; q < nv; q++) {
    float v = vol->val[q];
    PetscCheck(isfinite(v), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: volume voxel %zu is not finite; nothing imported", st->dbpath, q);
    if (asint && (v != floorf(v) || v < -32768.f || v > 32767.f)) asint = PETSC_FALSE;
  }
  if (asint) {
    int16_t *p;
    PetscCall(PetscMalloc1(nv, &p));
    for (size_t q = 0; q < nv; q++) p[q] = (int16_t)vol->val[q];
    *enc    = "int16";
    *raw    = p;
    *rawlen = nv * sizeof(int16_t);
  } else {
    float *p;
    PetscCall(PetscMalloc1(nv, &p));
    memcpy(p, vol->val, nv * sizeof(float));
    *enc    = "float32";
    *raw    = p;
    *rawlen = nv * sizeof(float);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ImportTx(HtStore st, const HtVolume *vol, const HtDicomMeta *meta, HtStoreIds *ids)
{
  sqlite3_stmt *s;
  char         *geo = NULL, detail[256];
  const char   *enc = NULL;
  void         *raw = NULL;
  size_t        rawlen = 0;
  PetscFunctionBeginUser;
  PetscCall(FindId(st, "SELECT id FROM patients WHERE pseudonym=?", ids->pseudonym, &ids->patient_id));
  if (ids->patient_id < 0) {
    PetscCall(Prepare(st, "INSERT INTO patients(pseudonym) VALUES(?)", &s));
    sqlite3_bind_text(s, 1, ids->pseudonym, -1, SQLITE_TRANSIENT);
    PetscCall(StepDone(st, s));
    ids->patient_id = (PetscInt)sqlite3_last_insert_rowid(st->db);
  }
  PetscCall(FindId(st, "SELECT id FROM studies WHERE deid_uid=?", ids->study_uid, &ids->study_id));
  if (ids->study_id < 0) {
    PetscCall(Prepare(st, "INSERT INTO studies(patient_id, deid_uid, study_date_shifted) VALUES(?,?,?)", &s));
    sqlite3_bind_int64(s, 1, ids->patient_id);
    sqlite3_bind_text(s, 2, ids->study_uid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, ids->study_date_shifted, -1, SQLITE_TRANSIENT);
    PetscCall(StepDone(st, s));
    ids->study_id = (PetscInt)sqlite3_last_insert_rowid(st->db);
  }
  PetscCall(FindId(st, "SELECT id FROM series WHERE deid_uid=?", ids->series_uid, &ids->series_id));
  if (ids->series_id >= 0) {
    /* same series again: keep the stored version, but say so if the pixels differ (re-export?) */
    sqlite3_stmt *q;
    char          hex[65], stored[65] = "";
    uint8_t       h[32];
    ids->existed = PETSC_TRUE;
    PetscCall(EncodeVolume(st, vol, &enc, &raw, &rawlen));
    HtSha256(raw, rawlen, h);
    Hex(h, 32, hex, PETSC_FALSE);
    PetscCall(PetscFree(raw));
    PetscCall(Prepare(st, "SELECT checksum FROM series WHERE id=?", &q));
    sqlite3_bind_int64(q, 1, ids->series_id);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) snprintf(stored, sizeof(stored), "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    PetscBool same = strcmp(hex, stored) ? PETSC_FALSE : PETSC_TRUE;
    if (!same) HtLog_Warn("store: series %" PetscInt_FMT " is already stored with different pixel data; the stored version is kept", ids->series_id);
    snprintf(detail, sizeof(detail), "series %" PetscInt_FMT " already stored; no change (pixels %s)", ids->series_id, same ? "identical" : "DIFFER");
    PetscCall(Audit(st, "reimport", detail));
    PetscFunctionReturn(0);
  }
  /* volume encoding is validated here, inside the transaction: a bad volume undoes the rows above */
  PetscCall(EncodeVolume(st, vol, &enc, &raw, &rawlen));
  uLongf   clen = compressBound((uLong)rawlen);
  Bytef   *comp;
  uint8_t  h[32], *shuf;
  char     hex[65];
  size_t   w = !strcmp(enc, "int16") ? 2 : 4;
  PetscCall(PetscMalloc1(clen, &comp));
  PetscCall(PetscMalloc1(rawlen, &shuf));
  Shuffle((const uint8_t *)raw, shuf, rawlen / w, w);
  int zrc = compress2(comp, &clen, (const Bytef *)shuf, (uLong)rawlen, 6);
  HtSha256(raw, rawlen, h); /* checksum of the values, before shuffling */
  Hex(h, 32, hex, PETSC_FALSE);
  PetscCall(PetscFree(shuf));
  PetscCall(PetscFree(raw));
  if (zrc != Z_OK) {
    PetscCall(PetscFree(comp));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: zlib compress failed (%d)", st->dbpath, zrc);
  }
  PetscErrorCode ierr = GeometryJson(vol, meta, &geo);
  if (ierr) {
    PetscCall(PetscFree(comp));
    PetscCall(ierr);
  }
  ierr = Prepare(st, "INSERT INTO series(study_id, deid_uid, modality, geometry_json, encoding, scale, offset, nvox, volume, checksum) VALUES(?,?,?,?,?,1.0,0.0,?,?,?)", &s);
  if (!ierr) {
    sqlite3_bind_int64(s, 1, ids->study_id);
    sqlite3_bind_text(s, 2, ids->series_uid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, meta->modality, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, geo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, enc, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)HtGrid_Count(&vol->g));
    sqlite3_bind_blob64(s, 7, comp, (sqlite3_uint64)clen, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 8, hex, -1, SQLITE_TRANSIENT);
    ierr = StepDone(st, s);
  }
  cJSON_free(geo);
  PetscCall(PetscFree(comp));
  PetscCall(ierr);
  ids->series_id = (PetscInt)sqlite3_last_insert_rowid(st->db);
  snprintf(detail, sizeof(detail), "series %" PetscInt_FMT " (study %" PetscInt_FMT ", patient %" PetscInt_FMT "): %s %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " %s, %lu bytes compressed",
           ids->series_id, ids->study_id, ids->patient_id, meta->modality, vol->g.n[0], vol->g.n[1], vol->g.n[2], enc, (unsigned long)clen);
  PetscCall(Audit(st, "import", detail));
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_ImportSeries(HtStore st, const HtVolume *vol, const HtDicomMeta *meta, HtStoreIds *ids)
{
  PetscFunctionBeginUser;
  PetscCheck(st && vol && meta && ids, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_ImportSeries: NULL argument");
  memset(ids, 0, sizeof(*ids));
  PetscCheck(vol->val && HtGrid_Count(&vol->g) > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: import of an empty volume", st->dbpath);
  /* meta->nslices counts source images: it differs from the volume's slices after resampling */
  PetscCheck(meta->nslices >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: metadata slice count negative; nothing imported", st->dbpath);
  for (int a = 0; a < 3; a++) PetscCheck(vol->g.spacing[a] > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: volume spacing not positive; nothing imported", st->dbpath);
  char skey[256], sekey[512];
  StudyKey(meta, skey, sizeof(skey));
  PetscCheck(skey[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: series has no StudyInstanceUID, FrameOfReferenceUID or SOPInstanceUID; nothing imported", st->dbpath);
  if (meta->series_instance_uid[0]) snprintf(sekey, sizeof(sekey), "%s", meta->series_instance_uid);
  else {
    /* no SeriesInstanceUID: the study key + a hash of the pixels identify the series (re-import is idempotent) */
    uint8_t h[32];
    char    hex[65];
    HtSha256(vol->val, HtGrid_Count(&vol->g) * sizeof(float), h);
    Hex(h, 32, hex, PETSC_FALSE);
    snprintf(sekey, sizeof(sekey), "surrogate-series:%s:%s", skey, hex);
    HtLog_Warn("store: series without SeriesInstanceUID; identified by its study and a hash of its pixels");
  }
  PetscCall(HtStore_Pseudonym(st, meta, ids->pseudonym));
  PetscCall(HtStore_DeidUid(st, skey, ids->study_uid));
  PetscCall(HtStore_DeidUid(st, sekey, ids->series_uid));
  /* StudyDate, else the series/acquisition/content date, shifted */
  const char *date = meta->study_date[0] ? meta->study_date : meta->series_date[0] ? meta->series_date : meta->acquisition_date[0] ? meta->acquisition_date : meta->content_date;
  PetscCall(HtStore_ShiftDate(st, meta, date, ids->study_date_shifted));
  /* burned-in text is PHI the tag-level de-identification cannot remove */
  PetscCheck(strcmp(meta->burned_in_annotation, "YES") || st->allow_burned_in, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: the series declares BurnedInAnnotation YES (identifying text may be in the pixels); refused (--allow-burned-in to import anyway)", st->dbpath);
  if (!strcmp(meta->burned_in_annotation, "YES")) HtLog_Warn("store: importing a series with burned-in annotation (allowed): pixel data may contain identifying text");

  PetscCall(Exec(st, "BEGIN IMMEDIATE"));
  PetscErrorCode ierr = ImportTx(st, vol, meta, ids);
  if (!ierr && !strcmp(meta->burned_in_annotation, "YES") && !ids->existed) {
    char detail[128];
    snprintf(detail, sizeof(detail), "series %" PetscInt_FMT ": burned-in annotation declared, import allowed", ids->series_id);
    ierr = Audit(st, "burned_in_allowed", detail);
  }
  if (!ierr) ierr = Exec(st, "COMMIT");
  if (ierr) {
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    ids->patient_id = ids->study_id = ids->series_id = -1;
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}

/* ---- load --------------------------------------------------------------------------------------- */
static PetscErrorCode JsonArray(const cJSON *o, const char *name, PetscReal *v, int n, PetscInt series_id)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, name);
  PetscFunctionBeginUser;
  PetscCheck(cJSON_IsArray(a) && cJSON_GetArraySize(a) == n, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "series %" PetscInt_FMT ": geometry JSON lacks %s", series_id, name);
  for (int q = 0; q < n; q++) {
    const cJSON *e = cJSON_GetArrayItem(a, q);
    PetscCheck(cJSON_IsNumber(e), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "series %" PetscInt_FMT ": geometry JSON %s is not numeric", series_id, name);
    v[q] = e->valuedouble;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode LoadRow(HtStore st, sqlite3_stmt *s, PetscInt series_id, HtVolume *vol)
{
  HtGrid      g;
  PetscReal   n[3];
  PetscFunctionBeginUser;
  const char *geo  = (const char *)sqlite3_column_text(s, 0);
  const char *enc  = (const char *)sqlite3_column_text(s, 1);
  double      sc   = sqlite3_column_double(s, 2), off = sqlite3_column_double(s, 3);
  sqlite3_int64 nvox = sqlite3_column_int64(s, 4);
  const void *blob = sqlite3_column_blob(s, 5);
  int         blen = sqlite3_column_bytes(s, 5);
  const char *sum  = (const char *)sqlite3_column_text(s, 6);
  PetscCheck(geo && enc && blob && sum, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "database %s: series %" PetscInt_FMT " row incomplete", st->dbpath, series_id);
  cJSON *o = cJSON_Parse(geo);
  PetscCheck(o, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "database %s: series %" PetscInt_FMT " geometry JSON malformed", st->dbpath, series_id);
  memset(&g, 0, sizeof(g));
  PetscErrorCode ierr = JsonArray(o, "n", n, 3, series_id);
  if (!ierr) ierr = JsonArray(o, "origin_mm", g.origin, 3, series_id);
  if (!ierr) ierr = JsonArray(o, "spacing_mm", g.spacing, 3, series_id);
  if (!ierr) ierr = JsonArray(o, "dir", g.dir, 9, series_id);
  cJSON_Delete(o);
  PetscCall(ierr);
  for (int a = 0; a < 3; a++) g.n[a] = (PetscInt)n[a];
  PetscCheck((sqlite3_int64)HtGrid_Count(&g) == nvox, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "database %s: series %" PetscInt_FMT " voxel count mismatch", st->dbpath, series_id);
  int    is16   = !strcmp(enc, "int16");
  size_t rawlen = (size_t)nvox * (is16 ? 2 : 4);
  void  *raw;
  PetscCall(PetscMalloc1(rawlen, (char **)&raw));
  uint8_t *shuf;
  PetscCall(PetscMalloc1(rawlen, &shuf));
  uLongf dlen = (uLongf)rawlen;
  int    zrc  = uncompress((Bytef *)shuf, &dlen, (const Bytef *)blob, (uLong)blen);
  if (zrc == Z_OK && dlen == rawlen) Unshuffle(shuf, (uint8_t *)raw, rawlen / (is16 ? 2 : 4), is16 ? 2 : 4);
  PetscCall(PetscFree(shuf));
  if (zrc != Z_OK || dlen != rawlen) {
    PetscCall(PetscFree(raw));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "database %s: series %" PetscInt_FMT " volume does not decompress (zlib %d)", st->dbpath, series_id, zrc);
  }
  uint8_t h[32];
  char    hex[65];
  HtSha256(raw, rawlen, h);
  Hex(h, 32, hex, PETSC_FALSE);
  if (strcmp(hex, sum)) {
    PetscCall(PetscFree(raw));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "database %s: series %" PetscInt_FMT " volume checksum mismatch (corrupted)", st->dbpath, series_id);
  }
  ierr = HtVolume_Alloc(vol, &g);
  if (ierr) {
    PetscCall(PetscFree(raw));
    PetscCall(ierr);
  }
  if (is16)
    for (size_t q = 0; q < (size_t)nvox; q++) vol->val[q] = (float)(((const int16_t *)raw)[q] * sc + off);
  else
    for (size_t q = 0; q < (size_t)nvox; q++) vol->val[q] = (float)(((const float *)raw)[q] * sc + off);
  PetscCall(PetscFree(raw));
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_LoadVolume(HtStore st, PetscInt series_id, HtVolume *vol)
{
  sqlite3_stmt *s;
  PetscFunctionBeginUser;
  PetscCheck(st && vol, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_LoadVolume: NULL argument");
  memset(vol, 0, sizeof(*vol));
  PetscCall(Prepare(st, "SELECT geometry_json, encoding, scale, offset, nvox, volume, checksum FROM series WHERE id=?", &s));
  sqlite3_bind_int64(s, 1, series_id);
  int rc = sqlite3_step(s);
  if (rc != SQLITE_ROW) {
    sqlite3_finalize(s);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: no series %" PetscInt_FMT, st->dbpath, series_id);
  }
  PetscErrorCode ierr = LoadRow(st, s, series_id, vol);
  sqlite3_finalize(s);
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_GetSeries(HtStore st, PetscInt series_id, char modality[17], char deid_uid[HT_DICOM_UID_LEN], char pseudonym[24])
{
  sqlite3_stmt *s;
  PetscFunctionBeginUser;
  PetscCall(Prepare(st, "SELECT se.modality, se.deid_uid, p.pseudonym FROM series se JOIN studies sd ON se.study_id=sd.id JOIN patients p ON sd.patient_id=p.id WHERE se.id=?", &s));
  sqlite3_bind_int64(s, 1, series_id);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_finalize(s);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: no series %" PetscInt_FMT, st->dbpath, series_id);
  }
  if (modality) snprintf(modality, 17, "%s", (const char *)sqlite3_column_text(s, 0));
  if (deid_uid) snprintf(deid_uid, HT_DICOM_UID_LEN, "%s", (const char *)sqlite3_column_text(s, 1));
  if (pseudonym) snprintf(pseudonym, 24, "%s", (const char *)sqlite3_column_text(s, 2));
  sqlite3_finalize(s);
  PetscFunctionReturn(0);
}

/* ---- runs ---------------------------------------------------------------------------------------- */
static PetscErrorCode RunTx(HtStore st, PetscInt series_id, const char *case_name, const char *report_json, PetscInt *run_id)
{
  sqlite3_stmt *s;
  PetscInt      sid;
  char          idbuf[32], now[32], detail[128];
  PetscFunctionBeginUser;
  snprintf(idbuf, sizeof(idbuf), "%" PetscInt_FMT, series_id);
  PetscCall(FindId(st, "SELECT id FROM series WHERE id=CAST(? AS INTEGER)", idbuf, &sid));
  PetscCheck(sid >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: no series %" PetscInt_FMT " to record a run on", st->dbpath, series_id);
  NowIso(now);
  PetscCall(Prepare(st, "INSERT INTO runs(series_id, case_name, time, report_json) VALUES(?,?,?,?)", &s));
  sqlite3_bind_int64(s, 1, series_id);
  sqlite3_bind_text(s, 2, case_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
  if (report_json) sqlite3_bind_text(s, 4, report_json, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(s, 4);
  PetscCall(StepDone(st, s));
  *run_id = (PetscInt)sqlite3_last_insert_rowid(st->db);
  snprintf(detail, sizeof(detail), "run %" PetscInt_FMT " on series %" PetscInt_FMT, *run_id, series_id);
  PetscCall(Audit(st, "run", detail));
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_RecordRun(HtStore st, PetscInt series_id, const char *case_name, const char *report_json, PetscInt *run_id)
{
  PetscInt dummy;
  PetscFunctionBeginUser;
  PetscCheck(st && case_name && case_name[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_RecordRun: a case name is required");
  if (!run_id) run_id = &dummy;
  *run_id = -1;
  if (report_json) {
    cJSON *o = cJSON_Parse(report_json);
    PetscCheck(o, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: run report for case %s is not valid JSON; nothing recorded", st->dbpath, case_name);
    cJSON_Delete(o);
  }
  PetscCall(Exec(st, "BEGIN IMMEDIATE"));
  PetscErrorCode ierr = RunTx(st, series_id, case_name, report_json, run_id);
  if (!ierr) ierr = Exec(st, "COMMIT");
  if (ierr) {
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    *run_id = -1;
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}

/* ---- listing --------------------------------------------------------------------------------------- */
static PetscErrorCode Count(HtStore st, const char *table, PetscInt *n)
{
  sqlite3_stmt *s;
  char          sql[64];
  PetscFunctionBeginUser;
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
  PetscCall(Prepare(st, sql, &s));
  PetscCheck(sqlite3_step(s) == SQLITE_ROW, PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: count failed", st->dbpath);
  *n = (PetscInt)sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_Counts(HtStore st, PetscInt *np, PetscInt *nst, PetscInt *nse, PetscInt *nr)
{
  PetscFunctionBeginUser;
  if (np) PetscCall(Count(st, "patients", np));
  if (nst) PetscCall(Count(st, "studies", nst));
  if (nse) PetscCall(Count(st, "series", nse));
  if (nr) PetscCall(Count(st, "runs", nr));
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_IntegrityCheck(HtStore st, PetscBool *ok)
{
  sqlite3_stmt *s;
  PetscFunctionBeginUser;
  PetscCall(Prepare(st, "PRAGMA integrity_check", &s));
  int rc = sqlite3_step(s);
  *ok    = (rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(s, 0), "ok")) ? PETSC_TRUE : PETSC_FALSE;
  sqlite3_finalize(s);
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_List(HtStore st, FILE *out, PetscBool json)
{
  sqlite3_stmt *s;
  cJSON        *root = NULL, *jp = NULL;
  PetscInt      np, nst, nse, nr;
  PetscFunctionBeginUser;
  PetscCheck(st && out, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_List: NULL argument");
  PetscCall(HtStore_Counts(st, &np, &nst, &nse, &nr));
  if (json) {
    root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "patients_count", (double)np);
    cJSON_AddNumberToObject(root, "studies_count", (double)nst);
    cJSON_AddNumberToObject(root, "series_count", (double)nse);
    cJSON_AddNumberToObject(root, "runs_count", (double)nr);
    jp = cJSON_AddArrayToObject(root, "patients");
  } else fprintf(out, "%" PetscInt_FMT " patient(s), %" PetscInt_FMT " study(ies), %" PetscInt_FMT " series, %" PetscInt_FMT " run(s)\n", np, nst, nse, nr);
  /* one flat join, ordered so that each patient/study/series opens once */
  PetscCall(Prepare(st,
                    "SELECT p.id, p.pseudonym, sd.id, sd.deid_uid, sd.study_date_shifted, se.id, se.deid_uid, se.modality, se.geometry_json, se.encoding, r.id, r.case_name, r.time "
                    "FROM patients p LEFT JOIN studies sd ON sd.patient_id=p.id LEFT JOIN series se ON se.study_id=sd.id LEFT JOIN runs r ON r.series_id=se.id "
                    "ORDER BY p.id, sd.id, se.id, r.id",
                    &s));
  sqlite3_int64 lp = -1, lst = -1, lse = -1;
  cJSON        *cp = NULL, *cst = NULL, *cse = NULL;
  int           rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    sqlite3_int64 pid = sqlite3_column_int64(s, 0);
    if (pid != lp) {
      lp = pid, lst = lse = -1;
      if (json) {
        cp = cJSON_CreateObject();
        cJSON_AddNumberToObject(cp, "id", (double)pid);
        cJSON_AddStringToObject(cp, "pseudonym", (const char *)sqlite3_column_text(s, 1));
        cJSON_AddArrayToObject(cp, "studies");
        cJSON_AddItemToArray(jp, cp);
      } else fprintf(out, "patient %lld %s\n", (long long)pid, (const char *)sqlite3_column_text(s, 1));
    }
    if (sqlite3_column_type(s, 2) == SQLITE_NULL) continue;
    sqlite3_int64 sid = sqlite3_column_int64(s, 2);
    if (sid != lst) {
      lst = sid, lse = -1;
      const char *date = (const char *)sqlite3_column_text(s, 4);
      if (json) {
        cst = cJSON_CreateObject();
        cJSON_AddNumberToObject(cst, "id", (double)sid);
        cJSON_AddStringToObject(cst, "uid", (const char *)sqlite3_column_text(s, 3));
        cJSON_AddStringToObject(cst, "date_shifted", date ? date : "");
        cJSON_AddArrayToObject(cst, "series");
        cJSON_AddItemToArray(cJSON_GetObjectItem(cp, "studies"), cst);
      } else fprintf(out, "  study %lld %s date(shifted) %s\n", (long long)sid, (const char *)sqlite3_column_text(s, 3), date && date[0] ? date : "-");
    }
    if (sqlite3_column_type(s, 5) == SQLITE_NULL) continue;
    sqlite3_int64 eid = sqlite3_column_int64(s, 5);
    if (eid != lse) {
      lse       = eid;
      cJSON *g  = cJSON_Parse((const char *)sqlite3_column_text(s, 8));
      cJSON *gn = g ? cJSON_GetObjectItem(g, "n") : NULL, *gs = g ? cJSON_GetObjectItem(g, "spacing_mm") : NULL;
      if (json) {
        cse = cJSON_CreateObject();
        cJSON_AddNumberToObject(cse, "id", (double)eid);
        cJSON_AddStringToObject(cse, "uid", (const char *)sqlite3_column_text(s, 6));
        cJSON_AddStringToObject(cse, "modality", (const char *)sqlite3_column_text(s, 7));
        cJSON_AddStringToObject(cse, "encoding", (const char *)sqlite3_column_text(s, 9));
        if (gn) cJSON_AddItemToObject(cse, "n", cJSON_Duplicate(gn, 1));
        if (gs) cJSON_AddItemToObject(cse, "spacing_mm", cJSON_Duplicate(gs, 1));
        cJSON_AddArrayToObject(cse, "runs");
        cJSON_AddItemToArray(cJSON_GetObjectItem(cst, "series"), cse);
      } else if (gn && gs && cJSON_GetArraySize(gn) == 3 && cJSON_GetArraySize(gs) == 3)
        fprintf(out, "    series %lld %s %s %dx%dx%d voxels, %.4gx%.4gx%.4g mm\n", (long long)eid, (const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 7), cJSON_GetArrayItem(gn, 0)->valueint,
                cJSON_GetArrayItem(gn, 1)->valueint, cJSON_GetArrayItem(gn, 2)->valueint, cJSON_GetArrayItem(gs, 0)->valuedouble, cJSON_GetArrayItem(gs, 1)->valuedouble, cJSON_GetArrayItem(gs, 2)->valuedouble);
      else fprintf(out, "    series %lld %s %s\n", (long long)eid, (const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 7));
      cJSON_Delete(g);
    }
    if (sqlite3_column_type(s, 10) == SQLITE_NULL) continue;
    if (json) {
      cJSON *cr = cJSON_CreateObject();
      cJSON_AddNumberToObject(cr, "id", (double)sqlite3_column_int64(s, 10));
      cJSON_AddStringToObject(cr, "case", (const char *)sqlite3_column_text(s, 11));
      cJSON_AddStringToObject(cr, "time", (const char *)sqlite3_column_text(s, 12));
      cJSON_AddItemToArray(cJSON_GetObjectItem(cse, "runs"), cr);
    } else fprintf(out, "      run %lld case %s at %s\n", (long long)sqlite3_column_int64(s, 10), (const char *)sqlite3_column_text(s, 11), (const char *)sqlite3_column_text(s, 12));
  }
  sqlite3_finalize(s);
  if (json) {
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    PetscCheck(txt, PETSC_COMM_SELF, PETSC_ERR_MEM, "store listing: out of memory");
    fprintf(out, "%s\n", txt);
    cJSON_free(txt);
  }
  PetscCheck(rc == SQLITE_DONE, PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: listing failed (%s)", st->dbpath, sqlite3_errmsg(st->db));
  PetscFunctionReturn(0);
}

/* ---- PHI scan ------------------------------------------------------------------------------------------ */
static int IsAlnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* Byte search. Short needles (< 8 bytes) must stand alone (no letter/digit on either side): otherwise
 * a 4-character value would match at random inside base64 (VTK inline binary) or long numbers. */
static const unsigned char *Find(const unsigned char *h, size_t hl, const char *n, size_t nl)
{
  if (!nl || nl > hl) return NULL;
  const unsigned char first = (unsigned char)n[0];
  const int           token = nl < 8;
  for (const unsigned char *p = h, *end = h + hl - nl; p <= end; p++) {
    p = memchr(p, first, (size_t)(end - p) + 1);
    if (!p) return NULL;
    if (memcmp(p, n, nl)) continue;
    if (token && ((p > h && IsAlnum(p[-1])) || (p + nl < h + hl && IsAlnum(p[nl])))) continue;
    return p;
  }
  return NULL;
}

PetscErrorCode HtStore_PhiScanFile(const char *path, const HtDicomMeta *meta, PetscBool *found, char *what, size_t len)
{
  PetscInt      n;
  char        **strs;
  const char  **names;
  size_t        maxl = 1;
  unsigned char *buf;
  const size_t  chunk = 1 << 20;
  PetscFunctionBeginUser;
  PetscCheck(path && meta && found, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_PhiScanFile: NULL argument");
  *found = PETSC_FALSE;
  if (what && len) what[0] = 0;
  FILE *f = fopen(path, "rb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open for PHI scan (%s)", path, strerror(errno));
  PetscCall(HtDicomMeta_PhiStrings(meta, &n, &strs, &names));
  for (PetscInt q = 0; q < n; q++) maxl = PetscMax(maxl, strlen(strs[q]));
  PetscCall(PetscMalloc1(chunk + maxl, &buf));
  /* chunked scan with an overlap of maxl-1 bytes so matches across chunk borders are seen */
  size_t keep = 0;
  while (!*found) {
    size_t got = fread(buf + keep, 1, chunk, f);
    size_t tot = keep + got;
    for (PetscInt q = 0; q < n && !*found; q++)
      if (Find(buf, tot, strs[q], strlen(strs[q]))) {
        *found = PETSC_TRUE;
        if (what && len) snprintf(what, len, "%s", names[q]);
      }
    if (got < chunk) break;
    keep = PetscMin(maxl - 1, tot);
    memmove(buf, buf + tot - keep, keep);
  }
  int err = ferror(f);
  fclose(f);
  PetscCall(PetscFree(buf));
  PetscCall(HtDicomMeta_PhiStringsFree(n, &strs, &names));
  PetscCheck(!err, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: read error during PHI scan", path);
  PetscFunctionReturn(0);
}

/* ---- policy, show, delete, export ----------------------------------------------------------------- */
PetscErrorCode HtStore_SetAllowBurnedIn(HtStore st, PetscBool allow)
{
  PetscFunctionBeginUser;
  PetscCheck(st, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_SetAllowBurnedIn: NULL store");
  st->allow_burned_in = allow;
  PetscFunctionReturn(0);
}

/* series row facts shared by show and export */
typedef struct {
  PetscInt study_id, patient_id;
  char     uid[HT_DICOM_UID_LEN], study_uid[HT_DICOM_UID_LEN], modality[17], pseudonym[24], date[16], enc[16];
  char    *geometry; /* allocated */
} SeriesRow;

static PetscErrorCode GetSeriesRow(HtStore st, PetscInt id, SeriesRow *r)
{
  sqlite3_stmt *s;
  PetscFunctionBeginUser;
  memset(r, 0, sizeof(*r));
  PetscCall(Prepare(st,
                    "SELECT se.deid_uid, se.modality, se.encoding, se.geometry_json, sd.id, sd.deid_uid, sd.study_date_shifted, p.id, p.pseudonym "
                    "FROM series se JOIN studies sd ON se.study_id=sd.id JOIN patients p ON sd.patient_id=p.id WHERE se.id=?",
                    &s));
  sqlite3_bind_int64(s, 1, id);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_finalize(s);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "database %s: no series %" PetscInt_FMT, st->dbpath, id);
  }
#define COL(i) ((const char *)sqlite3_column_text(s, i) ? (const char *)sqlite3_column_text(s, i) : "")
  snprintf(r->uid, sizeof(r->uid), "%s", COL(0));
  snprintf(r->modality, sizeof(r->modality), "%s", COL(1));
  snprintf(r->enc, sizeof(r->enc), "%s", COL(2));
  r->study_id = (PetscInt)sqlite3_column_int64(s, 4);
  snprintf(r->study_uid, sizeof(r->study_uid), "%s", COL(5));
  snprintf(r->date, sizeof(r->date), "%s", COL(6));
  r->patient_id = (PetscInt)sqlite3_column_int64(s, 7);
  snprintf(r->pseudonym, sizeof(r->pseudonym), "%s", COL(8));
  size_t gl = strlen(COL(3));
  PetscErrorCode ierr = PetscMalloc1(gl + 1, &r->geometry);
  if (!ierr) memcpy(r->geometry, COL(3), gl + 1);
#undef COL
  sqlite3_finalize(s);
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_ShowSeries(HtStore st, PetscInt id, FILE *out, PetscBool json)
{
  SeriesRow     r;
  sqlite3_stmt *s;
  PetscFunctionBeginUser;
  PetscCheck(st && out, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_ShowSeries: NULL argument");
  PetscCall(GetSeriesRow(st, id, &r));
  cJSON *o = cJSON_CreateObject(), *runs, *aud;
  cJSON_AddNumberToObject(o, "id", (double)id);
  cJSON_AddStringToObject(o, "uid", r.uid);
  cJSON_AddStringToObject(o, "modality", r.modality);
  cJSON_AddStringToObject(o, "encoding", r.enc);
  cJSON_AddNumberToObject(o, "study_id", (double)r.study_id);
  cJSON_AddStringToObject(o, "study_uid", r.study_uid);
  cJSON_AddStringToObject(o, "study_date_shifted", r.date);
  cJSON_AddNumberToObject(o, "patient_id", (double)r.patient_id);
  cJSON_AddStringToObject(o, "pseudonym", r.pseudonym);
  cJSON *g = cJSON_Parse(r.geometry);
  PetscCall(PetscFree(r.geometry));
  if (g) cJSON_AddItemToObject(o, "geometry", g);
  runs = cJSON_AddArrayToObject(o, "runs");
  PetscCall(Prepare(st, "SELECT id, case_name, time FROM runs WHERE series_id=? ORDER BY id", &s));
  sqlite3_bind_int64(s, 1, id);
  while (sqlite3_step(s) == SQLITE_ROW) {
    cJSON *x = cJSON_CreateObject();
    cJSON_AddNumberToObject(x, "id", (double)sqlite3_column_int64(s, 0));
    cJSON_AddStringToObject(x, "case", (const char *)sqlite3_column_text(s, 1));
    cJSON_AddStringToObject(x, "time", (const char *)sqlite3_column_text(s, 2));
    cJSON_AddItemToArray(runs, x);
  }
  sqlite3_finalize(s);
  /* audit rows naming this series ("series N" followed by a non-digit) */
  aud = cJSON_AddArrayToObject(o, "audit");
  char pat1[64], pat2[64];
  snprintf(pat1, sizeof(pat1), "%%series %" PetscInt_FMT " %%", id);
  snprintf(pat2, sizeof(pat2), "%%series %" PetscInt_FMT ":%%", id);
  PetscCall(Prepare(st, "SELECT time, event, detail FROM audit WHERE detail LIKE ? OR detail LIKE ? OR detail LIKE ? ORDER BY id", &s));
  char pat3[64];
  snprintf(pat3, sizeof(pat3), "%%series %" PetscInt_FMT, id);
  sqlite3_bind_text(s, 1, pat1, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, pat2, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, pat3, -1, SQLITE_TRANSIENT);
  while (sqlite3_step(s) == SQLITE_ROW) {
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "time", (const char *)sqlite3_column_text(s, 0));
    cJSON_AddStringToObject(x, "event", (const char *)sqlite3_column_text(s, 1));
    cJSON_AddStringToObject(x, "detail", sqlite3_column_text(s, 2) ? (const char *)sqlite3_column_text(s, 2) : "");
    cJSON_AddItemToArray(aud, x);
  }
  sqlite3_finalize(s);
  if (json) {
    char *txt = cJSON_Print(o);
    if (txt) fprintf(out, "%s\n", txt);
    cJSON_free(txt);
  } else {
    fprintf(out, "series %" PetscInt_FMT " %s %s (%s)\n  study %" PetscInt_FMT " %s date(shifted) %s\n  patient %" PetscInt_FMT " %s\n", id, r.uid, r.modality, r.enc, r.study_id, r.study_uid, r.date[0] ? r.date : "-", r.patient_id, r.pseudonym);
    const cJSON *gn = g ? cJSON_GetObjectItem(g, "n") : NULL, *gs = g ? cJSON_GetObjectItem(g, "spacing_mm") : NULL;
    if (cJSON_GetArraySize(gn) == 3 && cJSON_GetArraySize(gs) == 3)
      fprintf(out, "  %dx%dx%d voxels, %.4gx%.4gx%.4g mm\n", cJSON_GetArrayItem(gn, 0)->valueint, cJSON_GetArrayItem(gn, 1)->valueint, cJSON_GetArrayItem(gn, 2)->valueint, cJSON_GetArrayItem(gs, 0)->valuedouble, cJSON_GetArrayItem(gs, 1)->valuedouble, cJSON_GetArrayItem(gs, 2)->valuedouble);
    const cJSON *x;
    cJSON_ArrayForEach(x, runs) fprintf(out, "  run %d case %s at %s\n", cJSON_GetObjectItem(x, "id")->valueint, cJSON_GetStringValue(cJSON_GetObjectItem(x, "case")), cJSON_GetStringValue(cJSON_GetObjectItem(x, "time")));
    cJSON_ArrayForEach(x, aud) fprintf(out, "  audit %s %s: %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(x, "time")), cJSON_GetStringValue(cJSON_GetObjectItem(x, "event")), cJSON_GetStringValue(cJSON_GetObjectItem(x, "detail")));
  }
  cJSON_Delete(o);
  PetscFunctionReturn(0);
}

static PetscErrorCode DeleteTx(HtStore st, PetscInt id)
{
  SeriesRow     r;
  sqlite3_stmt *s;
  PetscInt      left;
  char          detail[160];
  PetscFunctionBeginUser;
  PetscCall(GetSeriesRow(st, id, &r));
  PetscCall(PetscFree(r.geometry));
  PetscCall(Prepare(st, "DELETE FROM runs WHERE series_id=?", &s));
  sqlite3_bind_int64(s, 1, id);
  PetscCall(StepDone(st, s));
  PetscCall(Prepare(st, "DELETE FROM series WHERE id=?", &s));
  sqlite3_bind_int64(s, 1, id);
  PetscCall(StepDone(st, s));
  PetscCall(Prepare(st, "SELECT COUNT(*) FROM series WHERE study_id=?", &s));
  sqlite3_bind_int64(s, 1, r.study_id);
  left = sqlite3_step(s) == SQLITE_ROW ? (PetscInt)sqlite3_column_int64(s, 0) : -1;
  sqlite3_finalize(s);
  PetscCheck(left >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: delete failed (%s)", st->dbpath, sqlite3_errmsg(st->db));
  snprintf(detail, sizeof(detail), "series %" PetscInt_FMT " deleted (study %" PetscInt_FMT "%s", id, r.study_id, left ? " kept)" : " deleted");
  if (!left) {
    PetscCall(Prepare(st, "DELETE FROM studies WHERE id=?", &s));
    sqlite3_bind_int64(s, 1, r.study_id);
    PetscCall(StepDone(st, s));
    PetscCall(Prepare(st, "SELECT COUNT(*) FROM studies WHERE patient_id=?", &s));
    sqlite3_bind_int64(s, 1, r.patient_id);
    left = sqlite3_step(s) == SQLITE_ROW ? (PetscInt)sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    PetscCheck(left >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "database %s: delete failed (%s)", st->dbpath, sqlite3_errmsg(st->db));
    if (!left) {
      PetscCall(Prepare(st, "DELETE FROM patients WHERE id=?", &s));
      sqlite3_bind_int64(s, 1, r.patient_id);
      PetscCall(StepDone(st, s));
    }
    size_t l = strlen(detail);
    snprintf(detail + l, sizeof(detail) - l, ", patient %" PetscInt_FMT " %s)", r.patient_id, left ? "kept" : "deleted");
  }
  PetscCall(Audit(st, "delete", detail));
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_DeleteSeries(HtStore st, PetscInt id)
{
  PetscFunctionBeginUser;
  PetscCheck(st, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_DeleteSeries: NULL store");
  PetscCall(Exec(st, "BEGIN IMMEDIATE"));
  PetscErrorCode ierr = DeleteTx(st, id);
  if (!ierr) ierr = Exec(st, "COMMIT");
  if (ierr) {
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtStore_ExportDicom(HtStore st, PetscInt id, const char *outdir, PetscInt *nfiles)
{
  SeriesRow         r;
  HtVolume          vol;
  HtStoreExportInfo info;
  char              key[160], detail[256];
  PetscFunctionBeginUser;
  PetscCheck(st && outdir && outdir[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_ExportDicom: no output folder");
  if (nfiles) *nfiles = 0;
  PetscCall(GetSeriesRow(st, id, &r));
  memset(&info, 0, sizeof(info));
  cJSON *g = cJSON_Parse(r.geometry);
  PetscCall(PetscFree(r.geometry));
  if (g) {
    const char *b = cJSON_GetStringValue(cJSON_GetObjectItem(g, "burned_in_annotation"));
    snprintf(info.burned_in, sizeof(info.burned_in), "%s", b && !strcmp(b, "YES") ? "YES" : "NO");
    const cJSON *th = cJSON_GetObjectItem(g, "slice_thickness_mm");
    info.slice_thickness_mm = cJSON_IsNumber(th) ? th->valuedouble : 0;
    cJSON_Delete(g);
  }
  snprintf(info.pseudonym, sizeof(info.pseudonym), "%s", r.pseudonym);
  snprintf(info.study_uid, sizeof(info.study_uid), "%s", r.study_uid);
  snprintf(info.series_uid, sizeof(info.series_uid), "%s", r.uid);
  snprintf(info.study_date, sizeof(info.study_date), "%s", r.date);
  snprintf(info.modality, sizeof(info.modality), "%s", r.modality);
  /* new UIDs derived with the key from de-identified values: stable across exports */
  snprintf(key, sizeof(key), "export-frame-of-reference:%s", r.uid);
  PetscCall(HtStore_DeidUid(st, key, info.for_uid));
  PetscCall(HtStore_LoadVolume(st, id, &vol));
  info.nslices = vol.g.n[2];
  PetscErrorCode ierr = PetscCalloc1(vol.g.n[2], &info.sop_uids);
  for (PetscInt k = 0; !ierr && k < vol.g.n[2]; k++) {
    snprintf(key, sizeof(key), "export-sop:%s:%" PetscInt_FMT, r.uid, k);
    ierr = HtStore_DeidUid(st, key, info.sop_uids[k]);
  }
  PetscInt n = 0;
  if (!ierr) ierr = HtStore_WriteDicomSeries(&info, &vol, outdir, &n);
  PetscCall(PetscFree(info.sop_uids));
  PetscCall(HtVolume_Free(&vol));
  PetscCall(ierr);
  snprintf(detail, sizeof(detail), "series %" PetscInt_FMT ": %" PetscInt_FMT " DICOM file(s) exported", id, n);
  PetscCall(Audit(st, "export", detail));
  if (nfiles) *nfiles = n;
  PetscFunctionReturn(0);
}

/* ---- CLI ------------------------------------------------------------------------------------------------ */
static int StoreUsage(void)
{
  fprintf(stderr, "usage: hemotwin store list [--json] | show ID [--json] | export ID --out DIR | delete ID   [--store FILE] [--key FILE] [--quiet]\n"
                  "       (import refuses series with burned-in annotation unless --allow-burned-in)\n");
  return 2;
}

static PetscErrorCode StoreCmd(const char *action, PetscInt id, const char *db, const char *key, const char *out, PetscBool json, int *code)
{
  HtStore   st;
  PetscBool ex = PETSC_FALSE, ok = PETSC_FALSE;
  PetscFunctionBeginUser;
  PetscCall(HtPath_Exists(db, &ex, NULL));
  PetscCheck(ex, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "database %s: does not exist", db);
  PetscCall(HtStore_Open(db, key, &st));
  PetscErrorCode ierr = 0;
  if (!strcmp(action, "list")) ierr = HtStore_List(st, stdout, json);
  else if (!strcmp(action, "show")) ierr = HtStore_ShowSeries(st, id, stdout, json);
  else if (!strcmp(action, "delete")) {
    ierr = HtStore_DeleteSeries(st, id);
    if (!ierr) ierr = HtStore_IntegrityCheck(st, &ok);
    if (!ierr) {
      if (json) printf("{\"deleted_series\":%" PetscInt_FMT ",\"integrity_ok\":%s}\n", id, ok ? "true" : "false");
      else printf("deleted series %" PetscInt_FMT " (integrity check %s)\n", id, ok ? "ok" : "FAILED");
    }
  } else {
    PetscInt n = 0;
    ierr       = HtStore_ExportDicom(st, id, out, &n);
    if (!ierr) {
      if (json) printf("{\"exported_series\":%" PetscInt_FMT ",\"files\":%" PetscInt_FMT "}\n", id, n);
      else printf("exported series %" PetscInt_FMT ": %" PetscInt_FMT " DICOM file(s) in %s\n", id, n, out);
    }
  }
  PetscCall(HtStore_Close(&st));
  PetscCall(ierr);
  *code = 0;
  PetscFunctionReturn(0);
}

int HtStore_Main(int argc, char **argv)
{
  const char *action = NULL, *db = "hemotwin.db", *key = NULL, *out = NULL, *ids = NULL;
  PetscBool   json   = PETSC_FALSE;
  int         i0     = (argc > 0 && (!strcmp(argv[0], "store") || strchr(argv[0], '/') || !strcmp(argv[0], "hemotwin"))) ? 1 : 0;
  for (int i = i0; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--json")) json = PETSC_TRUE;
    else if (!strcmp(a, "--quiet")) HtLog_SetQuiet(PETSC_TRUE);
    else if (!strcmp(a, "--store") || !strcmp(a, "--key") || !strcmp(a, "--out")) {
      if (i + 1 >= argc || !argv[i + 1][0]) {
        fprintf(stderr, "hemotwin store: %s needs a value\n", a);
        return StoreUsage();
      }
      if (!strcmp(a, "--store")) db = argv[++i];
      else if (!strcmp(a, "--key")) key = argv[++i];
      else out = argv[++i];
    } else if (a[0] == '-') {
      fprintf(stderr, "hemotwin store: unknown option %s\n", a);
      return StoreUsage();
    } else if (!action) action = a;
    else if (!ids) ids = a;
    else {
      fprintf(stderr, "hemotwin store: unexpected argument %s\n", a);
      return StoreUsage();
    }
  }
  if (!action || (strcmp(action, "list") && strcmp(action, "show") && strcmp(action, "export") && strcmp(action, "delete"))) {
    fprintf(stderr, "hemotwin store: expected the action list, show, export or delete\n");
    return StoreUsage();
  }
  PetscInt id = -1;
  if (strcmp(action, "list")) {
    char *end = NULL;
    long  v   = ids ? strtol(ids, &end, 10) : -1;
    if (!ids || !end || *end || v <= 0) {
      fprintf(stderr, "hemotwin store %s: a series id (a positive integer, see 'store list') is required\n", action);
      return StoreUsage();
    }
    id = (PetscInt)v;
  } else if (ids) {
    fprintf(stderr, "hemotwin store list: unexpected argument %s\n", ids);
    return StoreUsage();
  }
  if (!strcmp(action, "export") && !out) {
    fprintf(stderr, "hemotwin store export: --out DIR is required\n");
    return StoreUsage();
  }
  int code = 1;
  HtError_Clear();
  PetscErrorCode ierr = HtError_PushHandler();
  if (!ierr) {
    ierr = StoreCmd(action, id, db, key, out, json, &code);
    (void)HtError_PopHandler();
  }
  if (ierr) {
    const char *msg = HtError_LastMessage();
    fprintf(stderr, "hemotwin: error: %s\n", msg && msg[0] ? msg : "store command failed");
    HtError_Clear();
    return 1;
  }
  fflush(stdout);
  return code;
}
