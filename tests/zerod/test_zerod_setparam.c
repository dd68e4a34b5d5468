/* Repeated solves without re-parsing (HtZeroD_SetParameter + HtZeroD_Solve):
 * - steady R-R (Q = 5, vessel R, outlet resistance R_bc to Pd = 100): P_out = Pd + R_bc Q, P_in = P_out + R Q
 *   after each change of R_poiseuille and of the outlet R (closed form);
 * - pulsatile R-RCR: changing Rd then re-solving gives the same numbers as a fresh load of the edited JSON
 *   (1e-10), and the re-solve needs no new symbolic analysis (timings printed, not asserted);
 * - bad names are one-line errors;
 * - opt-in warm start (HtZeroD_SetWarmStart) on the VMR model reaches the periodic state of a 60-cycle cold run. */
#include "zdtest.h"
#include "zerod_impl.h" /* variable names */

static PetscErrorCode ReadJSON(const char *path, cJSON **root)
{
  FILE *fp = fopen(path, "rb");
  long  len;
  char *buf;

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", path);
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  PetscCall(PetscMalloc1(len + 1, &buf));
  PetscCheck(fread(buf, 1, len, fp) == (size_t)len, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", path);
  fclose(fp);
  buf[len] = 0;
  *root = cJSON_Parse(buf);
  PetscCall(PetscFree(buf));
  PetscCheck(*root, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: bad JSON", path);
  PetscFunctionReturn(0);
}

static PetscErrorCode SteadyRR(const char *path)
{
  HtZeroD          zd;
  const PetscReal  R[3] = {100.0, 250.0, 250.0}, Rbc[3] = {100.0, 100.0, 40.0};
  PetscInt         nt;
  const PetscReal *pin, *pout, *qin;
  PetscErrorCode   ierr;

  PetscFunctionBeginUser;
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadFile(zd, path));
  PetscCall(HtZeroD_SetUp(zd));
  for (PetscInt k = 0; k < 3; k++) {
    PetscReal xo = 100.0 + Rbc[k] * 5.0, xi = xo + R[k] * 5.0;
    if (k == 1) PetscCall(HtZeroD_SetParameter(zd, "branch0_seg0", "R_poiseuille", R[k]));
    if (k == 2) PetscCall(HtZeroD_SetParameter(zd, "OUT", "R", Rbc[k]));
    PetscCall(HtZeroD_Solve(zd));
    PetscCall(HtZeroD_GetVesselResult(zd, "branch0_seg0", &nt, NULL, &qin, NULL, &pin, &pout));
    printf("steady R-R, R = %g, R_bc = %g: P_in %.9g (exact %g), P_out %.9g (exact %g), Q %.9g (exact 5)\n", (double)R[k], (double)Rbc[k], (double)pin[nt - 1], (double)xi, (double)pout[nt - 1], (double)xo, (double)qin[nt - 1]);
    HT_CHECK(PetscAbsReal(pin[nt - 1] - xi) < 1e-7 * (1 + xi) && PetscAbsReal(pout[nt - 1] - xo) < 1e-7 * (1 + xo) && PetscAbsReal(qin[nt - 1] - 5.0) < 1e-7, "re-solve %d differs from the closed form", (int)k);
  }
  /* errors: unknown block, unknown parameter; the engine stays usable */
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = HtZeroD_SetParameter(zd, "nope", "R", 1.0);
  HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "unknown block accepted");
  ierr = HtZeroD_SetParameter(zd, "OUT", "Rx", 1.0);
  HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "unknown parameter accepted");
  PetscCall(PetscPopErrorHandler());
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

static PetscErrorCode RCRSame(const char *path)
{
  HtZeroD          a = NULL, b = NULL;
  cJSON           *root = NULL, *bc;
  PetscInt         na, nb;
  const PetscReal *ya, *yb;
  PetscReal        worst = 0.0, rd = -1.0;
  double           t0 = 0.0, t1 = 0.0, t2 = 0.0;

  PetscFunctionBeginUser;
  PetscCall(ReadJSON(path, &root));
  cJSON_ArrayForEach(bc, cJSON_GetObjectItem(root, "boundary_conditions")) if (!strcmp(cJSON_GetObjectItem(bc, "bc_type")->valuestring, "RCR"))
  {
    cJSON *v = cJSON_GetObjectItem(bc, "bc_values");
    rd       = 1.7 * cJSON_GetObjectItem(v, "Rd")->valuedouble;
    PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &a));
    PetscCall(HtZeroD_LoadJSON(a, root, "R_RCR"));
    PetscCall(HtZeroD_SetUp(a));
    PetscCall(HtZeroD_Solve(a));
    t0 = HtTime_Now();
    PetscCall(HtZeroD_SetParameter(a, cJSON_GetObjectItem(bc, "bc_name")->valuestring, "Rd", rd));
    PetscCall(HtZeroD_Solve(a));
    t1 = HtTime_Now();
    cJSON_ReplaceItemInObject(v, "Rd", cJSON_CreateNumber(rd));
    PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &b));
    PetscCall(HtZeroD_LoadJSON(b, root, "R_RCR_edited"));
    PetscCall(HtZeroD_SetUp(b));
    PetscCall(HtZeroD_Solve(b));
    t2 = HtTime_Now();
    break;
  }
  HT_CHECK(rd > 0.0 && a && b, "no RCR block in %s", path);
  cJSON_Delete(root);
  for (PetscInt i = 0; i < a->n; i++) {
    PetscCall(HtZeroD_GetVariable(a, a->varnames[i], &na, NULL, &ya));
    PetscCall(HtZeroD_GetVariable(b, b->varnames[i], &nb, NULL, &yb));
    HT_CHECK(na == nb, "row counts differ");
    for (PetscInt k = 0; k < na; k++) worst = PetscMax(worst, PetscAbsReal(ya[k] - yb[k]) / (1.0 + PetscAbsReal(yb[k])));
  }
  printf("R-RCR with Rd x 1.7: SetParameter + Solve vs fresh load: max rel difference %.3e (re-solve %.4f s, load+setup+solve %.4f s)\n", (double)worst, t1 - t0, t2 - t1);
  HT_CHECK(worst < 1e-10, "re-solve differs from a fresh load by %g", (double)worst);
  PetscCall(HtZeroD_Destroy(&a));
  PetscCall(HtZeroD_Destroy(&b));
  PetscFunctionReturn(0);
}

