/* Surgical modification operators on svZeroDSolver JSON models (vessels, junctions and boundary
 * conditions edited by name). Vessel parameters follow svZeroDSolver's BloodVessel: R_poiseuille, C, L,
 * stenosis_coefficient (dP = R Q + K |Q| Q). */
#include <htplan.h>
#include <math.h>
#include <string.h>

#define HT_MMHG_DYN 1333.22387415 /* dyn/cm^2 per mmHg */

PetscErrorCode HtZModel_GetUnits(const cJSON *model, const char *pressure_unit, HtZUnits *u)
{
  const cJSON *sp, *x;

  PetscFunctionBeginUser;
  u->density_g_cm3 = 1.06;
  u->viscosity_P   = 0.04;
  sp               = cJSON_GetObjectItemCaseSensitive(model, "simulation_parameters");
  if ((x = cJSON_GetObjectItemCaseSensitive(sp, "density")) && cJSON_IsNumber(x)) u->density_g_cm3 = x->valuedouble;
  if ((x = cJSON_GetObjectItemCaseSensitive(sp, "viscosity")) && cJSON_IsNumber(x)) u->viscosity_P = x->valuedouble;
  if (!pressure_unit || !strcmp(pressure_unit, "dyn_cm2")) u->pressure_to_mmHg = 1.0 / HT_MMHG_DYN;
  else if (!strcmp(pressure_unit, "mmHg")) u->pressure_to_mmHg = 1.0;
  else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model pressure unit '%s' is not dyn_cm2 or mmHg", pressure_unit);
  PetscFunctionReturn(0);
}

static cJSON *FindByName(const cJSON *model, const char *list, const char *key, const char *name)
{
  cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(model, list))
  {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, key);
    if (cJSON_IsString(n) && !strcmp(n->valuestring, name)) return it;
  }
  return NULL;
}

static PetscErrorCode GetVessel(const cJSON *model, const char *name, cJSON **v, cJSON **vals)
{
  PetscFunctionBeginUser;
  PetscCheck(name && name[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model: operation without a vessel name");
  *v = FindByName(model, "vessels", "vessel_name", name);
  PetscCheck(*v, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model: no vessel named '%s'", name);
  *vals = cJSON_GetObjectItemCaseSensitive(*v, "zero_d_element_values");
  PetscCheck(cJSON_IsObject(*vals), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "model: vessel '%s' has no zero_d_element_values", name);
  PetscFunctionReturn(0);
}

static PetscReal Num(const cJSON *o, const char *k, PetscReal dflt)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(x) ? x->valuedouble : dflt;
}

static void SetNum(cJSON *o, const char *k, PetscReal v)
{
  cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
  if (cJSON_IsNumber(x)) cJSON_SetNumberValue(x, v);
  else {
    if (x) cJSON_DeleteItemFromObjectCaseSensitive(o, k);
    cJSON_AddNumberToObject(o, k, v);
  }
}

static PetscErrorCode VesselId(const cJSON *v, const char *name, PetscInt *id)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, "vessel_id");

  PetscFunctionBeginUser;
  PetscCheck(cJSON_IsNumber(x), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "model: vessel '%s' has no vessel_id", name);
  *id = (PetscInt)x->valuedouble;
  PetscFunctionReturn(0);
}

