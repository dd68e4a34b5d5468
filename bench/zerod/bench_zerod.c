/* Benchmark of the 0D engine (prints, never asserts).
 *   bench_zerod [MODEL.json] [-repeat N] [-scaling 0|1] [-zerod_ts_type ...]
 * 1. Wall and CPU time of a model (default: VMR 0104_0001, 9 cycles x 968 points), time per step, Newton
 *    iterations, share of the time in assembly (residual + Jacobian), sparse LU factorisation and
 *    triangular solves; best of -repeat runs (the machine is shared).
 * 2. Repeated solves of the same model after changing one parameter (HtZeroD_SetParameter: no re-parsing).
 * 3. Growth of the cost with the network size: every vessel of the model is refined into m pieces in
 *    series (R, L, stenosis coefficient and C divided by m, pieces joined by NORMAL_JUNCTIONs) for
 *    m = 1, 2, 4, 8, 11 (18 .. 198 vessels), 2 cardiac cycles each. */
#include <htcore.h>
#include <htzerod.h>
#include "zerod_impl.h" /* step count and profile counters (internal) */
#include <stdio.h>
#include <time.h>

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
  if (fread(buf, 1, len, fp) != (size_t)len) {
    fclose(fp);
    PetscCall(PetscFree(buf));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", path);
  }
  fclose(fp);
  buf[len] = 0;
  *root = cJSON_Parse(buf);
  PetscCall(PetscFree(buf));
  PetscCheck(*root, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not valid JSON", path);
  PetscFunctionReturn(0);
}

typedef struct {
  double wall, cpu, setup;
  PetscInt n, steps, newton, full, refac;
  double asm_s, fac_s, sol_s;
} Timing;

