/* Bad 1D configs get one clear error naming the problem; a blow-up stops with vessel, position and
 * time and writes no result file. */
#include <httest.h>
#include <htoned.h>
#include <sys/stat.h>

static const char *good_vessel = "  - label: a\n    sn: 1\n    tn: 2\n    L: 0.1\n    E: 4.0e5\n    R0: 5.0e-3\n    h0: 5.0e-4\n";

static PetscErrorCode WriteFile(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  PetscFunctionBeginUser;
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot write", path);
  fputs(text, f);
  fclose(f);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteCase(const char *name, const char *network, const char *inflow)
{
  char path[256], text[4096];
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof path, "oned_err/%s.yaml", name));
  PetscCall(PetscSNPrintf(text, sizeof text, "project_name: %s\ninlet_file: \"%s_inlet.dat\"\nblood:\n  rho: 1060.0\n  mu: 4.0e-3\nsolver:\n  Ccfl: 0.9\n  cycles: 3\nnetwork:\n%s", name, name, network));
  PetscCall(WriteFile(path, text));
  if (inflow) {
    PetscCall(PetscSNPrintf(path, sizeof path, "oned_err/%s_inlet.dat", name));
    PetscCall(WriteFile(path, inflow));
  }
  PetscFunctionReturn(0);
}

/* load + set up; expect an error with code and message fragment */
static void Expect(const char *name, PetscErrorCode code, const char *frag, PetscBool solve)
{
  char           path[256];
  HtOneD         od = NULL;
  PetscErrorCode ierr;
  const char    *msg;

  HtError_Clear();
  PetscSNPrintf(path, sizeof path, "oned_err/%s.yaml", name);
  ierr = HtOneD_Create(PETSC_COMM_WORLD, &od);
  if (!ierr) ierr = HtOneD_LoadOpenBF(od, path);
  if (!ierr) ierr = HtOneD_SetUp(od);
  if (!ierr && solve) ierr = HtOneD_Solve(od);
  msg = HtError_LastMessage();
  printf("%-14s -> error %d: %s\n", name, (int)ierr, msg);
  HT_CHECK(ierr == code, "%s: expected error code %d, got %d", name, (int)code, (int)ierr);
  HT_CHECK(strstr(msg, frag) != NULL, "%s: message '%s' lacks '%s'", name, msg, frag);
  HT_CHECK(!strchr(msg, '\n'), "%s: message is not one line", name);
  HtOneD_Destroy(&od);
}

static PetscErrorCode Run(void)
{
  const char *inflow = "0.0 1.0e-6\n0.5 5.0e-6\n1.0 1.0e-6\n";
  char        net[2048];

  PetscFunctionBeginUser;
  mkdir("oned_err", 0755);
  PetscCall(PetscSNPrintf(net, sizeof net, "%s    R1: 1.0e9\n    R2: 1.0e9\n    Cc: 1.0e-10\n", "  - label: a\n    sn: 1\n    tn: 2\n    L: 0.1\n    E: 4.0e5\n    R0: -5.0e-3\n    h0: 5.0e-4\n"));
  PetscCall(WriteCase("negradius", net, inflow));
  PetscCall(PetscSNPrintf(net, sizeof net, "%s    outlet: wk4\n    R1: 1.0e9\n    Cc: 1.0e-10\n", good_vessel));
  PetscCall(WriteCase("badoutlet", net, inflow));
  PetscCall(PetscSNPrintf(net, sizeof net, "%s    Rt: 0.0\n  - label: b\n    sn: 7\n    tn: 8\n    L: 0.1\n    E: 4.0e5\n    R0: 5.0e-3\n  - label: c\n    sn: 8\n    tn: 7\n    L: 0.1\n    E: 4.0e5\n    R0: 5.0e-3\n", good_vessel));
  PetscCall(WriteCase("disconnected", net, inflow));
  PetscCall(PetscSNPrintf(net, sizeof net, "%s    Rt: 0.0\n  - label: b\n    sn: 7\n    tn: 8\n    L: 0.1\n    E: 4.0e5\n    R0: 5.0e-3\n    Rt: 0.0\n", good_vessel));
  PetscCall(WriteCase("twoinlets", net, inflow));
  PetscCall(PetscSNPrintf(net, sizeof net, "%s", good_vessel));
  PetscCall(WriteCase("nooutlet", net, inflow));
  PetscCall(PetscSNPrintf(net, sizeof net, "%s    Rt: 0.0x\n", good_vessel));
  PetscCall(WriteCase("badnumber", net, inflow));
  PetscCall(PetscSNPrintf(net, sizeof net, "%s    Rt: 0.0\n", good_vessel));
  PetscCall(WriteCase("noinflow", net, NULL));
  /* 1 L/s into a 1 mm soft tube: the area collapses / explodes */
  PetscCall(WriteCase("blowup", "  - label: tiny\n    sn: 1\n    tn: 2\n    L: 0.05\n    E: 1.0e4\n    R0: 1.0e-3\n    h0: 1.0e-4\n    Rt: 1.0\n", "0.0 0.0\n0.01 -1.0e-3\n0.02 1.0e-3\n1.0 0.0\n"));

  PetscCall(HtError_PushHandler());
  Expect("negradius", PETSC_ERR_USER_INPUT, "vessel a: radius", PETSC_FALSE);
  Expect("badoutlet", PETSC_ERR_USER_INPUT, "unknown outlet type 'wk4'", PETSC_FALSE);
  Expect("disconnected", PETSC_ERR_USER_INPUT, "disconnected", PETSC_FALSE);
  Expect("twoinlets", PETSC_ERR_USER_INPUT, "more than one inlet", PETSC_FALSE);
  Expect("nooutlet", PETSC_ERR_USER_INPUT, "no outlet model", PETSC_FALSE);
  Expect("badnumber", PETSC_ERR_FILE_UNEXPECTED, "is not a number", PETSC_FALSE);
  Expect("noinflow", PETSC_ERR_FILE_OPEN, "noinflow_inlet.dat", PETSC_FALSE);
  Expect("blowup", PETSC_ERR_NOT_CONVERGED, "blow-up in vessel tiny at", PETSC_TRUE);
  PetscCall(HtError_PopHandler());
  {
    /* through the CLI entry point: non-zero exit, no result files */
    char       *argv[] = {(char *)"1d", (char *)"oned_err/blowup.yaml", (char *)"--out", (char *)"oned_err/blowup_out", NULL};
    struct stat st;
    int         rc = HtOneD_Main(4, argv);
    HT_CHECK(rc != 0, "blow-up run returned 0");
    HT_CHECK(stat("oned_err/blowup_out/tiny_P.csv", &st) != 0, "blow-up run wrote a result file");
    printf("CLI blow-up run: exit code %d, no result file\n", rc);
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
