/* End to end on the synthetic phantom: `hemotwin run cases/phantom_coarctation.json` must exit 0, find
 * the coarctation within 5 mm of the phantom's exact narrowest point, stenting must lower the peak
 * pressure drop, a treatment must rank above baseline. The exact truth labels are written as
 * truth_labels.vti for the Dice check done by check_vtk.py with VTK's own reader (a second tool).
 * The phantom carries made-up identifying values (DOE^JANE ...): none may reach the store, the logs or
 * the output folder (the input series itself, written into out/phantom_dicom by the case, excepted);
 * the run is recorded in the store against the de-identified series.
 * usage: test_pipeline_phantom -hemotwin EXE -case CASE.json -work WORKDIR */
#include "pipeline_test.h"
#include <htphantom.h>
#include <htvtkio.h>
#include <sys/wait.h>

static const cJSON *Candidate(const cJSON *rep, const char *name)
{
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(rep, "candidates"))
  {
    const cJSON *n = cJSON_GetObjectItem(c, "name");
    if (n && !strcmp(n->valuestring, name)) return c;
  }
  return NULL;
}

static double Metric(const cJSON *cand, const char *m)
{
  const cJSON *v = cand ? cJSON_GetObjectItem(cJSON_GetObjectItem(cand, "metrics"), m) : NULL;
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double Num(const cJSON *o, const char *k)
{
  const cJSON *v = o ? cJSON_GetObjectItem(o, k) : NULL;
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static PetscErrorCode Body(void)
{
  char        cmd[4 * PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  char        exe[PETSC_MAX_PATH_LEN], casef[PETSC_MAX_PATH_LEN], work[PETSC_MAX_PATH_LEN];
  PetscBool   f1, f2, f3;
  int         st;
  cJSON      *rep;
  HtPhantom   ph;
  PetscReal   xc[3], rmin, rref;
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-hemotwin", exe, sizeof(exe), &f1));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-case", casef, sizeof(casef), &f2));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-work", work, sizeof(work), &f3));
  PetscCheck(f1 && f2 && f3, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "usage: test_pipeline_phantom -hemotwin EXE -case CASE.json -work WORKDIR");
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", work, work));
  HT_CHECK(system(cmd) == 0, "cannot reset %s", work);
  PetscCall(PetscSNPrintf(out, sizeof(out), "%s/out", work));
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "'%s' run '%s' --out '%s' --store '%s/store.db' --key '%s/store.key' > '%s/stdout.log' 2> '%s/stderr.log'", exe, casef, out, work, work, work, work));
  printf("running: %s\n", cmd);
  fflush(stdout);
  st = system(cmd);
  printf("exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "cat '%s/stderr.log' '%s/stdout.log'", work, work));
  fflush(stdout);
  if (system(cmd)) printf("(no logs)\n");
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "hemotwin run failed");
  if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) PetscFunctionReturn(0);

  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/report.json", out));
  rep = ReadJSON(path);
  HT_CHECK(rep != NULL, "cannot parse %s", path);
  if (!rep) PetscFunctionReturn(0);

  /* Coarctation: the pressure-drop region (the lesion the treatments target) vs the exact narrowest point. */
  PetscCall(HtPhantom_Default(&ph));
  PetscCall(HtPhantom_Coarctation(&ph, xc, &rmin, &rref));
  {
    const cJSON *les, *l, *best = NULL;
    les = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "network"), "lesions");
    printf("lesions found: %d\n", cJSON_GetArraySize(les));
    cJSON_ArrayForEach(l, les)
    {
      if (cJSON_IsTrue(cJSON_GetObjectItem(l, "pressure_drop_region"))) best = l;
    }
    HT_CHECK(best != NULL, "no lesion targeted");
    if (best) {
      const cJSON *p = cJSON_GetObjectItem(best, "position_min_mm");
      double       d = 0;
      for (int k = 0; k < 3; k++) d += PetscSqr(cJSON_GetArrayItem(p, k)->valuedouble - xc[k]);
      d = sqrt(d);
      printf("coarctation: found at (%.1f, %.1f, %.1f) mm, true (%.1f, %.1f, %.1f) mm, distance %.2f mm\n", cJSON_GetArrayItem(p, 0)->valuedouble, cJSON_GetArrayItem(p, 1)->valuedouble, cJSON_GetArrayItem(p, 2)->valuedouble, (double)xc[0], (double)xc[1], (double)xc[2], d);
      printf("coarctation: severity found %.3f, true %.3f (r_min %.2f / %.2f mm, r_ref %.2f / %.2f mm)\n", Num(best, "severity"), (double)(1 - rmin / rref), Num(best, "radius_min_mm"), (double)rmin, Num(best, "radius_reference_mm"), (double)rref);
      HT_CHECK(d <= 5.0, "coarctation %.2f mm from the truth (> 5 mm)", d);
    }
  }
  /* Treatments. */
  {
    const cJSON *b = Candidate(rep, "baseline"), *s = Candidate(rep, "stent"), *g = Candidate(rep, "bypass");
    double       db = Metric(b, "pressure_drop_peak_mmHg"), ds = Metric(s, "pressure_drop_peak_mmHg"), dg = Metric(g, "pressure_drop_peak_mmHg");
    double       rb = Num(b, "rank"), rs = Num(s, "rank"), rg = Num(g, "rank");
    printf("peak pressure drop: baseline %.2f mmHg, stent %.2f mmHg, bypass %.2f mmHg\n", db, ds, dg);
    printf("score/rank: baseline %.3f/%g, stent %.3f/%g, bypass %.3f/%g\n", Num(b, "score"), rb, Num(s, "score"), rs, Num(g, "score"), rg);
    printf("cardiac output baseline %.3f L/min; inlet mean pressure %.1f mmHg\n", Metric(b, "cardiac_output_L_min"), Metric(b, "inlet_pressure_mean_mmHg"));
    HT_CHECK(b && s && g, "candidates baseline/stent/bypass in the report");
    HT_CHECK(ds < db, "stent does not lower the peak pressure drop (%.2f vs %.2f mmHg)", ds, db);
    HT_CHECK(rs < rb || rg < rb, "no treatment ranks above baseline (ranks %g %g %g)", rb, rs, rg);
    HT_CHECK_CLOSE(Metric(b, "cardiac_output_L_min"), 5.0, 0.02, 0, "baseline cardiac output = the case's 5 L/min");
  }
  {
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "segmentation"), "volume_mL");
    const cJSON *it;
    cJSON_ArrayForEach(it, v) printf("segmented %s: %.1f mL\n", it->string, it->valuedouble);
  }
  /* PHI: the phantom's made-up identifying values, read from the series by htdicom. */
  {
    HtVolume    vol;
    HtDicomMeta meta;
    PetscInt    nphi = 0;
    char      **strs = NULL;
    const char **names = NULL;
    char        dicom[PETSC_MAX_PATH_LEN];
    PetscCall(PetscMemzero(&vol, sizeof(vol)));
    PetscCall(PetscMemzero(&meta, sizeof(meta)));
    PetscCall(PetscSNPrintf(dicom, sizeof(dicom), "%s/phantom_dicom", out));
    PetscCall(HtDicom_ReadSeries(dicom, NULL, &vol, &meta));
    PetscCall(HtDicomMeta_PhiStrings(&meta, &nphi, &strs, &names));
    PetscCall(HtDicomMeta_PhiStringsFree(nphi, &strs, &names));
    printf("identifying values in the phantom series: %" PetscInt_FMT "\n", nphi);
    HT_CHECK(nphi > 10, "too few identifying values (%" PetscInt_FMT ") for a meaningful scan", nphi);
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/store.db", work));
    PetscCall(ScanFile(path, &meta));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/stderr.log", work));
    PetscCall(ScanFile(path, &meta));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/stdout.log", work));
    PetscCall(ScanFile(path, &meta));
    PetscCall(ScanTree(out, dicom, &meta));
    printf("PHI scan: %" PetscInt_FMT " files scanned (store, logs, outputs)\n", g_scanned);
    PetscCall(HtDicomMeta_Free(&meta));
    PetscCall(HtVolume_Free(&vol));
  }
  /* The run is recorded against the de-identified series the report names. */
  {
    FILE  *p;
    char  *buf;
    size_t n = 0, cap = 1 << 20;
    cJSON *lst;
    PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "'%s' store list --json --store '%s/store.db' --key '%s/store.key'", exe, work, work));
    p   = popen(cmd, "r");
    buf = (char *)calloc(cap, 1);
    if (p) {
      n = fread(buf, 1, cap - 1, p);
      pclose(p);
    }
    buf[n] = 0;
    lst    = cJSON_Parse(buf);
    free(buf);
    HT_CHECK(lst != NULL, "store list --json did not give JSON");
    if (lst) {
      const cJSON *ser = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(lst, "patients"), 0), "studies"), 0), "series"), 0);
      const cJSON *uid = cJSON_GetObjectItem(ser, "uid"), *ruid = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "input"), "series_uid_deidentified");
      const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(ser, "runs"), 0);
      printf("store: %g run(s); series %s; run case %s\n", Num(lst, "runs_count"), uid ? uid->valuestring : "?", run ? cJSON_GetObjectItem(run, "case")->valuestring : "?");
      HT_CHECK(Num(lst, "runs_count") == 1, "runs recorded: %g", Num(lst, "runs_count"));
      HT_CHECK(uid && ruid && !strcmp(uid->valuestring, ruid->valuestring), "report and store name different series");
      HT_CHECK(run && !strcmp(cJSON_GetObjectItem(run, "case")->valuestring, "phantom_coarctation"), "run not recorded for the case");
      cJSON_Delete(lst);
    }
  }
  cJSON_Delete(rep);

  /* Exact labels on the grid of the written series, for the Dice check in check_vtk.py. */
  {
    HtGrid   g;
    HtLabels lab;
    PetscCall(PetscMemzero(&lab, sizeof(lab)));
    PetscCall(HtPhantom_DefaultGrid(&ph, &g));
    PetscCall(HtPhantom_TrueLabels(&ph, &g, &lab));
    printf("truth: aorta %.1f mL, LV blood %.1f mL\n", (double)HtLabels_Volume_mL(&lab, 1), (double)HtLabels_Volume_mL(&lab, 2));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/truth_labels.vti", work));
    PetscCall(HtVTK_WriteLabels(path, &lab, "label"));
    PetscCall(HtLabels_Free(&lab));
  }
  PetscCall(HtPhantom_Destroy(&ph));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
