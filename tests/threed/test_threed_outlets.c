/* Unsteady run (BDF2, chord Newton) in a coarse pipe with a constant inlet flow, once with a resistance
 * outlet and once with an RCR outlet. Incompressibility makes the outlet flow equal the inlet flow from the
 * first step, so the outlet pressures have closed forms:
 *   resistance: P = Pd + R Q
 *   RCR:        P(t) = Pd + Rp Q + Rd Q (1 - exp(-t/(Rd C)))      (capacitor charging from Pd)
 * Also checks the output files (flows.csv rows, one .vtu/.vtp per saved step, the .pvd). */
#include <htthreed.h>
#include <httest.h>
#include "htpipe.h"

static const double R = 0.5, L = 2.0, Q = 3.0;

static PetscErrorCode RunCase(const char *mesh, PetscBool rcr, const char *outdir, PetscReal *Pout, PetscReal *Qout, PetscReal *tend)
{
  HtThreeD      td;
  HtThreeDCase *c;
  PetscReal     q = Q, Pin, A;

  PetscFunctionBeginUser;
  PetscCall(HtThreeD_Create(PETSC_COMM_WORLD, &td));
  PetscCall(HtThreeD_GetCase(td, &c));
  PetscCall(PetscStrncpy(c->mesh, mesh, sizeof c->mesh));
  c->mesh_to_cm = 1.0;
  c->rho_g_cm3  = 1.06;
  c->mu_P       = 0.04;
  c->steady     = PETSC_FALSE;
  c->dt_s       = 0.01;
  c->steps      = 20;
  c->output_interval = 5;
  c->noutlets   = 1;
  PetscCall(PetscStrncpy(c->outlets[0].name, "outlet_1", sizeof c->outlets[0].name));
  if (rcr) {
    c->outlets[0].type       = HT_OUTLET_RCR;
    c->outlets[0].Rp_cgs     = 100.0;
    c->outlets[0].Rd_cgs     = 1000.0;
    c->outlets[0].C_cgs      = 1e-4; /* Rd C = 0.1 s */
    c->outlets[0].Pd_dyn_cm2 = 500.0;
    c->outlets[0].P0_dyn_cm2 = 500.0;
  } else {
    c->outlets[0].type       = HT_OUTLET_RESISTANCE;
    c->outlets[0].R_cgs      = 1000.0;
    c->outlets[0].Pd_dyn_cm2 = 200.0;
  }
  PetscCall(HtThreeD_SetInletWaveform(td, 1, NULL, &q));
  PetscCall(HtThreeD_SetFromOptions(td));
  PetscCall(HtThreeD_SetOutputDir(td, outdir));
  PetscCall(HtThreeD_SetUp(td));
  PetscCall(HtThreeD_Solve(td));
  PetscCall(HtThreeD_BoundaryFlow(td, "outlet_1", Qout, Pout, &A));
  PetscCall(HtThreeD_BoundaryFlow(td, "inlet", NULL, &Pin, &A));
  *tend = c->dt_s * c->steps;
  PetscCall(HtThreeD_Destroy(&td));
  PetscFunctionReturn(0);
}

static PetscInt CountLines(const char *path)
{
  FILE    *f = fopen(path, "r");
  PetscInt n = 0;
  int      ch;
  if (!f) return -1;
  while ((ch = fgetc(f)) != EOF)
    if (ch == '\n') n++;
  fclose(f);
  return n;
}

/* largest value of a scalar cell array in our ASCII VTP (-1 if absent) */
static double MaxArray(const char *path, const char *name)
{
  FILE  *f = fopen(path, "r");
  char   line[512], key[128];
  double m = -1, v;
  int    in = 0;
  if (!f) return -1;
  snprintf(key, sizeof key, "Name=\"%s\"", name);
  while (fgets(line, sizeof line, f)) {
    if (!in) {
      if (strstr(line, key)) in = 1;
      continue;
    }
    if (strstr(line, "</DataArray>")) break;
    if (sscanf(line, "%lf", &v) == 1) m = PetscMax(m, v);
  }
  fclose(f);
  return m;
}

static PetscErrorCode Body(void)
{
  const char *mesh = "threed_outlets.msh";
  PetscReal   P, Qo, t, Pex;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(HtPipe_Write(PETSC_COMM_WORLD, mesh, R, L, 0.25));

  PetscCall(RunCase(mesh, PETSC_FALSE, "threed_out_res", &P, &Qo, &t));
  Pex = 200.0 + 1000.0 * Q;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "resistance outlet: Q_out %.6g mL/s (inlet %.6g), P_out %.6g dyn/cm2 (exact %.6g, %.3f %%)\n", (double)Qo, Q, (double)P, Pex, (double)(100 * (P - Pex) / Pex)));
  HT_CHECK_CLOSE(Qo, Q, 0.01, 0, "outlet flow = inlet flow");
  HT_CHECK_CLOSE(P, Pex, 0.01, 0, "resistance outlet pressure Pd + R Q");
  if (!rank) {
    HT_CHECK(CountLines("threed_out_res/flows.csv") == 1 + 21, "flows.csv: header + 21 rows expected, got %d", (int)CountLines("threed_out_res/flows.csv"));
    HT_CHECK(CountLines("threed_out_res/solution_000004.vtu") > 100, "solution_000004.vtu (step 20) missing");
    HT_CHECK(CountLines("threed_out_res/wall_000004.vtp") > 100, "wall_000004.vtp missing");
    HT_CHECK(CountLines("threed_out_res/solution.pvd") == 3 + 5 + 2, "solution.pvd: 5 frames expected");
    {
      /* unidirectional flow: the oscillatory shear index is 0; TAWSS near 4 mu Q/(pi R^3) = 0.39 dyn/cm2 */
      double osi = MaxArray("threed_out_res/wall_tawss.vtp", "OSI"), tawss = MaxArray("threed_out_res/wall_tawss.vtp", "TAWSS_dyn_cm2");
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "wall_tawss.vtp: max OSI %.3g, max TAWSS %.4g dyn/cm2 (fully developed Poiseuille %.4g)\n", osi, tawss, 4 * 0.04 * Q / (PETSC_PI * R * R * R)));
      HT_CHECK(osi >= 0 && osi < 1e-3, "OSI of a unidirectional flow should be 0, max %g", osi);
      HT_CHECK(tawss > 0, "TAWSS missing");
    }
  }

  PetscCall(RunCase(mesh, PETSC_TRUE, "threed_out_rcr", &P, &Qo, &t));
  /* pressure mean over the outlet at t = 0.2 s; the capacitor is advanced with the step's flow */
  Pex = 500.0 + 100.0 * Q + 1000.0 * Q * (1.0 - PetscExpReal(-t / 0.1));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "RCR outlet at t = %.3g s: Q_out %.6g mL/s, P_out %.6g dyn/cm2 (analytic %.6g, %.3f %%)\n", (double)t, (double)Qo, (double)P, Pex, (double)(100 * (P - Pex) / Pex)));
  HT_CHECK_CLOSE(Qo, Q, 0.01, 0, "outlet flow = inlet flow (RCR)");
  HT_CHECK_CLOSE(P, Pex, 0.03, 0, "RCR outlet pressure vs the analytic capacitor charge");
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
