/* Reading an svZeroDSolver JSON model: simulation_parameters, vessels, boundary_conditions, junctions,
 * initial_condition(_d). Blocks are created in svZeroDSolver's order (vessels, boundary conditions,
 * junctions) and connections become nodes named "<upstream>:<downstream>", so variable names and
 * the variable order of the output match svZeroDSolver. */
#include "zerod_impl.h"
#include <htcore.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
  char *up, *down;
} Conn;

typedef struct {
  PetscInt n, m;
  Conn    *c;
} ConnList;

static PetscErrorCode ConnAdd(ConnList *l, const char *up, const char *down)
{
  PetscFunctionBeginUser;
  if (l->n == l->m) {
    PetscInt m = l->m ? 2 * l->m : 32;
    Conn    *nc;
    PetscCall(PetscCalloc1(m, &nc));
    if (l->n) PetscCall(PetscArraycpy(nc, l->c, l->n));
    PetscCall(PetscFree(l->c));
    l->c = nc;
    l->m = m;
  }
  PetscCall(PetscStrallocpy(up, &l->c[l->n].up));
  PetscCall(PetscStrallocpy(down, &l->c[l->n].down));
  l->n++;
  PetscFunctionReturn(0);
}

static PetscErrorCode ConnFree(ConnList *l)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < l->n; i++) {
    PetscCall(PetscFree(l->c[i].up));
    PetscCall(PetscFree(l->c[i].down));
  }
  PetscCall(PetscFree(l->c));
  l->n = l->m = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode HtZD_ChamberActivation(HtZeroD, HtZDBlock *, const cJSON *);
PetscErrorCode HtZD_ChamberActivationSetUp(HtZeroD);

static PetscInt FindBlock(HtZeroD zd, const char *name)
{
  for (PetscInt i = 0; i < zd->nblocks; i++)
    if (!strcmp(zd->blocks[i].name, name)) return i;
  return -1;
}

