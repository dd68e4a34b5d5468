/* Runs one svZeroDSolver test case (argument: case name) and compares every flow/pressure value
 * of the written CSV with svZeroDSolver's own reference result:
 *   |y - y_ref| <= 1e-7 (1 + |y_ref|)   (0.2 for coupledBlock_closedLoopHeart_withCoronaries,
 * the tolerance of svZeroDSolver's test_solver.py). */
#include "zdtest.h"

static const char *case_name;

static PetscErrorCode Body(void)
{
  char      model[PETSC_MAX_PATH_LEN], ref[PETSC_MAX_PATH_LEN], rel[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN];
  HtZeroD   zd;
  ZdTable   tres, tref;
  PetscInt  nbad, ncmp, ncyc;
  PetscReal rtol = 1e-7, worst, period, change;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(rel, sizeof(rel), "zerod/cases/%s.json", case_name));
  if (!HtTest_RequireData(rel, model, sizeof(model))) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(rel, sizeof(rel), "zerod/results/result_%s.json", case_name));
  if (!HtTest_RequireData(rel, ref, sizeof(ref))) PetscFunctionReturn(0);
  if (!strcmp(case_name, "coupledBlock_closedLoopHeart_withCoronaries")) rtol = 0.2;
  PetscCall(PetscSNPrintf(out, sizeof(out), "zerod_case_%s.csv", case_name));

  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadFile(zd, model));
  PetscCall(HtZeroD_SetFromOptions(zd));
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  PetscCall(HtZeroD_WriteCSV(zd, out));
  PetscCall(HtZeroD_GetCycleInfo(zd, &ncyc, &period, &change));
  PetscCall(HtZeroD_Destroy(&zd));

  HT_CHECK(!ZdTable_ReadCSV(out, &tres), "cannot read back %s", out);
  HT_CHECK(!ZdTable_ReadPandasJSON(ref, &tref), "cannot read reference %s", ref);
  worst = ZdTable_Compare(&tres, &tref, rtol, &nbad, &ncmp, case_name);
  printf("case %s: %d cycles of %g s, %d values compared, max |y-y_ref|/(1+|y_ref|) = %.3e (tolerance %.0e), cycle-to-cycle change %.3e\n", case_name, (int)ncyc, (double)period, (int)ncmp, (double)worst, (double)rtol, (double)change);
  HT_CHECK(nbad == 0 && ncmp > 0, "case %s: %d of %d values outside tolerance", case_name, (int)nbad, (int)ncmp);
  ZdTable_Free(&tres);
  ZdTable_Free(&tref);
  PetscFunctionReturn(0);
}

static PetscErrorCode BodyArgs(void) { return Body(); }

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: test_zerod_case CASE_NAME\n");
    return 1;
  }
  case_name = argv[1];
  {
    PetscErrorCode ierr;
    if (PetscInitialize(&argc, &argv, NULL, NULL)) return 1;
    ierr = BodyArgs();
    if (ierr) {
      fprintf(stderr, "FAIL: error %d raised\n", (int)ierr);
      ht_test_failures++;
    }
    if (PetscFinalize()) return 1;
  }
  if (ht_test_failures) {
    fprintf(stderr, "%d check(s) failed\n", ht_test_failures);
    return 1;
  }
  if (ht_test_skip) return 77;
  printf("PASS\n");
  return 0;
}
