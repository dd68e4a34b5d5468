/* svOneDSolver reference values (tests/test_integration.py of SimVascular/svOneDSolver, transcribed in
 * reference_values.json) reproduced from the .in files with the steady solver; values compared in the
 * reference's cgs units with the reference's relative tolerances (floored at 1e-12).
 * Usage: test_oned_svoned CASE */
#include <httest.h>
#include <htoned.h>
#include <cjson/cJSON.h>

static const char *g_case = NULL;

static PetscErrorCode Run(void)
{
  char     path[PETSC_MAX_PATH_LEN], rel[256], *text;
  FILE    *f;
  long     n;
  cJSON   *root, *cs, *checks, *c;
  HtOneD   od;
  PetscInt nv;

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("oned/svoned/reference_values.json", path, sizeof path)) PetscFunctionReturn(0);
  f = fopen(path, "rb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", path);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  PetscCall(PetscMalloc1(n + 1, &text));
  PetscCheck(fread(text, 1, n, f) == (size_t)n, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", path);
  text[n] = 0;
  fclose(f);
  root = cJSON_Parse(text);
  PetscCall(PetscFree(text));
  PetscCheck(root, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not JSON", path);
  cs     = cJSON_GetObjectItem(root, g_case);
  checks = cs ? cJSON_GetObjectItem(cs, "checks") : NULL;
  PetscCheck(checks, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "case %s not in %s", g_case, path);

  PetscCall(PetscSNPrintf(rel, sizeof rel, "oned/svoned/cases/%s.in", g_case));
  if (!HtTest_RequireData(rel, path, sizeof path)) {
    cJSON_Delete(root);
    PetscFunctionReturn(0);
  }
  PetscCall(HtOneD_Create(PETSC_COMM_WORLD, &od));
  PetscCall(HtOneD_LoadSvOneD(od, path));
  PetscCall(HtOneD_SetUp(od));
  PetscCall(HtOneD_SolveSteady(od));
  PetscCall(HtOneD_GetNumVessels(od, &nv));
  printf("svOneDSolver case %s (%" PetscInt_FMT " segments), steady solution vs reference (cgs):\n", g_case, nv);
  cJSON_ArrayForEach(c, checks)
  {
    const char      *field = cJSON_GetArrayItem(c, 0)->valuestring, *stat = cJSON_GetArrayItem(c, 3)->valuestring, *lab;
    PetscInt         seg = cJSON_GetArrayItem(c, 1)->valueint, node = cJSON_GetArrayItem(c, 2)->valueint, nt;
    double           ref = cJSON_GetArrayItem(c, 4)->valuedouble, rtol = cJSON_GetArrayItem(c, 5)->valuedouble, got, scale, tol;
    const PetscReal *p, *q, *a;
    PetscCheck(!strcmp(stat, "last"), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "case %s: statistic %s is a transient quantity (not a steady check)", g_case, stat);
    PetscCheck(seg >= 0 && seg < nv, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "case %s: segment %" PetscInt_FMT " missing", g_case, seg);
    PetscCall(HtOneD_GetVesselLabel(od, seg, &lab));
    PetscCall(HtOneD_GetProbe(od, lab, node == 0 ? 0.0 : 1.0, &nt, NULL, &p, &q, &a));
    if (!strcmp(field, "pressure")) {
      got   = p[nt - 1];
      scale = 0.1;
    } else if (!strcmp(field, "flow")) {
      got   = q[nt - 1];
      scale = 1e-6;
    } else {
      got   = a[nt - 1];
      scale = 1e-4;
    }
    got /= scale;
    tol = PetscMax(rtol, 1e-12);
    printf("  %-8s seg %" PetscInt_FMT " %-6s: %.10g  ref %.10g  rel.err %.3g (tol %.3g)\n", field, seg, node == 0 ? "inlet" : "outlet", got, ref, fabs(got - ref) / fabs(ref), tol);
    HT_CHECK_CLOSE(got, ref, tol, 0, field);
  }
  PetscCall(HtOneD_Destroy(&od));
  cJSON_Delete(root);
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  if (argc > 1) g_case = argv[1];
  if (PetscInitialize(&argc, &argv, NULL, NULL)) return 1;
  if (!g_case) {
    fprintf(stderr, "usage: test_oned_svoned CASE\n");
    ht_test_failures++;
  } else {
    ierr = Run();
    if (ierr) {
      fprintf(stderr, "FAIL: error %d raised\n", (int)ierr);
      ht_test_failures++;
    }
  }
  if (PetscFinalize()) return 1;
  if (ht_test_failures) {
    fprintf(stderr, "%d check(s) failed\n", ht_test_failures);
    return 1;
  }
  if (ht_test_skip) return 77;
  printf("PASS\n");
  return 0;
}
