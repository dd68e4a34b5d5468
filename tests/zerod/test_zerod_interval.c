/* output_interval: pulsatileFlow_R_RCR (all cycles) with output_interval = 4 must reproduce every 4th
 * row of svZeroDSolver's reference of the full output (the time stepping is unchanged). */
#include "zdtest.h"

static PetscErrorCode Body(void)
{
  char             model[PETSC_MAX_PATH_LEN], ref[PETSC_MAX_PATH_LEN];
  FILE            *fp;
  long             len;
  char            *buf;
  cJSON           *root;
  HtZeroD          zd;
  ZdTable          tref;
  PetscInt         nt, nbad = 0, cq, cp;
  const PetscReal *t, *qin, *pin;
  PetscReal        worst = 0.0;

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("zerod/cases/pulsatileFlow_R_RCR.json", model, sizeof(model))) PetscFunctionReturn(0);
  if (!HtTest_RequireData("zerod/results/result_pulsatileFlow_R_RCR.json", ref, sizeof(ref))) PetscFunctionReturn(0);
  fp = fopen(model, "rb");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", model);
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  PetscCall(PetscMalloc1(len + 1, &buf));
  PetscCheck(fread(buf, 1, len, fp) == (size_t)len, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", model);
  fclose(fp);
  buf[len] = 0;
  root = cJSON_Parse(buf);
  PetscCall(PetscFree(buf));
  PetscCheck(root, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: bad JSON", model);
  cJSON_AddNumberToObject(cJSON_GetObjectItem(root, "simulation_parameters"), "output_interval", 4);
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadJSON(zd, root, "pulsatileFlow_R_RCR+output_interval"));
  cJSON_Delete(root);
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  PetscCall(HtZeroD_GetVesselResult(zd, "branch0_seg0", &nt, &t, &qin, NULL, &pin, NULL));
  HT_CHECK(!ZdTable_ReadPandasJSON(ref, &tref), "cannot read %s", ref);
  cq = ZdTable_Col(&tref, "flow_in");
  cp = ZdTable_Col(&tref, "pressure_in");
  HT_CHECK(nt == (tref.nrow - 1) / 4 + 1, "%d output points, expected %d", (int)nt, (int)((tref.nrow - 1) / 4 + 1));
  for (PetscInt i = 0; i < nt && 4 * i < tref.nrow; i++) {
    PetscReal eq = fabs(qin[i] - tref.val[4 * i * tref.ncol + cq]) / (1.0 + fabs(tref.val[4 * i * tref.ncol + cq]));
    PetscReal ep = fabs(pin[i] - tref.val[4 * i * tref.ncol + cp]) / (1.0 + fabs(tref.val[4 * i * tref.ncol + cp]));
    worst = PetscMax(worst, PetscMax(eq, ep));
    if (!(eq <= 1e-7 && ep <= 1e-7)) nbad++;
  }
  printf("output_interval 4: %d points (reference %d rows), max rel error vs every 4th reference row %.3e\n", (int)nt, (int)tref.nrow, (double)worst);
  HT_CHECK(nbad == 0, "%d points outside 1e-7", (int)nbad);
  ZdTable_Free(&tref);
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
