/* Case JSON reader and the `hemotwin 3d CASE.json --out DIR` entry point. */
#include "threed_impl.h"
#include <cjson/cJSON.h>
#include <libgen.h>
#include <string.h>

#define MMHG_S_ML_TO_CGS HT_MMHG_TO_DYNCM2 /* 1 mmHg s/mL = 1333.22 dyn s/cm^5 */

static PetscErrorCode Num(const cJSON *o, const char *key, const char *path, PetscBool required, PetscReal *v, PetscBool *found)
{
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

  PetscFunctionBeginUser;
  if (found) *found = PETSC_FALSE;
  if (!it) {
    PetscCheck(!required, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: missing key \"%s\"", path, key);
    PetscFunctionReturn(0);
  }
  PetscCheck(cJSON_IsNumber(it), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: key \"%s\" must be a number", path, key);
  *v = it->valuedouble;
  if (found) *found = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* a resistance given either in mmHg s/mL (key_mmHg) or in dyn s/cm^5 (key_cgs) */
static PetscErrorCode Resistance(const cJSON *o, const char *kmm, const char *kcgs, const char *path, const char *outlet, PetscReal *R)
{
  PetscBool a, b;
  PetscReal v1 = 0, v2 = 0;

  PetscFunctionBeginUser;
  PetscCall(Num(o, kmm, path, PETSC_FALSE, &v1, &a));
  PetscCall(Num(o, kcgs, path, PETSC_FALSE, &v2, &b));
  PetscCheck(a || b, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: outlet %s needs \"%s\" or \"%s\"", path, outlet, kmm, kcgs);
  *R = a ? v1 * MMHG_S_ML_TO_CGS : v2;
  PetscCheck(*R >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: outlet %s: negative resistance", path, outlet);
  PetscFunctionReturn(0);
}

static PetscErrorCode ParseCase(HtThreeD td, const cJSON *root, const char *path)
{
  HtThreeDCase *c = &td->c;
  const cJSON  *it, *inlet, *outs;
  PetscReal     v;
  PetscBool     f;
  char          dir[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCheck(cJSON_IsObject(root), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: top level must be an object", path);
  it = cJSON_GetObjectItemCaseSensitive(root, "mesh");
  PetscCheck(cJSON_IsString(it), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: missing string key \"mesh\"", path);
  PetscCall(PetscStrncpy(tmp, path, sizeof tmp));
  PetscCall(PetscStrncpy(dir, dirname(tmp), sizeof dir));
  if (it->valuestring[0] == '/') PetscCall(PetscStrncpy(c->mesh, it->valuestring, sizeof c->mesh));
  else PetscCall(HtPath_Join(c->mesh, sizeof c->mesh, dir, it->valuestring));
  it = cJSON_GetObjectItemCaseSensitive(root, "mesh_units");
  if (it) {
    PetscCheck(cJSON_IsString(it) && (!strcmp(it->valuestring, "mm") || !strcmp(it->valuestring, "cm")), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: \"mesh_units\" must be \"mm\" or \"cm\"", path);
    c->mesh_to_cm = !strcmp(it->valuestring, "mm") ? 0.1 : 1.0;
  }
  PetscCall(Num(root, "rho_g_cm3", path, PETSC_FALSE, &c->rho_g_cm3, NULL));
  PetscCall(Num(root, "mu_P", path, PETSC_FALSE, &c->mu_P, NULL));
  PetscCheck(c->rho_g_cm3 > 0 && c->mu_P > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: rho_g_cm3 and mu_P must be positive", path);
  PetscCall(Num(root, "backflow_beta", path, PETSC_FALSE, &c->backflow_beta, NULL));
  PetscCheck(c->backflow_beta >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: backflow_beta must be >= 0", path);
  it = cJSON_GetObjectItemCaseSensitive(root, "steady");
  if (it) {
    PetscCheck(cJSON_IsBool(it), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: \"steady\" must be true or false", path);
    c->steady = cJSON_IsTrue(it) ? PETSC_TRUE : PETSC_FALSE;
  } else c->steady = PETSC_FALSE;
  PetscCall(Num(root, "dt_s", path, !c->steady, &c->dt_s, NULL));
  v = 0;
  PetscCall(Num(root, "steps", path, !c->steady, &v, NULL));
  c->steps = (PetscInt)v;
  v        = 1;
  PetscCall(Num(root, "output_interval", path, PETSC_FALSE, &v, NULL));
  c->output_interval = (PetscInt)v;
  PetscCheck(c->steady || (c->dt_s > 0 && c->steps > 0 && c->output_interval > 0), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: dt_s, steps and output_interval must be positive", path);

  inlet = cJSON_GetObjectItemCaseSensitive(root, "inlet");
  PetscCheck(cJSON_IsObject(inlet), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: missing object \"inlet\"", path);
  it = cJSON_GetObjectItemCaseSensitive(inlet, "name");
  if (it) {
    PetscCheck(cJSON_IsString(it), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: inlet \"name\" must be a string", path);
    PetscCall(PetscStrncpy(c->inlet, it->valuestring, sizeof c->inlet));
  }
  it = cJSON_GetObjectItemCaseSensitive(inlet, "profile");
  if (it) {
    PetscCheck(cJSON_IsString(it) && (!strcmp(it->valuestring, "parabolic") || !strcmp(it->valuestring, "plug") || !strcmp(it->valuestring, "womersley")), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: inlet \"profile\" must be \"parabolic\", \"plug\" or \"womersley\"", path);
    c->profile = !strcmp(it->valuestring, "plug") ? HT_PROFILE_PLUG : (!strcmp(it->valuestring, "womersley") ? HT_PROFILE_WOMERSLEY : HT_PROFILE_PARABOLIC);
  }
  PetscCall(Num(inlet, "flow_mL_s", path, PETSC_FALSE, &v, &f));
  if (f) PetscCall(HtThreeD_SetInletWaveform(td, 1, NULL, &v));
  else {
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(inlet, "t_s"), *qs = cJSON_GetObjectItemCaseSensitive(inlet, "Q_mL_s");
    PetscInt     n;
    PetscReal   *t, *q;
    PetscCheck(cJSON_IsArray(ts) && cJSON_IsArray(qs), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: inlet needs \"flow_mL_s\" or arrays \"t_s\" and \"Q_mL_s\"", path);
    n = cJSON_GetArraySize(ts);
    PetscCheck(n >= 2 && n == cJSON_GetArraySize(qs), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: inlet \"t_s\" and \"Q_mL_s\" must have the same length >= 2", path);
    PetscCall(PetscMalloc2(n, &t, n, &q));
    for (PetscInt i = 0; i < n; i++) {
      const cJSON *a = cJSON_GetArrayItem(ts, (int)i), *b = cJSON_GetArrayItem(qs, (int)i);
      PetscCheck(cJSON_IsNumber(a) && cJSON_IsNumber(b), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: inlet waveform entry %" PetscInt_FMT " is not a number", path, i);
      t[i] = a->valuedouble;
      q[i] = b->valuedouble;
    }
    PetscCall(HtThreeD_SetInletWaveform(td, n, t, q));
    PetscCall(PetscFree2(t, q));
  }

  it = cJSON_GetObjectItemCaseSensitive(root, "walls");
  if (it) {
    PetscCheck(cJSON_IsArray(it) && cJSON_GetArraySize(it) >= 1 && cJSON_GetArraySize(it) <= 8, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: \"walls\" must be an array of 1..8 group names", path);
    c->nwalls = cJSON_GetArraySize(it);
    for (PetscInt i = 0; i < c->nwalls; i++) {
      const cJSON *w = cJSON_GetArrayItem(it, (int)i);
      PetscCheck(cJSON_IsString(w), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: \"walls\" entries must be strings", path);
      PetscCall(PetscStrncpy(c->walls[i], w->valuestring, sizeof c->walls[i]));
    }
  }

  outs = cJSON_GetObjectItemCaseSensitive(root, "outlets");
  PetscCheck(cJSON_IsArray(outs) && cJSON_GetArraySize(outs) >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: missing non-empty array \"outlets\"", path);
  c->noutlets = cJSON_GetArraySize(outs);
  PetscCheck(c->noutlets <= HT3_MAX_OUTLETS, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: %" PetscInt_FMT " outlets, at most %d supported", path, c->noutlets, HT3_MAX_OUTLETS);
  for (PetscInt k = 0; k < c->noutlets; k++) {
    const cJSON    *o = cJSON_GetArrayItem(outs, (int)k), *nm, *ty;
    HtThreeDOutlet *O = &c->outlets[k];
    PetscCheck(cJSON_IsObject(o), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: outlets[%" PetscInt_FMT "] must be an object", path, k);
    nm = cJSON_GetObjectItemCaseSensitive(o, "name");
    ty = cJSON_GetObjectItemCaseSensitive(o, "type");
    PetscCheck(cJSON_IsString(nm), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: outlets[%" PetscInt_FMT "] needs a \"name\"", path, k);
    PetscCall(PetscStrncpy(O->name, nm->valuestring, sizeof O->name));
    if (!ty || (cJSON_IsString(ty) && !strcmp(ty->valuestring, "traction"))) {
      O->type = HT_OUTLET_TRACTION;
      v       = 0;
      PetscCall(Num(o, "P_mmHg", path, PETSC_FALSE, &v, NULL));
      O->P_dyn_cm2 = v * HT_MMHG_TO_DYNCM2;
    } else if (cJSON_IsString(ty) && !strcmp(ty->valuestring, "resistance")) {
      O->type = HT_OUTLET_RESISTANCE;
      PetscCall(Resistance(o, "R_mmHg_s_mL", "R_dyn_s_cm5", path, O->name, &O->R_cgs));
      v = 0;
      PetscCall(Num(o, "Pd_mmHg", path, PETSC_FALSE, &v, NULL));
      O->Pd_dyn_cm2 = v * HT_MMHG_TO_DYNCM2;
    } else if (cJSON_IsString(ty) && !strcmp(ty->valuestring, "rcr")) {
      PetscReal Cmm = 0, Ccgs = 0;
      PetscBool a, b;
      O->type = HT_OUTLET_RCR;
      PetscCall(Resistance(o, "Rp_mmHg_s_mL", "Rp_dyn_s_cm5", path, O->name, &O->Rp_cgs));
      PetscCall(Resistance(o, "Rd_mmHg_s_mL", "Rd_dyn_s_cm5", path, O->name, &O->Rd_cgs));
      PetscCall(Num(o, "C_mL_mmHg", path, PETSC_FALSE, &Cmm, &a));
      PetscCall(Num(o, "C_cm5_dyn", path, PETSC_FALSE, &Ccgs, &b));
      PetscCheck(a || b, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: outlet %s needs \"C_mL_mmHg\" or \"C_cm5_dyn\"", path, O->name);
      O->C_cgs = a ? Cmm / HT_MMHG_TO_DYNCM2 : Ccgs;
      PetscCheck(O->C_cgs > 0 && O->Rd_cgs > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: outlet %s: RCR needs C > 0 and Rd > 0", path, O->name);
      v = 0;
      PetscCall(Num(o, "Pd_mmHg", path, PETSC_FALSE, &v, NULL));
      O->Pd_dyn_cm2 = v * HT_MMHG_TO_DYNCM2;
      v             = v;
      PetscCall(Num(o, "P0_mmHg", path, PETSC_FALSE, &v, NULL));
      O->P0_dyn_cm2 = v * HT_MMHG_TO_DYNCM2;
    } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: outlet %s: \"type\" must be \"traction\", \"resistance\" or \"rcr\"", path, O->name);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_LoadCase(HtThreeD td, const char *path)
{
  FILE          *f;
  long           n;
  char          *txt;
  cJSON         *root;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCheck(!td->is_setup, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: LoadCase after SetUp");
  f = fopen(path, "rb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open the case file", path);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (n < 0 || n > (1L << 26)) {
    fclose(f);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: cannot read the case file (size)", path);
  }
  PetscCall(PetscMalloc1(n + 1, &txt));
  if ((long)fread(txt, 1, (size_t)n, f) != n) {
    fclose(f);
    PetscCall(PetscFree(txt));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: read failed", path);
  }
  fclose(f);
  txt[n] = 0;
  root   = cJSON_Parse(txt);
  PetscCall(PetscFree(txt));
  PetscCheck(root, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not valid JSON", path);
  ierr = ParseCase(td, root, path);
  cJSON_Delete(root);
  PetscCall(ierr);
  PetscCall(PetscStrncpy(td->case_path, path, sizeof td->case_path));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(int argc, char **argv)
{
  HtThreeD    td;
  const char *casep = NULL, *out = NULL;
  double      t0 = HtTime_Now();
  PetscInt    nc;

  PetscFunctionBeginUser;
  PetscCall(HtCli_InputAndOut(argc, argv, "3d", "hemotwin 3d CASE.json --out DIR [PETSc options]", &casep, &out));
  PetscCall(HtThreeD_Create(PETSC_COMM_WORLD, &td));
  PetscCall(HtThreeD_LoadCase(td, casep));
  PetscCall(HtThreeD_SetFromOptions(td));
  PetscCall(HtThreeD_SetOutputDir(td, out));
  PetscCall(HtThreeD_SetUp(td));
  PetscCall(HtThreeD_GetNumCells(td, &nc));
  HtLog_Info("3d: %" PetscInt_FMT " tetrahedra, %s run", nc, td->c.steady ? "steady" : "unsteady");
  PetscCall(HtThreeD_Solve(td));
  HtLog_Info("3d: done in %.1f s, outputs in %s", HtTime_Now() - t0, out);
  PetscCall(HtThreeD_Destroy(&td));
  PetscFunctionReturn(0);
}

int HtThreeD_Main(int argc, char **argv) { return HtCli_Main("3d", Run, argc, argv); }
