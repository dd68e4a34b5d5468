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
  int first = 1;

  /* usage: [0d] MODEL.json --out RESULT.csv [-petsc_options]; the model comes first so that a
   * valueless PETSc flag cannot swallow it */
  if (first < argc && !strcmp(argv[first], "0d")) first++;
  if (first < argc && argv[first][0] != '-') model = argv[first++];
  for (int i = first; i < argc; i++) {
    if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
    else if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
      /* PETSc options (-zerod_*) are read through the options database; skip their value */
      if (i + 1 < argc && argv[i + 1][0] != '-' && strncmp(argv[i], "--", 2)) i++;
    } else if (!model) model = argv[i];
    else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "hemotwin 0d: unexpected argument %s (usage: hemotwin 0d MODEL.json --out RESULT.csv)", argv[i]);
  }
  PetscCheck(model, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "hemotwin 0d: no model given (usage: hemotwin 0d MODEL.json --out RESULT.csv)");
  PetscCheck(out, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "hemotwin 0d: no --out RESULT.csv given for %s", model);
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  ierr = RunModel(zd, model, out);
  PetscCall(HtZeroD_Destroy(&zd));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

int HtZeroD_Main(int argc, char **argv)
{
  PetscErrorCode ierr;

  /* one-line errors: keep the innermost message instead of PETSc's traceback */
  if (HtError_PushHandler()) return 1;
  HtError_Clear();
  ierr = Run(argc, argv);
  if (HtError_PopHandler()) return 1;
  if (ierr) {
    const char *msg = HtError_LastMessage();
    PetscMPIInt rank = 0;
    MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
    if (!rank) fprintf(stderr, "hemotwin 0d: error: %s\n", msg && msg[0] ? msg : "failed (see above)");
    return 1;
  }
  return 0;
}