static PetscBool ListHas(const cJSON *arr, PetscInt id)
{
  const cJSON *it;
  cJSON_ArrayForEach(it, arr) if (cJSON_IsNumber(it) && (PetscInt)it->valuedouble == id) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* the junction whose inlet_vessels (side "inlet_vessels") / outlet_vessels hold id */
static cJSON *JunctionWith(const cJSON *model, const char *side, PetscInt id)
{
  cJSON *j;
  cJSON_ArrayForEach(j, cJSON_GetObjectItemCaseSensitive(model, "junctions")) if (ListHas(cJSON_GetObjectItemCaseSensitive(j, side), id)) return j;
  return NULL;
}

PetscErrorCode HtZModel_VesselRadius(const cJSON *model, const HtZUnits *u, const char *vessel, PetscReal *radius_cm)
{
  cJSON    *v, *vals;
  PetscReal R, l;

  PetscFunctionBeginUser;
  PetscCall(GetVessel(model, vessel, &v, &vals));
  R = Num(vals, "R_poiseuille", 0) / u->pressure_to_mmHg / HT_MMHG_DYN; /* -> dyn s/cm^5 */
  l = Num(v, "vessel_length", 0);
  PetscCheck(R > 0 && l > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model: vessel '%s' needs R_poiseuille > 0 and vessel_length > 0 to estimate its radius", vessel);
  *radius_cm = PetscPowReal(8.0 * u->viscosity_P * l / (PETSC_PI * R), 0.25);
  PetscFunctionReturn(0);
}

/* tube of radius r, length l (cm): R, L, C in model units (Olufsen 1999 wall stiffness, as plan_model.c) */
static void Tube(const HtZUnits *u, PetscReal r, PetscReal l, PetscReal *R, PetscReal *L, PetscReal *C)
{
  const PetscReal pu = u->pressure_to_mmHg * HT_MMHG_DYN; /* dyn/cm^2 -> model pressure */
  const PetscReal Eh_r = 2.0e7 * PetscExpReal(-22.53 * r) + 8.65e5; /* dyn/cm^2 */
  *R = 8.0 * u->viscosity_P * l / (PETSC_PI * PetscPowReal(r, 4)) * pu;
  *L = u->density_g_cm3 * l / (PETSC_PI * r * r) * pu;
  *C = 3.0 * PETSC_PI * r * r * l / (2.0 * Eh_r) / pu;
}

static void ScaleRadius(cJSON *vals, PetscReal f)
{
  SetNum(vals, "R_poiseuille", Num(vals, "R_poiseuille", 0) / PetscPowReal(f, 4));
  if (cJSON_GetObjectItemCaseSensitive(vals, "L")) SetNum(vals, "L", Num(vals, "L", 0) / (f * f));
  if (cJSON_GetObjectItemCaseSensitive(vals, "C")) SetNum(vals, "C", Num(vals, "C", 0) * f * f * f);
}

PetscErrorCode HtZModel_Stent(cJSON *model, const char *vessel, PetscReal success, PetscReal radius_factor)
{
  cJSON *v, *vals;

  PetscFunctionBeginUser;
  PetscCall(GetVessel(model, vessel, &v, &vals));
  PetscCheck(success >= 0 && success <= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "stent on '%s': success fraction %g outside [0,1]", vessel, (double)success);
  PetscCheck(radius_factor >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "stent on '%s': radius factor %g < 1 (a stent does not narrow)", vessel, (double)radius_factor);
  if (cJSON_GetObjectItemCaseSensitive(vals, "stenosis_coefficient")) SetNum(vals, "stenosis_coefficient", Num(vals, "stenosis_coefficient", 0) * (1.0 - success));
  ScaleRadius(vals, 1.0 + success * (radius_factor - 1.0));
  PetscFunctionReturn(0);
}

PetscErrorCode HtZModel_Resection(cJSON *model, const char *vessel, const char *reference_vessel, PetscReal removed_length_cm)
{
  cJSON    *v, *vals, *rv, *rvals;
  PetscReal l, lr, lnew;

  PetscFunctionBeginUser;
  PetscCall(GetVessel(model, vessel, &v, &vals));
  PetscCall(GetVessel(model, reference_vessel, &rv, &rvals));
  l    = Num(v, "vessel_length", 0);
  lr   = Num(rv, "vessel_length", 0);
  lnew = l - removed_length_cm;
  PetscCheck(l > 0 && lr > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "resection of '%s': vessel_length missing on it or on reference '%s'", vessel, reference_vessel);
  PetscCheck(removed_length_cm >= 0 && lnew > 0.05 * l, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "resection of '%s': removed length %g cm leaves no vessel (length %g cm)", vessel, (double)removed_length_cm, (double)l);
  SetNum(vals, "R_poiseuille", Num(rvals, "R_poiseuille", 0) * lnew / lr);
  SetNum(vals, "L", Num(rvals, "L", 0) * lnew / lr);
  SetNum(vals, "C", Num(rvals, "C", 0) * lnew / lr);
  SetNum(vals, "stenosis_coefficient", 0.0);
  SetNum(v, "vessel_length", lnew);
  PetscFunctionReturn(0);
}

PetscErrorCode HtZModel_Band(cJSON *model, const HtZUnits *u, const char *vessel, PetscReal radius_factor)
{
  cJSON    *v, *vals;
  PetscReal r, A0, K;

  PetscFunctionBeginUser;
  PetscCall(GetVessel(model, vessel, &v, &vals));
  PetscCheck(radius_factor > 0 && radius_factor <= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "band on '%s': radius factor %g outside (0,1]", vessel, (double)radius_factor);
  PetscCall(HtZModel_VesselRadius(model, u, vessel, &r));
  A0 = PETSC_PI * r * r;
  K  = 1.52 * u->density_g_cm3 / (2.0 * A0 * A0) * PetscSqr(1.0 / (radius_factor * radius_factor) - 1.0) * u->pressure_to_mmHg * HT_MMHG_DYN;
  ScaleRadius(vals, radius_factor);
  SetNum(vals, "stenosis_coefficient", Num(vals, "stenosis_coefficient", 0) + K);
  PetscFunctionReturn(0);
}

static PetscErrorCode NewVessel(cJSON *model, const HtZUnits *u, const char *name, PetscReal radius_cm, PetscReal length_cm, PetscInt *id)
{
  cJSON    *vessels = cJSON_GetObjectItemCaseSensitive(model, "vessels"), *it, *v, *vals;
  PetscReal R, L, C;
  PetscInt  maxid = -1;

  PetscFunctionBeginUser;
  PetscCheck(radius_cm > 0 && length_cm > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "graft '%s': radius %g cm and length %g cm must be > 0", name, (double)radius_cm, (double)length_cm);
  PetscCheck(!FindByName(model, "vessels", "vessel_name", name), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "graft '%s': a vessel of that name exists", name);
  cJSON_ArrayForEach(it, vessels) maxid = PetscMax(maxid, (PetscInt)Num(it, "vessel_id", -1));
  *id = maxid + 1;
  Tube(u, radius_cm, length_cm, &R, &L, &C);
  v = cJSON_CreateObject();
  cJSON_AddNumberToObject(v, "vessel_id", (double)*id);
  cJSON_AddNumberToObject(v, "vessel_length", length_cm);
  cJSON_AddStringToObject(v, "vessel_name", name);
  cJSON_AddStringToObject(v, "zero_d_element_type", "BloodVessel");
  vals = cJSON_AddObjectToObject(v, "zero_d_element_values");
  cJSON_AddNumberToObject(vals, "R_poiseuille", R);
  cJSON_AddNumberToObject(vals, "C", C);
  cJSON_AddNumberToObject(vals, "L", L);
  cJSON_AddNumberToObject(vals, "stenosis_coefficient", 0.0);
  cJSON_AddItemToArray(vessels, v);
  PetscFunctionReturn(0);
}

/* add id to the outlets of the junction after vessel 'from' */
static PetscErrorCode AttachOutlet(cJSON *model, const char *graft, const char *from, PetscInt id)
{
  cJSON   *v, *vals, *j, *jv, *a;
  PetscInt fid = -1;

  PetscFunctionBeginUser;
  PetscCall(GetVessel(model, from, &v, &vals));
  PetscCall(VesselId(v, from, &fid));
  j = JunctionWith(model, "inlet_vessels", fid);
  PetscCheck(j, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "graft '%s': vessel '%s' ends in a boundary condition, not a junction; start the graft at an upstream vessel", graft, from);
  cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(j, "outlet_vessels"), cJSON_CreateNumber((double)id));
  if ((jv = cJSON_GetObjectItemCaseSensitive(j, "junction_values"))) { /* per-outlet arrays get a lossless entry */
    cJSON_ArrayForEach(a, jv) if (cJSON_IsArray(a)) cJSON_AddItemToArray(a, cJSON_CreateNumber(0.0));
  }
  PetscFunctionReturn(0);
}

/* add id to the inlets of the junction after vessel 'to' */
static PetscErrorCode AttachInlet(cJSON *model, const char *graft, const char *to, PetscInt id)
{
  cJSON   *v, *vals, *j, *jt;
  PetscInt tid = -1;

  PetscFunctionBeginUser;
  PetscCall(GetVessel(model, to, &v, &vals));
  PetscCall(VesselId(v, to, &tid));
  j = JunctionWith(model, "inlet_vessels", tid);
  PetscCheck(j, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "graft '%s': vessel '%s' ends in a boundary condition, not a junction; end the graft at an upstream vessel", graft, to);
  cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(j, "inlet_vessels"), cJSON_CreateNumber((double)id));
  jt = cJSON_GetObjectItemCaseSensitive(j, "junction_type");
  if (cJSON_IsString(jt) && strcmp(jt->valuestring, "NORMAL_JUNCTION")) {
    /* only lossless BloodVesselJunction/resistive junctions can become a NORMAL_JUNCTION with 2 inlets */
    const cJSON *jv = cJSON_GetObjectItemCaseSensitive(j, "junction_values"), *a, *x;
    cJSON_ArrayForEach(a, jv) cJSON_ArrayForEach(x, a) PetscCheck(!cJSON_IsNumber(x) || x->valuedouble == 0.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "graft '%s': junction after '%s' has losses and cannot take a second inlet", graft, to);
    cJSON_SetValuestring(jt, "NORMAL_JUNCTION");
    cJSON_DeleteItemFromObjectCaseSensitive(j, "junction_values");
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtZModel_Bypass(cJSON *model, const HtZUnits *u, const char *name, const char *from_vessel, const char *to_vessel, PetscReal radius_cm, PetscReal length_cm)
{
  PetscInt id;

  PetscFunctionBeginUser;
  PetscCheck(strcmp(from_vessel, to_vessel), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "graft '%s': from and to are the same vessel '%s'", name, from_vessel);
  PetscCall(NewVessel(model, u, name, radius_cm, length_cm, &id));
  PetscCall(AttachOutlet(model, name, from_vessel, id));
  PetscCall(AttachInlet(model, name, to_vessel, id));
  PetscFunctionReturn(0);
}

PetscErrorCode HtZModel_Shunt(cJSON *model, const HtZUnits *u, const char *name, const char *from_vessel, const char *to_vessel, PetscReal diameter_mm, PetscReal length_cm, PetscReal R_sink, PetscReal P_sink_mmHg)
{
  PetscInt id;

  PetscFunctionBeginUser;
  PetscCall(NewVessel(model, u, name, 0.05 * diameter_mm, length_cm, &id));
  PetscCall(AttachOutlet(model, name, from_vessel, id));
  if (to_vessel && to_vessel[0]) PetscCall(AttachInlet(model, name, to_vessel, id));
  else {
    char   bcname[96];
    cJSON *bc, *bv, *v;
    PetscCheck(R_sink > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "shunt '%s': no to_vessel and sink resistance %g <= 0", name, (double)R_sink);
    PetscCall(PetscSNPrintf(bcname, sizeof bcname, "%s_sink", name));
    bc = cJSON_CreateObject();
    cJSON_AddStringToObject(bc, "bc_name", bcname);
    cJSON_AddStringToObject(bc, "bc_type", "RESISTANCE");
    bv = cJSON_AddObjectToObject(bc, "bc_values");
    cJSON_AddNumberToObject(bv, "R", R_sink);
    cJSON_AddNumberToObject(bv, "Pd", P_sink_mmHg / u->pressure_to_mmHg);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(model, "boundary_conditions"), bc);
    v = FindByName(model, "vessels", "vessel_name", name);
    cJSON_AddItemToObject(v, "boundary_conditions", bv = cJSON_CreateObject());
    cJSON_AddStringToObject(bv, "outlet", bcname);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtZModel_Valve(cJSON *model, const char *block, const char *valve, PetscReal resistance_factor)
{
  static const char *names[4] = {"aortic", "mitral", "pulmonary", "tricuspid"}, *params[4] = {"Rlv_ao", "Rla_v", "Rrv_a", "Rra_v"};
  cJSON *b;

  PetscFunctionBeginUser;
  PetscCheck(resistance_factor > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "valve change on '%s': resistance factor %g <= 0", block, (double)resistance_factor);
  if ((b = FindByName(model, "valves", "name", block))) {
    cJSON *p = cJSON_GetObjectItemCaseSensitive(b, "params");
    PetscCheck(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, "Rmin")), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "model: valve '%s' has no params.Rmin", block);
    SetNum(p, "Rmin", Num(p, "Rmin", 0) * resistance_factor);
    PetscFunctionReturn(0);
  }
  cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(model, "closed_loop_blocks"))
  {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "closed_loop_type");
    if (cJSON_IsString(t) && !strcmp(t->valuestring, "ClosedLoopHeartAndPulmonary") && (!strcmp(block, "CLH") || !strcmp(block, t->valuestring))) {
      cJSON *p = cJSON_GetObjectItemCaseSensitive(b, "parameters");
      for (int k = 0; k < 4; k++)
        if (valve && !strcmp(valve, names[k])) {
          PetscCheck(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, params[k])), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "model: heart block has no parameter %s", params[k]);
          SetNum(p, params[k], Num(p, params[k], 0) * resistance_factor);
          PetscFunctionReturn(0);
        }
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "valve change on the heart: valve '%s' is not aortic, mitral, pulmonary or tricuspid", valve ? valve : "(none)");
    }
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "valve change: model has no valve block '%s' (a ValveTanh name or CLH)", block);
}

