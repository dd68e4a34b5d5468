/* Stand-alone driver of the planning engine: ht_plan_run PLAN.json --out DIR [PETSc options]
 * (the same entry point as `hemotwin plan`); prints the wall time of the whole plan. */
#include <htplan.h>

int main(int argc, char **argv)
{
  int         rc;
  PetscLogDouble t0, t1;
  PetscMPIInt size;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscTime(&t0));
  rc = HtPlan_Main(argc, argv);
  PetscCall(PetscTime(&t1));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "plan: exit code %d, wall time %.2f s on %d rank(s)\n", rc, (double)(t1 - t0), (int)size));
  PetscCall(PetscFinalize());
  return rc;
}
