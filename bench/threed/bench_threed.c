/* 3D engine benchmark: time per time step per 100k tetrahedra and peak memory per million tetrahedra, on a
 * Gmsh pipe (R 0.5 cm, L 4 cm) with a pulsatile-like constant inflow and a resistance outlet.
 * Run: mpiexec -n 1|2 bench_threed [-h 0.08] [-steps 5]. Prints figures, asserts nothing. */
#include <htthreed.h>
#include <htcore.h>
#include <sys/resource.h>
#include "../../tests/threed/htpipe.h"

static PetscErrorCode Run(void)
{
  HtThreeD      td;
  HtThreeDCase *c;
  PetscReal     h = 0.1, q = 5.0;
  PetscInt      steps = 5, nc;
  PetscMPIInt   size;
  double        t0, t1, t2, rss, rssmax;
  struct rusage ru;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-h", &h, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-steps", &steps, NULL));
  PetscCall(HtPipe_Write(PETSC_COMM_WORLD, "bench_threed.msh", 0.5, 4.0, h));
  PetscCall(HtThreeD_Create(PETSC_COMM_WORLD, &td));
  PetscCall(HtThreeD_GetCase(td, &c));
  PetscCall(PetscStrncpy(c->mesh, "bench_threed.msh", sizeof c->mesh));
  c->mesh_to_cm = 1.0;
  c->steady     = PETSC_FALSE;
  c->dt_s       = 0.005;
  c->steps      = steps;
  c->noutlets   = 1;
  PetscCall(PetscStrncpy(c->outlets[0].name, "outlet_1", sizeof c->outlets[0].name));
  c->outlets[0].type  = HT_OUTLET_RESISTANCE;
  c->outlets[0].R_cgs = 1000.0;
  PetscCall(HtThreeD_SetInletWaveform(td, 1, NULL, &q));
  PetscCall(HtThreeD_SetFromOptions(td));
  t0 = HtTime_Now();
  PetscCall(HtThreeD_SetUp(td));
  PetscCall(HtThreeD_GetNumCells(td, &nc));
  t1 = HtTime_Now();
  PetscCall(HtThreeD_Solve(td));
  t2 = HtTime_Now();
  getrusage(RUSAGE_SELF, &ru);
  rss = (double)ru.ru_maxrss / 1024.0; /* MB */
  PetscCallMPI(MPI_Allreduce(&rss, &rssmax, 1, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "bench_threed ranks %d tets %" PetscInt_FMT " setup_s %.2f steps %" PetscInt_FMT " s_per_step %.3f s_per_step_per_100k_tets %.3f peak_rss_MB_total %.0f MB_per_million_tets %.0f\n", size, nc, t1 - t0, steps, (t2 - t1) / steps, (t2 - t1) / steps * 1e5 / nc, rssmax, rssmax * 1e6 / nc));
  PetscCall(HtThreeD_Destroy(&td));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  if (PetscInitialize(&argc, &argv, NULL, NULL)) return 1;
  if (Run()) {
    PetscFinalize();
    return 1;
  }
  return PetscFinalize() ? 1 : 0;
}