/* remove the numeric entry id from arr; returns its index or -1 */
static PetscInt ListRemove(cJSON *arr, PetscInt id)
{
  PetscInt i = 0;
  cJSON   *it;
  cJSON_ArrayForEach(it, arr)
  {
    if (cJSON_IsNumber(it) && (PetscInt)it->valuedouble == id) {
      cJSON_DeleteItemFromArray(arr, (int)i);
      return i;
    }
    i++;
  }
  return -1;
}

static PetscBool VesselHasInflow(const cJSON *model, const cJSON *v)
{
  const cJSON *bc = cJSON_GetObjectItemCaseSensitive(v, "boundary_conditions"), *b;
  PetscInt     id = (PetscInt)Num(v, "vessel_id", -1);
  if (cJSON_GetObjectItemCaseSensitive(bc, "inlet")) return PETSC_TRUE;
  if (JunctionWith(model, "outlet_vessels", id)) return PETSC_TRUE;
  cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(model, "closed_loop_blocks"))
  {
    const cJSON *ob = cJSON_GetObjectItemCaseSensitive(b, "outlet_blocks"), *x;
    cJSON_ArrayForEach(x, ob) if (cJSON_IsString(x) && !strcmp(x->valuestring, cJSON_GetObjectItemCaseSensitive(v, "vessel_name")->valuestring)) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

PetscErrorCode HtZModel_Occlude(cJSON *model, const char *vessel)
{
  cJSON    *v, *vals, *vessels = cJSON_GetObjectItemCaseSensitive(model, "vessels"), *juncs = cJSON_GetObjectItemCaseSensitive(model, "junctions"), *it;
  PetscInt  id = -1;
  PetscBool changed = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(GetVessel(model, vessel, &v, &vals));
  PetscCall(VesselId(v, vessel, &id));
  /* detach from the upstream junction (its per-outlet loss arrays lose the entry too) */
  cJSON_ArrayForEach(it, juncs)
  {
    PetscInt k = ListRemove(cJSON_GetObjectItemCaseSensitive(it, "outlet_vessels"), id);
    if (k >= 0) {
      cJSON *a;
      cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(it, "junction_values")) if (cJSON_IsArray(a) && cJSON_GetArraySize(a) > k) cJSON_DeleteItemFromArray(a, (int)k);
      PetscCheck(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(it, "outlet_vessels")) > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "occlusion of '%s' leaves junction '%s' without an outlet", vessel, cJSON_GetObjectItemCaseSensitive(it, "junction_name")->valuestring);
    }
  }
  cJSON_ArrayForEach(it, juncs) ListRemove(cJSON_GetObjectItemCaseSensitive(it, "inlet_vessels"), id);
  /* the vessel leaves the model; then prune what has no inflow any more */
  cJSON_DetachItemViaPointer(vessels, v);
  cJSON_Delete(v);
  while (changed) {
    changed = PETSC_FALSE;
    cJSON_ArrayForEach(it, vessels) if (!VesselHasInflow(model, it))
    {
      PetscInt vid = (PetscInt)Num(it, "vessel_id", -1);
      cJSON   *j;
      cJSON_ArrayForEach(j, juncs) ListRemove(cJSON_GetObjectItemCaseSensitive(j, "inlet_vessels"), vid);
      cJSON_DetachItemViaPointer(vessels, it);
      cJSON_Delete(it);
      changed = PETSC_TRUE;
      break;
    }
    if (changed) continue;
    /* junctions that lost all inlets or an inlet list that does not match: remove empty ones */
    cJSON_ArrayForEach(it, juncs) if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(it, "inlet_vessels")) == 0)
    {
      /* its outlet vessels lose their inflow with it and go in the next pass */
      cJSON_DetachItemViaPointer(juncs, it);
      cJSON_Delete(it);
      changed = PETSC_TRUE;
      break;
    }
  }
  /* boundary conditions no vessel refers to any more */
  {
    cJSON *bcs = cJSON_GetObjectItemCaseSensitive(model, "boundary_conditions"), *b, *w;
    changed = PETSC_TRUE;
    while (changed) {
      changed = PETSC_FALSE;
      cJSON_ArrayForEach(b, bcs)
      {
        const char *bn   = cJSON_GetObjectItemCaseSensitive(b, "bc_name")->valuestring;
        PetscBool   used = PETSC_FALSE;
        cJSON_ArrayForEach(w, vessels)
        {
          const cJSON *vb = cJSON_GetObjectItemCaseSensitive(w, "boundary_conditions"), *x;
          cJSON_ArrayForEach(x, vb) if (cJSON_IsString(x) && !strcmp(x->valuestring, bn)) used = PETSC_TRUE;
        }
        if (!used) {
          cJSON_DetachItemViaPointer(bcs, b);
          cJSON_Delete(b);
          changed = PETSC_TRUE;
          break;
        }
      }
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtZModel_ExcludeAneurysm(cJSON *model, const HtZUnits *u, const char *vessel, PetscReal graft_radius_cm, PetscReal compliance_factor)
{
  cJSON    *v, *vals;
  PetscReal R, L, C, l;

  PetscFunctionBeginUser;
  PetscCall(GetVessel(model, vessel, &v, &vals));
  l = Num(v, "vessel_length", 0);
  PetscCheck(l > 0 && graft_radius_cm > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "aneurysm exclusion of '%s': needs vessel_length > 0 and graft radius > 0", vessel);
  PetscCheck(compliance_factor >= 0 && compliance_factor <= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "aneurysm exclusion of '%s': compliance factor %g outside [0,1]", vessel, (double)compliance_factor);
  Tube(u, graft_radius_cm, l, &R, &L, &C);
  SetNum(vals, "R_poiseuille", R);
  SetNum(vals, "L", L);
  SetNum(vals, "C", C * compliance_factor);
  SetNum(vals, "stenosis_coefficient", 0.0);
  PetscFunctionReturn(0);
}

/* ---- operators from plan JSON ------------------------------------------------------------------- */
static PetscErrorCode CheckKeys(const cJSON *o, const char *path, const char *const *allowed)
{
  const cJSON *it;

  PetscFunctionBeginUser;
  cJSON_ArrayForEach(it, o)
  {
    PetscBool ok = PETSC_FALSE;
    for (PetscInt k = 0; allowed[k]; k++)
      if (!strcmp(it->string, allowed[k])) ok = PETSC_TRUE;
    PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: unknown key %s.%s", path, it->string);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode Str(const cJSON *o, const char *path, const char *k, PetscBool required, const char **s)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  PetscFunctionBeginUser;
  *s = NULL;
  if (!x) {
    PetscCheck(!required, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.%s is required", path, k);
    PetscFunctionReturn(0);
  }
  PetscCheck(cJSON_IsString(x), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.%s must be a string", path, k);
  *s = x->valuestring;
  PetscFunctionReturn(0);
}

static PetscErrorCode Real(const cJSON *o, const char *path, const char *k, PetscBool required, PetscReal dflt, PetscReal *v)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  PetscFunctionBeginUser;
  *v = dflt;
  if (!x) {
    PetscCheck(!required, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.%s is required", path, k);
    PetscFunctionReturn(0);
  }
  PetscCheck(cJSON_IsNumber(x), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.%s must be a number", path, k);
  *v = x->valuedouble;
  PetscFunctionReturn(0);
}

PetscErrorCode HtZModel_ApplyOperation(cJSON *model, const HtZUnits *u, const cJSON *op, PetscReal success_scale, const char *path)
{
  const char *type, *vessel, *s2, *s3;
  PetscReal   a, b, c, d;

  PetscFunctionBeginUser;
  PetscCheck(cJSON_IsObject(op), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s must be an object", path);
  PetscCall(Str(op, path, "type", PETSC_TRUE, &type));
  if (!strcmp(type, "stent") || !strcmp(type, "angioplasty")) {
    static const char *const k[] = {"type", "vessel", "success_fraction", "radius_factor", "comment", NULL};
    PetscCall(CheckKeys(op, path, k));
    PetscCall(Str(op, path, "vessel", PETSC_TRUE, &vessel));
    PetscCall(Real(op, path, "success_fraction", PETSC_FALSE, 1.0, &a));
    PetscCall(Real(op, path, "radius_factor", PETSC_FALSE, 1.0, &b));
    PetscCall(HtZModel_Stent(model, vessel, PetscMin(1.0, PetscMax(0.0, a * success_scale)), b));
  } else if (!strcmp(type, "resection")) {
    static const char *const k[] = {"type", "vessel", "reference_vessel", "removed_length_cm", "comment", NULL};
    PetscCall(CheckKeys(op, path, k));
    PetscCall(Str(op, path, "vessel", PETSC_TRUE, &vessel));
    PetscCall(Str(op, path, "reference_vessel", PETSC_TRUE, &s2));
    PetscCall(Real(op, path, "removed_length_cm", PETSC_FALSE, 0.0, &a));
    PetscCall(HtZModel_Resection(model, vessel, s2, a));
  } else if (!strcmp(type, "band") || !strcmp(type, "recoarctation")) {
    static const char *const k[] = {"type", "vessel", "radius_factor", "comment", NULL};
    PetscCall(CheckKeys(op, path, k));
    PetscCall(Str(op, path, "vessel", PETSC_TRUE, &vessel));
    PetscCall(Real(op, path, "radius_factor", PETSC_TRUE, 1.0, &a));
    PetscCall(HtZModel_Band(model, u, vessel, a));
  } else if (!strcmp(type, "bypass")) {
    static const char *const k[] = {"type", "name", "from_vessel", "to_vessel", "radius_mm", "length_cm", "comment", NULL};
    PetscCall(CheckKeys(op, path, k));
    PetscCall(Str(op, path, "name", PETSC_TRUE, &vessel));
    PetscCall(Str(op, path, "from_vessel", PETSC_TRUE, &s2));
    PetscCall(Str(op, path, "to_vessel", PETSC_TRUE, &s3));
    PetscCall(Real(op, path, "radius_mm", PETSC_TRUE, 0, &a));
    PetscCall(Real(op, path, "length_cm", PETSC_TRUE, 0, &b));
    PetscCall(HtZModel_Bypass(model, u, vessel, s2, s3, 0.1 * a, b));
  } else if (!strcmp(type, "shunt")) {
    static const char *const k[] = {"type", "name", "from_vessel", "to_vessel", "diameter_mm", "length_cm", "sink_resistance_mmHg_s_mL", "sink_pressure_mmHg", "comment", NULL};
    PetscCall(CheckKeys(op, path, k));
    PetscCall(Str(op, path, "name", PETSC_TRUE, &vessel));
    PetscCall(Str(op, path, "from_vessel", PETSC_TRUE, &s2));
    PetscCall(Str(op, path, "to_vessel", PETSC_FALSE, &s3));
    PetscCall(Real(op, path, "diameter_mm", PETSC_TRUE, 0, &a));
    PetscCall(Real(op, path, "length_cm", PETSC_TRUE, 0, &b));
    PetscCall(Real(op, path, "sink_resistance_mmHg_s_mL", !s3, 0, &c));
    c /= u->pressure_to_mmHg; /* -> model units */
    PetscCall(Real(op, path, "sink_pressure_mmHg", PETSC_FALSE, 0, &d));
    PetscCall(HtZModel_Shunt(model, u, vessel, s2, s3, a, b, c, d));
  } else if (!strcmp(type, "valve")) {
    static const char *const k[] = {"type", "block", "valve", "resistance_factor", "orifice_area_factor", "comment", NULL};
    PetscCall(CheckKeys(op, path, k));
    PetscCall(Str(op, path, "block", PETSC_TRUE, &vessel));
    PetscCall(Str(op, path, "valve", PETSC_FALSE, &s2));
    PetscCall(Real(op, path, "resistance_factor", PETSC_FALSE, -1, &a));
    PetscCall(Real(op, path, "orifice_area_factor", PETSC_FALSE, -1, &b));
    PetscCheck((a > 0) != (b > 0), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s needs exactly one of resistance_factor, orifice_area_factor (> 0)", path);
    /* orifice loss ~ 1/A^2 (Bernoulli); the degree of success scales the change */
    if (b > 0) a = 1.0 / (b * b);
    a = 1.0 + PetscMin(1.0, PetscMax(0.0, success_scale)) * (a - 1.0);
    PetscCall(HtZModel_Valve(model, vessel, s2, a));
  } else if (!strcmp(type, "occlusion") || !strcmp(type, "ligation") || !strcmp(type, "tear_cover")) {
    static const char *const k[] = {"type", "vessel", "comment", NULL};
    PetscCall(CheckKeys(op, path, k));
    PetscCall(Str(op, path, "vessel", PETSC_TRUE, &vessel));
    PetscCall(HtZModel_Occlude(model, vessel));
  } else if (!strcmp(type, "aneurysm_exclusion")) {
    static const char *const k[] = {"type", "vessel", "graft_radius_mm", "compliance_factor", "comment", NULL};
    PetscCall(CheckKeys(op, path, k));
    PetscCall(Str(op, path, "vessel", PETSC_TRUE, &vessel));
    PetscCall(Real(op, path, "graft_radius_mm", PETSC_TRUE, 0, &a));
    PetscCall(Real(op, path, "compliance_factor", PETSC_FALSE, 0.2, &b));
    PetscCall(HtZModel_ExcludeAneurysm(model, u, vessel, 0.1 * a, b));
  } else
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "plan: %s.type '%s' is not one of stent, angioplasty, resection, band, recoarctation, bypass, shunt, valve, occlusion, ligation, tear_cover, aneurysm_exclusion", path, type);
  PetscFunctionReturn(0);
}
