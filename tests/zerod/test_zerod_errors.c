/* `hemotwin 0d` entry point: a good model exits 0 and writes the CSV; bad input gives a one-line
 * error, exit code 1 and no output file:
 * period mismatches (svZeroDSolver's xfail cases), a non-simulation file, missing/malformed files,
 * unknown block types and a Newton failure (maximum_nonlinear_iterations = 1 on a stenosis). */
#include "zdtest.h"
#include <unistd.h>

static PetscErrorCode Expect(const char *model, const char *must_contain, const char *what)
{
  const char *out = "zerod_errors_out.csv";
  char       *argv[] = {(char *)"hemotwin", (char *)"0d", (char *)model, (char *)"--out", (char *)out, NULL};
  int         rc;
  PetscBool   ex, isdir;

  PetscFunctionBeginUser;
  remove(out);
  rc = HtZeroD_Main(5, argv);
  PetscCall(HtPath_Exists(out, &ex, &isdir));
  printf("%s: exit %d, message: %s\n", what, rc, HtError_LastMessage());
  HT_CHECK(rc == 1, "%s: exit code %d, expected 1", what, rc);
  HT_CHECK(!ex, "%s: an output file was written", what);
  HT_CHECK(!strchr(HtError_LastMessage(), '\n'), "%s: message is not one line", what);
  HT_CHECK(strstr(HtError_LastMessage(), must_contain) != NULL, "%s: message lacks \"%s\"", what, must_contain);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteText(const char *path, const char *text)
{
  FILE *fp = fopen(path, "w");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot create", path);
  fputs(text, fp);
  fclose(fp);
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  /* success path of the entry point: steady Poiseuille R-R writes P_in = 1100, P_out = 600 */
  if (HtTest_RequireData("zerod/cases/steadyFlow_R_R.json", path, sizeof(path))) {
    char   *argv[] = {(char *)"0d", path, (char *)"--out", (char *)"zerod_main_ok.csv", NULL};
    ZdTable t;
    int     rc = HtZeroD_Main(4, argv);
    HT_CHECK(rc == 0, "hemotwin 0d on steadyFlow_R_R: exit %d (%s)", rc, HtError_LastMessage());
    HT_CHECK(!ZdTable_ReadCSV("zerod_main_ok.csv", &t), "no zerod_main_ok.csv written");
    if (t.nrow > 0) {
      PetscInt cpi = ZdTable_Col(&t, "pressure_in"), cpo = ZdTable_Col(&t, "pressure_out");
      printf("hemotwin 0d steadyFlow_R_R: exit %d, %d rows, P_in = %.10g (1100), P_out = %.10g (600)\n", rc, (int)t.nrow, (double)t.val[cpi], (double)t.val[cpo]);
      HT_CHECK_CLOSE(t.val[cpi], 1100.0, 1e-9, 0, "CLI P_in");
      HT_CHECK_CLOSE(t.val[cpo], 600.0, 1e-9, 0, "CLI P_out");
    }
    ZdTable_Free(&t);
  }
  if (HtTest_RequireData("zerod/cases/pulsatileFlow_R_RCR_mismatchPeriod.json", path, sizeof(path))) PetscCall(Expect(path, "cardiac_period", "RCR period mismatch"));
  if (HtTest_RequireData("zerod/cases/closedLoopHeart_singleVessel_mistmatchPeriod.json", path, sizeof(path))) PetscCall(Expect(path, "mistmatchPeriod", "closed-loop period mismatch"));
  if (HtTest_RequireData("zerod/cases/steadyFlow_calibration.json", path, sizeof(path))) PetscCall(Expect(path, "simulation_parameters", "calibration file"));
  PetscCall(Expect("zerod_no_such_model.json", "cannot open", "missing file"));
  PetscCall(WriteText("zerod_bad.json", "{\"simulation_parameters\": {"));
  PetscCall(Expect("zerod_bad.json", "not valid JSON", "malformed JSON"));
  PetscCall(WriteText("zerod_unknown.json", "{\"simulation_parameters\": {\"number_of_cardiac_cycles\": 1, \"number_of_time_pts_per_cardiac_cycle\": 3},"
                                            " \"boundary_conditions\": [{\"bc_name\": \"IN\", \"bc_type\": \"WOMERSLEY\", \"bc_values\": {}}]}"));
  PetscCall(Expect("zerod_unknown.json", "WOMERSLEY", "unknown block type"));
  PetscCall(WriteText("zerod_newton.json", "{\"simulation_parameters\": {\"number_of_cardiac_cycles\": 1, \"number_of_time_pts_per_cardiac_cycle\": 3, \"maximum_nonlinear_iterations\": 1},"
                                           " \"vessels\": [{\"vessel_id\": 0, \"vessel_name\": \"v0\", \"zero_d_element_type\": \"BloodVessel\","
                                           " \"zero_d_element_values\": {\"R_poiseuille\": 100.0, \"stenosis_coefficient\": 50.0},"
                                           " \"boundary_conditions\": {\"inlet\": \"IN\", \"outlet\": \"OUT\"}}],"
                                           " \"boundary_conditions\": [{\"bc_name\": \"IN\", \"bc_type\": \"FLOW\", \"bc_values\": {\"Q\": 5.0}},"
                                           " {\"bc_name\": \"OUT\", \"bc_type\": \"RESISTANCE\", \"bc_values\": {\"R\": 100.0, \"Pd\": 0.0}}]}"));
  PetscCall(Expect("zerod_newton.json", "did not converge at t =", "Newton failure"));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
