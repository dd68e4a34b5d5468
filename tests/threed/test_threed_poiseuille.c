/* Steady Poiseuille flow in a straight pipe (coarse mesh, CI): parabolic inlet, zero-traction outlet.
 * Exact: u_z = 2 U (1 - r^2/R^2), U = Q/(pi R^2); pressure drop 8 mu L Q/(pi R^4); wall shear 4 mu Q/(pi R^3).
 * Optional argument: mesh size h in cm (default 0.2). */
#include <htthreed.h>
#include <httest.h>
#include "htpipe.h"

static const double R = 0.5, L = 3.0, Q = 2.0, MU = 0.04, RHO = 1.06;

static void Exact(const PetscReal x[3], PetscReal u[3], void *ctx)
{
  (void)ctx;
  u[0] = u[1] = 0;
  u[2] = 2.0 * Q / (PETSC_PI * R * R) * (1.0 - (x[0] * x[0] + x[1] * x[1]) / (R * R));
}

static PetscErrorCode Body(void)
{
  HtThreeD      td;
  HtThreeDCase *c;
  PetscReal     h = 0.2, dpi, err, nrm, Qin, Pin, Ain, Qout, Pout, Aout, dp, dp_exact = 8 * MU * L * Q / (PETSC_PI * R * R * R * R);
  PetscInt      nc;
  char          mesh[PETSC_MAX_PATH_LEN] = "threed_poiseuille.msh";

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-h", &h, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_out", mesh, sizeof mesh, NULL));
  PetscCall(HtPipe_Write(PETSC_COMM_WORLD, mesh, R, L, h));
  PetscCall(HtThreeD_Create(PETSC_COMM_WORLD, &td));
  PetscCall(HtThreeD_GetCase(td, &c));
  PetscCall(PetscStrncpy(c->mesh, mesh, sizeof c->mesh));
  c->mesh_to_cm = 1.0;
  c->rho_g_cm3  = RHO;
  c->mu_P       = MU;
  c->steady     = PETSC_TRUE;
  c->noutlets   = 1;
  PetscCall(PetscStrncpy(c->outlets[0].name, "outlet_1", sizeof c->outlets[0].name));
  c->outlets[0].type = HT_OUTLET_TRACTION;
  {
    PetscReal q = Q;
    PetscCall(HtThreeD_SetInletWaveform(td, 1, NULL, &q));
  }
  PetscCall(HtThreeD_SetFromOptions(td));
  PetscCall(HtThreeD_SetUp(td));
  PetscCall(HtThreeD_GetNumCells(td, &nc));
  PetscCall(HtThreeD_Solve(td));
  PetscCall(HtThreeD_VelocityL2Error(td, Exact, NULL, &err, &nrm));
  PetscCall(HtThreeD_BoundaryFlow(td, "inlet", &Qin, &Pin, &Ain));
  PetscCall(HtThreeD_BoundaryFlow(td, "outlet_1", &Qout, &Pout, &Aout));
  dp = Pin - Pout;
  {
    /* interior estimate: mean dp/dz over the middle half of the pipe (away from the end faces) times L */
    PetscReal lo[3] = {-1, -1, 0.25 * L}, hi[3] = {1, 1, 0.75 * L}, g[3], V;
    PetscCall(HtThreeD_MeanPressureGradient(td, lo, hi, g, &V));
    dpi = -g[2] * L;
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "poiseuille h %.4g cm: %" PetscInt_FMT " tets, velocity L2 error %.4e (relative %.3f %%), dp %.5g dyn/cm2 (exact %.5g, %.3f %%), interior -dp/dz L %.5g (%.3f %%), Q_in %.6g Q_out %.6g mL/s\n", (double)h, nc, (double)err, (double)(100 * err / nrm), (double)dp, dp_exact, (double)(100 * (dp - dp_exact) / dp_exact), (double)dpi, (double)(100 * (dpi - dp_exact) / dp_exact), (double)-Qin, (double)Qout));
  HT_CHECK_CLOSE(-Qin, Q, 1e-10, 0, "inlet flow equals the prescribed flow");
  HT_CHECK_CLOSE(Qout, Q, 0.01, 0, "outlet flow (mass conservation)");
  /* coarse CI mesh (h = R/2.5, 1.6k tets; the polygonal section loses 2.5 % of the disk area). The P1 PSPG
   * term lacks the viscous part of the strong residual, so the pressure drop carries an O(h^2) error that
   * is mesh-irregular on coarse meshes (+4.9 % here, -1.5 % at 4.6k tets): validation/threed/poiseuille.py
   * gives the figures and the convergence rate on finer meshes */
  HT_CHECK(err / nrm < 0.10, "velocity L2 relative error %g >= 10 %%", (double)(err / nrm));
  HT_CHECK_CLOSE(dp, dp_exact, 0.06, 0, "pressure drop vs Poiseuille");
  PetscCall(HtThreeD_Destroy(&td));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
