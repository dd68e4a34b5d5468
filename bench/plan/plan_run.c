/* Stand-alone driver of the planning engine: ht_plan_run PLAN.json --out DIR [PETSc options]
 * (the same entry point as `hemotwin plan`); prints the wall and CPU time of the whole plan. */
#include <htplan.h>
#include <time.h>

int main(int argc, char **argv)
{
  int            rc;
  PetscLogDouble t0, t1;
  PetscMPIInt    size;
  double         cpu, cpu_sum = 0, cpu_max = 0;
  clock_t        c0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  c0 = clock();

  PetscCall(PetscTime(&t0));
  rc = HtPlan_Main(argc, argv);
  PetscCall(PetscTime(&t1));
  /* CPU time too: on a shared machine the wall time also measures the other jobs */
  cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
  PetscCallMPI(MPI_Allreduce(&cpu, &cpu_sum, 1, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Allreduce(&cpu, &cpu_max, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "plan: exit code %d, wall time %.2f s on %d rank(s); CPU time %.2f s summed over ranks, %.2f s on the busiest rank\n", rc, (double)(t1 - t0), (int)size, cpu_sum, cpu_max));
  PetscCall(PetscFinalize());
  return rc;
}
