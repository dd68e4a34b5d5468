/* Newer svZeroDSolver blocks against closed forms:
 * - PiecewiseValve between a piecewise-linear pressure P(t) = 0, 100, 0, -100, 0 (t = 0, .25, .5, .75, 1) and a
 *   resistance Rb to 0: algebraic circuit, Q = P / (Rmin + Rb) while P >= 0 (open), P / (Rmax + Rb) when P < 0.
 * - ChamberSphere (eta = 0, tiny wall mass: quasi-static) fed through open PiecewiseValves from a constant
 *   pressure, drained by a vessel and a resistance: steady flow Q = P / (sum of resistances); active stress
 *   with a constant activation alpha: tau(t) = sigma_max (1 - exp(-alpha t)) (consistent initial dtau/dt); final radius R = r0 + r solves
 *   Laplace's law P_ch R / d0 = tau + 4 (1 - (r0/R)^6)(W1 + W2 R^2/r0^2) (found here by bisection).
 * - ChamberElastanceInductorExponential with Kxv -> 0, Kxp Kxv = Emin equals ChamberElastanceInductor with
 *   Vrd = Vrs = Vaso (svZeroDSolver's chamber_elastance_inductor case; 1e-5).
 * - Activation functions two_hill, wrapping_cosine, fourier: closed-form values, normalisation to [0, 1].
 * - CORONARY_VAR_RES: equal to CORONARY for a constant resistance; documented steady start (see below). */
#include "zdtest.h"
#include "zerod_impl.h"

PetscReal HtZD_Activation(const HtZDBlock *, PetscReal, PetscReal);

static PetscErrorCode Run(const char *json, const char *name, HtZeroD *out)
{
  cJSON  *root = cJSON_Parse(json);
  HtZeroD zd;

  PetscFunctionBeginUser;
  PetscCheck(root, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "test model %s: bad JSON", name);
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadJSON(zd, root, name));
  cJSON_Delete(root);
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  *out = zd;
  PetscFunctionReturn(0);
}