/* Warm start (opt-in): after a tuning-size change of an outlet's Rd (1 %), the re-solve starts from the previous periodic state
 * and stops when the cap means change by < 1e-5 per cycle; its last cycle must match a cold start run long
 * enough to be periodic (60 cycles) of the edited model. */
static PetscErrorCode Warm(const char *path)
{
  HtZeroD          a = NULL, b = NULL;
  cJSON           *root = NULL, *bc, *rcr = NULL;
  PetscInt         na, nb, ncw, nc60;
  PetscReal        worst = 0.0, rd, chw, ch60;
  const PetscReal *ya, *yb;
  double           t0, t1;

  PetscFunctionBeginUser;
  PetscCall(ReadJSON(path, &root));
  cJSON_ArrayForEach(bc, cJSON_GetObjectItem(root, "boundary_conditions")) if (!rcr && !strcmp(cJSON_GetObjectItem(bc, "bc_type")->valuestring, "RCR")) rcr = bc;
  HT_CHECK(rcr, "no RCR outlet in %s", path);
  rd = 1.01 * cJSON_GetObjectItem(cJSON_GetObjectItem(rcr, "bc_values"), "Rd")->valuedouble;
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &a));
  PetscCall(HtZeroD_LoadJSON(a, root, "vmr"));
  PetscCall(HtZeroD_SetUp(a));
  PetscCall(HtZeroD_Solve(a));
  PetscCall(HtZeroD_SetWarmStart(a, PETSC_TRUE, 1e-5));
  PetscCall(HtZeroD_SetParameter(a, cJSON_GetObjectItem(rcr, "bc_name")->valuestring, "Rd", rd));
  t0 = HtTime_Now();
  PetscCall(HtZeroD_Solve(a));
  t1 = HtTime_Now();
  PetscCall(HtZeroD_GetCycleInfo(a, &ncw, NULL, &chw));
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(rcr, "bc_values"), "Rd", cJSON_CreateNumber(rd));
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(root, "simulation_parameters"), "number_of_cardiac_cycles", cJSON_CreateNumber(60));
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &b));
  PetscCall(HtZeroD_LoadJSON(b, root, "vmr_60_cycles"));
  PetscCall(HtZeroD_SetUp(b));
  PetscCall(HtZeroD_Solve(b));
  PetscCall(HtZeroD_GetCycleInfo(b, &nc60, NULL, &ch60));
  cJSON_Delete(root);
  for (PetscInt i = 0; i < a->n; i++) {
    PetscCall(HtZeroD_GetVariable(a, a->varnames[i], &na, NULL, &ya));
    PetscCall(HtZeroD_GetVariable(b, b->varnames[i], &nb, NULL, &yb));
    HT_CHECK(na == nb, "row counts differ (%d, %d)", (int)na, (int)nb);
    for (PetscInt k = 0; k < na; k++) worst = PetscMax(worst, PetscAbsReal(ya[k] - yb[k]) / (1.0 + PetscAbsReal(yb[k])));
  }
  printf("warm start after Rd x 1.01: %d cycles (cycle change %.2e, %.3f s) vs cold start %d cycles (change %.2e): max rel difference %.3e\n", (int)ncw, (double)chw, t1 - t0, (int)nc60, (double)ch60, (double)worst);
  HT_CHECK(chw <= 1e-5 && ncw < 9, "warm start did not settle (%d cycles, change %g)", (int)ncw, (double)chw);
  HT_CHECK(worst < 1e-4, "warm start differs from the periodic cold run by %g", (double)worst);
  PetscCall(HtZeroD_Destroy(&a));
  PetscCall(HtZeroD_Destroy(&b));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char p1[PETSC_MAX_PATH_LEN], p2[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("zerod/cases/steadyFlow_R_R.json", p1, sizeof(p1))) PetscFunctionReturn(0);
  if (!HtTest_RequireData("zerod/cases/pulsatileFlow_R_RCR.json", p2, sizeof(p2))) PetscFunctionReturn(0);
  PetscCall(SteadyRR(p1));
  PetscCall(RCRSame(p2));
  if (!HtTest_RequireData("zerod/vmr/0104_0001_optimal_from_0d.json", p1, sizeof(p1))) PetscFunctionReturn(0);
  PetscCall(Warm(p1));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
