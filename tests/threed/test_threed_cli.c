/* hemotwin 3d CASE.json --out DIR through HtThreeD_Main on a pipe meshed in mm (as the pipeline writes
 * them): steady, parabolic inlet 2 mL/s, one resistance outlet. Checks the written CSV against the case
 * (inlet flow 2 mL/s, outlet flow 2 mL/s, outlet pressure Pd + R Q) and that every output exists.
 * Then the error paths: missing case file, malformed JSON, unknown face group, diverging run
 * (Newton limited to one iteration): non-zero exit, and no frame written for the diverged step. */
#include <htthreed.h>
#include <httest.h>
#include "htpipe.h"

static int Write(const char *path, const char *txt)
{
  FILE *f = fopen(path, "w");
  if (!f) return 1;
  fputs(txt, f);
  return fclose(f) != 0;
}

static int Exists(const char *p)
{
  FILE *f = fopen(p, "r");
  if (f) fclose(f);
  return f != NULL;
}

static PetscErrorCode Body(void)
{
  char *args[8];
  int   rc;
  FILE *f;
  char  line[1024];
  double step, t, qin, pin, qout, pout;
  int    n = 0;

  PetscFunctionBeginUser;
  /* pipe in mm: R 5 mm, L 20 mm */
  PetscCall(HtPipe_Write(PETSC_COMM_WORLD, "threed_cli_pipe.msh", 5.0, 20.0, 2.5));
  HT_CHECK(!Write("threed_cli_case.json", "{\"mesh\": \"threed_cli_pipe.msh\", \"mesh_units\": \"mm\", \"rho_g_cm3\": 1.06, \"mu_P\": 0.04,\n"
                                          " \"inlet\": {\"name\": \"inlet\", \"profile\": \"parabolic\", \"flow_mL_s\": 2.0},\n"
                                          " \"outlets\": [{\"name\": \"outlet_1\", \"type\": \"resistance\", \"R_mmHg_s_mL\": 1.5, \"Pd_mmHg\": 10}],\n"
                                          " \"steady\": true}\n"),
           "cannot write case");
  args[0] = "hemotwin-3d";
  args[1] = "threed_cli_case.json";
  args[2] = "--out";
  args[3] = "threed_cli_out";
  rc      = HtThreeD_Main(4, args);
  HT_CHECK(rc == 0, "hemotwin 3d returned %d", rc);
  f = fopen("threed_cli_out/flows.csv", "r");
  HT_CHECK(f != NULL, "flows.csv missing");
  if (f) {
    if (fgets(line, sizeof line, f) && fgets(line, sizeof line, f)) n = sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf", &step, &t, &qin, &pin, &qout, &pout);
    fclose(f);
    HT_CHECK(n == 6, "flows.csv row not parsed");
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "cli: Q_in %.6g Q_out %.6g mL/s, P_out %.6g mmHg (Pd + R Q = %.6g), P_in %.6g mmHg\n", qin, qout, pout, 10 + 1.5 * qout, pin));
    HT_CHECK_CLOSE(qin, 2.0, 1e-9, 0, "inlet flow from the case");
    HT_CHECK_CLOSE(qout, 2.0, 1e-3, 0, "outlet flow (mass conservation)");
    /* the weak traction fixes -p + 2 mu du_n/dn, not p alone: allow 1e-4 */
    HT_CHECK_CLOSE(pout, 10 + 1.5 * qout, 1e-4, 0, "outlet pressure Pd + R Q (steady coupling converged)");
    HT_CHECK(pin > pout, "inlet pressure above outlet pressure");
  }
  HT_CHECK(Exists("threed_cli_out/solution.pvd") && Exists("threed_cli_out/solution_000000.vtu") && Exists("threed_cli_out/wall_000000.vtp"), "VTK outputs missing");

  /* error paths */
  args[1] = "threed_no_such_case.json";
  HT_CHECK(HtThreeD_Main(4, args) != 0, "missing case file accepted");
  HT_CHECK(!Write("threed_bad.json", "{\"mesh\": \"threed_cli_pipe.msh\", \"inlet\": "), "cannot write");
  args[1] = "threed_bad.json";
  HT_CHECK(HtThreeD_Main(4, args) != 0, "malformed JSON accepted");
  HT_CHECK(!Write("threed_badgroup.json", "{\"mesh\": \"threed_cli_pipe.msh\", \"inlet\": {\"flow_mL_s\": 1}, \"outlets\": [{\"name\": \"outlet_9\"}], \"steady\": true}"), "cannot write");
  args[1] = "threed_badgroup.json";
  HT_CHECK(HtThreeD_Main(4, args) != 0, "unknown outlet group accepted");
  HT_CHECK(!Write("threed_diverge.json", "{\"mesh\": \"threed_cli_pipe.msh\", \"inlet\": {\"flow_mL_s\": 2}, \"outlets\": [{\"name\": \"outlet_1\"}], \"dt_s\": 0.01, \"steps\": 3, \"output_interval\": 1}"), "cannot write");
  args[1] = "threed_diverge.json";
  args[3] = "threed_diverge_out";
  PetscCall(PetscOptionsSetValue(NULL, "-threed_snes_max_it", "1"));
  PetscCall(PetscOptionsSetValue(NULL, "-threed_snes_rtol", "1e-14"));
  PetscCall(PetscOptionsSetValue(NULL, "-threed_snes_atol", "1e-30"));
  PetscCall(PetscOptionsSetValue(NULL, "-threed_ksp_type", "preonly"));
  PetscCall(PetscOptionsSetValue(NULL, "-threed_pc_type", "jacobi"));
  rc = HtThreeD_Main(4, args);
  PetscCall(PetscOptionsClearValue(NULL, "-threed_snes_max_it"));
  PetscCall(PetscOptionsClearValue(NULL, "-threed_snes_rtol"));
  PetscCall(PetscOptionsClearValue(NULL, "-threed_snes_atol"));
  PetscCall(PetscOptionsClearValue(NULL, "-threed_ksp_type"));
  PetscCall(PetscOptionsClearValue(NULL, "-threed_pc_type"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "diverging run: exit %d, message: %s\n", rc, HtError_LastMessage()));
  HT_CHECK(rc != 0, "diverging run reported success");
  HT_CHECK(strstr(HtError_LastMessage(), "step 1") != NULL, "divergence message does not name the step: %s", HtError_LastMessage());
  HT_CHECK(Exists("threed_diverge_out/solution_000000.vtu") && !Exists("threed_diverge_out/solution_000001.vtu"), "diverged step was written");
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