static PetscErrorCode PiecewiseValve(void)
{
  const char *json = "{\"simulation_parameters\": {\"number_of_cardiac_cycles\": 2, \"number_of_time_pts_per_cardiac_cycle\": 101, \"output_variable_based\": true},"
                     "\"boundary_conditions\": [{\"bc_name\": \"INLET\", \"bc_type\": \"PRESSURE\", \"bc_values\": {\"P\": [0, 100, 0, -100, 0], \"t\": [0, 0.25, 0.5, 0.75, 1.0]}},"
                     "{\"bc_name\": \"OUTLET\", \"bc_type\": \"RESISTANCE\", \"bc_values\": {\"R\": 50.0, \"Pd\": 0.0}}], \"vessels\": [], \"junctions\": [],"
                     "\"valves\": [{\"type\": \"PiecewiseValve\", \"name\": \"valve\", \"params\": {\"Rmax\": 1e5, \"Rmin\": 10.0, \"upstream_block\": \"INLET\", \"downstream_block\": \"OUTLET\"}}]}";
  HtZeroD          zd;
  PetscInt         nt;
  const PetscReal *t, *q, *p;
  PetscReal        worst = 0.0;

  PetscFunctionBeginUser;
  PetscCall(Run(json, "piecewise_valve", &zd));
  PetscCall(HtZeroD_GetVariable(zd, "flow:INLET:valve", &nt, &t, &q));
  PetscCall(HtZeroD_GetVariable(zd, "pressure:INLET:valve", &nt, &t, &p));
  for (PetscInt i = 0; i < nt; i++) {
    PetscReal tc = fmod(t[i], 1.0), P = tc <= 0.5 ? 100.0 * (1.0 - PetscAbsReal(tc - 0.25) / 0.25) : -100.0 * (1.0 - PetscAbsReal(tc - 0.75) / 0.25);
    PetscReal qx = P >= 0.0 ? P / (10.0 + 50.0) : P / (1e5 + 50.0);
    worst = PetscMax(worst, PetscAbsReal(q[i] - qx) / (1.0 + PetscAbsReal(qx)));
    worst = PetscMax(worst, PetscAbsReal(p[i] - P) / (1.0 + PetscAbsReal(P)));
  }
  printf("PiecewiseValve: %d rows, max rel error of Q = P/(R_valve + Rb) %.3e\n", (int)nt, (double)worst);
  HT_CHECK(nt == 101 && worst < 1e-9, "PiecewiseValve flow differs from the closed form by %g", (double)worst);
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

static PetscReal SphereLaw(PetscReal R, PetscReal P, PetscReal d0, PetscReal tau, PetscReal W1, PetscReal W2)
{
  return P * R / d0 - tau - 4.0 * (1.0 - pow(1.0 / R, 6.0)) * (W1 + W2 * R * R);
}

static PetscErrorCode ChamberSphere(void)
{
  const char *json = "{\"simulation_parameters\": {\"number_of_cardiac_cycles\": 3, \"number_of_time_pts_per_cardiac_cycle\": 1001, \"output_variable_based\": true,"
                     " \"output_all_cycles\": true, \"steady_initial\": false, \"absolute_tolerance\": 1e-10},"
                     "\"boundary_conditions\": [{\"bc_name\": \"INLET\", \"bc_type\": \"PRESSURE\", \"bc_values\": {\"P\": [400.0, 400.0], \"t\": [0.0, 1.0]}},"
                     "{\"bc_name\": \"OUTLET\", \"bc_type\": \"RESISTANCE\", \"bc_values\": {\"R\": 100.0, \"Pd\": 0.0}}], \"junctions\": [],"
                     "\"vessels\": [{\"boundary_conditions\": {\"outlet\": \"OUTLET\"}, \"vessel_id\": 0, \"vessel_length\": 1.0, \"vessel_name\": \"vessel\","
                     " \"zero_d_element_type\": \"BloodVessel\", \"zero_d_element_values\": {\"R_poiseuille\": 100.0}}],"
                     "\"valves\": [{\"type\": \"PiecewiseValve\", \"name\": \"valve0\", \"params\": {\"Rmax\": 1e5, \"Rmin\": 1.0, \"upstream_block\": \"INLET\", \"downstream_block\": \"ventricle\"}},"
                     "{\"type\": \"PiecewiseValve\", \"name\": \"valve1\", \"params\": {\"Rmax\": 1e5, \"Rmin\": 1.0, \"upstream_block\": \"ventricle\", \"downstream_block\": \"vessel\"}}],"
                     "\"chambers\": [{\"type\": \"ChamberSphere\", \"name\": \"ventricle\", \"values\": {\"rho\": 1e-3, \"thick0\": 0.1, \"radius0\": 1.0, \"W1\": 1000.0, \"W2\": 1000.0,"
                     " \"eta\": 0.0, \"sigma_max\": 1000.0, \"alpha_max\": 5.0, \"alpha_min\": 5.0, \"tsys\": 0.2, \"tdias\": 0.5, \"steepness\": 0.01}}],"
                     "\"initial_condition_d\": {\"tau:ventricle\": 5000.0}}";
  const PetscReal  P = 400.0, Q = P / 202.0, Pch = P - 1.0 * Q, sigma = 1000.0, alpha = 5.0;
  HtZeroD          zd;
  PetscInt         nt;
  const PetscReal *t, *tau, *r, *q, *pc;
  PetscReal        wtau = 0.0, lo = 1.0, hi = 2.0, Rx, tauend;

  PetscFunctionBeginUser;
  PetscCall(Run(json, "chamber_sphere", &zd));
  PetscCall(HtZeroD_GetVariable(zd, "tau:ventricle", &nt, &t, &tau));
  for (PetscInt i = 0; i < nt; i++) wtau = PetscMax(wtau, PetscAbsReal(tau[i] - sigma * (1.0 - exp(-alpha * t[i]))) / sigma);
  PetscCall(HtZeroD_GetVariable(zd, "radius:ventricle", &nt, &t, &r));
  PetscCall(HtZeroD_GetVariable(zd, "flow:vessel:OUTLET", &nt, &t, &q));
  PetscCall(HtZeroD_GetVariable(zd, "pressure:valve0:ventricle", &nt, &t, &pc));
  tauend = sigma * (1.0 - exp(-alpha * t[nt - 1]));
  for (PetscInt k = 0; k < 200; k++) {
    Rx = 0.5 * (lo + hi);
    if (SphereLaw(Rx, Pch, 0.1, tauend, 1000.0, 1000.0) > 0.0) lo = Rx;
    else hi = Rx;
  }
  printf("ChamberSphere: tau vs sigma_max (1 - exp(-alpha t)): max error %.3e sigma_max over %d rows\n", (double)wtau, (int)nt);
  printf("ChamberSphere: final radius r0 + r = %.9f, Laplace law root %.9f; Q = %.9f (exact %.9f); P_chamber = %.6f (exact %.6f)\n", (double)(1.0 + r[nt - 1]), (double)Rx, (double)q[nt - 1], (double)Q, (double)pc[nt - 1], (double)Pch);
  HT_CHECK(wtau < 1e-4, "tau error %g", (double)wtau);
  HT_CHECK(PetscAbsReal(1.0 + r[nt - 1] - Rx) < 1e-6 * Rx, "radius %g vs %g", (double)(1.0 + r[nt - 1]), (double)Rx);
  HT_CHECK(PetscAbsReal(q[nt - 1] - Q) < 1e-6 * Q, "flow %g vs %g", (double)q[nt - 1], (double)Q);
  HT_CHECK(PetscAbsReal(pc[nt - 1] - Pch) < 1e-6 * Pch, "chamber pressure %g vs %g", (double)pc[nt - 1], (double)Pch);
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

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

static PetscErrorCode RunCSV(cJSON *root, const char *name, const char *csv, HtZeroD *keep)
{
  HtZeroD zd;

  PetscFunctionBeginUser;
  PetscCall(HtZeroD_Create(PETSC_COMM_WORLD, &zd));
  PetscCall(HtZeroD_LoadJSON(zd, root, name));
  PetscCall(HtZeroD_SetUp(zd));
  PetscCall(HtZeroD_Solve(zd));
  if (csv) PetscCall(HtZeroD_WriteCSV(zd, csv));
  if (keep) *keep = zd;
  else PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

static PetscErrorCode ExponentialChamber(const char *model)
{
  cJSON    *a, *b, *ch, *v;
  ZdTable   ta, tb;
  PetscInt  nbad, ncmp;
  PetscReal worst;

  PetscFunctionBeginUser;
  PetscCall(ReadJSON(model, &a));
  PetscCall(ReadJSON(model, &b));
  v = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "chambers"), 0), "values");
  cJSON_ReplaceItemInObject(v, "Vrd", cJSON_CreateNumber(18.0));
  cJSON_ReplaceItemInObject(v, "Vrs", cJSON_CreateNumber(18.0));
  ch = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "chambers"), 0);
  cJSON_ReplaceItemInObject(ch, "type", cJSON_CreateString("ChamberElastanceInductorExponential"));
  v = cJSON_CreateObject();
  cJSON_AddNumberToObject(v, "Emax", 1.057);
  cJSON_AddNumberToObject(v, "Impedance", 0.000351787);
  cJSON_AddNumberToObject(v, "Kxv", 1e-9);
  cJSON_AddNumberToObject(v, "Kxp", 0.091 / 1e-9);
  cJSON_AddNumberToObject(v, "Vaso", 18.0);
  cJSON_ReplaceItemInObject(ch, "values", v);
  PetscCall(RunCSV(a, "cei_linear", "zerod_blocks_cei.csv", NULL));
  PetscCall(RunCSV(b, "cei_exponential", "zerod_blocks_ceie.csv", NULL));
  cJSON_Delete(a);
  cJSON_Delete(b);
  HT_CHECK(!ZdTable_ReadCSV("zerod_blocks_cei.csv", &ta), "cannot read zerod_blocks_cei.csv");
  HT_CHECK(!ZdTable_ReadCSV("zerod_blocks_ceie.csv", &tb), "cannot read zerod_blocks_ceie.csv");
  worst = ZdTable_Compare(&tb, &ta, 1e-5, &nbad, &ncmp, "ChamberElastanceInductorExponential");
  printf("ChamberElastanceInductorExponential (Kxv = 1e-9) vs ChamberElastanceInductor (Vrd = Vrs): %d values, max rel difference %.3e\n", (int)ncmp, (double)worst);
  HT_CHECK(nbad == 0 && ncmp > 0, "%d of %d values differ", (int)nbad, (int)ncmp);
  ZdTable_Free(&ta);
  ZdTable_Free(&tb);
  PetscFunctionReturn(0);
}

