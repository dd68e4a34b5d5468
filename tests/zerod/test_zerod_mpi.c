/* The 0D engine on 2 MPI ranks: every rank integrates the model (it is tiny) and must hold results
 * identical to rank 0's; only rank 0 writes the CSV, which must match svZeroDSolver's reference. */
#include "zdtest.h"

static PetscErrorCode Body(void)
{
  char             model[PETSC_MAX_PATH_LEN], ref[PETSC_MAX_PATH_LEN];
  HtZeroD          zd;
  PetscInt         nt, nt0;
  const PetscReal *t, *qi, *qo, *pi, *po;
  PetscReal       *buf, *buf0, diff = 0.0, gdiff;
  PetscMPIInt      rank, size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  if (!HtTest_RequireData("zerod/cases/pulsatileFlow_bifurcationR_RCR_cycle_error.json", model, sizeof(model))) PetscFunctionReturn(0);
  if (!HtTest_RequireData("zerod/results/result_pulsatileFlow_bifurcationR_RCR_cycle_error.json", ref, sizeof(ref))) PetscFunctionReturn(0);
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadFile(zd, model));
  PetscCall(HtZeroD_SetFromOptions(zd));
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  PetscCall(HtZeroD_WriteCSV(zd, "zerod_mpi.csv"));
  PetscCall(HtZeroD_GetVesselResult(zd, "branch1_seg0", &nt, &t, &qi, &qo, &pi, &po));
  nt0 = nt;
  PetscCallMPI(MPI_Bcast(&nt0, 1, MPIU_INT, 0, PETSC_COMM_WORLD));
  HT_CHECK(nt0 == nt, "rank %d: %d time points, rank 0 has %d", rank, (int)nt, (int)nt0);
  if (nt0 == nt) {
    PetscCall(PetscMalloc2(5 * nt, &buf, 5 * nt, &buf0));
    for (PetscInt i = 0; i < nt; i++) {
      buf[i] = t[i];
      buf[nt + i] = qi[i];
      buf[2 * nt + i] = qo[i];
      buf[3 * nt + i] = pi[i];
      buf[4 * nt + i] = po[i];
    }
    PetscCall(PetscArraycpy(buf0, buf, 5 * nt));
    PetscCallMPI(MPI_Bcast(buf0, (PetscMPIInt)(5 * nt), MPIU_REAL, 0, PETSC_COMM_WORLD));
    for (PetscInt i = 0; i < 5 * nt; i++) diff = PetscMax(diff, PetscAbsReal(buf[i] - buf0[i]));
    PetscCall(PetscFree2(buf, buf0));
  }
  PetscCallMPI(MPI_Allreduce(&diff, &gdiff, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  PetscCall(HtZeroD_Destroy(&zd));
  if (rank == 0) {
    ZdTable   tres, tref;
    PetscInt  nbad, ncmp;
    PetscReal worst;
    HT_CHECK(!ZdTable_ReadCSV("zerod_mpi.csv", &tres), "cannot read back zerod_mpi.csv");
    HT_CHECK(!ZdTable_ReadPandasJSON(ref, &tref), "cannot read %s", ref);
    worst = ZdTable_Compare(&tres, &tref, 1e-7, &nbad, &ncmp, "mpi");
    printf("%d ranks: max difference to rank 0 = %g, %d values vs reference, max rel error %.3e\n", size, (double)gdiff, (int)ncmp, (double)worst);
    HT_CHECK(nbad == 0, "%d values outside tolerance", (int)nbad);
    ZdTable_Free(&tres);
    ZdTable_Free(&tref);
  }
  HT_CHECK(gdiff == 0.0, "ranks disagree by %g", (double)gdiff);
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