static PetscErrorCode RunOnce(const cJSON *model, const char *name, Timing *tm)
{
  HtZeroD zd;
  double  t0, t1, t2;
  clock_t c0, c1;

  PetscFunctionBeginUser;
  t0 = HtTime_Now();
  PetscCall(HtZeroD_Create(PETSC_COMM_SELF, &zd));
  PetscCall(HtZeroD_LoadJSON(zd, model, name));
  PetscCall(HtZeroD_SetFromOptions(zd));
  PetscCall(HtZeroD_SetUp(zd));
  t1 = HtTime_Now();
  c0 = clock();
  PetscCall(HtZeroD_Solve(zd));
  c1 = clock();
  t2 = HtTime_Now();
  tm->setup  = t1 - t0;
  tm->wall   = t2 - t1;
  tm->cpu    = (double)(c1 - c0) / CLOCKS_PER_SEC;
  tm->n      = zd->n;
  tm->steps  = zd->prof_steps;
  tm->newton = zd->prof_newton;
  tm->full   = zd->prof_full;
  tm->refac  = zd->prof_refactor;
  tm->asm_s  = zd->prof_assembly;
  tm->fac_s  = zd->prof_factor;
  tm->sol_s  = zd->prof_solve;
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

static PetscErrorCode Best(const cJSON *model, const char *name, PetscInt repeat, Timing *best)
{
  PetscFunctionBeginUser;
  for (PetscInt r = 0; r < repeat; r++) {
    Timing t;
    PetscCall(RunOnce(model, name, &t));
    if (r == 0 || t.wall < best->wall) *best = t;
  }
  PetscFunctionReturn(0);
}

static void Print(const char *what, const Timing *t)
{
  double other = t->wall - t->asm_s - t->fac_s - t->sol_s;
  if (!t->steps) {
    printf("%s: %d unknowns, solve %.3f s wall (%.3f s CPU) [PETSc TS integrator: no profile]\n", what, (int)t->n, t->wall, t->cpu);
    return;
  }
  printf("%s: %d unknowns, setup %.4f s, solve %.3f s wall (%.3f s CPU), %d steps: %.1f us per step, %.2f Newton solves per step\n", what, (int)t->n, t->setup, t->wall, t->cpu, (int)t->steps, 1e6 * t->wall / (double)t->steps, (double)t->newton / (double)t->steps);
  printf("  shares: assembly %.0f%%, LU factorisation %.0f%% (%d full, %d refactorisations), triangular solves %.0f%%, rest (stepping, output) %.0f%%\n", 100.0 * t->asm_s / t->wall, 100.0 * t->fac_s / t->wall, (int)t->full, (int)t->refac, 100.0 * t->sol_s / t->wall, 100.0 * other / t->wall);
}

/* Outlet-tuning pattern: one engine, the distal resistance of the first RCR outlet scaled, re-solved. */
static PetscErrorCode Resolve(const cJSON *model, const char *name, double fresh)
{
  HtZeroD      zd;
  const cJSON *bc, *rcr = NULL;
  double       t0, t1;

  PetscFunctionBeginUser;
  cJSON_ArrayForEach(bc, cJSON_GetObjectItemCaseSensitive(model, "boundary_conditions")) if (!rcr && cJSON_IsString(cJSON_GetObjectItem(bc, "bc_type")) && !strcmp(cJSON_GetObjectItem(bc, "bc_type")->valuestring, "RCR")) rcr = bc;
  if (!rcr) PetscFunctionReturn(0);
  PetscCall(HtZeroD_Create(PETSC_COMM_SELF, &zd));
  PetscCall(HtZeroD_LoadJSON(zd, model, name));
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  t0 = HtTime_Now();
  for (PetscInt k = 1; k <= 5; k++) {
    PetscCall(HtZeroD_SetParameter(zd, cJSON_GetObjectItem(rcr, "bc_name")->valuestring, "Rd", cJSON_GetObjectItem(cJSON_GetObjectItem(rcr, "bc_values"), "Rd")->valuedouble * (1.0 + 0.1 * (double)k)));
    PetscCall(HtZeroD_Solve(zd));
  }
  t1 = HtTime_Now();
  printf("repeated solves (HtZeroD_SetParameter Rd of %s + HtZeroD_Solve): %.3f s each, fresh load+setup+solve %.3f s\n", cJSON_GetObjectItem(rcr, "bc_name")->valuestring, (t1 - t0) / 5.0, fresh);
  /* opt-in warm start with tuning-size steps (1 % per solve) */
  {
    PetscInt  ncyc, tot = 0;
    PetscReal change, rd = cJSON_GetObjectItem(cJSON_GetObjectItem(rcr, "bc_values"), "Rd")->valuedouble;
    PetscCall(HtZeroD_SetWarmStart(zd, PETSC_TRUE, 1e-4));
    t0 = HtTime_Now();
    for (PetscInt k = 1; k <= 5; k++) {
      PetscCall(HtZeroD_SetParameter(zd, cJSON_GetObjectItem(rcr, "bc_name")->valuestring, "Rd", rd * (1.5 + 0.01 * (double)k)));
      PetscCall(HtZeroD_Solve(zd));
      PetscCall(HtZeroD_GetCycleInfo(zd, &ncyc, NULL, &change));
      tot += ncyc;
    }
    t1 = HtTime_Now();
    printf("warm-started repeated solves (HtZeroD_SetWarmStart, cap change < 1e-4, Rd steps of 1 %%): %.3f s each, %.1f cycles each\n", (t1 - t0) / 5.0, (double)tot / 5.0);
  }
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

/* Copy of the model with every vessel split into m pieces in series. */
static cJSON *Refine(const cJSON *model, PetscInt m, PetscInt ncycles)
{
  cJSON       *out = cJSON_Duplicate(model, 1), *vessels = cJSON_CreateArray(), *junctions = cJSON_GetObjectItem(out, "junctions"), *v, *j;
  const char  *keys[4] = {"R_poiseuille", "L", "stenosis_coefficient", "C"};
  char         name[256];

  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(out, "simulation_parameters"), "number_of_cardiac_cycles", cJSON_CreateNumber((double)ncycles));
  /* junction connectivity: inlet vessels end at the last piece, outlet vessels start at the first */
  cJSON_ArrayForEach(j, junctions)
  {
    cJSON *id;
    cJSON_ArrayForEach(id, cJSON_GetObjectItem(j, "inlet_vessels")) cJSON_SetNumberValue(id, id->valuedouble * m + (m - 1));
    cJSON_ArrayForEach(id, cJSON_GetObjectItem(j, "outlet_vessels")) cJSON_SetNumberValue(id, id->valuedouble * m);
  }
  cJSON_ArrayForEach(v, cJSON_GetObjectItem(out, "vessels"))
  {
    PetscInt     vid = (PetscInt)cJSON_GetObjectItem(v, "vessel_id")->valuedouble;
    const cJSON *bc  = cJSON_GetObjectItem(v, "boundary_conditions");
    for (PetscInt p = 0; p < m; p++) {
      cJSON *piece = cJSON_Duplicate(v, 1), *vals = cJSON_GetObjectItem(piece, "zero_d_element_values"), *nbc = cJSON_CreateObject();
      snprintf(name, sizeof(name), "%s_r%d", cJSON_GetObjectItem(v, "vessel_name")->valuestring, (int)p);
      cJSON_ReplaceItemInObject(piece, "vessel_name", cJSON_CreateString(name));
      cJSON_ReplaceItemInObject(piece, "vessel_id", cJSON_CreateNumber((double)(vid * m + p)));
      for (int k = 0; k < 4; k++) {
        cJSON *it = cJSON_GetObjectItem(vals, keys[k]);
        if (it) cJSON_SetNumberValue(it, it->valuedouble / (double)m);
      }
      if (bc && cJSON_GetObjectItem(bc, "inlet") && p == 0) cJSON_AddStringToObject(nbc, "inlet", cJSON_GetObjectItem(bc, "inlet")->valuestring);
      if (bc && cJSON_GetObjectItem(bc, "outlet") && p == m - 1) cJSON_AddStringToObject(nbc, "outlet", cJSON_GetObjectItem(bc, "outlet")->valuestring);
      cJSON_ReplaceItemInObject(piece, "boundary_conditions", nbc);
      cJSON_AddItemToArray(vessels, piece);
      if (p < m - 1) {
        cJSON *jn = cJSON_CreateObject(), *in = cJSON_CreateArray(), *ou = cJSON_CreateArray();
        snprintf(name, sizeof(name), "Jr%d_%d", (int)vid, (int)p);
        cJSON_AddStringToObject(jn, "junction_name", name);
        cJSON_AddStringToObject(jn, "junction_type", "NORMAL_JUNCTION");
        cJSON_AddItemToArray(in, cJSON_CreateNumber((double)(vid * m + p)));
        cJSON_AddItemToArray(ou, cJSON_CreateNumber((double)(vid * m + p + 1)));
        cJSON_AddItemToObject(jn, "inlet_vessels", in);
        cJSON_AddItemToObject(jn, "outlet_vessels", ou);
        cJSON_AddItemToArray(junctions, jn);
      }
    }
  }
  cJSON_ReplaceItemInObject(out, "vessels", vessels);
  return out;
}

static PetscErrorCode Bench(int argc, char **argv)
{
  char      path[PETSC_MAX_PATH_LEN];
  PetscBool ex = PETSC_TRUE, scaling = PETSC_TRUE;
  PetscInt  repeat = 3;
  cJSON    *model = NULL;
  Timing    t;

  PetscFunctionBeginUser;
  if (argc > 1 && argv[1][0] != '-') PetscCall(PetscStrncpy(path, argv[1], sizeof(path)));
  else PetscCall(HtData_Path("zerod/vmr/0104_0001_optimal_from_0d.json", path, sizeof(path), &ex));
  PetscCheck(ex, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: not found (set HEMOTWIN_DATA)", path);
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-repeat", &repeat, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-scaling", &scaling, NULL));
  PetscCall(ReadJSON(path, &model));
  PetscCall(Best(model, path, repeat, &t));
  Print(path, &t);
  PetscCall(Resolve(model, path, t.setup + t.wall));
  if (scaling) {
    const PetscInt ms[5] = {1, 2, 4, 8, 11};
    Timing         t1 = t;
    printf("cost growth with network size (vessels refined in series, 2 cycles):\n");
    for (PetscInt k = 0; k < 5; k++) {
      cJSON *r = Refine(model, ms[k], 2);
      char   what[64];
      PetscInt nv = cJSON_GetArraySize(cJSON_GetObjectItem(r, "vessels"));
      snprintf(what, sizeof(what), "  %3d vessels", (int)nv);
      PetscCall(Best(r, what, repeat, &t));
      cJSON_Delete(r);
      Print(what, &t);
      if (k == 0) t1 = t;
      else printf("  -> %.2fx unknowns, %.2fx time per step\n", (double)t.n / (double)t1.n, (t.wall / (double)t.steps) / (t1.wall / (double)t1.steps));
    }
  }
  cJSON_Delete(model);
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  if (PetscInitialize(&argc, &argv, NULL, NULL)) return 1;
  ierr = Bench(argc, argv);
  if (PetscFinalize()) return 1;
  return ierr ? 1 : 0;
}
