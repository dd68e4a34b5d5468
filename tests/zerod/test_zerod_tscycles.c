/* PETSc TS integrators with use_cycle_to_cycle_error and no Windkessel outlet (pulsatileFlow_R_coronary_cycle_error):
 * cycles are added until the cap means change by less than the 1 % target, as with alpha_sv. Checks: more
 * cycles than configured, final cycle-to-cycle change <= 1 %, one output row per step (no duplicates), and the
 * output cycle equals alpha_sv's (svZeroDSolver's scheme, reference-validated) within the integrators'
 * discretisation difference (1e-4). */
#include "zdtest.h"

static PetscErrorCode ReadJSON(const char *path, cJSON **root)
{
  FILE *fp = fopen(path, "rb");
  long  len;
  char *buf;

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", path);
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  PetscCall(PetscMalloc1(len + 1, &buf));
  PetscCheck(fread(buf, 1, len, fp) == (size_t)len, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", path);
  fclose(fp);
  buf[len] = 0;
  *root = cJSON_Parse(buf);
  PetscCall(PetscFree(buf));
  PetscCheck(*root, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: bad JSON", path);
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char             path[PETSC_MAX_PATH_LEN];
  cJSON           *root = NULL, *sp;
  HtZeroD          ts = NULL, sv = NULL;
  PetscInt         ncyc, nts, nsv, ncfg, nsvc;
  PetscReal        period, change, worst = 0.0, chsv;
  const PetscReal *qa, *qb, *pa, *pb;

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("zerod/cases/pulsatileFlow_R_coronary_cycle_error.json", path, sizeof(path))) PetscFunctionReturn(0);
  PetscCall(ReadJSON(path, &root));
  sp   = cJSON_GetObjectItem(root, "simulation_parameters");
  ncfg = (PetscInt)cJSON_GetObjectItem(sp, "number_of_cardiac_cycles")->valuedouble;
  cJSON_ReplaceItemInObject(sp, "output_all_cycles", cJSON_CreateFalse());
  PetscCall(PetscOptionsSetValue(NULL, "-zerod_ts_type", "bdf"));
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &ts));
  PetscCall(HtZeroD_LoadJSON(ts, root, "R_coronary_cycle_error/bdf"));
  PetscCall(HtZeroD_SetFromOptions(ts));
  PetscCall(HtZeroD_SetUp(ts));
  PetscCall(HtZeroD_Solve(ts));
  PetscCall(PetscOptionsClearValue(NULL, "-zerod_ts_type"));
  PetscCall(HtZeroD_GetCycleInfo(ts, &ncyc, &period, &change));
  /* alpha_sv on the same model: same output cycle (svZeroDSolver keeps the configured last cycle as output) */
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &sv));
  PetscCall(HtZeroD_LoadJSON(sv, root, "R_coronary_cycle_error/alpha_sv"));
  PetscCall(HtZeroD_SetUp(sv));
  PetscCall(HtZeroD_Solve(sv));
  PetscCall(HtZeroD_GetCycleInfo(sv, &nsvc, NULL, &chsv));
  cJSON_Delete(root);
  PetscCall(HtZeroD_GetVesselResult(ts, "branch0_seg0", &nts, NULL, &qa, &qb, &pa, &pb));
  {
    const PetscReal *q2, *qo2, *p2, *po2;
    PetscCall(HtZeroD_GetVesselResult(sv, "branch0_seg0", &nsv, NULL, &q2, &qo2, &p2, &po2));
    HT_CHECK(nts == nsv, "TS path wrote %d rows, alpha_sv %d", (int)nts, (int)nsv);
    for (PetscInt i = 0; i < nts; i++) {
      worst = PetscMax(worst, PetscAbsReal(qa[i] - q2[i]) / (1.0 + PetscAbsReal(q2[i])));
      worst = PetscMax(worst, PetscAbsReal(qb[i] - qo2[i]) / (1.0 + PetscAbsReal(qo2[i])));
      worst = PetscMax(worst, PetscAbsReal(pa[i] - p2[i]) / (1.0 + PetscAbsReal(p2[i])));
      worst = PetscMax(worst, PetscAbsReal(pb[i] - po2[i]) / (1.0 + PetscAbsReal(po2[i])));
    }
  }
  printf("TS bdf, use_cycle_to_cycle_error without RCR: %d cycles (configured %d), cycle-to-cycle change %.5f (target 0.01), %d output rows; alpha_sv: %d cycles, change %.5f; output cycle TS vs alpha_sv: max rel difference %.3e\n", (int)ncyc, (int)ncfg, (double)change, (int)nts, (int)nsvc, (double)chsv, (double)worst);
  HT_CHECK(ncyc > ncfg, "no cycle was added");
  HT_CHECK(change >= 0.0 && change <= 0.01, "cycle-to-cycle change %g above the target", (double)change);
  HT_CHECK(worst < 1e-4, "TS and alpha_sv differ by %g", (double)worst);
  PetscCall(HtZeroD_Destroy(&ts));
  PetscCall(HtZeroD_Destroy(&sv));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
