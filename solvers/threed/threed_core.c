/* HtThreeD object: mesh, discretisation, boundary conditions, steady and unsteady solves. */
#include "threed_impl.h"
#include <petscviewerhdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

PetscErrorCode HtThreeD_Create(MPI_Comm comm, HtThreeD *td)
{
  HtThreeD t;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(1, &t));
  t->comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &t->rank));
  PetscCallMPI(MPI_Comm_size(comm, &t->size));
  t->c.mesh_to_cm      = 0.1;
  t->c.rho_g_cm3       = 1.06;
  t->c.mu_P            = 0.04;
  t->c.backflow_beta   = 0.2;
  t->c.dt_s            = 1e-3;
  t->c.steps           = 0;
  t->c.steady          = PETSC_TRUE;
  t->c.output_interval = 1;
  t->c.profile         = HT_PROFILE_PARABOLIC;
  PetscCall(PetscStrncpy(t->c.inlet, "inlet", sizeof(t->c.inlet)));
  t->c.nwalls = 1;
  PetscCall(PetscStrncpy(t->c.walls[0], "wall", sizeof(t->c.walls[0])));
  t->vel_order = 1;
  t->qorder    = -1;
  t->supg      = PETSC_TRUE;
  t->lsic      = PETSC_TRUE;
  t->tau_ci    = 36.0; /* Shakib et al. 1991 value for linear tets */
  *td          = t;
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_GetCase(HtThreeD td, HtThreeDCase **c)
{
  PetscFunctionBeginUser;
  PetscCheck(!td->is_setup, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: the case cannot change after SetUp");
  *c = &td->c;
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_SetInletWaveform(HtThreeD td, PetscInt n, const PetscReal t_s[], const PetscReal Q_mL_s[])
{
  PetscFunctionBeginUser;
  PetscCheck(n >= 1, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: inlet waveform needs at least one point");
  for (PetscInt i = 1; i < n; i++) PetscCheck(t_s[i] > t_s[i - 1], td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: inlet waveform times must increase (point %" PetscInt_FMT ")", i);
  PetscCall(PetscFree(td->c.wave_t_s));
  PetscCall(PetscFree(td->c.wave_Q_mL_s));
  PetscCall(PetscMalloc1(n, &td->c.wave_t_s));
  PetscCall(PetscMalloc1(n, &td->c.wave_Q_mL_s));
  for (PetscInt i = 0; i < n; i++) {
    td->c.wave_t_s[i]    = t_s ? t_s[i] : 0.0;
    td->c.wave_Q_mL_s[i] = Q_mL_s[i];
  }
  td->c.nwave = n;
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_SetOutputDir(HtThreeD td, const char *dir)
{
  PetscFunctionBeginUser;
  td->outdir[0] = 0;
  if (dir && dir[0]) {
    PetscCall(PetscStrncpy(td->outdir, dir, sizeof(td->outdir)));
    if (!td->rank) PetscCall(HtPath_MakeDir(dir));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_SetFromOptions(HtThreeD td)
{
  PetscFunctionBeginUser;
  PetscOptionsBegin(td->comm, NULL, "hemotwin 3D Navier-Stokes", NULL);
  PetscCall(PetscOptionsInt("-threed_vel_order", "velocity order (1: stabilised P1/P1, 2: Taylor-Hood P2/P1)", NULL, td->vel_order, &td->vel_order, NULL));
  PetscCall(PetscOptionsInt("-threed_qorder", "quadrature order (default 2 for P1, 3 for P2)", NULL, td->qorder, &td->qorder, NULL));
  PetscCall(PetscOptionsBool("-threed_supg", "SUPG/PSPG stabilisation (P1/P1)", NULL, td->supg, &td->supg, NULL));
  PetscCall(PetscOptionsBool("-threed_lsic", "LSIC grad-div stabilisation", NULL, td->lsic, &td->lsic, NULL));
  PetscCall(PetscOptionsReal("-threed_tau_ci", "viscous constant C_I of tau_M = ((2/dt)^2 + (2|u|/h)^2 + C_I (4 nu/h^2)^2)^(-1/2)", NULL, td->tau_ci, &td->tau_ci, NULL));
  PetscCall(PetscOptionsInt("-threed_dm_refine", "uniform refinements after loading the mesh", NULL, td->refine, &td->refine, NULL));
  PetscCall(PetscOptionsInt("-threed_checkpoint_interval", "write OUT/checkpoint.h5 every n steps (0: never)", NULL, td->ckpt_interval, &td->ckpt_interval, NULL));
  PetscCall(PetscOptionsString("-threed_restart", "resume an unsteady run from this checkpoint.h5", NULL, td->restart, td->restart, sizeof td->restart, NULL));
  PetscCall(PetscOptionsReal("-threed_backflow_beta", "backflow stabilisation coefficient", NULL, td->c.backflow_beta, &td->c.backflow_beta, NULL));
  PetscOptionsEnd();
  PetscCheck(td->vel_order == 1 || td->vel_order == 2, td->comm, PETSC_ERR_USER_INPUT, "-threed_vel_order must be 1 or 2, got %" PetscInt_FMT, td->vel_order);
  PetscFunctionReturn(0);
}

/* ---- inlet waveform ---- */
static PetscReal WaveLocalTime(const HtThreeD td, PetscReal t)
{
  const PetscReal *T = td->c.wave_t_s;
  PetscInt         n = td->c.nwave;
  PetscReal        period;
  if (n < 2) return t;
  period = T[n - 1] - T[0];
  t      = fmod(t - T[0], period);
  if (t < 0) t += period;
  return t + T[0];
}

PetscReal HtThreeD_InletFlow(const HtThreeD td, PetscReal t)
{
  const PetscReal *T = td->c.wave_t_s, *Q = td->c.wave_Q_mL_s;
  PetscInt         n = td->c.nwave;
  if (n < 1) return 0.0;
  if (n == 1) return Q[0];
  t = WaveLocalTime(td, t);
  for (PetscInt i = 0; i < n - 1; i++)
    if (t <= T[i + 1]) return Q[i] + (Q[i + 1] - Q[i]) * (t - T[i]) / (T[i + 1] - T[i]);
  return Q[n - 1];
}

PetscReal HtThreeD_InletFlowRate(const HtThreeD td, PetscReal t)
{
  const PetscReal *T = td->c.wave_t_s, *Q = td->c.wave_Q_mL_s;
  PetscInt         n = td->c.nwave;
  if (n < 2) return 0.0;
  t = WaveLocalTime(td, t);
  for (PetscInt i = 0; i < n - 1; i++)
    if (t <= T[i + 1]) return (Q[i + 1] - Q[i]) / (T[i + 1] - T[i]);
  return 0.0;
}

/* ---- Dirichlet data ---- */
static PetscReal InletRadius(const HtThreeD td, const PetscReal x[])
{
  PetscReal d[3], dn = 0, r2 = 0;
  for (PetscInt i = 0; i < 3; i++) d[i] = x[i] - td->in_c[i];
  for (PetscInt i = 0; i < 3; i++) dn += d[i] * td->in_n[i];
  for (PetscInt i = 0; i < 3; i++) r2 += PetscSqr(d[i] - dn * td->in_n[i]);
  return PetscSqrtReal(r2);
}

/* unit-amplitude shape; the Womersley case uses the parabolic shape only to measure the discrete flux */
static PetscReal InletShape(const HtThreeD td, const PetscReal x[])
{
  PetscReal r = InletRadius(td, x);
  if (td->c.profile == HT_PROFILE_PLUG) return 1.0;
  return PetscMax(0.0, 1.0 - r * r / PetscSqr(td->in_R));
}

static PetscErrorCode InletBC(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  HtThreeD  td  = (HtThreeD)ctx;
  PetscReal amp = td->unit_mode ? 1.0 : HtThreeD_InletFlow(td, t) * td->in_scale;
  PetscReal s   = InletShape(td, x);
  if (!td->unit_mode && td->c.profile == HT_PROFILE_WOMERSLEY) {
    HtThreeD_WomersleyEval(td, InletRadius(td, x), t, &s, NULL);
    amp = td->wom_scale;
  }
  for (PetscInt i = 0; i < Nc; i++) u[i] = -amp * s * td->in_n[i]; /* into the domain */
  return 0;
}

static PetscErrorCode InletBC_t(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  HtThreeD  td  = (HtThreeD)ctx;
  PetscReal amp = td->unit_mode ? 0.0 : HtThreeD_InletFlowRate(td, t) * td->in_scale;
  PetscReal s   = InletShape(td, x), uw;
  if (!td->unit_mode && td->c.profile == HT_PROFILE_WOMERSLEY) {
    HtThreeD_WomersleyEval(td, InletRadius(td, x), t, &uw, &s);
    amp = td->wom_scale;
  }
  for (PetscInt i = 0; i < Nc; i++) u[i] = -amp * s * td->in_n[i];
  return 0;
}

static PetscErrorCode ZeroBC(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  for (PetscInt i = 0; i < Nc; i++) u[i] = 0.0;
  return 0;
}

/* ---- mesh groups: $PhysicalNames of the .msh file (ASCII section in every format version) ---- */
static PetscErrorCode ReadPhysicalNames(HtThreeD td)
{
  char   buf[4 * HT3_MAX_GROUPS * 80] = {0};
  int    len                          = 0;

  PetscFunctionBeginUser;
  if (!td->rank) {
    FILE *f = fopen(td->c.mesh, "rb");
    char  line[1024];
    int   in = 0, n = -1;
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open the mesh", td->c.mesh);
    while (fgets(line, sizeof line, f)) {
      if (!in) {
        if (!strncmp(line, "$PhysicalNames", 14)) in = 1;
        else if (!strncmp(line, "$Nodes", 6)) break;
        continue;
      }
      if (n < 0) {
        n = atoi(line);
        continue;
      }
      if (!strncmp(line, "$EndPhysicalNames", 17)) break;
      if (len + (int)strlen(line) + 1 < (int)sizeof buf) {
        memcpy(buf + len, line, strlen(line));
        len += (int)strlen(line);
      }
    }
    fclose(f);
    buf[len] = 0;
  }
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_INT, 0, td->comm));
  PetscCallMPI(MPI_Bcast(buf, len + 1, MPI_CHAR, 0, td->comm));
  td->ngroups = 0;
  for (char *s = buf; s && *s;) {
    char *nl = strchr(s, '\n');
    int   dim, tag;
    char  name[128];
    if (nl) *nl = 0;
    if (sscanf(s, "%d %d \"%127[^\"]\"", &dim, &tag, name) == 3 && dim == 2 && td->ngroups < HT3_MAX_GROUPS) {
      PetscCall(PetscStrncpy(td->gname[td->ngroups], name, sizeof(td->gname[0])));
      td->gid[td->ngroups++] = tag;
    }
    s = nl ? nl + 1 : NULL;
  }
  PetscCheck(td->ngroups > 0, td->comm, PETSC_ERR_FILE_UNEXPECTED, "file %s: no named 2D physical groups ($PhysicalNames) in the mesh", td->c.mesh);
  PetscFunctionReturn(0);
}

static PetscErrorCode GroupId(HtThreeD td, const char *name, PetscInt *id)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < td->ngroups; i++) {
    PetscBool eq;
    PetscCall(PetscStrcmp(td->gname[i], name, &eq));
    if (eq) {
      *id = td->gid[i];
      PetscFunctionReturn(0);
    }
  }
  SETERRQ(td->comm, PETSC_ERR_USER_INPUT, "file %s: no 2D physical group named \"%s\"", td->c.mesh, name);
}

/* Area, area-weighted centroid and outward normal of a face group (collective). Faces of a label value are
 * oriented away from their single support cell. */
static PetscErrorCode FaceGeometry(HtThreeD td, PetscInt id, PetscReal *area, PetscReal c[3], PetscReal n[3], PetscReal *rmax)
{
  DMLabel         label;
  IS              is;
  PetscInt        fStart, fEnd, nf = 0;
  const PetscInt *faces = NULL;
  PetscReal       loc[7] = {0}, glob[7];

  PetscFunctionBeginUser;
  PetscCall(DMGetLabel(td->dm, "Face Sets", &label));
  PetscCall(DMPlexGetHeightStratum(td->dm, 1, &fStart, &fEnd));
  PetscCall(DMLabelGetStratumIS(label, id, &is));
  if (is) {
    PetscCall(ISGetLocalSize(is, &nf));
    PetscCall(ISGetIndices(is, &faces));
  }
  for (PetscInt i = 0; i < nf; i++) {
    PetscInt        f = faces[i], ns;
    const PetscInt *supp;
    PetscReal       a, fc[3], fn[3], cc[3], vol, dot = 0;
    if (f < fStart || f >= fEnd) continue;
    PetscCall(DMPlexGetSupportSize(td->dm, f, &ns));
    if (ns != 1) continue;
    PetscCall(DMPlexGetSupport(td->dm, f, &supp));
    PetscCall(DMPlexComputeCellGeometryFVM(td->dm, f, &a, fc, fn));
    PetscCall(DMPlexComputeCellGeometryFVM(td->dm, supp[0], &vol, cc, NULL));
    for (PetscInt d = 0; d < 3; d++) dot += fn[d] * (fc[d] - cc[d]);
    if (dot < 0)
      for (PetscInt d = 0; d < 3; d++) fn[d] = -fn[d];
    loc[0] += a;
    for (PetscInt d = 0; d < 3; d++) loc[1 + d] += a * fc[d];
    for (PetscInt d = 0; d < 3; d++) loc[4 + d] += a * fn[d];
  }
  PetscCall(MPIU_Allreduce(loc, glob, 7, MPIU_REAL, MPI_SUM, td->comm));
  PetscCheck(glob[0] > 0, td->comm, PETSC_ERR_USER_INPUT, "file %s: face group %" PetscInt_FMT " has no boundary faces", td->c.mesh, id);
  *area = glob[0];
  for (PetscInt d = 0; d < 3; d++) c[d] = glob[1 + d] / glob[0];
  {
    PetscReal nn = PetscSqrtReal(PetscSqr(glob[4]) + PetscSqr(glob[5]) + PetscSqr(glob[6]));
    PetscCheck(nn > 0, td->comm, PETSC_ERR_USER_INPUT, "file %s: face group %" PetscInt_FMT " has no mean normal (closed surface?)", td->c.mesh, id);
    for (PetscInt d = 0; d < 3; d++) n[d] = glob[4 + d] / nn;
  }
  if (rmax) {
    /* largest distance of a face vertex from the centroid within the face plane */
    Vec          coords;
    PetscSection cs;
    const PetscScalar *ca;
    PetscInt     vStart, vEnd;
    PetscReal    r = 0, rg;
    PetscCall(DMGetCoordinatesLocal(td->dm, &coords));
    PetscCall(DMGetCoordinateSection(td->dm, &cs));
    PetscCall(VecGetArrayRead(coords, &ca));
    PetscCall(DMPlexGetDepthStratum(td->dm, 0, &vStart, &vEnd));
    for (PetscInt i = 0; i < nf; i++) {
      PetscInt *cl = NULL, ncl;
      if (faces[i] < fStart || faces[i] >= fEnd) continue;
      PetscCall(DMPlexGetTransitiveClosure(td->dm, faces[i], PETSC_TRUE, &ncl, &cl));
      for (PetscInt j = 0; j < ncl; j++) {
        PetscInt p = cl[2 * j], off;
        PetscReal d[3], dn = 0, r2 = 0;
        if (p < vStart || p >= vEnd) continue;
        PetscCall(PetscSectionGetOffset(cs, p, &off));
        for (PetscInt k = 0; k < 3; k++) d[k] = PetscRealPart(ca[off + k]) - c[k];
        for (PetscInt k = 0; k < 3; k++) dn += d[k] * n[k];
        for (PetscInt k = 0; k < 3; k++) r2 += PetscSqr(d[k] - dn * n[k]);
        r = PetscMax(r, PetscSqrtReal(r2));
      }
      PetscCall(DMPlexRestoreTransitiveClosure(td->dm, faces[i], PETSC_TRUE, &ncl, &cl));
    }
    PetscCall(VecRestoreArrayRead(coords, &ca));
    PetscCall(MPIU_Allreduce(&r, &rg, 1, MPIU_REAL, MPI_MAX, td->comm));
    *rmax = rg;
  }
  if (is) {
    PetscCall(ISRestoreIndices(is, &faces));
    PetscCall(ISDestroy(&is));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_LocalSolution(HtThreeD td, Vec *loc)
{
  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(td->dm, loc));
  PetscCall(VecSet(*loc, 0.0));
  PetscCall(DMGlobalToLocal(td->dm, td->u, INSERT_VALUES, *loc));
  PetscCall(DMPlexInsertBoundaryValues(td->dm, PETSC_TRUE, *loc, td->t, NULL, NULL, NULL));
  PetscFunctionReturn(0);
}

/* Flux of the velocity (outward) and integral of pressure over a face group from a local vector.
 * Velocity: P1 -> trapezoid on vertices, P2 -> edge-midpoint rule (both exact for the FE field). */
static PetscErrorCode GroupIntegrals(HtThreeD td, Vec loc, PetscInt id, PetscReal *Q, PetscReal *Pint, PetscReal *A)
{
  DMLabel            label;
  IS                 is;
  PetscSection       s;
  PetscInt           fStart, fEnd, vStart, vEnd, eStart, eEnd, nf = 0;
  const PetscInt    *faces = NULL;
  const PetscScalar *xa;
  PetscReal          l[3] = {0, 0, 0}, g[3];

  PetscFunctionBeginUser;
  PetscCall(DMGetLabel(td->dm, "Face Sets", &label));
  PetscCall(DMGetLocalSection(td->dm, &s));
  PetscCall(DMPlexGetHeightStratum(td->dm, 1, &fStart, &fEnd));
  PetscCall(DMPlexGetDepthStratum(td->dm, 0, &vStart, &vEnd));
  PetscCall(DMPlexGetDepthStratum(td->dm, 1, &eStart, &eEnd));
  PetscCall(DMLabelGetStratumIS(label, id, &is));
  if (is) {
    PetscCall(ISGetLocalSize(is, &nf));
    PetscCall(ISGetIndices(is, &faces));
  }
  PetscCall(VecGetArrayRead(loc, &xa));
  for (PetscInt i = 0; i < nf; i++) {
    PetscInt        f = faces[i], ns, *cl = NULL, ncl;
    const PetscInt *supp;
    PetscReal       a, fc[3], fn[3], cc[3], vol, dot = 0, un_v = 0, un_e = 0, pv = 0;
    if (f < fStart || f >= fEnd) continue;
    PetscCall(DMPlexGetSupportSize(td->dm, f, &ns));
    if (ns != 1) continue;
    PetscCall(DMPlexGetSupport(td->dm, f, &supp));
    PetscCall(DMPlexComputeCellGeometryFVM(td->dm, f, &a, fc, fn));
    PetscCall(DMPlexComputeCellGeometryFVM(td->dm, supp[0], &vol, cc, NULL));
    for (PetscInt d = 0; d < 3; d++) dot += fn[d] * (fc[d] - cc[d]);
    if (dot < 0)
      for (PetscInt d = 0; d < 3; d++) fn[d] = -fn[d];
    PetscCall(DMPlexGetTransitiveClosure(td->dm, f, PETSC_TRUE, &ncl, &cl));
    for (PetscInt j = 0; j < ncl; j++) {
      PetscInt p = cl[2 * j], off, nd;
      PetscReal un = 0;
      PetscCall(PetscSectionGetFieldDof(s, p, 0, &nd));
      if (nd >= 3) {
        PetscCall(PetscSectionGetFieldOffset(s, p, 0, &off));
        for (PetscInt d = 0; d < 3; d++) un += PetscRealPart(xa[off + d]) * fn[d];
        if (p >= vStart && p < vEnd) un_v += un;
        else if (p >= eStart && p < eEnd) un_e += un;
      }
      if (p >= vStart && p < vEnd) {
        PetscCall(PetscSectionGetFieldDof(s, p, 1, &nd));
        if (nd >= 1) {
          PetscCall(PetscSectionGetFieldOffset(s, p, 1, &off));
          pv += PetscRealPart(xa[off]);
        }
      }
    }
    PetscCall(DMPlexRestoreTransitiveClosure(td->dm, f, PETSC_TRUE, &ncl, &cl));
    l[0] += a * (td->vel_order == 2 ? un_e : un_v) / 3.0;
    l[1] += a * pv / 3.0;
    l[2] += a;
  }
  PetscCall(VecRestoreArrayRead(loc, &xa));
  if (is) {
    PetscCall(ISRestoreIndices(is, &faces));
    PetscCall(ISDestroy(&is));
  }
  PetscCall(MPIU_Allreduce(l, g, 3, MPIU_REAL, MPI_SUM, td->comm));
  *Q    = g[0];
  *Pint = g[1];
  *A    = g[2];
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_BoundaryFlow(HtThreeD td, const char *group, PetscReal *Q_mL_s, PetscReal *Pmean_dyn_cm2, PetscReal *area_cm2)
{
  PetscInt  id;
  Vec       loc;
  PetscReal Q, Pi, A;

  PetscFunctionBeginUser;
  PetscCheck(td->is_setup, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: BoundaryFlow before SetUp");
  PetscCall(GroupId(td, group, &id));
  PetscCall(HtThreeD_LocalSolution(td, &loc));
  PetscCall(GroupIntegrals(td, loc, id, &Q, &Pi, &A));
  PetscCall(DMRestoreLocalVector(td->dm, &loc));
  if (Q_mL_s) *Q_mL_s = Q;
  if (Pmean_dyn_cm2) *Pmean_dyn_cm2 = A > 0 ? Pi / A : 0.0;
  if (area_cm2) *area_cm2 = A;
  PetscFunctionReturn(0);
}

/* P0 auxiliary field with the cell size h = (6 sqrt(2) V)^(1/3) (edge length of the regular tet of volume V) */
static PetscErrorCode SetupAux(HtThreeD td, PetscFE feU)
{
  DM           dmAux;
  PetscFE      feA;
  PetscSection s;
  PetscScalar *a;
  PetscInt     cStart, cEnd;

  PetscFunctionBeginUser;
  PetscCall(DMClone(td->dm, &dmAux));
  PetscCall(PetscFECreateLagrange(PETSC_COMM_SELF, 3, 1, PETSC_TRUE, 0, PETSC_DETERMINE, &feA));
  PetscCall(PetscFECopyQuadrature(feU, feA));
  PetscCall(DMSetField(dmAux, 0, NULL, (PetscObject)feA));
  PetscCall(DMCreateDS(dmAux));
  PetscCall(PetscFEDestroy(&feA));
  PetscCall(DMCreateLocalVector(dmAux, &td->locAux));
  PetscCall(DMGetLocalSection(dmAux, &s));
  PetscCall(DMPlexGetHeightStratum(dmAux, 0, &cStart, &cEnd));
  PetscCall(VecGetArray(td->locAux, &a));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscReal vol;
    PetscInt  off;
    PetscCall(DMPlexComputeCellGeometryFVM(dmAux, c, &vol, NULL, NULL));
    PetscCall(PetscSectionGetOffset(s, c, &off));
    a[off] = PetscPowReal(6.0 * PetscSqrtReal(2.0) * PetscAbsReal(vol), 1.0 / 3.0);
  }
  PetscCall(VecRestoreArray(td->locAux, &a));
  PetscCall(DMSetAuxiliaryVec(td->dm, NULL, 0, 0, td->locAux));
  PetscCall(DMDestroy(&dmAux));
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_SetUp(HtThreeD td)
{
  DM        dm, dist = NULL;
  DMLabel   label;
  PetscDS   ds;
  PetscFE   feU, feP;
  PetscBool ex;

  PetscFunctionBeginUser;
  PetscCheck(!td->is_setup, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: SetUp called twice");
  PetscCheck(td->c.mesh[0], td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: no mesh given (case key \"mesh\")");
  PetscCheck(td->c.rho_g_cm3 > 0 && td->c.mu_P > 0, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: rho_g_cm3 and mu_P must be positive");
  PetscCheck(td->c.nwave >= 1, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: no inlet flow given");
  PetscCheck(td->c.noutlets >= 1 && td->c.noutlets <= HT3_MAX_OUTLETS, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: need 1..%d outlets, got %" PetscInt_FMT, HT3_MAX_OUTLETS, td->c.noutlets);
  PetscCheck(td->c.steady || (td->c.dt_s > 0 && td->c.steps > 0), td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: unsteady run needs dt_s > 0 and steps > 0");
  PetscCall(HtPath_Exists(td->c.mesh, &ex, NULL));
  PetscCheck(ex, td->comm, PETSC_ERR_FILE_OPEN, "file %s: mesh not found", td->c.mesh);
  PetscCall(ReadPhysicalNames(td));
  PetscCall(GroupId(td, td->c.inlet, &td->inlet_id));
  for (PetscInt i = 0; i < td->c.nwalls; i++) PetscCall(GroupId(td, td->c.walls[i], &td->wall_id[i]));
  for (PetscInt k = 0; k < td->c.noutlets; k++) PetscCall(GroupId(td, td->c.outlets[k].name, &td->outlet_id[k]));

  /* mesh: read on rank 0's behalf, scale to cm, complete the face labels, refine, distribute */
  PetscCall(DMPlexCreateFromFile(td->comm, td->c.mesh, "threed", PETSC_TRUE, &dm));
  {
    PetscInt dim;
    PetscCall(DMGetDimension(dm, &dim));
    PetscCheck(dim == 3, td->comm, PETSC_ERR_FILE_UNEXPECTED, "file %s: mesh dimension %" PetscInt_FMT ", expected 3", td->c.mesh, dim);
  }
  if (td->c.mesh_to_cm != 1.0) {
    Vec cg, cl;
    PetscCall(DMGetCoordinatesLocal(dm, &cl));
    PetscCall(DMGetCoordinates(dm, &cg));
    PetscCall(VecScale(cg, td->c.mesh_to_cm));
    PetscCall(VecScale(cl, td->c.mesh_to_cm));
  }
  PetscCall(DMGetLabel(dm, "Face Sets", &label));
  PetscCheck(label, td->comm, PETSC_ERR_FILE_UNEXPECTED, "file %s: no face physical groups (\"Face Sets\") in the mesh", td->c.mesh);
  for (PetscInt r = 0; r < td->refine; r++) {
    DM rdm;
    PetscCall(DMRefine(dm, td->comm, &rdm));
    PetscCall(DMDestroy(&dm));
    dm = rdm;
  }
  PetscCall(DMGetLabel(dm, "Face Sets", &label));
  PetscCall(DMPlexLabelComplete(dm, label));
  PetscCall(DMPlexDistribute(dm, 0, NULL, &dist));
  if (dist) {
    PetscCall(DMDestroy(&dm));
    dm = dist;
  }
  PetscCall(PetscObjectSetName((PetscObject)dm, "threed"));
  td->dm = dm;

  /* discretisation */
  if (td->qorder < 0) td->qorder = td->vel_order == 1 ? 2 : 3;
  PetscCall(PetscFECreateLagrange(PETSC_COMM_SELF, 3, 3, PETSC_TRUE, td->vel_order, td->qorder, &feU));
  PetscCall(PetscObjectSetName((PetscObject)feU, "velocity"));
  PetscCall(PetscFECreateLagrange(PETSC_COMM_SELF, 3, 1, PETSC_TRUE, 1, td->qorder, &feP));
  PetscCall(PetscFECopyQuadrature(feU, feP));
  PetscCall(PetscObjectSetName((PetscObject)feP, "pressure"));
  PetscCall(DMSetField(dm, 0, NULL, (PetscObject)feU));
  PetscCall(DMSetField(dm, 1, NULL, (PetscObject)feP));
  PetscCall(DMCreateDS(dm));
  PetscCall(DMGetDS(dm, &ds));
  PetscCall(PetscDSSetResidual(ds, 0, HtThreeD_f0_u, HtThreeD_f1_u));
  PetscCall(PetscDSSetResidual(ds, 1, HtThreeD_f0_p, HtThreeD_f1_p));
  PetscCall(PetscDSSetJacobian(ds, 0, 0, HtThreeD_g0_uu, HtThreeD_g1_uu, HtThreeD_g2_uu, HtThreeD_g3_uu));
  PetscCall(PetscDSSetJacobian(ds, 0, 1, NULL, NULL, HtThreeD_g2_up, HtThreeD_g3_up));
  PetscCall(PetscDSSetJacobian(ds, 1, 0, NULL, HtThreeD_g1_pu, HtThreeD_g2_pu, HtThreeD_g3_pu));
  PetscCall(PetscDSSetJacobian(ds, 1, 1, NULL, NULL, NULL, HtThreeD_g3_pp));
  td->supg = td->vel_order == 1 ? td->supg : PETSC_FALSE; /* Taylor-Hood is inf-sup stable */

  /* boundary conditions: inlet first, walls after (the rim belongs to the wall: no-slip wins) */
  PetscCall(DMGetLabel(dm, "Face Sets", &label));
  PetscCall(DMAddBoundary(dm, DM_BC_ESSENTIAL, "inlet", label, 1, &td->inlet_id, 0, 0, NULL, (void (*)(void))InletBC, (void (*)(void))InletBC_t, td, NULL));
  for (PetscInt i = 0; i < td->c.nwalls; i++) PetscCall(DMAddBoundary(dm, DM_BC_ESSENTIAL, td->c.walls[i], label, 1, &td->wall_id[i], 0, 0, NULL, (void (*)(void))ZeroBC, (void (*)(void))ZeroBC, NULL, NULL));
  for (PetscInt k = 0; k < td->c.noutlets; k++) {
    PetscInt      bd;
    PetscWeakForm wf;
    PetscCall(DMAddBoundary(dm, DM_BC_NATURAL, td->c.outlets[k].name, label, 1, &td->outlet_id[k], 0, 0, NULL, NULL, NULL, NULL, &bd));
    PetscCall(PetscDSGetBoundary(ds, bd, &wf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    PetscCall(PetscWeakFormSetIndexBdResidual(wf, label, td->outlet_id[k], 0, 0, 0, HtThreeD_OutletResidual(k), 0, NULL));
    PetscCall(PetscWeakFormSetIndexBdJacobian(wf, label, td->outlet_id[k], 0, 0, 0, 0, HtThreeD_g0_outlet, 0, NULL, 0, NULL, 0, NULL));
  }
  PetscCall(SetupAux(td, feU));
  PetscCall(PetscFEDestroy(&feU));
  PetscCall(PetscFEDestroy(&feP));

  /* constants */
  td->consts[HT3_C_RHO]    = td->c.rho_g_cm3;
  td->consts[HT3_C_MU]     = td->c.mu_P;
  td->consts[HT3_C_STEADY] = td->c.steady ? 1.0 : 0.0;
  td->consts[HT3_C_DT]     = td->c.dt_s;
  td->consts[HT3_C_SUPG]   = td->supg ? 1.0 : 0.0;
  td->consts[HT3_C_BETA]   = td->c.backflow_beta;
  td->consts[HT3_C_LSIC]   = td->lsic ? 1.0 : 0.0;
  td->consts[HT3_C_CI]     = td->tau_ci;
  for (PetscInt k = 0; k < td->c.noutlets; k++) {
    const HtThreeDOutlet *o = &td->c.outlets[k];
    td->Pc[k]                  = o->P0_dyn_cm2;
    td->consts[HT3_C_OUTLET0 + k] = o->type == HT_OUTLET_TRACTION ? o->P_dyn_cm2 : (o->type == HT_OUTLET_RESISTANCE ? o->Pd_dyn_cm2 : o->P0_dyn_cm2);
  }
  PetscCall(PetscDSSetConstants(ds, HT3_C_N, td->consts));

  /* inlet geometry and the scale that makes the discrete inlet flux equal the prescribed flow */
  {
    PetscReal A = 0, c[3], n[3], rmax = 0, Q, Pi, Af;
    Vec       loc;
    PetscCall(FaceGeometry(td, td->inlet_id, &A, c, n, &rmax));
    for (PetscInt d = 0; d < 3; d++) {
      td->in_c[d] = c[d];
      td->in_n[d] = n[d];
    }
    td->in_area = A;
    td->in_R    = rmax;
    PetscCall(DMCreateGlobalVector(dm, &td->u));
    PetscCall(PetscObjectSetName((PetscObject)td->u, "solution"));
    PetscCall(VecSet(td->u, 0.0));
    td->unit_mode = PETSC_TRUE;
    PetscCall(HtThreeD_LocalSolution(td, &loc));
    PetscCall(GroupIntegrals(td, loc, td->inlet_id, &Q, &Pi, &Af));
    PetscCall(DMRestoreLocalVector(dm, &loc));
    td->unit_mode = PETSC_FALSE;
    PetscCheck(Q < 0, td->comm, PETSC_ERR_USER_INPUT, "file %s: inlet profile has no inflow (inlet face group too small?)", td->c.mesh);
    td->in_scale = 1.0 / (-Q);
    if (td->c.profile == HT_PROFILE_WOMERSLEY) {
      /* the parabolic unit shape carries pi R^2/2 in the continuum: the ratio corrects the polygonal inlet */
      td->wom_scale = td->in_scale * PETSC_PI * td->in_R * td->in_R / 2.0;
      PetscCall(HtThreeD_WomersleySetUp(td));
    }
    HtLog_Info("3d: inlet area %.4g cm^2, radius %.4g cm, %" PetscInt_FMT " outlet(s)", (double)A, (double)rmax, td->c.noutlets);
  }
  td->is_setup = PETSC_TRUE;
  PetscFunctionReturn(0);
}

typedef struct {
  void (*u0)(const PetscReal x[3], PetscReal u[3], void *ctx);
  void *ctx;
} InitCtx;

static PetscErrorCode InitFn(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  InitCtx  *e = (InitCtx *)ctx;
  PetscReal v[3];
  e->u0(x, v, e->ctx);
  for (PetscInt i = 0; i < 3; i++) u[i] = v[i];
  return 0;
}

PetscErrorCode HtThreeD_SetInitialVelocity(HtThreeD td, void (*u0)(const PetscReal x[3], PetscReal u[3], void *ctx), void *ctx)
{
  InitCtx        e                                                                           = {u0, ctx};
  PetscErrorCode (*f[2])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {InitFn, ZeroBC};
  void          *ctxs[2]                                                                     = {&e, NULL};

  PetscFunctionBeginUser;
  PetscCheck(td->is_setup, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: SetInitialVelocity before SetUp");
  PetscCall(DMProjectFunction(td->dm, 0.0, f, ctxs, INSERT_ALL_VALUES, td->u));
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_GetNumCells(HtThreeD td, PetscInt *ncells)
{
  PetscInt cStart, cEnd, n;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetHeightStratum(td->dm, 0, &cStart, &cEnd));
  n = cEnd - cStart;
  PetscCall(MPIU_Allreduce(&n, ncells, 1, MPIU_INT, MPI_SUM, td->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_GetSolution(HtThreeD td, DM *dm, Vec *u)
{
  PetscFunctionBeginUser;
  if (dm) *dm = td->dm;
  if (u) *u = td->u;
  PetscFunctionReturn(0);
}

typedef struct {
  void (*exact)(const PetscReal x[3], PetscReal u[3], void *ctx);
  void *ctx;
} ExactCtx;

static PetscErrorCode ExactFn(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  ExactCtx *e = (ExactCtx *)ctx;
  PetscReal v[3];
  e->exact(x, v, e->ctx);
  for (PetscInt i = 0; i < 3; i++) u[i] = v[i];
  return 0;
}

PetscErrorCode HtThreeD_VelocityL2Error(HtThreeD td, void (*exact)(const PetscReal x[3], PetscReal u[3], void *ctx), void *ctx, PetscReal *err_L2, PetscReal *norm_L2)
{
  ExactCtx       e = {exact, ctx};
  PetscErrorCode (*f[2])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {ExactFn, ZeroBC};
  PetscErrorCode (*z[2])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {ZeroBC, ZeroBC};
  void          *ctxs[2] = {&e, NULL};
  PetscReal      diff[2];

  PetscFunctionBeginUser;
  PetscCall(DMComputeL2FieldDiff(td->dm, td->t, f, ctxs, td->u, diff));
  *err_L2 = diff[0];
  if (norm_L2) {
    PetscCall(DMComputeL2FieldDiff(td->dm, td->t, z, ctxs, td->u, diff));
    *norm_L2 = diff[0];
  }
  PetscFunctionReturn(0);
}

/* Outlet pressures for the next solve from the current outlet flows (semi-implicit coupling: the flow is
 * integrated on the outlet after each step and the 0D outlet model advanced with it). */
static PetscErrorCode UpdateOutlets(HtThreeD td, PetscReal dt)
{
  Vec     loc;
  PetscDS ds;

  PetscFunctionBeginUser;
  PetscCall(HtThreeD_LocalSolution(td, &loc));
  for (PetscInt k = 0; k < td->c.noutlets; k++) {
    const HtThreeDOutlet *o = &td->c.outlets[k];
    PetscReal             Q, Pi, A;
    if (o->type == HT_OUTLET_TRACTION) continue;
    PetscCall(GroupIntegrals(td, loc, td->outlet_id[k], &Q, &Pi, &A));
    if (o->type == HT_OUTLET_RESISTANCE) td->consts[HT3_C_OUTLET0 + k] = o->Pd_dyn_cm2 + o->R_cgs * Q;
    else {
      /* RCR: C dPc/dt = Q - (Pc - Pd)/Rd, implicit Euler in Pc; P = Pc + Rp Q */
      if (dt > 0) td->Pc[k] = (td->Pc[k] + dt / o->C_cgs * (Q + o->Pd_dyn_cm2 / o->Rd_cgs)) / (1.0 + dt / (o->C_cgs * o->Rd_cgs));
      else td->Pc[k] = o->Pd_dyn_cm2 + o->Rd_cgs * Q; /* steady: capacitor carries no flow */
      td->consts[HT3_C_OUTLET0 + k] = td->Pc[k] + o->Rp_cgs * Q;
    }
  }
  PetscCall(DMRestoreLocalVector(td->dm, &loc));
  PetscCall(DMGetDS(td->dm, &ds));
  PetscCall(PetscDSSetConstants(ds, HT3_C_N, td->consts));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetSolverDefaults(HtThreeD td, KSP ksp)
{
  PC pc;

  PetscFunctionBeginUser;
  /* Default: GMRES preconditioned by a parallel direct factorisation (MUMPS) - robust for CI and patient
   * meshes up to a few 100k tets. For large meshes use the scalable block preconditioner, e.g.
   *   -threed_pc_type fieldsplit -threed_pc_fieldsplit_type schur -threed_pc_fieldsplit_schur_fact_type full
   *   -threed_pc_fieldsplit_schur_precondition selfp -threed_fieldsplit_velocity_pc_type gamg
   *   -threed_fieldsplit_pressure_pc_type gamg
   * (options given on the command line override these defaults). */
  PetscCall(KSPSetType(ksp, KSPGMRES));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCLU));
  PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  PetscCall(KSPSetTolerances(ksp, 1e-10, 1e-50, PETSC_DEFAULT, 200));
  PetscFunctionReturn(0);
}

static PetscErrorCode HistoryString(SNES snes, char *buf, size_t len)
{
  PetscReal *h;
  PetscInt   n;

  PetscFunctionBeginUser;
  buf[0] = 0;
  PetscCall(SNESGetConvergenceHistory(snes, &h, NULL, &n));
  for (PetscInt i = 0; i < n && i < 12; i++) {
    size_t l = strlen(buf);
    PetscCall(PetscSNPrintf(buf + l, len - l, "%s%.3e", i ? " " : "", (double)h[i]));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckFinite(HtThreeD td, const char *what, SNES snes)
{
  PetscReal nrm;
  char      hist[512];

  PetscFunctionBeginUser;
  PetscCall(VecNorm(td->u, NORM_2, &nrm));
  if (PetscIsInfOrNanReal(nrm)) {
    PetscCall(HistoryString(snes, hist, sizeof hist));
    SETERRQ(td->comm, PETSC_ERR_NOT_CONVERGED, "3d: %s: solution is not finite at step %" PetscInt_FMT ", t = %.6f s (residual history: %s)", what, td->step, (double)td->t, hist);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode SolveSteady(HtThreeD td)
{
  SNES                snes;
  KSP                 ksp;
  SNESConvergedReason reason;
  PetscBool           coupled = PETSC_FALSE;
  char                hist[512];

  PetscFunctionBeginUser;
  PetscCall(SNESCreate(td->comm, &snes));
  td->snes = snes;
  PetscCall(SNESSetOptionsPrefix(snes, "threed_"));
  PetscCall(SNESSetDM(snes, td->dm));
  PetscCall(DMPlexSetSNESLocalFEM(td->dm, td, td, td));
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(SetSolverDefaults(td, ksp));
  PetscCall(SNESSetTolerances(snes, 1e-10, 1e-8, PETSC_DEFAULT, 50, PETSC_DEFAULT));
  PetscCall(SNESSetConvergenceHistory(snes, NULL, NULL, 64, PETSC_TRUE));
  PetscCall(SNESSetFromOptions(snes));
  for (PetscInt k = 0; k < td->c.noutlets; k++)
    if (td->c.outlets[k].type != HT_OUTLET_TRACTION) coupled = PETSC_TRUE;
  td->t = 0.0;
  /* outlet resistances: fixed-point iterations on the outlet pressures */
  for (PetscInt it = 0; it < (coupled ? 30 : 1); it++) {
    PetscReal Pold[HT3_MAX_OUTLETS], change = 0, scale = 1e-30;
    for (PetscInt k = 0; k < td->c.noutlets; k++) Pold[k] = PetscRealPart(td->consts[HT3_C_OUTLET0 + k]);
    PetscCall(SNESSolve(snes, NULL, td->u));
    PetscCall(SNESGetConvergedReason(snes, &reason));
    PetscCall(CheckFinite(td, "steady solve", snes));
    if (reason < 0) {
      PetscCall(HistoryString(snes, hist, sizeof hist));
      SETERRQ(td->comm, PETSC_ERR_NOT_CONVERGED, "3d: steady Newton solve diverged (%s), residual history: %s", SNESConvergedReasons[reason], hist);
    }
    if (!coupled) break;
    PetscCall(UpdateOutlets(td, 0.0));
    for (PetscInt k = 0; k < td->c.noutlets; k++) {
      change = PetscMax(change, PetscAbsReal(PetscRealPart(td->consts[HT3_C_OUTLET0 + k]) - Pold[k]));
      scale  = PetscMax(scale, PetscAbsReal(Pold[k]));
    }
    if (change <= 1e-8 * scale) break;
  }
  if (td->outdir[0]) {
    PetscCall(HtThreeD_CSVOpen(td));
    PetscCall(HtThreeD_CSVRow(td));
    PetscCall(HtThreeD_WriteFrame(td));
    PetscCall(HtThreeD_WritePVD(td));
  }
  PetscFunctionReturn(0);
}

/* Checkpoint: the solution vector plus step, time and outlet states as HDF5 attributes. Written to a
 * temporary name and renamed, so a run killed while writing leaves the previous checkpoint intact.
 * Restart needs the same mesh and number of ranks (same distribution). With backward Euler the resumed
 * run repeats the uninterrupted one to solver tolerance; BDF2 restarts its history (one first-order step). */
static PetscErrorCode WriteCheckpoint(HtThreeD td)
{
  PetscViewer v;
  char        path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8];
  PetscReal   t = td->t;
  PetscInt    s = td->step;

  PetscFunctionBeginUser;
  PetscCall(HtPath_Join(path, sizeof path, td->outdir, "checkpoint.h5"));
  PetscCall(PetscSNPrintf(tmp, sizeof tmp, "%s.tmp", path));
  PetscCall(PetscViewerHDF5Open(td->comm, tmp, FILE_MODE_WRITE, &v));
  PetscCall(VecView(td->u, v));
  PetscCall(PetscViewerHDF5WriteAttribute(v, "solution", "step", PETSC_INT, &s));
  PetscCall(PetscViewerHDF5WriteAttribute(v, "solution", "t_s", PETSC_REAL, &t));
  for (PetscInt k = 0; k < td->c.noutlets; k++) {
    char name[32];
    PetscReal P = PetscRealPart(td->consts[HT3_C_OUTLET0 + k]);
    PetscCall(PetscSNPrintf(name, sizeof name, "Pc_%" PetscInt_FMT, k));
    PetscCall(PetscViewerHDF5WriteAttribute(v, "solution", name, PETSC_REAL, &td->Pc[k]));
    PetscCall(PetscSNPrintf(name, sizeof name, "P_%" PetscInt_FMT, k));
    PetscCall(PetscViewerHDF5WriteAttribute(v, "solution", name, PETSC_REAL, &P));
  }
  PetscCall(PetscViewerDestroy(&v));
  if (!td->rank) PetscCheck(!rename(tmp, path), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot rename the checkpoint", path);
  PetscCallMPI(MPI_Barrier(td->comm));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadCheckpoint(HtThreeD td)
{
  PetscViewer v;
  PetscBool   ex;
  PetscInt    s = 0;
  PetscReal   t = 0;

  PetscFunctionBeginUser;
  PetscCall(HtPath_Exists(td->restart, &ex, NULL));
  PetscCheck(ex, td->comm, PETSC_ERR_FILE_OPEN, "file %s: checkpoint not found", td->restart);
  PetscCall(PetscViewerHDF5Open(td->comm, td->restart, FILE_MODE_READ, &v));
  PetscCall(VecLoad(td->u, v));
  PetscCall(PetscViewerHDF5ReadAttribute(v, "solution", "step", PETSC_INT, NULL, &s));
  PetscCall(PetscViewerHDF5ReadAttribute(v, "solution", "t_s", PETSC_REAL, NULL, &t));
  for (PetscInt k = 0; k < td->c.noutlets; k++) {
    char      name[32];
    PetscReal P = 0;
    PetscCall(PetscSNPrintf(name, sizeof name, "Pc_%" PetscInt_FMT, k));
    PetscCall(PetscViewerHDF5ReadAttribute(v, "solution", name, PETSC_REAL, NULL, &td->Pc[k]));
    PetscCall(PetscSNPrintf(name, sizeof name, "P_%" PetscInt_FMT, k));
    PetscCall(PetscViewerHDF5ReadAttribute(v, "solution", name, PETSC_REAL, NULL, &P));
    td->consts[HT3_C_OUTLET0 + k] = P;
  }
  PetscCall(PetscViewerDestroy(&v));
  PetscCheck(s >= 0 && s < td->c.steps, td->comm, PETSC_ERR_USER_INPUT, "file %s: checkpoint step %" PetscInt_FMT " is not below the case's %" PetscInt_FMT " steps", td->restart, s, td->c.steps);
  td->step = s;
  td->t    = t;
  PetscFunctionReturn(0);
}

static PetscErrorCode SolveUnsteady(HtThreeD td)
{
  TS        ts;
  SNES      snes;
  KSP       ksp;
  char      hist[512];
  PetscReal dt = td->c.dt_s;
  PetscInt  window;

  PetscFunctionBeginUser;
  PetscCall(TSCreate(td->comm, &ts));
  td->ts = ts;
  PetscCall(TSSetOptionsPrefix(ts, "threed_"));
  PetscCall(TSSetDM(ts, td->dm));
  PetscCall(DMTSSetBoundaryLocal(td->dm, DMPlexTSComputeBoundary, td));
  PetscCall(DMTSSetIFunctionLocal(td->dm, DMPlexTSComputeIFunctionFEM, td));
  PetscCall(DMTSSetIJacobianLocal(td->dm, DMPlexTSComputeIJacobianFEM, td));
  PetscCall(TSSetType(ts, TSBDF));
  PetscCall(TSBDFSetOrder(ts, 2));
  PetscCall(TSSetTimeStep(ts, dt));
  PetscCall(TSSetTime(ts, 0.0));
  PetscCall(TSSetSolution(ts, td->u));
  PetscCall(TSSetMaxTime(ts, 1e30));
  PetscCall(TSSetMaxSteps(ts, PETSC_MAX_INT));
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_STEPOVER));
  PetscCall(TSSetMaxSNESFailures(ts, 1));
  PetscCall(TSSetErrorIfStepFails(ts, PETSC_FALSE)); /* our message names the step, time and residuals */
  PetscCall(TSGetSNES(ts, &snes));
  td->snes = snes;
  PetscCall(SNESSetTolerances(snes, 1e-10, 1e-6, PETSC_DEFAULT, 25, PETSC_DEFAULT));
  /* PetscFE Jacobian assembly costs ~100x a residual here: reuse the Jacobian and its factorisation
   * across Newton iterations and time steps (chord Newton), refreshed every 10 iterations; change with
   * -threed_snes_lag_jacobian / -threed_snes_lag_preconditioner */
  PetscCall(SNESSetLagJacobian(snes, 10));
  PetscCall(SNESSetLagJacobianPersists(snes, PETSC_TRUE));
  PetscCall(SNESSetLagPreconditioner(snes, 10));
  PetscCall(SNESSetLagPreconditionerPersists(snes, PETSC_TRUE));
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(SetSolverDefaults(td, ksp));
  PetscCall(SNESSetConvergenceHistory(snes, NULL, NULL, 64, PETSC_TRUE));
  PetscCall(TSSetFromOptions(ts));
  {
    TSAdapt adapt;
    PetscCall(TSGetAdapt(ts, &adapt));
    PetscCall(TSAdaptSetType(adapt, TSADAPTNONE)); /* fixed dt: outlet coupling and outputs assume it */
  }
  PetscCall(TSGetTimeStep(ts, &dt));
  td->consts[HT3_C_DT] = dt;
  if (td->c.nwave >= 2) window = (PetscInt)PetscCeilReal((td->c.wave_t_s[td->c.nwave - 1] - td->c.wave_t_s[0]) / dt - 1e-9);
  else window = td->c.steps;
  td->t                = 0.0;
  td->step             = 0;
  if (td->restart[0]) {
    PetscDS ds;
    PetscCall(ReadCheckpoint(td));
    PetscCall(DMGetDS(td->dm, &ds));
    PetscCall(PetscDSSetConstants(ds, HT3_C_N, td->consts));
    PetscCall(TSSetTime(ts, td->t));
    PetscCall(TSSetStepNumber(ts, td->step));
    HtLog_Info("3d: resuming at step %" PetscInt_FMT ", t = %g s", td->step, (double)td->t);
    /* frames already written: t = 0 and every output_interval steps */
    td->nframes = 0;
    for (PetscInt s = 0; s <= td->step; s += PetscMax(1, td->c.output_interval)) {
      if (td->nframes >= td->maxframes) {
        td->maxframes = 2 * td->maxframes + 16;
        PetscCall(PetscRealloc(sizeof(PetscReal) * td->maxframes, &td->frame_t));
      }
      td->frame_t[td->nframes++] = s * dt;
    }
    if (td->outdir[0] && !td->rank) {
      char path[PETSC_MAX_PATH_LEN];
      PetscCall(HtPath_Join(path, sizeof path, td->outdir, "flows.csv"));
      td->csv = fopen(path, "a");
      PetscCheck(td->csv, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot append", path);
    }
  } else if (td->outdir[0]) {
    PetscCall(HtThreeD_CSVOpen(td));
    PetscCall(HtThreeD_CSVRow(td));
    PetscCall(HtThreeD_WriteFrame(td));
  }
  for (PetscInt s = td->step + 1; s <= td->c.steps; s++) {
    TSConvergedReason reason;
    PetscCall(TSStep(ts));
    PetscCall(TSGetConvergedReason(ts, &reason));
    td->step = s;
    if (reason < 0) {
      PetscCall(HistoryString(snes, hist, sizeof hist));
      SETERRQ(td->comm, PETSC_ERR_NOT_CONVERGED, "3d: time step %" PetscInt_FMT " to t = %.6f s diverged (%s), last Newton residual history: %s", s, (double)(s * dt), TSConvergedReasons[reason], hist);
    }
    PetscCall(TSGetTime(ts, &td->t));
    PetscCall(CheckFinite(td, "time step", snes));
    PetscCall(UpdateOutlets(td, dt));
    if (td->mon) PetscCall(td->mon(td, s, td->t, td->monctx));
    /* TAWSS/OSI over the last cycle (the whole run when the inflow is constant) */
    if (td->outdir[0] && s > td->c.steps - window) PetscCall(HtThreeD_AccumulateWSS(td, dt));
    if (td->outdir[0]) {
      PetscCall(HtThreeD_CSVRow(td));
      if (s % PetscMax(1, td->c.output_interval) == 0 || s == td->c.steps) PetscCall(HtThreeD_WriteFrame(td));
      if (td->ckpt_interval > 0 && s % td->ckpt_interval == 0) PetscCall(WriteCheckpoint(td));
    }
  }
  if (td->outdir[0]) {
    PetscCall(HtThreeD_WritePVD(td));
    PetscCall(HtThreeD_WriteTAWSS(td));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_SetStepMonitor(HtThreeD td, PetscErrorCode (*mon)(HtThreeD td, PetscInt step, PetscReal t_s, void *ctx), void *ctx)
{
  PetscFunctionBeginUser;
  td->mon    = mon;
  td->monctx = ctx;
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_Solve(HtThreeD td)
{
  PetscFunctionBeginUser;
  PetscCheck(td->is_setup, td->comm, PETSC_ERR_USER_INPUT, "HtThreeD: Solve before SetUp");
  if (td->c.steady) PetscCall(SolveSteady(td));
  else PetscCall(SolveUnsteady(td));
  if (td->csv) {
    fclose(td->csv);
    td->csv = NULL;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_Destroy(HtThreeD *td)
{
  HtThreeD t;

  PetscFunctionBeginUser;
  if (!td || !*td) PetscFunctionReturn(0);
  t = *td;
  if (t->csv) fclose(t->csv);
  PetscCall(TSDestroy(&t->ts));
  if (!t->ts && t->c.steady) PetscCall(SNESDestroy(&t->snes));
  PetscCall(VecDestroy(&t->u));
  PetscCall(VecDestroy(&t->locAux));
  PetscCall(DMDestroy(&t->dm));
  PetscCall(PetscFree(t->c.wave_t_s));
  PetscCall(PetscFree(t->c.wave_Q_mL_s));
  PetscCall(PetscFree(t->frame_t));
  PetscCall(PetscFree(t->acc));
  PetscCall(PetscFree(t));
  *td = NULL;
  PetscFunctionReturn(0);
}
