/* `hemotwin 1d CONFIG --out DIR` through HtOneD_Main on the common-carotid config: the per-vessel CSV
 * files have the documented layout (t from 0 over one period, inlet, 1/4, 1/2, 3/4, outlet) and the
 * inlet flow column reproduces the inflow waveform file (read here independently, linear
 * interpolation); network.pvd lists the frames. tests/oned/check_vtp.py then reads the .vtp files
 * with VTK (fixture oned_output). */
#include <httest.h>
#include <htoned.h>

static PetscErrorCode Run(void)
{
  char   cfg[PETSC_MAX_PATH_LEN], inl[PETSC_MAX_PATH_LEN], line[1024];
  double ti[512], qi[512];
  int    ni = 0, rows = 0;
  FILE  *f;
  double maxq = 0, maxerr = 0, tlast = -1;

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("oned/openbf_models/boileau2015/cca/cca.yaml", cfg, sizeof cfg)) PetscFunctionReturn(0);
  if (!HtTest_RequireData("oned/openbf_models/boileau2015/cca/cca_inlet.dat", inl, sizeof inl)) PetscFunctionReturn(0);
  {
    char *argv[] = {(char *)"1d", cfg, (char *)"--out", (char *)"oned_out", NULL};
    PetscCall(PetscOptionsSetValue(NULL, "-oned_max_cycles", "4"));
    PetscCall(PetscOptionsSetValue(NULL, "-oned_vtk_frames", "10"));
    int rc = HtOneD_Main(4, argv);
    HT_CHECK(rc == 0, "hemotwin 1d returned %d", rc);
  }
  f = fopen(inl, "r");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", inl);
  while (ni < 512 && fscanf(f, "%lf %lf", &ti[ni], &qi[ni]) == 2) ni++;
  fclose(f);
  for (int k = 0; k < ni; k++) maxq = PetscMax(maxq, fabs(qi[k]));
  f = fopen("oned_out/common_carotid_artery_Q.csv", "r");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file oned_out/common_carotid_artery_Q.csv: missing");
  HT_CHECK(fgets(line, sizeof line, f) && !strncmp(line, "t_s,inlet,quarter,mid,three_quarter,outlet", 42), "CSV header: %s", line);
  while (fgets(line, sizeof line, f)) {
    double t, q[5];
    int    j = 0;
    HT_CHECK(sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf", &t, &q[0], &q[1], &q[2], &q[3], &q[4]) == 6, "CSV row %d malformed", rows);
    if (!rows) HT_CHECK(t == 0, "first time %g is not 0", t);
    while (j < ni - 2 && ti[j + 1] <= t) j++;
    {
      double w = (t - ti[j]) / (ti[j + 1] - ti[j]), qref = (1 - w) * qi[j] + w * qi[j + 1];
      maxerr = PetscMax(maxerr, fabs(q[0] - qref));
    }
    tlast = t;
    rows++;
  }
  fclose(f);
  printf("CSV: %d rows, last t %.4f s (period %.4f s); inlet flow vs inflow file: max error %.3g %% of max inflow\n", rows, tlast, ti[ni - 1], 100 * maxerr / maxq);
  HT_CHECK(rows == 1100, "expected 1100 rows (1 ms over 1.1 s), got %d", rows);
  HT_CHECK(tlast < ti[ni - 1] && tlast > ti[ni - 1] - 2e-3, "last time %g not just below the period", tlast);
  HT_CHECK(maxerr < 1e-3 * maxq, "inlet flow deviates from the waveform by %g m^3/s", maxerr);
  for (int k = 0; k < 3; k++) {
    char        p[256];
    const char *fld[3] = {"P", "Q", "A"};
    PetscSNPrintf(p, sizeof p, "oned_out/common_carotid_artery_%s.csv", fld[k]);
    f = fopen(p, "r");
    HT_CHECK(f != NULL, "%s missing", p);
    if (f) fclose(f);
  }
  f = fopen("oned_out/network.pvd", "r");
  HT_CHECK(f != NULL, "network.pvd missing");
  if (f) {
    int n = 0;
    while (fgets(line, sizeof line, f))
      if (strstr(line, "<DataSet")) n++;
    fclose(f);
    HT_CHECK(n == 10, "network.pvd lists %d frames, expected 10", n);
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
