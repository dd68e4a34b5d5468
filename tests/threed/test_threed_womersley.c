/* Womersley flow in a rigid pipe (../shared/data/threed/womersley: R 0.3 cm, T 1.1 s, mu 0.04 P, rho 1):
 * Womersley inlet profile for the reference Q(t), zero-traction outlet, initial state = the analytic field
 * at t = 0 (pressure 0), BDF2 with dt = T/48 over -cycles cycles (default 2; the first absorbs the start-up
 * transient of the pressure). At the 24 reference instants of the last cycle: outlet flow vs Q_ref(t),
 * area-mean wall shear vs tau_w(t), and the relative velocity L2 error vs the analytic u(r, t).
 * Options: -h <cm> (default 0.06), -length <cm> (default 1). Labelled pipeline (minutes). */
#include <htthreed.h>
#include "womersley_ref.h"
#include "htpipe.h"

typedef struct {
  WomRef   *w;
  PetscInt  first; /* first step evaluated */
  PetscReal t;
  double    eQ, eW, eL2, Qmax, Wmax, nmax; /* eL2: max L2 error; nmax: max L2 norm of u_h */
} Ctx;

static void Exact(const PetscReal x[3], PetscReal u[3], void *ctx)
{
  Ctx      *c = (Ctx *)ctx;
  PetscReal v = 0;
  HtThreeD_WomersleyVelocity(2, c->w->Qre, c->w->Qim, WOM_T, WOM_R, WOM_MU / WOM_RHO, PetscSqrtReal(x[0] * x[0] + x[1] * x[1]), c->t, &v);
  u[0] = u[1] = 0;
  u[2]        = v;
}

static PetscErrorCode Monitor(HtThreeD td, PetscInt step, PetscReal t, void *ctx)
{
  Ctx      *c = (Ctx *)ctx;
  PetscReal Q, P, A, wss[3], err, nrm;
  PetscInt  k = step / 2;

  PetscFunctionBeginUser;
  if (step % 2 || step < c->first) PetscFunctionReturn(0);
  k = k % c->w->n;
  c->t = t;
  PetscCall(HtThreeD_BoundaryFlow(td, "outlet_1", &Q, &P, &A));
  PetscCall(HtThreeD_WallShearStress(td, wss, &A));
  PetscCall(HtThreeD_VelocityL2Error(td, Exact, c, &err, &nrm));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%8.4f %10.5f %10.5f %10.5f %10.5f %8.3f\n", (double)t, (double)Q, c->w->Q[k], (double)wss[2], c->w->tau[k], (double)(100 * err / nrm)));
  c->eQ  = PetscMax(c->eQ, PetscAbsReal(Q - c->w->Q[k]));
  c->eW  = PetscMax(c->eW, PetscAbsReal(wss[2] - c->w->tau[k]));
  c->eL2 = PetscMax(c->eL2, err);
  c->nmax = PetscMax(c->nmax, nrm);
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char          ipath[PETSC_MAX_PATH_LEN];
  WomRef        w;
  Ctx           c = {0};
  HtThreeD      td;
  HtThreeDCase *cs;
  PetscReal     h = 0.06, L = 1.0, t[201], q[201];
  PetscInt      nc, cycles = 2;

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("threed/womersley/womersley_integrals_cgs.csv", ipath, sizeof ipath)) PetscFunctionReturn(0);
  HT_CHECK(!WomRef_Read(ipath, &w), "cannot read %s", ipath);
  c.w = &w;
  for (int k = 0; k < w.n; k++) {
    c.Qmax = PetscMax(c.Qmax, fabs(w.Q[k]));
    c.Wmax = PetscMax(c.Wmax, fabs(w.tau[k]));
  }
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-h", &h, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-length", &L, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-cycles", &cycles, NULL));
  c.first = 48 * (cycles - 1) + 1;
  PetscCall(HtPipe_Write(PETSC_COMM_WORLD, "threed_womersley.msh", WOM_R, L, h));
  /* dense periodic waveform from the reference mean + first harmonic */
  for (int k = 0; k <= 200; k++) {
    double ph = 2 * PETSC_PI * k / 200.0;
    t[k]      = WOM_T * k / 200.0;
    q[k]      = w.Qre[0] + w.Qre[1] * cos(ph) - w.Qim[1] * sin(ph);
  }
  PetscCall(HtThreeD_Create(PETSC_COMM_WORLD, &td));
  PetscCall(HtThreeD_GetCase(td, &cs));
  PetscCall(PetscStrncpy(cs->mesh, "threed_womersley.msh", sizeof cs->mesh));
  cs->mesh_to_cm = 1.0;
  cs->rho_g_cm3  = WOM_RHO;
  cs->mu_P       = WOM_MU;
  cs->profile    = HT_PROFILE_WOMERSLEY;
  cs->steady     = PETSC_FALSE;
  cs->dt_s       = WOM_T / 48;
  cs->steps      = 48 * cycles;
  cs->noutlets   = 1;
  PetscCall(PetscStrncpy(cs->outlets[0].name, "outlet_1", sizeof cs->outlets[0].name));
  cs->outlets[0].type = HT_OUTLET_TRACTION;
  PetscCall(HtThreeD_SetInletWaveform(td, 201, t, q));
  PetscCall(HtThreeD_SetFromOptions(td));
  PetscCall(HtThreeD_SetUp(td));
  PetscCall(HtThreeD_GetNumCells(td, &nc));
  c.t = 0;
  PetscCall(HtThreeD_SetInitialVelocity(td, Exact, &c));
  PetscCall(HtThreeD_SetStepMonitor(td, Monitor, &c));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "womersley 3D: %" PetscInt_FMT " tets, h %.3g cm, L %.3g cm, dt T/48\n%8s %10s %10s %10s %10s %8s\n", nc, (double)h, (double)L, "t_s", "Q_out", "Q_ref", "wss_z", "tau_ref", "L2_%"));
  PetscCall(HtThreeD_Solve(td));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "max over the last cycle: flow error %.3f %% of max|Q|, wall shear error %.3f %% of max|tau_w|, velocity L2 error %.3f %% of the largest L2 norm\n", 100 * c.eQ / c.Qmax, 100 * c.eW / c.Wmax, 100 * c.eL2 / c.nmax));
  HT_CHECK(c.eQ <= 0.02 * c.Qmax, "flow rate error %.3f %% > 2 %%", 100 * c.eQ / c.Qmax);
  HT_CHECK(c.eL2 <= 0.02 * c.nmax, "velocity L2 error %.3f %% > 2 %%", 100 * c.eL2 / c.nmax);
  HT_CHECK(c.eW <= 0.02 * c.Wmax, "wall shear error %.3f %% > 2 %%", 100 * c.eW / c.Wmax);
  PetscCall(HtThreeD_Destroy(&td));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
