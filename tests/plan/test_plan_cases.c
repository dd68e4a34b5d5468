/* The shipped plans (cases/plan_*.json) run end to end:
 *  - closed-loop heart: the valve-replacement candidate undoes the baseline's aortic stenosis (orifice
 *    area x 0.35 then x 2.857 = x 0.99995), so its metrics equal those of the unmodified
 *    closedLoopHeart_singleVessel model evaluated directly (to the 1e-4 of the area round-off);
 *  - 0104 re-coarctation: every calibration residual within the plan's tolerance (2 %), the stent undoes
 *    the re-coarctation radius (0.55 x 1.818 = 0.9999) and removes the loss, so its lesion gradient is
 *    below the unmodified model's; report.html is one self-contained page (pressure and flow as inline SVG at the 5 sites, no external links). */
#include <htplan.h>
#include <httest.h>
#include <stdio.h>
#include <string.h>

static PetscErrorCode LoadJSON(const char *path, cJSON **j)
{
  FILE *f = fopen(path, "rb");
  long  n;
  char *t;

  PetscFunctionBeginUser;
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", path);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  PetscCall(PetscMalloc1(n + 1, &t));
  PetscCheck(fread(t, 1, (size_t)n, f) == (size_t)n, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", path);
  fclose(f);
  t[n] = 0;
  *j = cJSON_Parse(t);
  PetscCall(PetscFree(t));
  PetscCheck(*j, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not JSON", path);
  PetscFunctionReturn(0);
}

static cJSON *Cand(cJSON *rep, const char *name)
{
  cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(rep, "candidates")) if (!strcmp(cJSON_GetObjectItem(c, "name")->valuestring, name)) return c;
  return NULL;
}

static PetscErrorCode Run(void)
{
  char              path[PETSC_MAX_PATH_LEN];
  cJSON            *rep, *model, *mt, *t;
  HtZMetricSpec     spec;
  HtCandidateResult r;
  const char       *names[4] = {"cardiac_output_L_min", "lv_stroke_work_mJ", "inlet_pressure_mean_mmHg", "pressure_systolic_mmHg_aortic_root"};

  PetscFunctionBeginUser;
  HtLog_SetQuiet(PETSC_TRUE);
  if (!HtTest_RequireData("zerod/cases/closedLoopHeart_singleVessel.json", path, sizeof path)) PetscFunctionReturn(0);
  PetscCall(HtPlan_RunFile(PETSC_COMM_WORLD, HT_SOURCE_DIR "/cases/plan_closed_loop_valve.json", "plan_case_valve"));
  PetscCall(LoadJSON("plan_case_valve/report.json", &rep));
  PetscCall(LoadJSON(path, &model));
  PetscCall(PetscMemzero(&spec, sizeof spec));
  PetscCall(HtZModel_GetUnits(model, "mmHg", &spec.units));
  spec.nsites = 1;
  PetscCall(PetscStrncpy(spec.site[0].name, "aortic_root", 32));
  PetscCall(PetscStrncpy(spec.site[0].vessel, "branch0_seg0", 64));
  PetscCall(HtZPlan_Evaluate(PETSC_COMM_SELF, model, &spec, "original", &r));
  mt = cJSON_GetObjectItem(Cand(rep, "valve_replacement"), "metrics");
  for (PetscInt i = 0; i < 4; i++) {
    PetscReal a = cJSON_GetObjectItem(mt, names[i])->valuedouble, b;
    PetscCall(HtCandidateResult_GetMetric(&r, names[i], &b, NULL));
    printf("valve replacement %-36s %.6g, original model %.6g, stenotic baseline %.6g\n", names[i], (double)a, (double)b, cJSON_GetObjectItem(cJSON_GetObjectItem(Cand(rep, "baseline"), "metrics"), names[i])->valuedouble);
    HT_CHECK_CLOSE(a, b, 1e-4, 0, names[i]);
  }
  HT_CHECK(cJSON_GetObjectItem(Cand(rep, "valve_replacement"), "rank")->valuedouble == 1, "valve replacement not ranked first");
  PetscCall(HtCandidateResult_Destroy(&r));
  cJSON_Delete(model);
  cJSON_Delete(rep);

  if (!HtTest_RequireData("zerod/vmr/0104_0001_optimal_from_0d.json", path, sizeof path)) PetscFunctionReturn(0);
  PetscCall(HtPlan_RunFile(PETSC_COMM_WORLD, HT_SOURCE_DIR "/cases/plan_0104_coarctation.json", "plan_case_0104"));
  PetscCall(LoadJSON("plan_case_0104/report.json", &rep));
  cJSON_ArrayForEach(t, cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "calibration"), "targets"))
  {
    PetscReal res = cJSON_GetObjectItem(t, "residual_percent")->valuedouble;
    printf("0104 calibration %-28s wanted %.5g achieved %.5g residual %+.3f %%\n", cJSON_GetObjectItem(t, "target")->valuestring, cJSON_GetObjectItem(t, "wanted")->valuedouble, cJSON_GetObjectItem(t, "achieved")->valuedouble, (double)res);
    HT_CHECK(PetscAbsReal(res) <= 2.0, "calibration residual %.3f %% above the plan's 2 %%", (double)res);
  }
  cJSON_ArrayForEach(t, cJSON_GetObjectItem(rep, "candidates"))
  {
    cJSON *m = cJSON_GetObjectItem(t, "metrics");
    printf("0104 %-10s rank %d score %.3f (mean %.3f sd %.3f) P(best) %.3f P(guards) %.3f gradient %.2f mmHg arm-leg %.2f mmHg\n", cJSON_GetObjectItem(t, "name")->valuestring, (int)cJSON_GetObjectItem(t, "rank")->valuedouble, cJSON_GetObjectItem(t, "score_deterministic")->valuedouble, cJSON_GetObjectItem(t, "score_mean")->valuedouble,
           cJSON_GetObjectItem(t, "score_sd")->valuedouble, cJSON_GetObjectItem(t, "p_best")->valuedouble, cJSON_GetObjectItem(t, "p_all_guards_hold")->valuedouble, cJSON_GetObjectItem(m, "gradient_peak_to_peak_mmHg")->valuedouble, cJSON_GetObjectItem(m, "arm_leg_systolic_difference_mmHg")->valuedouble);
  }
  HT_CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(Cand(rep, "stent"), "metrics"), "gradient_peak_to_peak_mmHg")->valuedouble < cJSON_GetObjectItem(cJSON_GetObjectItem(Cand(rep, "baseline"), "metrics"), "gradient_peak_to_peak_mmHg")->valuedouble, "stent gradient not below the re-coarctation");
  cJSON_Delete(rep);
  {
    FILE *f = fopen("plan_case_0104/report.html", "rb");
    char *buf;
    long  n;
    int   svg = 0, ext = 0;
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file plan_case_0104/report.html: missing");
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    PetscCall(PetscMalloc1(n + 1, &buf));
    n      = (long)fread(buf, 1, (size_t)n, f);
    buf[n] = 0;
    fclose(f);
    for (char *p = buf; (p = strstr(p, "<svg")); p++) svg++;
    if (strstr(buf, "src=\"http") || strstr(buf, "href=\"http") || strstr(buf, "<script src")) ext++;
    PetscCall(PetscFree(buf));
    printf("report.html: %ld bytes, %d inline SVG plots, %d external references\n", n, svg, ext);
    HT_CHECK(svg == 10 && ext == 0, "report.html: %d plots (pressure and flow at 5 sites), %d external references", svg, ext);
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