/* CORONARY_VAR_RES: with Ra2_min = Ra2_max = Ra2 the circuit is CORONARY's (same transient equations; both
 * started from the same initial state, steady_initial off): 1e-10. With Ra2_min < Ra2_max and the steady start,
 * the first state obeys the documented steady form P = (Ra + Ra2_min + Rv) Q + P_v with Q the mean inflow. */
static PetscErrorCode CoronaryVarRes(const char *model)
{
  cJSON    *a, *b, *bc, *v, *it;
  ZdTable   ta, tb;
  PetscInt  nbad, ncmp, nt;
  PetscReal worst, qmean = 0.0, pexact;
  HtZeroD   zd;
  const PetscReal *P, *Q;

  PetscFunctionBeginUser;
  PetscCall(ReadJSON(model, &a));
  cJSON_AddItemToObject(cJSON_GetObjectItem(a, "simulation_parameters"), "steady_initial", cJSON_CreateFalse());
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(a, "simulation_parameters"), "number_of_cardiac_cycles", cJSON_CreateNumber(5));
  b  = cJSON_Duplicate(a, 1);
  bc = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "boundary_conditions"), 1);
  cJSON_ReplaceItemInObject(bc, "bc_type", cJSON_CreateString("CORONARY_VAR_RES"));
  v = cJSON_GetObjectItem(bc, "bc_values");
  cJSON_AddNumberToObject(v, "Ra2_min", cJSON_GetObjectItem(v, "Ra2")->valuedouble);
  cJSON_AddNumberToObject(v, "Ra2_max", cJSON_GetObjectItem(v, "Ra2")->valuedouble);
  cJSON_DeleteItemFromObject(v, "Ra2");
  cJSON_AddNumberToObject(v, "T_vc", 0.2);
  cJSON_AddNumberToObject(v, "T_vr", 0.3);
  PetscCall(RunCSV(a, "coronary", "zerod_blocks_cor.csv", NULL));
  PetscCall(RunCSV(b, "coronary_var_res", "zerod_blocks_corvr.csv", NULL));
  HT_CHECK(!ZdTable_ReadCSV("zerod_blocks_cor.csv", &ta), "cannot read zerod_blocks_cor.csv");
  HT_CHECK(!ZdTable_ReadCSV("zerod_blocks_corvr.csv", &tb), "cannot read zerod_blocks_corvr.csv");
  worst = ZdTable_Compare(&tb, &ta, 1e-10, &nbad, &ncmp, "CORONARY_VAR_RES");
  printf("CORONARY_VAR_RES (Ra2_min = Ra2_max) vs CORONARY: %d values, max rel difference %.3e\n", (int)ncmp, (double)worst);
  HT_CHECK(nbad == 0 && ncmp > 0, "%d of %d values differ", (int)nbad, (int)ncmp);
  ZdTable_Free(&ta);
  ZdTable_Free(&tb);
  /* steady start with a varying resistance */
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(b, "simulation_parameters"), "steady_initial", cJSON_CreateTrue());
  cJSON_ReplaceItemInObject(v, "Ra2_max", cJSON_CreateNumber(400.0));
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "boundary_conditions"), 0), "bc_values"), "Q")) qmean += it->valuedouble;
  qmean /= (PetscReal)cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "boundary_conditions"), 0), "bc_values"), "Q"));
  pexact = (cJSON_GetObjectItem(v, "Ra1")->valuedouble + cJSON_GetObjectItem(v, "Ra2_min")->valuedouble + cJSON_GetObjectItem(v, "Rv1")->valuedouble) * qmean + cJSON_GetObjectItem(v, "P_v")->valuedouble;
  PetscCall(RunCSV(b, "coronary_var_res_steady", NULL, &zd));
  PetscCall(HtZeroD_GetVariable(zd, "pressure:branch0_seg0:OUT", &nt, NULL, &P));
  PetscCall(HtZeroD_GetVariable(zd, "flow:branch0_seg0:OUT", &nt, NULL, &Q));
  printf("CORONARY_VAR_RES steady start: P(0) = %.9g (exact (Ra + Ra2_min + Rv) Qmean + P_v = %.9g), Q(0) = %.9g (mean inflow %.9g); %d rows finite\n", (double)P[0], (double)pexact, (double)Q[0], (double)qmean, (int)nt);
  HT_CHECK(PetscAbsReal(P[0] - pexact) < 1e-9 * (1.0 + pexact) && PetscAbsReal(Q[0] - qmean) < 1e-9 * (1.0 + qmean), "steady start differs");
  PetscCall(HtZeroD_Destroy(&zd));
  cJSON_Delete(a);
  cJSON_Delete(b);
  PetscFunctionReturn(0);
}

