/* Benchmark: wall time of an svZeroDSolver model (default: VMR 0104_0001), per time step.
 *   bench_zerod [MODEL.json] [-zerod_ts_type ...] */
#include <htcore.h>
#include <htzerod.h>
#include "zerod_impl.h" /* step count (internal) */
#include <stdio.h>

static PetscErrorCode Bench(int argc, char **argv)
{
  char      path[PETSC_MAX_PATH_LEN];
  PetscBool ex = PETSC_TRUE;
  HtZeroD   zd;
  PetscInt  ncyc, nt;
  PetscReal period, change;
  double    t0, t1, t2;

  PetscFunctionBeginUser;
  if (argc > 1 && argv[1][0] != '-') PetscCall(PetscStrncpy(path, argv[1], sizeof(path)));
  else PetscCall(HtData_Path("zerod/vmr/0104_0001_optimal_from_0d.json", path, sizeof(path), &ex));
  PetscCheck(ex, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: not found (set HEMOTWIN_DATA)", path);
  t0 = HtTime_Now();
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadFile(zd, path));
  PetscCall(HtZeroD_SetFromOptions(zd));
  PetscCall(HtZeroD_SetUp(zd));
  t1 = HtTime_Now();
  PetscCall(HtZeroD_Solve(zd));
  t2 = HtTime_Now();
  PetscCall(HtZeroD_GetCycleInfo(zd, &ncyc, &period, &change));
  nt = (zd->sp.pts_per_cycle - 1) * ncyc + (zd->sp.steady_initial ? 31 : 0);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %d unknowns, load+setup %.3f s, solve %.3f s for %d cycles (%d steps incl. steady start): %.1f us per step\n", path, (int)zd->n, t1 - t0, t2 - t1, (int)ncyc, (int)nt, 1e6 * (t2 - t1) / (double)nt));
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  if (PetscInitialize(&argc, &argv, NULL, NULL)) return 1;
  ierr = Bench(argc, argv);
  if (PetscFinalize()) return 1;
  return ierr ? 1 : 0;
}
