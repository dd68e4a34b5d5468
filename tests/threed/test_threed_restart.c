/* Checkpoint/restart: 6 backward-Euler steps of pulsatile flow with an RCR outlet in a coarse pipe, run
 * (a) uninterrupted and (b) stopped after step 3 (checkpoint.h5) and resumed from the checkpoint.
 * The final solutions and outlet pressures must agree to solver tolerance. */
#include <htthreed.h>
#include <httest.h>
#include "htpipe.h"

static PetscErrorCode Run(const char *out, PetscInt steps, const char *ckpt, const char *restart, Vec *ucopy, PetscReal *Pout)
{
  HtThreeD      td;
  HtThreeDCase *c;
  PetscReal     t[3] = {0, 0.05, 0.1}, q[3] = {1.0, 4.0, 1.0}, A, Q;
  DM            dm;
  Vec           u;

  PetscFunctionBeginUser;
  PetscCall(HtThreeD_Create(PETSC_COMM_WORLD, &td));
  PetscCall(HtThreeD_GetCase(td, &c));
  PetscCall(PetscStrncpy(c->mesh, "threed_restart.msh", sizeof c->mesh));
  c->mesh_to_cm      = 1.0;
  c->steady          = PETSC_FALSE;
  c->dt_s            = 0.01;
  c->steps           = steps;
  c->output_interval = 3;
  c->noutlets        = 1;
  PetscCall(PetscStrncpy(c->outlets[0].name, "outlet_1", sizeof c->outlets[0].name));
  c->outlets[0].type       = HT_OUTLET_RCR;
  c->outlets[0].Rp_cgs     = 100.0;
  c->outlets[0].Rd_cgs     = 1000.0;
  c->outlets[0].C_cgs      = 1e-4;
  c->outlets[0].Pd_dyn_cm2 = 0.0;
  c->outlets[0].P0_dyn_cm2 = 0.0;
  PetscCall(HtThreeD_SetInletWaveform(td, 3, t, q));
  if (ckpt) PetscCall(PetscOptionsSetValue(NULL, "-threed_checkpoint_interval", ckpt));
  if (restart) PetscCall(PetscOptionsSetValue(NULL, "-threed_restart", restart));
  PetscCall(HtThreeD_SetFromOptions(td));
  PetscCall(PetscOptionsClearValue(NULL, "-threed_checkpoint_interval"));
  PetscCall(PetscOptionsClearValue(NULL, "-threed_restart"));
  PetscCall(HtThreeD_SetOutputDir(td, out));
  PetscCall(HtThreeD_SetUp(td));
  PetscCall(HtThreeD_Solve(td));
  PetscCall(HtThreeD_BoundaryFlow(td, "outlet_1", &Q, Pout, &A));
  PetscCall(HtThreeD_GetSolution(td, &dm, &u));
  if (ucopy) {
    PetscCall(VecDuplicate(u, ucopy));
    PetscCall(VecCopy(u, *ucopy));
  }
  PetscCall(HtThreeD_Destroy(&td));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  Vec       ua, ub;
  PetscReal Pa, Pb, Pmid, nd, na;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-threed_ts_type", "beuler"));
  PetscCall(PetscOptionsSetValue(NULL, "-threed_snes_rtol", "1e-12"));
  PetscCall(PetscOptionsSetValue(NULL, "-threed_snes_atol", "1e-12"));
  PetscCall(HtPipe_Write(PETSC_COMM_WORLD, "threed_restart.msh", 0.5, 2.0, 0.25));
  PetscCall(Run("threed_restart_a", 6, NULL, NULL, &ua, &Pa));
  PetscCall(Run("threed_restart_b", 3, "3", NULL, NULL, &Pmid));
  PetscCall(Run("threed_restart_b", 6, NULL, "threed_restart_b/checkpoint.h5", &ub, &Pb));
  PetscCall(VecNorm(ua, NORM_2, &na));
  PetscCall(VecAXPY(ub, -1.0, ua));
  PetscCall(VecNorm(ub, NORM_2, &nd));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "restart: |u_resumed - u_uninterrupted| / |u| = %.3e, outlet pressure %.8g vs %.8g dyn/cm2 (at the checkpoint %.6g)\n", (double)(nd / na), (double)Pb, (double)Pa, (double)Pmid));
  HT_CHECK(nd <= 1e-8 * na, "resumed run differs: relative %g", (double)(nd / na));
  HT_CHECK_CLOSE(Pb, Pa, 1e-8, 1e-8, "outlet pressure after the resumed run");
  PetscCall(VecDestroy(&ua));
  PetscCall(VecDestroy(&ub));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