/* Run the chamber case with another activation function, return the engine to query the activation. */
static PetscErrorCode WithActivation(const char *model, cJSON *af, HtZeroD *zd, HtZDBlock **ch)
{
  cJSON *root, *c;

  PetscFunctionBeginUser;
  PetscCall(ReadJSON(model, &root));
  c = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "chambers"), 0);
  cJSON_ReplaceItemInObject(c, "activation_function", af);
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(root, "simulation_parameters"), "number_of_cardiac_cycles", cJSON_CreateNumber(3));
  PetscCall(RunCSV(root, "activation", NULL, zd));
  cJSON_Delete(root);
  *ch = NULL;
  for (PetscInt i = 0; i < (*zd)->nblocks; i++)
    if (!strcmp((*zd)->blocks[i].name, "ventricle")) *ch = &(*zd)->blocks[i];
  HT_CHECK(*ch, "no chamber block");
  PetscFunctionReturn(0);
}

static PetscErrorCode Activations(const char *model)
{
  HtZeroD    zd;
  HtZDBlock *ch;
  cJSON     *af;
  PetscReal  mx = 0.0, mn = 1e300, nmax = 0.0, werr = 0.0;
  const PetscReal ts = 0.2, t1 = 0.15, t2 = 0.35, m1 = 1.9, m2 = 21.9, T = 1.0;

  PetscFunctionBeginUser;
  /* two_hill: a = g1/(1+g1)/(1+g2) / max; the maximum found here on a 1e-6 grid */
  af = cJSON_CreateObject();
  cJSON_AddStringToObject(af, "type", "two_hill");
  cJSON_AddNumberToObject(af, "t_shift", ts);
  cJSON_AddNumberToObject(af, "tau_1", t1);
  cJSON_AddNumberToObject(af, "tau_2", t2);
  cJSON_AddNumberToObject(af, "m1", m1);
  cJSON_AddNumberToObject(af, "m2", m2);
  PetscCall(WithActivation(model, af, &zd, &ch));
  for (PetscInt k = 0; k < 1000000; k++) {
    PetscReal s = k * 1e-6, g1 = pow(s / t1, m1), g2 = pow(s / t2, m2);
    nmax = PetscMax(nmax, g1 / (1.0 + g1) / (1.0 + g2));
  }
  for (PetscInt k = 0; k < 1000; k++) {
    PetscReal t = 2.0 + k * 1e-3, s = fmod(t - 2.0 - ts + 1.0, 1.0), g1 = pow(s / t1, m1), g2 = pow(s / t2, m2);
    PetscReal a = HtZD_Activation(ch, t, T);
    werr = PetscMax(werr, PetscAbsReal(a - g1 / (1.0 + g1) / (1.0 + g2) / nmax));
    mx = PetscMax(mx, a);
  }
  printf("two_hill: max |a - closed form| %.3e, max a over the cycle %.9f\n", (double)werr, (double)mx);
  HT_CHECK(werr < 1e-6 && PetscAbsReal(mx - 1.0) < 1e-4, "two_hill activation off (%g, max %g)", (double)werr, (double)mx);
  PetscCall(HtZeroD_Destroy(&zd));

  /* wrapping_cosine, T = 1, Tsa = 0.2, tpwave = 10: pulse of length 0.2 ending at 0.1, centred on t = 0 */
  af = cJSON_CreateObject();
  cJSON_AddStringToObject(af, "type", "wrapping_cosine");
  cJSON_AddNumberToObject(af, "Tsa", 0.2);
  cJSON_AddNumberToObject(af, "tpwave", 10.0);
  PetscCall(WithActivation(model, af, &zd, &ch));
  {
    const PetscReal tt[6] = {0.0, 0.05, 0.1, 0.5, 0.95, 0.9}, ax[6] = {1.0, 0.5, 0.0, 0.0, 0.5, 0.0};
    werr = 0.0;
    for (PetscInt k = 0; k < 6; k++) werr = PetscMax(werr, PetscAbsReal(HtZD_Activation(ch, 3.0 + tt[k], T) - ax[k]));
  }
  printf("wrapping_cosine: max error at t = 0, .05, .1, .5, .95, .9 (a = 1, .5, 0, 0, .5, 0): %.3e\n", (double)werr);
  HT_CHECK(werr < 1e-9, "wrapping_cosine activation off by %g", (double)werr);
  PetscCall(HtZeroD_Destroy(&zd));

  /* fourier: normalised to [0, 1], periodic */
  af = cJSON_CreateObject();
  cJSON_AddStringToObject(af, "type", "fourier");
  PetscCall(WithActivation(model, af, &zd, &ch));
  mx = -1e300;
  werr = 0.0;
  for (PetscInt k = 0; k < 100000; k++) {
    PetscReal a = HtZD_Activation(ch, k * 1e-5, T);
    mx = PetscMax(mx, a);
    mn = PetscMin(mn, a);
    werr = PetscMax(werr, PetscAbsReal(a - HtZD_Activation(ch, 1.0 + k * 1e-5, T)));
  }
  printf("fourier: range [%.6f, %.6f], periodicity error %.3e\n", (double)mn, (double)mx, (double)werr);
  HT_CHECK(PetscAbsReal(mn) < 1e-4 && PetscAbsReal(mx - 1.0) < 1e-4 && werr < 1e-9, "fourier activation range [%g, %g]", (double)mn, (double)mx);
  PetscCall(HtZeroD_Destroy(&zd));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  char model[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PiecewiseValve());
  PetscCall(ChamberSphere());
  if (!HtTest_RequireData("zerod/cases/chamber_elastance_inductor.json", model, sizeof(model))) PetscFunctionReturn(0);
  PetscCall(ExponentialChamber(model));
  PetscCall(Activations(model));
  if (!HtTest_RequireData("zerod/cases/pulsatileFlow_R_coronary.json", model, sizeof(model))) PetscFunctionReturn(0);
  PetscCall(CoronaryVarRes(model));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
