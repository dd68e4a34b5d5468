/* Parallel consistency: the steady coarse-pipe Poiseuille solve distributed over all ranks of
 * PETSC_COMM_WORLD must give the same pressure drop, outlet flow and velocity L2 error as the same solve on
 * one rank (PETSC_COMM_SELF, done on every rank), to solver tolerance. Run with 2 ranks in ctest. */
#include <htthreed.h>
#include <httest.h>
#include "htpipe.h"

static const double R = 0.5, L = 2.0, Q = 2.0, MU = 0.04, RHO = 1.06;

static void Exact(const PetscReal x[3], PetscReal u[3], void *ctx)
{
  (void)ctx;
  u[0] = u[1] = 0;
  u[2] = 2.0 * Q / (PETSC_PI * R * R) * (1.0 - (x[0] * x[0] + x[1] * x[1]) / (R * R));
}

static PetscErrorCode Solve(MPI_Comm comm, const char *mesh, PetscReal fig[4])
{
  HtThreeD      td;
  HtThreeDCase *c;
  PetscReal     q = Q, Pin, Pout, A, Qout, nrm;
  PetscInt      nc;

  PetscFunctionBeginUser;
  PetscCall(HtThreeD_Create(comm, &td));
  PetscCall(HtThreeD_GetCase(td, &c));
  PetscCall(PetscStrncpy(c->mesh, mesh, sizeof c->mesh));
  c->mesh_to_cm = 1.0;
  c->rho_g_cm3  = RHO;
  c->mu_P       = MU;
  c->steady     = PETSC_TRUE;
  c->noutlets   = 1;
  PetscCall(PetscStrncpy(c->outlets[0].name, "outlet_1", sizeof c->outlets[0].name));
  c->outlets[0].type = HT_OUTLET_TRACTION;
  PetscCall(HtThreeD_SetInletWaveform(td, 1, NULL, &q));
  PetscCall(HtThreeD_SetFromOptions(td));
  PetscCall(HtThreeD_SetUp(td));
  PetscCall(HtThreeD_GetNumCells(td, &nc));
  PetscCall(HtThreeD_Solve(td));
  PetscCall(HtThreeD_BoundaryFlow(td, "inlet", NULL, &Pin, &A));
  PetscCall(HtThreeD_BoundaryFlow(td, "outlet_1", &Qout, &Pout, &A));
  PetscCall(HtThreeD_VelocityL2Error(td, Exact, NULL, &fig[2], &nrm));
  fig[0] = Pin - Pout;
  fig[1] = Qout;
  fig[3] = (PetscReal)nc;
  PetscCall(HtThreeD_Destroy(&td));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  const char *mesh = "threed_mpi.msh";
  PetscReal   par[4], ser[4], dp_exact = 8 * MU * L * Q / (PETSC_PI * R * R * R * R);
  PetscMPIInt size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(HtPipe_Write(PETSC_COMM_WORLD, mesh, R, L, 0.25));
  PetscCall(Solve(PETSC_COMM_WORLD, mesh, par));
  PetscCall(Solve(PETSC_COMM_SELF, mesh, ser));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d ranks: %g tets, dp %.10g (1 rank %.10g, exact %.6g) dyn/cm2, Q_out %.10g (1 rank %.10g) mL/s, velocity L2 error %.10g (1 rank %.10g)\n", size, (double)par[3], (double)par[0], (double)ser[0], dp_exact, (double)par[1], (double)ser[1], (double)par[2], (double)ser[2]));
  HT_CHECK(par[3] == ser[3], "cell counts differ");
  HT_CHECK_CLOSE(par[0], ser[0], 1e-6, 0, "pressure drop, N ranks vs 1 rank");
  HT_CHECK_CLOSE(par[1], ser[1], 1e-6, 0, "outlet flow, N ranks vs 1 rank");
  HT_CHECK_CLOSE(par[2], ser[2], 1e-6, 0, "velocity L2 error, N ranks vs 1 rank");
  HT_CHECK_CLOSE(par[0], dp_exact, 0.05, 0, "pressure drop vs Poiseuille");
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