static PetscErrorCode AddBlock(HtZeroD zd, const char *type, const char *name, const cJSON *values, PetscInt *idx)
{
  const HtZDBlockType *bt = HtZD_FindType(type);
  HtZDBlock           *b;

  PetscFunctionBeginUser;
  PetscCheck(bt, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block %s has type %s, which hemotwin's 0D engine does not support", zd->source, name, type);
  PetscCheck(FindBlock(zd, name) < 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: block name %s is used twice", zd->source, name);
  if (zd->nblocks == zd->mblocks) {
    PetscInt   m = zd->mblocks ? 2 * zd->mblocks : 32;
    HtZDBlock *nb;
    PetscCall(PetscCalloc1(m, &nb));
    if (zd->nblocks) PetscCall(PetscArraycpy(nb, zd->blocks, zd->nblocks));
    PetscCall(PetscFree(zd->blocks));
    zd->blocks  = nb;
    zd->mblocks = m;
  }
  b = &zd->blocks[zd->nblocks];
  PetscCall(PetscMemzero(b, sizeof(*b)));
  PetscCall(PetscStrallocpy(name, &b->name));
  b->type = bt;
  zd->nblocks++;
  PetscCall(bt->setup(zd, b, values));
  if (idx) *idx = zd->nblocks - 1;
  PetscFunctionReturn(0);
}

static PetscErrorCode GetString(HtZeroD zd, const cJSON *obj, const char *key, const char *what, const char **s)
{
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

  PetscFunctionBeginUser;
  PetscCheck(it && cJSON_IsString(it), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %s lacks the string \"%s\"", zd->source, what, key);
  *s = it->valuestring;
  PetscFunctionReturn(0);
}

static PetscErrorCode GetNumber(HtZeroD zd, const cJSON *obj, const char *key, PetscBool required, PetscReal def, PetscReal *v)
{
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

  PetscFunctionBeginUser;
  if (!it) {
    PetscCheck(!required, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: simulation_parameters lacks %s", zd->source, key);
    *v = def;
  } else {
    PetscCheck(cJSON_IsNumber(it), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %s is not a number", zd->source, key);
    *v = it->valuedouble;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode GetBool(HtZeroD zd, const cJSON *obj, const char *key, PetscBool def, PetscBool *v)
{
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

  PetscFunctionBeginUser;
  if (!it) *v = def;
  else {
    PetscCheck(cJSON_IsBool(it), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %s must be true or false", zd->source, key);
    *v = cJSON_IsTrue(it) ? PETSC_TRUE : PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode LoadSimParams(HtZeroD zd, const cJSON *sim)
{
  HtZDSimParams *sp = &zd->sp;
  PetscReal      v;
  PetscBool      coupled;

  PetscFunctionBeginUser;
  PetscCheck(sim && cJSON_IsObject(sim), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: simulation_parameters missing", zd->source);
  PetscCall(GetBool(zd, sim, "coupled_simulation", PETSC_FALSE, &coupled));
  PetscCheck(!coupled, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: coupled_simulation (external solver coupling) is not supported by hemotwin's 0D engine", zd->source);
  PetscCall(GetNumber(zd, sim, "number_of_cardiac_cycles", PETSC_TRUE, 0, &v));
  sp->num_cycles = (PetscInt)v;
  PetscCall(GetNumber(zd, sim, "number_of_time_pts_per_cardiac_cycle", PETSC_TRUE, 0, &v));
  sp->pts_per_cycle = (PetscInt)v;
  PetscCheck(sp->num_cycles >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: number_of_cardiac_cycles must be >= 1", zd->source);
  PetscCheck(sp->pts_per_cycle >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: number_of_time_pts_per_cardiac_cycle must be >= 2", zd->source);
  sp->num_time_steps = (sp->pts_per_cycle - 1) * sp->num_cycles + 1;
  PetscCall(GetBool(zd, sim, "use_cycle_to_cycle_error", PETSC_FALSE, &sp->use_cycle_error));
  PetscCall(GetNumber(zd, sim, "sim_cycle_to_cycle_percent_error", PETSC_FALSE, 1.0, &v));
  sp->cycle_error = v / 100.0;
  PetscCheck(!sp->use_cycle_error || sp->num_cycles >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: use_cycle_to_cycle_error needs number_of_cardiac_cycles >= 2", zd->source);
  PetscCall(GetNumber(zd, sim, "absolute_tolerance", PETSC_FALSE, 1e-8, &sp->abs_tol));
  PetscCall(GetNumber(zd, sim, "maximum_nonlinear_iterations", PETSC_FALSE, 30, &v));
  sp->max_nliter = (PetscInt)v;
  PetscCheck(sp->max_nliter >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: maximum_nonlinear_iterations must be >= 1", zd->source);
  PetscCall(GetBool(zd, sim, "steady_initial", PETSC_TRUE, &sp->steady_initial));
  PetscCall(GetNumber(zd, sim, "rho_infty", PETSC_FALSE, 0.5, &sp->rho_infty));
  PetscCheck(sp->rho_infty >= 0.0 && sp->rho_infty <= 1.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: rho_infty must be in [0, 1]", zd->source);
  PetscCall(GetBool(zd, sim, "output_variable_based", PETSC_FALSE, &sp->output_variable_based));
  PetscCall(GetNumber(zd, sim, "output_interval", PETSC_FALSE, 1, &v));
  sp->output_interval = (PetscInt)v;
  PetscCheck(sp->output_interval >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: output_interval must be >= 1", zd->source);
  PetscCall(GetBool(zd, sim, "output_mean_only", PETSC_FALSE, &sp->output_mean_only));
  PetscCall(GetBool(zd, sim, "output_derivative", PETSC_FALSE, &sp->output_derivative));
  PetscCall(GetBool(zd, sim, "output_all_cycles", PETSC_FALSE, &sp->output_all_cycles));
  PetscCall(GetNumber(zd, sim, "cardiac_period", PETSC_FALSE, 0.0, &sp->cardiac_period));
  PetscFunctionReturn(0);
}

static PetscErrorCode PushInt(PetscInt **a, PetscInt *n, PetscInt v)
{
  PetscInt *na;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(*n + 1, &na));
  if (*n) PetscCall(PetscArraycpy(na, *a, *n));
  na[*n] = v;
  PetscCall(PetscFree(*a));
  *a = na;
  (*n)++;
  PetscFunctionReturn(0);
}

static PetscErrorCode RegisterVar(HtZeroD zd, const char *prefix, const char *name, PetscInt *id)
{
  char   buf[2 * HTZD_MAXNAME];
  char **nv;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%s:%s", prefix, name));
  PetscCall(PetscMalloc1(zd->n + 1, &nv));
  if (zd->n) PetscCall(PetscArraycpy(nv, zd->varnames, zd->n));
  PetscCall(PetscStrallocpy(buf, &nv[zd->n]));
  PetscCall(PetscFree(zd->varnames));
  zd->varnames = nv;
  *id          = zd->n++;
  PetscFunctionReturn(0);
}

static PetscErrorCode BuildNodes(HtZeroD zd, ConnList *cl)
{
  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(cl->n ? cl->n : 1, &zd->nodes));
  for (PetscInt i = 0; i < cl->n; i++) {
    PetscInt up = FindBlock(zd, cl->c[i].up), down = FindBlock(zd, cl->c[i].down);
    char     buf[2 * HTZD_MAXNAME];
    PetscCheck(up >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: connection %s -> %s names an unknown block %s", zd->source, cl->c[i].up, cl->c[i].down, cl->c[i].up);
    PetscCheck(down >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: connection %s -> %s names an unknown block %s", zd->source, cl->c[i].up, cl->c[i].down, cl->c[i].down);
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "%s:%s", cl->c[i].up, cl->c[i].down));
    PetscCall(PetscStrallocpy(buf, &zd->nodes[i].name));
    zd->nodes[i].up   = up;
    zd->nodes[i].down = down;
    PetscCall(PushInt(&zd->blocks[up].out, &zd->blocks[up].nout, i));
    PetscCall(PushInt(&zd->blocks[down].in, &zd->blocks[down].nin, i));
    zd->nnodes++;
  }
  /* unknowns: flow and pressure of every node, then internal variables block by block */
  for (PetscInt i = 0; i < zd->nnodes; i++) {
    PetscCall(RegisterVar(zd, "flow", zd->nodes[i].name, &zd->nodes[i].flow_dof));
    PetscCall(RegisterVar(zd, "pressure", zd->nodes[i].name, &zd->nodes[i].pres_dof));
  }
  for (PetscInt b = 0; b < zd->nblocks; b++) {
    HtZDBlock *blk = &zd->blocks[b];
    PetscCall(blk->type->finalize(zd, blk));
    blk->nvar = 2 * (blk->nin + blk->nout) + blk->type->ninternal;
    PetscCall(PetscMalloc1(blk->nvar, &blk->var));
    for (PetscInt i = 0; i < blk->nin; i++) {
      blk->var[2 * i]     = zd->nodes[blk->in[i]].pres_dof;
      blk->var[2 * i + 1] = zd->nodes[blk->in[i]].flow_dof;
    }
    for (PetscInt i = 0; i < blk->nout; i++) {
      blk->var[2 * (blk->nin + i)]     = zd->nodes[blk->out[i]].pres_dof;
      blk->var[2 * (blk->nin + i) + 1] = zd->nodes[blk->out[i]].flow_dof;
    }
    for (PetscInt k = 0; k < blk->type->ninternal; k++) PetscCall(RegisterVar(zd, blk->type->internal[k], blk->name, &blk->var[2 * (blk->nin + blk->nout) + k]));
    PetscCall(PetscMalloc1(blk->neq ? blk->neq : 1, &blk->eq));
    for (PetscInt k = 0; k < blk->neq; k++) blk->eq[k] = zd->neq++;
  }
  for (PetscInt b = 0; b < zd->nblocks; b++)
    if (zd->blocks[b].type->link) PetscCall(zd->blocks[b].type->link(zd, &zd->blocks[b]));
  PetscCheck(zd->neq == zd->n, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: the model has %" PetscInt_FMT " equations for %" PetscInt_FMT " unknowns (check connections and boundary conditions)", zd->source, zd->neq, zd->n);
  PetscCheck(zd->n > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: the model has no unknowns", zd->source);
  PetscCall(PetscMalloc1(zd->n, &zd->eq_block));
  for (PetscInt b = 0; b < zd->nblocks; b++)
    for (PetscInt k = 0; k < zd->blocks[b].neq; k++) zd->eq_block[zd->blocks[b].eq[k]] = b;
  PetscFunctionReturn(0);
}

static PetscErrorCode LoadInitial(HtZeroD zd, const cJSON *model)
{
  const cJSON *ic = cJSON_GetObjectItemCaseSensitive(model, "initial_condition");
  const cJSON *icd = cJSON_GetObjectItemCaseSensitive(model, "initial_condition_d");

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(zd->n, &zd->y0));
  PetscCall(PetscCalloc1(zd->n, &zd->yd0));
  if (ic) {
    const cJSON *pall = cJSON_GetObjectItemCaseSensitive(ic, "pressure_all"), *qall = cJSON_GetObjectItemCaseSensitive(ic, "flow_all");
    PetscCheck(cJSON_IsObject(ic), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: initial_condition is not an object", zd->source);
    for (PetscInt i = 0; i < zd->n; i++) {
      const char  *nm = zd->varnames[i];
      const cJSON *it = cJSON_GetObjectItemCaseSensitive(ic, nm);
      if (it) {
        PetscCheck(cJSON_IsNumber(it), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: initial_condition of %s is not a number", zd->source, nm);
        zd->y0[i] = it->valuedouble;
      } else if (pall && (!strncmp(nm, "pressure:", 9) || !strncmp(nm, "P_c:", 4))) zd->y0[i] = pall->valuedouble;
      else if (qall && !strncmp(nm, "flow:", 5)) zd->y0[i] = qall->valuedouble;
    }
  }
  if (icd) {
    PetscCheck(cJSON_IsObject(icd), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: initial_condition_d is not an object", zd->source);
    for (PetscInt i = 0; i < zd->n; i++) {
      const cJSON *it = cJSON_GetObjectItemCaseSensitive(icd, zd->varnames[i]);
      if (it && cJSON_IsNumber(it)) zd->yd0[i] = it->valuedouble;
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode LoadModel(HtZeroD zd, const cJSON *model, ConnList *clp, PetscInt **vidp, PetscInt **vblkp)
{
  ConnList    *cl_ = clp;
  const cJSON *vessels, *bcs, *junctions, *it;
  static const char *const unsupported[] = {NULL};

  PetscFunctionBeginUser;
  PetscCheck(model && cJSON_IsObject(model), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: the model is not a JSON object", zd->source);
  for (PetscInt i = 0; unsupported[i]; i++) {
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(model, unsupported[i]);
    PetscCheck(!u || cJSON_GetArraySize(u) == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: \"%s\" blocks are not supported by hemotwin's 0D engine yet", zd->source, unsupported[i]);
  }
  zd->model_period = -1.0;
  PetscCall(LoadSimParams(zd, cJSON_GetObjectItemCaseSensitive(model, "simulation_parameters")));
  bcs = cJSON_GetObjectItemCaseSensitive(model, "boundary_conditions");
  PetscCheck(bcs && cJSON_IsArray(bcs), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: boundary_conditions missing (define at least one)", zd->source);

  /* vessels (ids are remembered for junction connections) */
  vessels = cJSON_GetObjectItemCaseSensitive(model, "vessels");
  PetscInt  nv = vessels ? cJSON_GetArraySize(vessels) : 0, iv = 0;
  PetscInt *vid, *vblk;
  PetscCall(PetscMalloc1(nv ? nv : 1, vidp));
  PetscCall(PetscMalloc1(nv ? nv : 1, vblkp));
  vid  = *vidp;
  vblk = *vblkp;
  cJSON_ArrayForEach(it, vessels)
  {
    const char  *name, *type;
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(it, "vessel_id"), *vbc = cJSON_GetObjectItemCaseSensitive(it, "boundary_conditions");
    PetscInt     bi;
    PetscCall(GetString(zd, it, "vessel_name", "a vessel", &name));
    PetscCall(GetString(zd, it, "zero_d_element_type", name, &type));
    PetscCheck(cJSON_IsNumber(idj), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: vessel %s lacks a numeric vessel_id", zd->source, name);
    PetscCall(AddBlock(zd, type, name, cJSON_GetObjectItemCaseSensitive(it, "zero_d_element_values"), &bi));
    PetscCheck(zd->blocks[bi].type->cls == HTZD_VESSEL, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: vessel %s has the non-vessel type %s", zd->source, name, type);
    vid[iv]  = (PetscInt)idj->valuedouble;
    vblk[iv] = bi;
    iv++;
    if (vbc) {
      const cJSON *in = cJSON_GetObjectItemCaseSensitive(vbc, "inlet"), *out = cJSON_GetObjectItemCaseSensitive(vbc, "outlet");
      if (in && cJSON_IsString(in)) {
        PetscCall(ConnAdd(cl_, in->valuestring, name));
        zd->blocks[bi].vessel_type = 1;
      }
      if (out && cJSON_IsString(out)) {
        PetscCall(ConnAdd(cl_, name, out->valuestring));
        zd->blocks[bi].vessel_type = 2; /* as svZeroDSolver: an in+out vessel counts as outlet cap */
      }
    }
  }
  /* external coupling blocks (FLOW/PRESSURE inputs coupled to another block), created before the
   * boundary conditions as in svZeroDSolver */
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(model, "external_solver_coupling_blocks"))
  {
    const char  *name, *type, *loc, *conn;
    const cJSON *per = cJSON_GetObjectItemCaseSensitive(it, "periodic");
    PetscCall(GetString(zd, it, "name", "an external coupling block", &name));
    PetscCall(GetString(zd, it, "type", name, &type));
    PetscCall(GetString(zd, it, "location", name, &loc));
    PetscCall(GetString(zd, it, "connected_block", name, &conn));
    zd->reading_nonperiodic = (per && cJSON_IsFalse(per)) ? PETSC_TRUE : PETSC_FALSE;
    PetscCall(AddBlock(zd, type, name, cJSON_GetObjectItemCaseSensitive(it, "values"), NULL));
    zd->reading_nonperiodic = PETSC_FALSE;
    PetscCheck(zd->blocks[zd->nblocks - 1].type->cls == HTZD_BC, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: external coupling block %s has the non-BC type %s", zd->source, name, type);
    if (!strcmp(loc, "inlet")) PetscCall(ConnAdd(cl_, name, conn));
    else if (!strcmp(loc, "outlet")) {
      /* an outlet coupled to the heart is connected through the heart's outlet_blocks */
      if (strcmp(conn, "ClosedLoopHeartAndPulmonary")) PetscCall(ConnAdd(cl_, conn, name));
    } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: external coupling block %s: location must be inlet or outlet, not %s", zd->source, name, loc);
  }
  /* boundary conditions */
  cJSON_ArrayForEach(it, bcs)
  {
    const char *name, *type;
    PetscCall(GetString(zd, it, "bc_name", "a boundary condition", &name));
    PetscCall(GetString(zd, it, "bc_type", name, &type));
    PetscCall(AddBlock(zd, type, name, cJSON_GetObjectItemCaseSensitive(it, "bc_values"), NULL));
    PetscCheck(zd->blocks[zd->nblocks - 1].type->cls == HTZD_BC, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: boundary condition %s has the non-BC type %s", zd->source, name, type);
  }
  /* junctions */
  junctions = cJSON_GetObjectItemCaseSensitive(model, "junctions");
  cJSON_ArrayForEach(it, junctions)
  {
    const char  *name, *type;
    const cJSON *iv_ = cJSON_GetObjectItemCaseSensitive(it, "inlet_vessels"), *ov = cJSON_GetObjectItemCaseSensitive(it, "outlet_vessels");
    const cJSON *ib = cJSON_GetObjectItemCaseSensitive(it, "inlet_blocks"), *ob = cJSON_GetObjectItemCaseSensitive(it, "outlet_blocks"), *e;
    PetscCall(GetString(zd, it, "junction_name", "a junction", &name));
    PetscCall(GetString(zd, it, "junction_type", name, &type));
    PetscCall(AddBlock(zd, type, name, cJSON_GetObjectItemCaseSensitive(it, "junction_values"), NULL));
    PetscCheck(zd->blocks[zd->nblocks - 1].type->cls == HTZD_JUNCTION, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: junction %s has the non-junction type %s", zd->source, name, type);
    if (iv_ && ov) {
      for (PetscInt pass = 0; pass < 2; pass++) {
        cJSON_ArrayForEach(e, (pass ? ov : iv_))
        {
          PetscInt k;
          PetscCheck(cJSON_IsNumber(e), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: junction %s: vessel ids must be numbers", zd->source, name);
          for (k = 0; k < nv && vid[k] != (PetscInt)e->valuedouble; k++) { }
          PetscCheck(k < nv, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: junction %s refers to unknown vessel id %d", zd->source, name, (int)e->valuedouble);
          if (pass) PetscCall(ConnAdd(cl_, name, zd->blocks[vblk[k]].name));
          else PetscCall(ConnAdd(cl_, zd->blocks[vblk[k]].name, name));
        }
      }
    } else if (ib && ob) {
      for (PetscInt pass = 0; pass < 2; pass++) {
        cJSON_ArrayForEach(e, (pass ? ob : ib))
        {
          PetscCheck(cJSON_IsString(e), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: junction %s: block names must be strings", zd->source, name);
          if (pass) PetscCall(ConnAdd(cl_, name, e->valuestring));
          else PetscCall(ConnAdd(cl_, e->valuestring, name));
        }
      }
    } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: junction %s needs inlet_vessels/outlet_vessels or inlet_blocks/outlet_blocks", zd->source, name);
  }
  /* closed loop: one heart block "CLH" between the junctions J_heart_inlet and J_heart_outlet;
   * closed-loop boundary conditions drain into J_heart_inlet, outlet_blocks are fed by J_heart_outlet */
  {
    PetscInt ncl = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(model, "closed_loop_blocks"))
    {
      const char  *type;
      const cJSON *per = cJSON_GetObjectItemCaseSensitive(it, "cardiac_cycle_period"), *ob, *e;
      PetscCall(GetString(zd, it, "closed_loop_type", "a closed-loop block", &type));
      PetscCheck(!strcmp(type, "ClosedLoopHeartAndPulmonary"), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: closed-loop block type %s is not supported", zd->source, type);
      PetscCheck(ncl++ == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: only one ClosedLoopHeartAndPulmonary block is allowed", zd->source);
      PetscCheck(cJSON_IsNumber(per), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: ClosedLoopHeartAndPulmonary lacks cardiac_cycle_period", zd->source);
      PetscCheck(!(zd->model_period > 0.0 && per->valuedouble != zd->model_period), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: cardiac_cycle_period %g of the heart differs from the period %g of the time-dependent inputs", zd->source, per->valuedouble, (double)zd->model_period);
      zd->model_period = per->valuedouble;
      PetscCall(AddBlock(zd, type, "CLH", cJSON_GetObjectItemCaseSensitive(it, "parameters"), NULL));
      PetscCall(ConnAdd(cl_, "J_heart_inlet", "CLH"));
      PetscCall(AddBlock(zd, "NORMAL_JUNCTION", "J_heart_inlet", NULL, NULL));
      for (PetscInt b = 0; b < zd->nblocks; b++)
        if (zd->blocks[b].closed_loop_inlet) PetscCall(ConnAdd(cl_, zd->blocks[b].name, "J_heart_inlet"));
      PetscCall(ConnAdd(cl_, "CLH", "J_heart_outlet"));
      PetscCall(AddBlock(zd, "NORMAL_JUNCTION", "J_heart_outlet", NULL, NULL));
      ob = cJSON_GetObjectItemCaseSensitive(it, "outlet_blocks");
      PetscCheck(cJSON_IsArray(ob), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: ClosedLoopHeartAndPulmonary lacks outlet_blocks", zd->source);
      cJSON_ArrayForEach(e, ob)
      {
        PetscCheck(cJSON_IsString(e), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: outlet_blocks must be block names", zd->source);
        PetscCall(ConnAdd(cl_, "J_heart_outlet", e->valuestring));
      }
    }
  }
  /* valves: connections named by their parameters */
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(model, "valves"))
  {
    const char  *name, *type, *up, *down;
    const cJSON *par = cJSON_GetObjectItemCaseSensitive(it, "params");
    PetscCall(GetString(zd, it, "name", "a valve", &name));
    PetscCall(GetString(zd, it, "type", name, &type));
    PetscCheck(par && cJSON_IsObject(par), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: valve %s lacks params", zd->source, name);
    PetscCall(GetString(zd, par, "upstream_block", name, &up));
    PetscCall(GetString(zd, par, "downstream_block", name, &down));
    PetscCall(AddBlock(zd, type, name, par, NULL));
    PetscCheck(zd->blocks[zd->nblocks - 1].type->cls == HTZD_VALVE, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: valve %s has the non-valve type %s", zd->source, name, type);
    PetscCall(ConnAdd(cl_, up, name));
    PetscCall(ConnAdd(cl_, name, down));
  }
  /* chambers: connected through valves or junctions */
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(model, "chambers"))
  {
    const char *name, *type;
    PetscInt    bi;
    PetscCall(GetString(zd, it, "name", "a chamber", &name));
    PetscCall(GetString(zd, it, "type", name, &type));
    PetscCall(AddBlock(zd, type, name, cJSON_GetObjectItemCaseSensitive(it, "values"), &bi));
    PetscCheck(zd->blocks[bi].type->cls == HTZD_CHAMBER, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: chamber %s has the non-chamber type %s", zd->source, name, type);
    PetscCall(HtZD_ChamberActivation(zd, &zd->blocks[bi], it));
  }
  PetscCall(BuildNodes(zd, cl_));
  PetscCall(PetscMalloc1(zd->nparams ? zd->nparams : 1, &zd->pv));

  /* cardiac period: from the inputs, or simulation_parameters, or 1; both must agree */
  if (zd->model_period < 0.0 && zd->sp.cardiac_period <= 0.0) zd->period = 1.0;
  else if (zd->model_period >= 0.0) {
    PetscCheck(!(zd->sp.cardiac_period > 0.0 && zd->sp.cardiac_period != zd->model_period), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: cardiac_period %g in simulation_parameters differs from the period %g of the time-dependent inputs", zd->source, (double)zd->sp.cardiac_period, (double)zd->model_period);
    zd->period = zd->model_period;
  } else zd->period = zd->sp.cardiac_period;
  PetscCall(HtZD_ChamberActivationSetUp(zd));
  PetscCall(LoadInitial(zd, model));
  zd->loaded = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode HtZeroD_LoadJSON(HtZeroD zd, const cJSON *model, const char *source_name)
{
  ConnList       cl   = {0, 0, NULL};
  PetscInt      *vid  = NULL, *vblk = NULL;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCheck(!zd->loaded && !zd->nblocks, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: HtZeroD already holds a model", source_name ? source_name : "(json)");
  PetscCall(PetscStrncpy(zd->source, source_name ? source_name : "(json)", sizeof(zd->source)));
  ierr = LoadModel(zd, model, &cl, &vid, &vblk);
  /* temporary lists are freed on success and failure alike */
  PetscCall(ConnFree(&cl));
  PetscCall(PetscFree(vid));
  PetscCall(PetscFree(vblk));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

PetscErrorCode HtZeroD_LoadFile(HtZeroD zd, const char *path)
{
  FILE  *fp;
  long   len;
  char  *buf;
  cJSON *root;
  size_t nr;

  PetscFunctionBeginUser;
  fp = fopen(path, "rb");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", path);
  if (fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
    fclose(fp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: cannot determine its size", path);
  }
  buf = (char *)malloc((size_t)len + 1);
  if (!buf) {
    fclose(fp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_MEM, "file %s: out of memory", path);
  }
  nr = fread(buf, 1, (size_t)len, fp);
  fclose(fp);
  if (nr != (size_t)len) {
    free(buf);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: short read", path);
  }
  buf[len] = 0;
  root     = cJSON_Parse(buf);
  free(buf);
  PetscCheck(root, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not valid JSON", path);
  {
    PetscErrorCode ierr = HtZeroD_LoadJSON(zd, root, path);
    cJSON_Delete(root);
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtZeroD_Create(MPI_Comm comm, HtZeroD *zd)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(zd));
  (*zd)->comm         = comm;
  (*zd)->model_period = -1.0;
  (*zd)->rho_option   = -1.0;
  PetscCall(PetscStrncpy((*zd)->ts_type, "alpha_sv", sizeof((*zd)->ts_type)));
  PetscFunctionReturn(0);
}

PetscErrorCode HtZeroD_Destroy(HtZeroD *zd)
{
  HtZeroD z;

  PetscFunctionBeginUser;
  if (!zd || !*zd) PetscFunctionReturn(0);
  z = *zd;
  for (PetscInt b = 0; b < z->nblocks; b++) {
    PetscCall(PetscFree(z->blocks[b].name));
    PetscCall(PetscFree(z->blocks[b].in));
    PetscCall(PetscFree(z->blocks[b].out));
    PetscCall(PetscFree(z->blocks[b].var));
    PetscCall(PetscFree(z->blocks[b].eq));
    PetscCall(PetscFree(z->blocks[b].param));
    PetscCall(PetscFree(z->blocks[b].pname));
  }
  PetscCall(PetscFree(z->blocks));
  for (PetscInt i = 0; i < z->nnodes; i++) PetscCall(PetscFree(z->nodes[i].name));
  PetscCall(PetscFree(z->nodes));
  for (PetscInt i = 0; i < z->n; i++) PetscCall(PetscFree(z->varnames[i]));
  PetscCall(PetscFree(z->varnames));
  PetscCall(HtZD_ParamsDestroy(z));
  PetscCall(PetscFree(z->pv));
  PetscCall(PetscFree(z->eq_block));
  PetscCall(PetscFree(z->y0));
  PetscCall(PetscFree(z->yd0));
  PetscCall(SNESDestroy(&z->snes));
  PetscCall(MatDestroy(&z->J));
  PetscCall(PetscFree(z->pat_ptr));
  PetscCall(PetscFree(z->pat_col));
  PetscCall(PetscFree(z->pat_val));
  PetscCall(VecDestroy(&z->x));
  PetscCall(VecDestroy(&z->f));
  PetscCall(PetscFree3(z->sys.r, z->sys.Jy, z->sys.Jyd));
  PetscCall(PetscFree3(z->Jval, z->xk, z->dx));
  PetscCall(PetscFree2(z->ywarm, z->ydwarm));
  PetscCall(HtZD_KluDestroy(z));
  PetscCall(PetscFree4(z->yold, z->ydold, z->yaf, z->ydam));
  PetscCall(PetscFree2(z->ycorr, z->sys.zero_after));
  PetscCall(PetscFree(z->out_t));
  PetscCall(PetscFree(z->out_y));
  PetscCall(PetscFree(z->out_yd));
  PetscCall(PetscFree(z->ring));
  PetscCall(TSDestroy(&z->ts));
  for (PetscInt i = 0; i < z->ncache; i++) PetscCall(PetscFree(z->cache[i]));
  PetscCall(PetscFree(z->cache));
  PetscCall(PetscFree(*zd));
  PetscFunctionReturn(0);
}
