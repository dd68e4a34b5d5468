/* Vascular Model Repository model 0104_0001 (aorto-femoral, 18 vessels, BloodVesselJunctions, RCR
 * outlets) against svZeroDSolver's result 0104_0001_reference.csv:
 * |y - y_ref| <= 1e-7 (1 + |y_ref|) for every flow and pressure value. Also prints the time per step. */
#include "zdtest.h"

static PetscErrorCode Body(void)
{
  char      model[PETSC_MAX_PATH_LEN], ref[PETSC_MAX_PATH_LEN];
  HtZeroD   zd;
  ZdTable   tres, tref;
  PetscInt  nbad, ncmp, ncyc;
  PetscReal worst, period, change;
  double    t0, t1;

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("zerod/vmr/0104_0001_optimal_from_0d.json", model, sizeof(model))) PetscFunctionReturn(0);
  if (!HtTest_RequireData("zerod/vmr/0104_0001_reference.csv", ref, sizeof(ref))) PetscFunctionReturn(0);
  t0 = HtTime_Now();
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadFile(zd, model));
  PetscCall(HtZeroD_SetFromOptions(zd));
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  t1 = HtTime_Now();
  PetscCall(HtZeroD_WriteCSV(zd, "zerod_vmr_0104_0001.csv"));
  PetscCall(HtZeroD_GetCycleInfo(zd, &ncyc, &period, &change));
  PetscCall(HtZeroD_Destroy(&zd));
  HT_CHECK(!ZdTable_ReadCSV("zerod_vmr_0104_0001.csv", &tres), "cannot read back the result");
  HT_CHECK(!ZdTable_ReadCSV(ref, &tref), "cannot read %s", ref);
  worst = ZdTable_Compare(&tres, &tref, 1e-7, &nbad, &ncmp, "0104_0001");
  printf("0104_0001: %d cycles of %g s, %d values compared, max |y-y_ref|/(1+|y_ref|) = %.3e (tolerance 1e-7), cycle-to-cycle change %.3e, solve %.2f s (informative)\n", (int)ncyc, (double)period, (int)ncmp, (double)worst, (double)change, t1 - t0);
  HT_CHECK(nbad == 0 && ncmp > 0, "0104_0001: %d of %d values outside tolerance", (int)nbad, (int)ncmp);
  ZdTable_Free(&tres);
  ZdTable_Free(&tref);
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
