/* End to end on the real thorax CTA (cases/thorax_cta.json): exit 0; then a PHI scan of the store, every
 * file of the output folder and the captured stderr/stdout: none of the input's identifying values
 * (PatientName, PatientID, dates, descriptions, UIDs ... read from the input DICOM by htdicom) may occur.
 * The aorta there is dissected without coarctation: candidates needing a lesion must either apply to
 * what was found or be reported as not applicable with a note.
 * usage: test_pipeline_thorax -hemotwin EXE -case CASE.json -work WORKDIR */
#include "pipeline_test.h"
#include <sys/wait.h>

static PetscErrorCode Body(void)
{
  char        dicom[PETSC_MAX_PATH_LEN], cmd[4 * PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  char        exe[PETSC_MAX_PATH_LEN], casef[PETSC_MAX_PATH_LEN], work[PETSC_MAX_PATH_LEN];
  PetscBool   f1, f2, f3;
  int         st;
  HtVolume    vol;
  HtDicomMeta meta;
  PetscInt    nphi = 0;
  char      **strs = NULL;
  const char **names = NULL;
  cJSON      *rep;
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("dicom/series_ts_thorax_cta/dicom", dicom, sizeof(dicom))) PetscFunctionReturn(0);
  PetscCall(PetscOptionsGetString(NULL, NULL, "-hemotwin", exe, sizeof(exe), &f1));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-case", casef, sizeof(casef), &f2));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-work", work, sizeof(work), &f3));
  PetscCheck(f1 && f2 && f3, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "usage: test_pipeline_thorax -hemotwin EXE -case CASE.json -work WORKDIR");
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", work, work));
  HT_CHECK(system(cmd) == 0, "cannot reset %s", work);
  PetscCall(PetscSNPrintf(out, sizeof(out), "%s/out", work));
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "'%s' run '%s' --out '%s' --store '%s/store.db' --key '%s/store.key' > '%s/stdout.log' 2> '%s/stderr.log'", exe, casef, out, work, work, work, work));
  printf("running: %s\n", cmd);
  fflush(stdout);
  st = system(cmd);
  printf("exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "hemotwin run failed (see %s/stderr.log)", work);
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "cat '%s/stdout.log'; tail -n 40 '%s/stderr.log'", work, work));
  if (system(cmd)) printf("(no logs)\n");

  /* The input's identifying values, as the DICOM reader sees them. */
  PetscCall(PetscMemzero(&vol, sizeof(vol)));
  PetscCall(PetscMemzero(&meta, sizeof(meta)));
  PetscCall(HtDicom_ReadSeries(dicom, NULL, &vol, &meta));
  PetscCall(HtDicomMeta_PhiStrings(&meta, &nphi, &strs, &names));
  printf("identifying values in the input: %" PetscInt_FMT " (attributes:", nphi);
  for (PetscInt i = 0; i < nphi && i < 30; i++) printf(" %s", names[i]);
  printf("%s)\n", nphi > 30 ? " ..." : "");
  HT_CHECK(nphi > 0, "no identifying values read from the input: the scan would prove nothing");
  PetscCall(HtDicomMeta_PhiStringsFree(nphi, &strs, &names));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/store.db", work));
  PetscCall(ScanFile(path, &meta));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/stderr.log", work));
  PetscCall(ScanFile(path, &meta));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/stdout.log", work));
  PetscCall(ScanFile(path, &meta));
  PetscCall(ScanTree(out, NULL, &meta));
  printf("PHI scan: %" PetscInt_FMT " files scanned (store, logs, output folder)\n", g_scanned);
  PetscCall(HtDicomMeta_Free(&meta));
  PetscCall(HtVolume_Free(&vol));

  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/report.json", out));
  rep = ReadJSON(path);
  HT_CHECK(rep != NULL, "no valid report.json");
  if (rep) {
    const cJSON *c, *les = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "network"), "lesions");
    int          ranked = 0;
    printf("lesions found: %d\n", cJSON_GetArraySize(les));
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(rep, "candidates"))
    {
      const cJSON *n = cJSON_GetObjectItem(c, "name"), *a = cJSON_GetObjectItem(c, "applicable"), *r = cJSON_GetObjectItem(c, "rank"), *note = cJSON_GetObjectItem(c, "note");
      printf("candidate %s: applicable %s rank %s note %s\n", n->valuestring, cJSON_IsTrue(a) ? "yes" : "no", cJSON_IsNumber(r) ? "set" : "-", note ? note->valuestring : "");
      if (cJSON_IsTrue(a)) {
        HT_CHECK(cJSON_IsNumber(r), "applicable candidate %s without rank", n->valuestring);
        ranked++;
      } else HT_CHECK(note && (strstr(note->valuestring, "not applicable") || strstr(note->valuestring, "failed: ")), "candidate %s unranked without a note", n->valuestring);
    }
    HT_CHECK(ranked >= 1, "nothing ranked");
    {
      const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "segmentation"), "volume_mL"), *it;
      cJSON_ArrayForEach(it, v) printf("segmented %s: %.1f mL\n", it->string, it->valuedouble);
    }
    cJSON_Delete(rep);
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
