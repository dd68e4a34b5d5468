/* Store: import the thorax CTA into a temporary database and check
 *  - listing: 1 patient / 1 study / 1 series; re-import adds nothing; pseudonym and UID formats;
 *  - the study date is shifted back by 1..3650 days; the volume round trip is exact (int16 HU);
 *  - PHI: every identifying header value, read with DCMTK directly from all 164 input files, is
 *    absent from the database file; the key is not in the database; integrity_check is ok;
 *  - failing imports (non-finite voxel, malformed date) and a kill -9 during imports leave no half
 *    patient/study/series behind; a wrong key file is refused. */
#include "dicomtest.h"
#include "phi_dcmtk.h"
#include <cjson/cJSON.h>
#include <htstore.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

static long DayNumber(const char *d) /* days since 1970 of YYYYMMDD, via timegm (independent of the store) */
{
  struct tm t;
  memset(&t, 0, sizeof(t));
  sscanf(d, "%4d%2d%2d", &t.tm_year, &t.tm_mon, &t.tm_mday);
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  return (long)(timegm(&t) / 86400);
}

static PetscErrorCode ReadAll(const char *path, unsigned char **buf, size_t *len)
{
  PetscFunctionBeginUser;
  FILE *f = fopen(path, "rb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", path);
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  *buf = (unsigned char *)malloc(*len + 1);
  PetscCheck(fread(*buf, 1, *len, f) == *len, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", path);
  (*buf)[*len] = 0;
  fclose(f);
  PetscFunctionReturn(0);
}

static int Contains(const unsigned char *h, size_t hl, const void *n, size_t nl)
{
  if (!nl || nl > hl) return 0;
  for (size_t q = 0; q + nl <= hl; q++)
    if (h[q] == ((const unsigned char *)n)[0] && !memcmp(h + q, n, nl)) return 1;
  return 0;
}

static long long Scalar(sqlite3 *db, const char *sql)
{
  sqlite3_stmt *s;
  long long     v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static PetscErrorCode CheckCounts(HtStore st, PetscInt p, PetscInt s, PetscInt e, const char *when)
{
  PetscInt np, ns, ne, nr;
  PetscFunctionBeginUser;
  PetscCall(HtStore_Counts(st, &np, &ns, &ne, &nr));
  printf("%s: %" PetscInt_FMT " patient(s), %" PetscInt_FMT " study(ies), %" PetscInt_FMT " series, %" PetscInt_FMT " run(s)\n", when, np, ns, ne, nr);
  HT_CHECK(np == p && ns == s && ne == e, "%s: counts", when);
  PetscFunctionReturn(0);
}

/* child of the kill -9 test: import distinct fake series in a loop, one byte on the pipe after each */
static void ChildImports(const char *db, const HtVolume *vol, const HtDicomMeta *meta, int fd)
{
  HtStore     st;
  HtDicomMeta m = *meta;
  HtStoreIds  ids;
  m.sop_instance_uid = NULL;
  m.nslices          = 0;
  if (HtStore_Open(db, NULL, &st)) _exit(2);
  for (int q = 0; q < 1000; q++) {
    snprintf(m.patient_id, sizeof(m.patient_id), "KILLTEST-%d", q);
    snprintf(m.study_instance_uid, sizeof(m.study_instance_uid), "1.2.3.4.%d", q);
    snprintf(m.series_instance_uid, sizeof(m.series_instance_uid), "1.2.3.5.%d", q);
    if (HtStore_ImportSeries(st, vol, &m, &ids)) _exit(3);
    if (write(fd, "x", 1) != 1) _exit(4);
  }
  _exit(0);
}

static PetscErrorCode Body(void)
{
  char        dir[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], db[PETSC_MAX_PATH_LEN], key[PETSC_MAX_PATH_LEN], p[PETSC_MAX_PATH_LEN], msg[2048], what[64];
  HtVolume    vol, back;
  HtDicomMeta meta;
  HtStore     st;
  HtStoreIds  ids, ids2;
  PetscBool   ok, found;
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("dicom/series_ts_thorax_cta/dicom", dir, sizeof(dir))) PetscFunctionReturn(0);
  unsetenv("HEMOTWIN_KEY");
  PetscCall(HtT_TempDir("store", tmp, sizeof(tmp)));
  PetscCall(HtT_Join(db, sizeof(db), tmp, "hemotwin.db"));
  PetscCall(HtT_Join(key, sizeof(key), tmp, "hemotwin.db.key"));
  PetscCall(HtDicom_ReadSeries(dir, NULL, &vol, &meta));

  /* ---- import, listing, re-import ---- */
  PetscCall(HtStore_Open(db, NULL, &st));
  struct stat sb;
  HT_CHECK(stat(key, &sb) == 0 && (sb.st_mode & 0777) == 0600 && sb.st_size == 32, "key file <db>.key created with mode 0600, 32 bytes");
  PetscCall(HtStore_ImportSeries(st, &vol, &meta, &ids));
  printf("imported: patient %" PetscInt_FMT " %s, study %" PetscInt_FMT " %s (date %s), series %" PetscInt_FMT " %s\n", ids.patient_id, ids.pseudonym, ids.study_id, ids.study_uid, ids.study_date_shifted, ids.series_id, ids.series_uid);
  HT_CHECK(!ids.existed, "first import is new");
  HT_CHECK(strlen(ids.pseudonym) == 19 && !strncmp(ids.pseudonym, "HT-", 3) && strspn(ids.pseudonym + 3, "0123456789ABCDEF") == 16, "pseudonym HT-<16 hex>");
  HT_CHECK(!strncmp(ids.series_uid, "2.25.", 5) && strspn(ids.series_uid + 5, "0123456789") == strlen(ids.series_uid) - 5 && strlen(ids.series_uid) <= 64 && ids.series_uid[5] != '0', "series UID 2.25.<decimal>");
  HT_CHECK(!strncmp(ids.study_uid, "2.25.", 5) && strcmp(ids.study_uid, ids.series_uid), "study UID 2.25.<decimal>, distinct");
  long shift = DayNumber(meta.study_date) - DayNumber(ids.study_date_shifted);
  printf("date shift: %ld days back\n", shift);
  HT_CHECK(shift >= 1 && shift <= 3650, "date shifted back by 1..3650 days");
  PetscCall(CheckCounts(st, 1, 1, 1, "after import"));

  FILE *lf = tmpfile();
  PetscCall(HtStore_List(st, lf, PETSC_FALSE));
  rewind(lf);
  char line[512];
  HT_CHECK(fgets(line, sizeof(line), lf) && strstr(line, "1 patient(s), 1 study(ies), 1 series, 0 run(s)"), "text listing header");
  fclose(lf);
  lf = tmpfile();
  PetscCall(HtStore_List(st, lf, PETSC_TRUE));
  long jl = ftell(lf);
  rewind(lf);
  char *jt = (char *)calloc((size_t)jl + 1, 1);
  HT_CHECK(fread(jt, 1, (size_t)jl, lf) == (size_t)jl, "read JSON listing");
  fclose(lf);
  cJSON *j = cJSON_Parse(jt);
  free(jt);
  HT_CHECK(j && cJSON_GetNumberValue(cJSON_GetObjectItem(j, "patients_count")) == 1 && cJSON_GetNumberValue(cJSON_GetObjectItem(j, "series_count")) == 1, "JSON listing counts");
  cJSON *pj = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "patients"), 0);
  HT_CHECK(pj && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(pj, "pseudonym")), ids.pseudonym), "JSON listing pseudonym");
  cJSON_Delete(j);

  PetscCall(HtStore_ImportSeries(st, &vol, &meta, &ids2));
  HT_CHECK(ids2.existed && ids2.series_id == ids.series_id && ids2.study_id == ids.study_id && ids2.patient_id == ids.patient_id, "re-import returns the existing ids");
  PetscCall(CheckCounts(st, 1, 1, 1, "after re-import"));

  /* ---- volume round trip ---- */
  PetscCall(HtStore_LoadVolume(st, ids.series_id, &back));
  size_t nv = HtGrid_Count(&vol.g), nd = 0;
  for (size_t q = 0; q < nv; q++) nd += vol.val[q] != back.val[q];
  printf("round trip: %zu voxels, %zu differ, grid same %d\n", nv, nd, (int)HtGrid_Same(&vol.g, &back.g, 1e-9));
  HT_CHECK(nd == 0 && HtGrid_Same(&vol.g, &back.g, 1e-9), "exact volume round trip");
  PetscCall(HtVolume_Free(&back));

  /* ---- runs ---- */
  PetscInt run;
  PetscCall(HtStore_RecordRun(st, ids.series_id, "thorax_test", "{\"aorta_max_diameter_mm\": 31.5}", &run));
  HT_CHECK(run > 0, "run recorded");
  HT_EXPECT_ERROR(HtStore_RecordRun(st, ids.series_id, "thorax_test", "{not json", &run), msg, sizeof(msg));
  printf("bad run report: %s\n", msg);
  HT_EXPECT_ERROR(HtStore_RecordRun(st, 9999, "thorax_test", NULL, &run), msg, sizeof(msg));
  printf("run on a missing series: %s\n", msg);

  /* ---- failing imports leave the store unchanged ---- */
  HtDicomMeta bad = meta;
  bad.sop_instance_uid = NULL;
  bad.nslices          = 0;
  snprintf(bad.patient_id, sizeof(bad.patient_id), "ANOTHER-PATIENT");
  snprintf(bad.study_instance_uid, sizeof(bad.study_instance_uid), "1.2.3.999.1");
  snprintf(bad.series_instance_uid, sizeof(bad.series_instance_uid), "1.2.3.999.2");
  HtVolume nan;
  PetscCall(HtVolume_Copy(&vol, &nan));
  nan.val[nv / 2] = NAN;
  HT_EXPECT_ERROR(HtStore_ImportSeries(st, &nan, &bad, &ids2), msg, sizeof(msg));
  printf("non-finite voxel: %s\n", msg);
  PetscCall(CheckCounts(st, 1, 1, 1, "after failed import (NaN voxel, inside the transaction)"));
  snprintf(bad.study_date, sizeof(bad.study_date), "2019-01-01");
  HT_EXPECT_ERROR(HtStore_ImportSeries(st, &vol, &bad, &ids2), msg, sizeof(msg));
  printf("malformed date: %s\n", msg);
  PetscCall(CheckCounts(st, 1, 1, 1, "after failed import (malformed date)"));
  PetscCall(HtVolume_Free(&nan));
  PetscCall(HtStore_IntegrityCheck(st, &ok));
  HT_CHECK(ok, "integrity_check ok");
  PetscCall(HtStore_Close(&st));

  /* ---- reopening and a failing import leave the database file byte-identical ---- */
  {
    unsigned char *b0, *b1;
    size_t         l0, l1;
    uint8_t        h0[32], h1[32];
    PetscCall(ReadAll(db, &b0, &l0));
    HtSha256(b0, l0, h0);
    free(b0);
    PetscCall(HtStore_Open(db, NULL, &st));
    HtVolume bad2;
    PetscCall(HtVolume_Copy(&vol, &bad2));
    bad2.val[7] = INFINITY;
    snprintf(bad.study_date, sizeof(bad.study_date), "20200101");
    HT_EXPECT_ERROR(HtStore_ImportSeries(st, &bad2, &bad, &ids2), msg, sizeof(msg));
    PetscCall(HtVolume_Free(&bad2));
    PetscCall(HtStore_Close(&st));
    PetscCall(ReadAll(db, &b1, &l1));
    HtSha256(b1, l1, h1);
    free(b1);
    printf("database file after reopen + failed import: %zu -> %zu bytes, identical %d\n", l0, l1, (int)(l0 == l1 && !memcmp(h0, h1, 32)));
    HT_CHECK(l0 == l1 && !memcmp(h0, h1, 32), "database bytes unchanged by reopen + failed import");
  }

  /* ---- PHI scan of the database file ---- */
  int    nphi = 0;
  char **phi  = NULL;
  {
    int    nf;
    char **names;
    PetscCall(HtT_ListDir(dir, &nf, &names));
    for (int q = 0; q < nf; q++) {
      PetscCall(HtT_Join(p, sizeof(p), dir, names[q]));
      HT_CHECK(HtTestPhi_Collect(p, 6, &nphi, &phi) == 0, "DCMTK reads %s", names[q]);
    }
    HtT_FreeList(nf, names);
  }
  unsigned char *dbb;
  size_t         dbl;
  PetscCall(ReadAll(db, &dbb, &dbl));
  int nfound = 0;
  for (int q = 0; q < nphi; q++)
    if (Contains(dbb, dbl, phi[q], strlen(phi[q]))) {
      nfound++;
      fprintf(stderr, "FAIL: an identifying header value (%zu bytes) occurs in the database\n", strlen(phi[q]));
    }
  printf("PHI scan: %d identifying values (DCMTK, >= 6 bytes) from 164 files; %d found in the %zu-byte database\n", nphi, nfound, dbl);
  HT_CHECK(nphi >= 164 + 5 && nfound == 0, "no identifying value in the database");
  unsigned char *kb;
  size_t         kl;
  PetscCall(ReadAll(key, &kb, &kl));
  HT_CHECK(kl == 32 && !Contains(dbb, dbl, kb, kl), "the key is not in the database");
  free(kb);
  free(dbb);
  HtTestPhi_Free(nphi, phi);
  PetscCall(HtStore_PhiScanFile(db, &meta, &found, what, sizeof(what)));
  HT_CHECK(!found, "HtStore_PhiScanFile finds nothing in the database (hit: %s)", what);
  /* positive controls: the scanner does see PHI */
  PetscCall(HtT_Join(p, sizeof(p), dir, "IM0001.dcm"));
  PetscCall(HtStore_PhiScanFile(p, &meta, &found, what, sizeof(what)));
  printf("PHI scan of an input DICOM file: found %d (%s)\n", (int)found, what);
  HT_CHECK(found, "PHI scan detects identifying values in the DICOM input");
  PetscCall(HtT_Join(p, sizeof(p), tmp, "log.txt"));
  FILE *lg = fopen(p, "w");
  fprintf(lg, "processing done for %s\n", meta.patient_id);
  fclose(lg);
  PetscCall(HtStore_PhiScanFile(p, &meta, &found, what, sizeof(what)));
  HT_CHECK(found && !strcmp(what, "PatientID"), "PHI scan names the attribute (got %s)", what);
  if (strlen(meta.patient_age) >= 3 && strlen(meta.patient_age) < 8) {
    /* short values count only as standalone tokens: inside base64-like text they are noise */
    lg = fopen(p, "w");
    fprintf(lg, "AbQ%sZ9x\n", meta.patient_age);
    fclose(lg);
    PetscCall(HtStore_PhiScanFile(p, &meta, &found, what, sizeof(what)));
    HT_CHECK(!found, "short value embedded in a longer token is not a hit (got %s)", what);
    lg = fopen(p, "w");
    fprintf(lg, "age: %s\n", meta.patient_age);
    fclose(lg);
    PetscCall(HtStore_PhiScanFile(p, &meta, &found, what, sizeof(what)));
    HT_CHECK(found && !strcmp(what, "PatientAge"), "standalone short value is a hit (got %s)", what);
    printf("PHI scan of short values: token rule ok (%s)\n", what);
  }

  /* ---- a wrong key file is refused ---- */
  char wrong[PETSC_MAX_PATH_LEN];
  PetscCall(HtT_Join(wrong, sizeof(wrong), tmp, "other.key"));
  /* a missing key for an existing store is an error, and no new key file appears */
  HT_EXPECT_ERROR(HtStore_Open(db, wrong, &st), msg, sizeof(msg));
  printf("missing key: %s\n", msg);
  HT_CHECK(strstr(msg, "missing for the existing store"), "missing key message");
  HT_CHECK(access(wrong, F_OK) != 0, "no key file created for an existing store");
  {
    FILE         *kf = fopen(wrong, "wb");
    unsigned char junk[32];
    for (int i = 0; i < 32; i++) junk[i] = (unsigned char)(17 * i + 3);
    HT_CHECK(kf && fwrite(junk, 1, 32, kf) == 32, "write a wrong key");
    if (kf) fclose(kf);
    chmod(wrong, 0600);
  }
  HT_EXPECT_ERROR(HtStore_Open(db, wrong, &st), msg, sizeof(msg));
  printf("wrong key: %s\n", msg);
  HT_CHECK(strstr(msg, "does not belong"), "wrong key message");
  chmod(key, 0644);
  HT_EXPECT_ERROR(HtStore_Open(db, NULL, &st), msg, sizeof(msg));
  printf("key readable by others: %s\n", msg);
  chmod(key, 0600);

  /* ---- $HEMOTWIN_KEY names the key file when no key path is given ---- */
  {
    char db2[PETSC_MAX_PATH_LEN], envkey[PETSC_MAX_PATH_LEN], db2key[PETSC_MAX_PATH_LEN];
    PetscCall(HtT_Join(db2, sizeof(db2), tmp, "second.db"));
    PetscCall(HtT_Join(db2key, sizeof(db2key), tmp, "second.db.key"));
    PetscCall(HtT_Join(envkey, sizeof(envkey), tmp, "env.key"));
    setenv("HEMOTWIN_KEY", envkey, 1);
    PetscCall(HtStore_Open(db2, NULL, &st));
    PetscCall(HtStore_Close(&st));
    unsetenv("HEMOTWIN_KEY");
    PetscBool e1, e2;
    PetscCall(HtPath_Exists(envkey, &e1, NULL));
    PetscCall(HtPath_Exists(db2key, &e2, NULL));
    printf("HEMOTWIN_KEY: env key created %d, <db>.key created %d\n", (int)e1, (int)e2);
    HT_CHECK(e1 && !e2, "$HEMOTWIN_KEY is used instead of <db>.key");
  }

  /* ---- kill -9 during imports: no half patient/study/series ---- */
  int pfd[2];
  PetscCheck(pipe(pfd) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "pipe failed");
  pid_t pid = fork();
  PetscCheck(pid >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "fork failed");
  if (pid == 0) {
    close(pfd[0]);
    ChildImports(db, &vol, &meta, pfd[1]);
  }
  close(pfd[1]);
  char c;
  int  got = 0;
  while (got < 2 && read(pfd[0], &c, 1) == 1) got++;
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  close(pfd[0]);
  PetscCall(HtStore_Open(db, NULL, &st));
  PetscCall(HtStore_IntegrityCheck(st, &ok));
  PetscCall(HtStore_Close(&st));
  sqlite3 *sq;
  HT_CHECK(sqlite3_open_v2(db, &sq, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "sqlite open");
  long long orphan_p = Scalar(sq, "SELECT count(*) FROM patients WHERE id NOT IN (SELECT patient_id FROM studies)");
  long long orphan_s = Scalar(sq, "SELECT count(*) FROM studies WHERE id NOT IN (SELECT study_id FROM series)");
  long long nser     = Scalar(sq, "SELECT count(*) FROM series");
  long long enc16    = Scalar(sq, "SELECT count(*) FROM series WHERE encoding='int16'");
  long long blob     = Scalar(sq, "SELECT length(volume) FROM series WHERE id=1");
  long long reimp    = Scalar(sq, "SELECT count(*) FROM audit WHERE event='reimport' AND detail LIKE '%pixels identical%'");
  long long nimport  = Scalar(sq, "SELECT count(*) FROM audit WHERE event='import'");
  printf("audit: %lld import event(s), %lld identical re-import event(s)\n", nimport, reimp);
  HT_CHECK(reimp == 1 && nimport == nser, "audit records imports and the identical re-import");
  sqlite3_close(sq);
  printf("kill -9 after %d imports: %lld series, orphan patients %lld, orphan studies %lld, integrity %d; int16 series %lld, compressed %lld bytes (raw %zu)\n", got, nser, orphan_p, orphan_s, (int)ok, enc16, blob, nv * 2);
  HT_CHECK(WIFSIGNALED(status) && got == 2, "child killed mid-run");
  HT_CHECK(ok && orphan_p == 0 && orphan_s == 0 && nser >= 3, "no half import after kill -9");
  HT_CHECK(enc16 == nser, "integer HU stored as int16");

  /* ---- non-integer values: float32 encoding, exact round trip ---- */
  HtVolume    fr;
  HtDicomMeta fm = meta;
  fm.sop_instance_uid = NULL;
  fm.nslices          = 0;
  snprintf(fm.series_instance_uid, sizeof(fm.series_instance_uid), "%.60s.77", meta.series_instance_uid);
  PetscCall(HtVolume_Copy(&vol, &fr));
  for (size_t q = 0; q < nv; q++) fr.val[q] = fr.val[q] * 0.37f + 0.125f;
  PetscCall(HtStore_Open(db, NULL, &st));
  PetscCall(HtStore_ImportSeries(st, &fr, &fm, &ids2));
  PetscCall(HtStore_LoadVolume(st, ids2.series_id, &back));
  nd = 0;
  for (size_t q = 0; q < nv; q++) nd += fr.val[q] != back.val[q];
  HT_CHECK(ids2.patient_id == ids.patient_id && ids2.study_id == ids.study_id && !ids2.existed, "second series of the same study");
  PetscCall(HtStore_Close(&st));
  HT_CHECK(sqlite3_open_v2(db, &sq, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "sqlite open");
  char sql[128];
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM series WHERE encoding='float32' AND id=%d", (int)ids2.series_id);
  long long nf32 = Scalar(sq, sql);
  snprintf(sql, sizeof(sql), "SELECT length(volume) FROM series WHERE id=%d", (int)ids2.series_id);
  long long fblob = Scalar(sq, sql);
  sqlite3_close(sq);
  printf("float32 series: %zu voxels differ after the round trip, compressed %lld bytes (raw %zu)\n", nd, fblob, nv * 4);
  HT_CHECK(nd == 0 && nf32 == 1, "float32 encoding, exact round trip");
  PetscCall(HtVolume_Free(&back));
  PetscCall(HtVolume_Free(&fr));

  /* ---- a corrupted volume blob is detected, not returned ---- */
  HT_CHECK(sqlite3_open_v2(db, &sq, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK, "sqlite open rw");
  snprintf(sql, sizeof(sql), "UPDATE series SET volume = substr(volume, 1, 1000) || zeroblob(16) || substr(volume, 1017) WHERE id=%d", (int)ids2.series_id);
  HT_CHECK(sqlite3_exec(sq, sql, NULL, NULL, NULL) == SQLITE_OK, "corrupt the blob");
  sqlite3_close(sq);
  PetscCall(HtStore_Open(db, NULL, &st));
  HT_EXPECT_ERROR(HtStore_LoadVolume(st, ids2.series_id, &back), msg, sizeof(msg));
  printf("corrupted blob: %s\n", msg);
  HT_CHECK(strstr(msg, "does not decompress") || strstr(msg, "checksum mismatch"), "corruption detected");
  HT_CHECK(back.val == NULL, "no volume returned from a corrupted blob");
  PetscCall(HtStore_Close(&st));

  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  HtT_RmTree(tmp);
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
