/* 1D engine benchmark: time per cardiac cycle of ADAN56 (77 vessels; openBF config unchanged) on the
 * ranks it is launched with, with the configs' cell counts M and with M scaled by -bench_scale
 * (default 0.25); prints the pressure difference between the two resolutions at every probe site
 * (RMS over the cycle / pulse pressure) so the coarse timing can be judged at its accuracy.
 *   mpiexec -n 1 bench_oned [CONFIG.yaml]     mpiexec -n 2 bench_oned [CONFIG.yaml]
 * Times are printed, never asserted. */
#include <htoned.h>
#include <htcore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static PetscErrorCode RunOnce(const char *cfg, PetscReal scale, PetscInt cycles, HtOneD *out, double *wall, double *cpu)
{
  HtOneD od;
  char   buf[32];
  double t0, c0;

  PetscFunctionBeginUser;
  PetscCall(HtOneD_Create(PETSC_COMM_WORLD, &od));
  PetscCall(HtOneD_LoadOpenBF(od, cfg));
  PetscCall(PetscSNPrintf(buf, sizeof buf, "%g", (double)scale));
  PetscCall(PetscOptionsSetValue(NULL, "-oned_cell_scale", buf));
  PetscCall(PetscSNPrintf(buf, sizeof buf, "%" PetscInt_FMT, cycles));
  PetscCall(PetscOptionsSetValue(NULL, "-oned_min_cycles", buf));
  PetscCall(PetscOptionsSetValue(NULL, "-oned_max_cycles", buf));
  PetscCall(HtOneD_SetFromOptions(od));
  PetscCall(HtOneD_SetUp(od));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  t0 = HtTime_Now();
  c0 = (double)clock() / CLOCKS_PER_SEC;
  PetscCall(HtOneD_Solve(od));
  *cpu  = (double)clock() / CLOCKS_PER_SEC - c0;
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  *wall = HtTime_Now() - t0;
  *out  = od;
  PetscFunctionReturn(0);
}

static PetscErrorCode Bench(int argc, char **argv)
{
  char        cfg[PETSC_MAX_PATH_LEN];
  PetscBool   ex;
  PetscInt    cycles = 3, nv;
  PetscReal   scale  = 0.25, worst = 0, sum = 0;
  PetscMPIInt size;
  HtOneD      fine, coarse;
  double      wf, cf, wc, cc, maxcpu[2];

  PetscFunctionBeginUser;
  if (argc > 1 && argv[1][0] != '-') PetscCall(PetscStrncpy(cfg, argv[1], sizeof cfg));
  else {
    PetscCall(HtData_Path("oned/openbf_models/boileau2015/adan56/adan56.yaml", cfg, sizeof cfg, &ex));
    PetscCheck(ex, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: ADAN56 config not found (set HEMOTWIN_DATA)", cfg);
  }
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-bench_cycles", &cycles, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-bench_scale", &scale, NULL));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  HtLog_SetQuiet(PETSC_TRUE);
  PetscCall(RunOnce(cfg, 1.0, cycles, &fine, &wf, &cf));
  PetscCall(RunOnce(cfg, scale, cycles, &coarse, &wc, &cc));
  {
    double c[2] = {cf, cc};
    PetscCallMPI(MPI_Allreduce(c, maxcpu, 2, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD));
  }
  PetscCall(HtOneD_GetNumVessels(fine, &nv));
  for (PetscInt i = 0; i < nv; i++) {
    const char *lab;
    PetscCall(HtOneD_GetVesselLabel(fine, i, &lab));
    for (PetscInt s = 0; s <= 4; s++) {
      PetscInt         n;
      const PetscReal *pf, *pc;
      PetscReal        e = 0, mx = -1e30, mn = 1e30;
      PetscCall(HtOneD_GetProbe(fine, lab, 0.25 * s, &n, NULL, &pf, NULL, NULL));
      PetscCall(HtOneD_GetProbe(coarse, lab, 0.25 * s, &n, NULL, &pc, NULL, NULL));
      for (PetscInt k = 0; k < n; k++) {
        e += (pf[k] - pc[k]) * (pf[k] - pc[k]);
        mx = PetscMax(mx, pf[k]);
        mn = PetscMin(mn, pf[k]);
      }
      e = PetscSqrtReal(e / n) / PetscMax(mx - mn, 1.0);
      worst = PetscMax(worst, e);
      sum += e;
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "bench_oned %s: %" PetscInt_FMT " vessels, %d rank(s), %" PetscInt_FMT " cycles each\n", cfg, nv, (int)size, cycles));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  config M (scale 1):    %.3f s wall per cycle, %.3f s CPU per cycle (slowest rank)\n", wf / cycles, maxcpu[0] / cycles));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  M x %.3g:              %.3f s wall per cycle, %.3f s CPU per cycle (slowest rank)\n", (double)scale, wc / cycles, maxcpu[1] / cycles));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  pressure difference coarse vs config M over %" PetscInt_FMT " probe sites: mean %.3f %%, worst %.3f %% of the local pulse pressure (RMS over the last cycle)\n", 5 * nv, (double)(100 * sum / (5 * nv)), (double)(100 * worst)));
  PetscCall(HtOneD_Destroy(&fine));
  PetscCall(HtOneD_Destroy(&coarse));
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
