/* Chamber activation functions: svZeroDSolver's chamber_elastance_inductor case (half_cosine,
 * t_active = 0.2, t_twitch = 0.3) rerun with the equivalent piecewise_cosine activation
 * (contract_start 0.2, contract_duration 0.15, relax_start 0.35, relax_duration 0.15) must reproduce
 * svZeroDSolver's half_cosine reference to 1e-7.
 * LinearElastanceChamber (Emax, Epass, Vrest) must equal ChamberElastanceInductor with Impedance = 0
 * and Vrd = Vrs = Vrest, Emin = Epass, Emax_CEI = Epass + Emax (the same circuit; 1e-10). */
#include "zdtest.h"

static PetscErrorCode LoadCase(const char *path, cJSON **root)
{
  FILE *fp;
  long  len;
  char *buf;

  PetscFunctionBeginUser;
  fp = fopen(path, "rb");
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

static PetscErrorCode RunTo(cJSON *root, const char *name, const char *csv)
{
  HtZeroD zd;

  PetscFunctionBeginUser;
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadJSON(zd, root, name));
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  PetscCall(HtZeroD_WriteCSV(zd, csv));
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

static PetscErrorCode LinearChamber(const char *model)
{
  cJSON    *a, *b, *ch, *v;
  ZdTable   ta, tb;
  PetscInt  nbad, ncmp;
  PetscReal worst;

  PetscFunctionBeginUser;
  PetscCall(LoadCase(model, &a));
  PetscCall(LoadCase(model, &b));
  ch = cJSON_GetArrayItem(cJSON_GetObjectItem(a, "chambers"), 0);
  v  = cJSON_GetObjectItem(ch, "values");
  cJSON_ReplaceItemInObject(v, "Impedance", cJSON_CreateNumber(0.0));
  cJSON_ReplaceItemInObject(v, "Vrd", cJSON_CreateNumber(18.0));
  cJSON_ReplaceItemInObject(v, "Vrs", cJSON_CreateNumber(18.0));
  ch = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "chambers"), 0);
  cJSON_ReplaceItemInObject(ch, "type", cJSON_CreateString("LinearElastanceChamber"));
  v = cJSON_CreateObject();
  cJSON_AddNumberToObject(v, "Emax", 1.057 - 0.091);
  cJSON_AddNumberToObject(v, "Epass", 0.091);
  cJSON_AddNumberToObject(v, "Vrest", 18.0);
  cJSON_ReplaceItemInObject(ch, "values", v);
  PetscCall(RunTo(a, "cei_L0", "zerod_cei_L0.csv"));
  PetscCall(RunTo(b, "linear_chamber", "zerod_linear_chamber.csv"));
  cJSON_Delete(a);
  cJSON_Delete(b);
  HT_CHECK(!ZdTable_ReadCSV("zerod_cei_L0.csv", &ta), "cannot read zerod_cei_L0.csv");
  HT_CHECK(!ZdTable_ReadCSV("zerod_linear_chamber.csv", &tb), "cannot read zerod_linear_chamber.csv");
  worst = ZdTable_Compare(&tb, &ta, 1e-10, &nbad, &ncmp, "LinearElastanceChamber");
  printf("LinearElastanceChamber vs ChamberElastanceInductor (L = 0, Vrd = Vrs): %d values, max rel difference %.3e\n", (int)ncmp, (double)worst);
  HT_CHECK(nbad == 0 && ncmp > 0, "%d of %d values differ", (int)nbad, (int)ncmp);
  ZdTable_Free(&ta);
  ZdTable_Free(&tb);
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char      model[PETSC_MAX_PATH_LEN], ref[PETSC_MAX_PATH_LEN];
  FILE     *fp;
  long      len;
  char     *buf;
  cJSON    *root, *ch, *af;
  HtZeroD   zd;
  ZdTable   tres, tref;
  PetscInt  nbad, ncmp;
  PetscReal worst;

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("zerod/cases/chamber_elastance_inductor.json", model, sizeof(model))) PetscFunctionReturn(0);
  if (!HtTest_RequireData("zerod/results/result_chamber_elastance_inductor.json", ref, sizeof(ref))) PetscFunctionReturn(0);
  fp = fopen(model, "rb");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", model);
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  PetscCall(PetscMalloc1(len + 1, &buf));
  PetscCheck(fread(buf, 1, len, fp) == (size_t)len, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", model);
  fclose(fp);
  buf[len] = 0;
  root = cJSON_Parse(buf);
  PetscCall(PetscFree(buf));
  PetscCheck(root, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: bad JSON", model);
  ch = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "chambers"), 0);
  cJSON_DeleteItemFromObject(ch, "activation_function");
  af = cJSON_CreateObject();
  cJSON_AddStringToObject(af, "type", "piecewise_cosine");
  cJSON_AddNumberToObject(af, "contract_start", 0.2);
  cJSON_AddNumberToObject(af, "contract_duration", 0.15);
  cJSON_AddNumberToObject(af, "relax_start", 0.35);
  cJSON_AddNumberToObject(af, "relax_duration", 0.15);
  cJSON_AddItemToObject(ch, "activation_function", af);
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadJSON(zd, root, "chamber_elastance_inductor+piecewise_cosine"));
  cJSON_Delete(root);
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  PetscCall(HtZeroD_WriteCSV(zd, "zerod_activation.csv"));
  PetscCall(HtZeroD_Destroy(&zd));
  HT_CHECK(!ZdTable_ReadCSV("zerod_activation.csv", &tres), "cannot read back zerod_activation.csv");
  HT_CHECK(!ZdTable_ReadPandasJSON(ref, &tref), "cannot read %s", ref);
  worst = ZdTable_Compare(&tres, &tref, 1e-7, &nbad, &ncmp, "piecewise_cosine");
  printf("piecewise_cosine chamber vs half_cosine reference: %d values, max rel error %.3e\n", (int)ncmp, (double)worst);
  HT_CHECK(nbad == 0 && ncmp > 0, "%d of %d values outside 1e-7", (int)nbad, (int)ncmp);
  ZdTable_Free(&tres);
  ZdTable_Free(&tref);
  PetscCall(LinearChamber(model));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
