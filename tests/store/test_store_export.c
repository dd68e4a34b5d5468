/* Store CLI actions on the LIDC series: export writes DICOM that DCMTK reads back (through the
 * reader) with the original geometry and exactly the original HU (integers), and contains none of
 * the identifying values of the source files (collected by a separate DCMTK walk, phi_dcmtk.cxx);
 * show reports the series and its audit rows; delete removes series/study/patient in one
 * transaction (integrity check passes); burned-in annotation is refused unless allowed;
 * HtStore_Main exit codes. */
#include "dicomtest.h"
#include "phi_dcmtk.h"
#include <cjson/cJSON.h>
#include <htstore.h>

static PetscBool FileHas(const char *path, const char *needle)
{
  FILE *f = fopen(path, "rb");
  if (!f) return PETSC_FALSE;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = (char *)malloc((size_t)n + 1);
  size_t got = fread(b, 1, (size_t)n, f);
  fclose(f);
  size_t    nl = strlen(needle);
  PetscBool hit = PETSC_FALSE;
  for (size_t q = 0; !hit && q + nl <= got; q++) hit = (PetscBool)(b[q] == needle[0] && !memcmp(b + q, needle, nl));
  free(b);
  return hit;
}

static PetscErrorCode Body(void)
{
  char        src[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], db[PETSC_MAX_PATH_LEN], key[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], msg[2048];
  HtVolume    vol, back;
  HtDicomMeta meta, bm;
  HtStore     st;
  HtStoreIds  ids;
  PetscInt    nf = 0, np, nst, nse, nr;
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("dicom/series_lidc_0001_chest_ct/dicom", src, sizeof(src))) PetscFunctionReturn(0);
  unsetenv("HEMOTWIN_KEY");
  PetscCall(HtT_TempDir("store_export", tmp, sizeof(tmp)));
  PetscCall(HtT_Join(db, sizeof(db), tmp, "s.db"));
  PetscCall(HtT_Join(key, sizeof(key), tmp, "s.key"));
  PetscCall(HtT_Join(out, sizeof(out), tmp, "export"));
  PetscCall(HtDicom_ReadSeries(src, NULL, &vol, &meta));
  PetscCall(HtStore_Open(db, key, &st));

  /* ---- burned-in annotation: refused, then allowed ---- */
  {
    HtDicomMeta b = meta;
    snprintf(b.burned_in_annotation, sizeof(b.burned_in_annotation), "YES");
    size_t ul = strlen(b.series_instance_uid); /* another series of the same study */
    if (ul > 60) ul = 60;
    memcpy(b.series_instance_uid + ul, ".99", 4);
    HT_EXPECT_ERROR(HtStore_ImportSeries(st, &vol, &b, &ids), msg, sizeof(msg));
    printf("burned-in -> %s\n", msg);
    HT_CHECK(strstr(msg, "BurnedInAnnotation") && strstr(msg, "--allow-burned-in"), "burned-in refusal message");
    PetscCall(HtStore_Counts(st, &np, &nst, &nse, &nr));
    HT_CHECK(nse == 0, "nothing imported after the refusal");
    PetscCall(HtStore_SetAllowBurnedIn(st, PETSC_TRUE));
    PetscCall(HtStore_ImportSeries(st, &vol, &b, &ids));
    HT_CHECK(ids.series_id > 0 && !ids.existed, "burned-in imported when allowed");
    PetscCall(HtStore_SetAllowBurnedIn(st, PETSC_FALSE));
    PetscCall(HtStore_DeleteSeries(st, ids.series_id));
    PetscCall(HtStore_Counts(st, &np, &nst, &nse, &nr));
    HT_CHECK(np == 0 && nst == 0 && nse == 0, "delete removed series, study and patient");
  }

  /* ---- export ---- */
  PetscCall(HtStore_ImportSeries(st, &vol, &meta, &ids));
  PetscCall(HtStore_ExportDicom(st, ids.series_id, out, &nf));
  printf("exported %" PetscInt_FMT " files\n", nf);
  HT_CHECK(nf == vol.g.n[2], "one file per slice");
  PetscCall(HtDicom_ReadSeries(out, NULL, &back, &bm));
  size_t ndiff = 0, nv = HtGrid_Count(&vol.g);
  HT_CHECK(HtGrid_Same(&back.g, &vol.g, 1e-6), "exported geometry = original geometry");
  for (size_t q = 0; q < nv && back.val; q++) ndiff += back.val[q] != vol.val[q];
  printf("export read back: %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT ", origin %.4f %.4f %.4f, %zu of %zu voxels differ from the original DICOM\n", back.g.n[0], back.g.n[1], back.g.n[2], back.g.origin[0], back.g.origin[1], back.g.origin[2], ndiff, nv);
  HT_CHECK(ndiff == 0, "exported HU identical to the original");
  HT_CHECK(!strcmp(bm.patient_name, ids.pseudonym) && !strcmp(bm.patient_id, ids.pseudonym), "PatientName/ID = pseudonym");
  HT_CHECK(!strcmp(bm.series_instance_uid, ids.series_uid) && !strcmp(bm.study_instance_uid, ids.study_uid), "store's de-identified UIDs");
  HT_CHECK(!strcmp(bm.study_date, ids.study_date_shifted), "shifted study date");
  HT_CHECK(strcmp(bm.frame_of_reference_uid, meta.frame_of_reference_uid) && !strncmp(bm.frame_of_reference_uid, "2.25.", 5), "new FrameOfReferenceUID");
  /* PHI: every identifying value of every source file, absent from every exported file */
  {
    int    nsrc, nval = 0, nexp, hits = 0;
    char **srcn, **vals = NULL, **expn;
    PetscCall(HtT_ListDir(src, &nsrc, &srcn));
    for (int q = 0; q < nsrc; q++) {
      char p[PETSC_MAX_PATH_LEN];
      PetscCall(HtT_Join(p, sizeof(p), src, srcn[q]));
      HT_CHECK(HtTestPhi_Collect(p, 6, &nval, &vals) == 0, "collect PHI of %s", srcn[q]);
    }
    PetscCall(HtT_ListDir(out, &nexp, &expn));
    for (int e = 0; e < nexp; e++) {
      char p[PETSC_MAX_PATH_LEN];
      PetscCall(HtT_Join(p, sizeof(p), out, expn[e]));
      for (int v = 0; v < nval; v++)
        if (FileHas(p, vals[v])) {
          if (!hits) fprintf(stderr, "FAIL: exported file %s holds a source identifying value (not printed)\n", expn[e]);
          hits++;
        }
      PetscBool found;
      char      what[64];
      PetscCall(HtStore_PhiScanFile(p, &meta, &found, what, sizeof(what)));
      HT_CHECK(!found, "%s: PHI scan found %s", expn[e], what);
    }
    printf("PHI: %d identifying values of %d source files searched in %d exported files: %d hits\n", nval, nsrc, nexp, hits);
    HT_CHECK(nval > 10 && hits == 0, "no identifying value exported");
    HtTestPhi_Free(nval, vals);
    HtT_FreeList(nsrc, srcn);
    HtT_FreeList(nexp, expn);
  }
  HT_EXPECT_ERROR(HtStore_ExportDicom(st, ids.series_id, out, &nf), msg, sizeof(msg));
  printf("export into a non-empty folder -> %s\n", msg);
  HT_CHECK(strstr(msg, "not empty") != NULL, "export refuses a non-empty folder");

  /* ---- show ---- */
  {
    char  *buf = NULL;
    size_t len = 0;
    FILE  *m   = open_memstream(&buf, &len);
    PetscCall(HtStore_ShowSeries(st, ids.series_id, m, PETSC_TRUE));
    fclose(m);
    cJSON *o = cJSON_Parse(buf);
    HT_CHECK(o && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "uid")), ids.series_uid), "show: series uid");
    int    nexport = 0;
    cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(o, "audit")) nexport += !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(a, "event")), "export");
    printf("show: %d audit rows, %d export\n", cJSON_GetArraySize(cJSON_GetObjectItem(o, "audit")), nexport);
    HT_CHECK(nexport == 1, "show: the export is in the audit trail");
    HT_CHECK(ids.series_id == 2 && cJSON_GetArraySize(cJSON_GetObjectItem(o, "audit")) == 2, "ids of deleted series are not reused (audit: import + export only)");
    cJSON_Delete(o);
    free(buf);
  }
  PetscCall(HtStore_Close(&st));

  /* ---- CLI ---- */
  {
    char *a1[] = {(char *)"store", (char *)"show", (char *)"2", (char *)"--store", db, (char *)"--key", key, (char *)"--json", NULL};
    HT_CHECK(HtStore_Main(8, a1) == 0, "store show: exit 0");
    char *a2[] = {(char *)"store", (char *)"show", (char *)"999", (char *)"--store", db, (char *)"--key", key, NULL};
    HT_CHECK(HtStore_Main(7, a2) == 1, "store show of a missing series: exit 1");
    char *a3[] = {(char *)"store", (char *)"export", (char *)"2", (char *)"--store", db, (char *)"--key", key, NULL};
    HT_CHECK(HtStore_Main(7, a3) == 2, "store export without --out: exit 2");
    char nodb[PETSC_MAX_PATH_LEN];
    PetscCall(HtT_Join(nodb, sizeof(nodb), tmp, "none.db"));
    char *a4[] = {(char *)"store", (char *)"list", (char *)"--store", nodb, NULL};
    HT_CHECK(HtStore_Main(4, a4) == 1 && access(nodb, F_OK) != 0, "store list of a missing database: exit 1, nothing created");
    char sid[32];
    snprintf(sid, sizeof(sid), "%" PetscInt_FMT, ids.series_id);
    char *a5[] = {(char *)"store", (char *)"delete", sid, (char *)"--store", db, (char *)"--key", key, NULL};
    HT_CHECK(HtStore_Main(7, a5) == 0, "store delete: exit 0");
  }
  PetscCall(HtStore_Open(db, key, &st));
  PetscBool ok;
  PetscCall(HtStore_Counts(st, &np, &nst, &nse, &nr));
  PetscCall(HtStore_IntegrityCheck(st, &ok));
  printf("after delete: %" PetscInt_FMT " patients, %" PetscInt_FMT " studies, %" PetscInt_FMT " series; integrity %s\n", np, nst, nse, ok ? "ok" : "FAILED");
  HT_CHECK(np == 0 && nst == 0 && nse == 0 && ok, "delete left an empty, consistent store");
  PetscCall(HtStore_Close(&st));
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtVolume_Free(&back));
  PetscCall(HtDicomMeta_Free(&meta));
  PetscCall(HtDicomMeta_Free(&bm));
  HtT_RmTree(tmp);
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
