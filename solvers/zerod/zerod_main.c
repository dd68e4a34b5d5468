/* `hemotwin 0d MODEL.json --out RESULT.csv [-zerod_ts_type ...]`: run an svZeroDSolver model. */
#include "zerod_impl.h"
#include <htcore.h>

static PetscErrorCode RunModel(HtZeroD zd, const char *model, const char *out)
{
  PetscInt  ncyc;
  PetscReal period, change;
  double    t0 = HtTime_Now();

  PetscFunctionBeginUser;
  PetscCall(HtZeroD_LoadFile(zd, model));
  PetscCall(HtZeroD_SetFromOptions(zd));
  PetscCall(HtZeroD_SetUp(zd));
  HtLog_Info("0D model %s: %" PetscInt_FMT " unknowns, %" PetscInt_FMT " blocks", model, zd->n, zd->nblocks);
  PetscCall(HtZeroD_Solve(zd));
  PetscCall(HtZeroD_WriteCSV(zd, out));
  PetscCall(HtZeroD_GetCycleInfo(zd, &ncyc, &period, &change));
  HtLog_Info("0D model %s: %" PetscInt_FMT " cycles of %g s, cycle-to-cycle change %.3g, %.2f s; wrote %s", model, ncyc, (double)period, (double)change, HtTime_Now() - t0, out);
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(int argc, char **argv)
{
  const char    *model = NULL, *out = NULL;
  HtZeroD        zd;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(HtCli_InputAndOut(argc, argv, "0d", "hemotwin 0d MODEL.json --out RESULT.csv", &model, &out));
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  ierr = RunModel(zd, model, out);
  PetscCall(HtZeroD_Destroy(&zd));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

int HtZeroD_Main(int argc, char **argv) { return HtCli_Main("0d", Run, argc, argv); }
