/* Gmsh adaptor: capped tagged surface -> tetrahedral mesh with physical groups.
 * One discrete surface entity per surface tag (the triangles are kept as they are, so caps stay
 * planar and the mesh volume equals the surface's enclosed volume), one discrete volume bounded by
 * them, meshed by Gmsh's 3D Delaunay. Quality is measured here from the tets, not taken from Gmsh. */
#include "htmesh.h"
#include <gmshc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static PetscBool ht_gmsh_up = PETSC_FALSE;

static PetscErrorCode GmshFinalizeAtExit(void)
{
  int ierr = 0;
  PetscFunctionBeginUser;
  if (ht_gmsh_up) gmshFinalize(&ierr);
  ht_gmsh_up = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* Raise PETSC_ERR_LIB naming the step and Gmsh's last error message. */
static PetscErrorCode GmshError(const char *step, int ierr)
{
  char *msg = NULL;
  int   e2  = 0;
  char  buf[256];
  PetscFunctionBeginUser;
  gmshLoggerGetLastError(&msg, &e2);
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%s", (!e2 && msg && msg[0]) ? msg : "no message"));
  if (msg) gmshFree(msg);
  for (char *c = buf; *c; c++)
    if (*c == '\n') *c = ' ';
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "gmsh %s failed (code %d): %s", step, ierr, buf);
}

#define GmshCall(step, ...) \
  do { \
    int ierr_ = 0; \
    __VA_ARGS__; \
    if (ierr_) PetscCall(GmshError(step, ierr_)); \
  } while (0)

static PetscErrorCode GmshUp(PetscBool verbose)
{
  PetscFunctionBeginUser;
  if (!ht_gmsh_up) {
    GmshCall("initialise", gmshInitialize(0, NULL, 0, &ierr_));
    ht_gmsh_up = PETSC_TRUE;
    PetscCall(PetscRegisterFinalize(GmshFinalizeAtExit));
  }
  GmshCall("set General.Terminal", gmshOptionSetNumber("General.Terminal", verbose ? 1 : 0, &ierr_));
  GmshCall("set General.Verbosity", gmshOptionSetNumber("General.Verbosity", verbose ? 5 : 1, &ierr_));
  PetscFunctionReturn(0);
}

PetscErrorCode HtMeshOptions_Default(HtMeshOptions *o)
{
  PetscFunctionBeginUser;
  memset(o, 0, sizeof(*o));
  o->size_mm     = 0;
  o->optimize    = PETSC_TRUE;
  o->netgen      = PETSC_FALSE;
  o->verbose     = PETSC_FALSE;
  o->msh_version = 4;
  PetscFunctionReturn(0);
}

PetscErrorCode HtMeshOptions_SetFromOptions(HtMeshOptions *o, const char *prefix)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-mesh_size_mm", &o->size_mm, NULL));
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-mesh_optimize", &o->optimize, NULL));
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-mesh_netgen", &o->netgen, NULL));
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-mesh_verbose", &o->verbose, NULL));
  PetscCall(PetscOptionsGetInt(NULL, prefix, "-mesh_msh_version", &o->msh_version, NULL));
  PetscCheck(o->msh_version == 2 || o->msh_version == 4, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -mesh_msh_version %" PetscInt_FMT ": must be 2 or 4", o->msh_version);
  PetscFunctionReturn(0);
}

PetscErrorCode HtMesh_Destroy(HtMesh *m)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(m->x));
  PetscCall(PetscFree(m->tet));
  PetscCall(PetscFree(m->btri));
  PetscCall(PetscFree(m->btag));
  if (m->names)
    for (PetscInt i = 0; i < m->nnames; i++) PetscCall(PetscFree(m->names[i]));
  PetscCall(PetscFree(m->names));
  memset(m, 0, sizeof(*m));
  PetscFunctionReturn(0);
}

static inline void      Sub(const PetscReal *a, const PetscReal *b, PetscReal *c) { c[0] = a[0] - b[0]; c[1] = a[1] - b[1]; c[2] = a[2] - b[2]; }
static inline PetscReal Dot(const PetscReal *a, const PetscReal *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static inline void      Cross(const PetscReal *a, const PetscReal *b, PetscReal *c)
{
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}
static inline PetscReal Norm(const PetscReal *a) { return PetscSqrtReal(Dot(a, a)); }

PetscErrorCode HtMesh_Quality(const HtMesh *m, HtMeshQuality *q)
{
  static const int edges[6][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}, {1, 2, 0, 3}, {1, 3, 0, 2}, {2, 3, 0, 1}};
  PetscReal        vol = 0, rrsum = 0;
  PetscFunctionBeginUser;
  memset(q, 0, sizeof(*q));
  q->ntet             = m->ntet;
  q->min_dihedral_deg = 180;
  q->min_radius_ratio = 1;
  q->min_edge_mm      = PETSC_MAX_REAL;
  for (PetscInt t = 0; t < m->ntet; t++) {
    const PetscReal *p[4];
    PetscReal        a[3], b[3], c[3], bc[3], V, Aface = 0, R;
    for (int k = 0; k < 4; k++) p[k] = &m->x[3 * m->tet[4 * t + k]];
    Sub(p[1], p[0], a);
    Sub(p[2], p[0], b);
    Sub(p[3], p[0], c);
    Cross(b, c, bc);
    V = Dot(a, bc) / 6.0;
    if (V <= 0) q->inverted++;
    vol += PetscAbsReal(V);
    /* circumradius: |a|^2 (b x c) + |b|^2 (c x a) + |c|^2 (a x b) over 12 V */
    {
      PetscReal ca[3], ab[3], o[3];
      Cross(c, a, ca);
      Cross(a, b, ab);
      for (int k = 0; k < 3; k++) o[k] = Dot(a, a) * bc[k] + Dot(b, b) * ca[k] + Dot(c, c) * ab[k];
      R = V != 0 ? Norm(o) / (12.0 * PetscAbsReal(V)) : PETSC_MAX_REAL;
    }
    for (int f = 0; f < 4; f++) {
      const PetscReal *u = p[(f + 1) % 4], *v = p[(f + 2) % 4], *w = p[(f + 3) % 4];
      PetscReal        e1[3], e2[3], n[3];
      Sub(v, u, e1);
      Sub(w, u, e2);
      Cross(e1, e2, n);
      Aface += 0.5 * Norm(n);
    }
    {
      PetscReal rin = 3.0 * PetscAbsReal(V) / Aface, rr = 3.0 * rin / R;
      q->min_radius_ratio = PetscMin(q->min_radius_ratio, rr);
      rrsum += rr;
    }
    for (int e = 0; e < 6; e++) {
      const PetscReal *xi = p[edges[e][0]], *xj = p[edges[e][1]], *xk = p[edges[e][2]], *xl = p[edges[e][3]];
      PetscReal        d[3], u[3], v[3], len, cu, cv, ang;
      Sub(xj, xi, d);
      len              = Norm(d);
      q->min_edge_mm   = PetscMin(q->min_edge_mm, len);
      q->max_edge_mm   = PetscMax(q->max_edge_mm, len);
      for (int k = 0; k < 3; k++) d[k] /= len;
      Sub(xk, xi, u);
      Sub(xl, xi, v);
      cu = Dot(u, d);
      cv = Dot(v, d);
      for (int k = 0; k < 3; k++) {
        u[k] -= cu * d[k];
        v[k] -= cv * d[k];
      }
      ang = acos(PetscMax(-1.0, PetscMin(1.0, Dot(u, v) / (Norm(u) * Norm(v))))) * 180.0 / PETSC_PI;
      q->min_dihedral_deg = PetscMin(q->min_dihedral_deg, ang);
      q->max_dihedral_deg = PetscMax(q->max_dihedral_deg, ang);
    }
  }
  q->volume_mL         = vol / 1000.0;
  q->mean_radius_ratio = m->ntet ? rrsum / m->ntet : 0;
  if (!m->ntet) q->min_edge_mm = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode HtMesh_Generate(const HtSurface *s, const HtMeshOptions *o, const char *msh_path, HtMesh *m)
{
  HtMeshOptions    def;
  HtSurfaceQuality sq;
  PetscInt         ntag = s->ncaps + 1, *node_ent, *tcount;
  int             *surf_tags, nsurf = 0;
  size_t          *ntags = NULL, ntags_n = 0, ncoord_n = 0, npar_n = 0, maxtag = 0, *map = NULL;
  double          *coord = NULL, *par = NULL;
  PetscFunctionBeginUser;
  if (!o) {
    PetscCall(HtMeshOptions_Default(&def));
    o = &def;
  }
  memset(m, 0, sizeof(*m));
  PetscCall(HtSurface_Check(s, &sq)); /* Gmsh needs a closed, manifold boundary */
  if (sq.min_angle_deg < 3.0) HtLog_Warn("mesh: the surface has triangles with angles down to %.1f deg; the 3D mesher may be slow or fail", (double)sq.min_angle_deg);
  for (PetscInt t = 0; t < s->ntri; t++) PetscCheck(s->tag[t] >= 0 && s->tag[t] < ntag, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "mesh: triangle %" PetscInt_FMT " has tag %" PetscInt_FMT " but the surface has %" PetscInt_FMT " caps", t, s->tag[t], s->ncaps);
  PetscCall(GmshUp(o->verbose));
  GmshCall("clear", gmshClear(&ierr_));
  GmshCall("add model", gmshModelAdd("hemotwin", &ierr_));
  GmshCall("set Mesh.MshFileVersion", gmshOptionSetNumber("Mesh.MshFileVersion", o->msh_version == 2 ? 2.2 : 4.1, &ierr_));
  GmshCall("set Mesh.Optimize", gmshOptionSetNumber("Mesh.Optimize", o->optimize ? 1 : 0, &ierr_));
  GmshCall("set Mesh.Algorithm3D", gmshOptionSetNumber("Mesh.Algorithm3D", 10, &ierr_)); /* HXT: robust boundary recovery */
  GmshCall("set Mesh.SaveAll", gmshOptionSetNumber("Mesh.SaveAll", 0, &ierr_));
  GmshCall("set Mesh.MeshSizeMax", gmshOptionSetNumber("Mesh.MeshSizeMax", o->size_mm > 0 ? o->size_mm : 2.0 * sq.mean_edge_mm, &ierr_));
  GmshCall("set Mesh.MeshSizeExtendFromBoundary", gmshOptionSetNumber("Mesh.MeshSizeExtendFromBoundary", 1, &ierr_));

  /* entities: surface tag t -> discrete surface t+1 (only tags that have triangles) */
  PetscCall(PetscCalloc1(ntag, &tcount));
  for (PetscInt t = 0; t < s->ntri; t++) tcount[s->tag[t]]++;
  PetscCall(PetscMalloc1(ntag, &surf_tags));
  for (PetscInt t = 0; t < ntag; t++)
    if (tcount[t]) {
      surf_tags[nsurf++] = (int)(t + 1);
      GmshCall("add discrete surface", gmshModelAddDiscreteEntity(2, (int)(t + 1), NULL, 0, &ierr_));
    }
  /* each node lives on the lowest-tag surface touching it (rim nodes on the wall) */
  PetscCall(PetscMalloc1(s->npts, &node_ent));
  for (PetscInt v = 0; v < s->npts; v++) node_ent[v] = PETSC_MAX_INT;
  for (PetscInt t = 0; t < s->ntri; t++)
    for (int k = 0; k < 3; k++) node_ent[s->tri[3 * t + k]] = PetscMin(node_ent[s->tri[3 * t + k]], s->tag[t]);
  for (PetscInt t = 0; t < ntag; t++) {
    size_t  nn = 0, *tags;
    double *xyz;
    if (!tcount[t]) continue;
    for (PetscInt v = 0; v < s->npts; v++) nn += node_ent[v] == t;
    PetscCall(PetscMalloc1(nn + 1, &tags));
    PetscCall(PetscMalloc1(3 * nn + 1, &xyz));
    nn = 0;
    for (PetscInt v = 0; v < s->npts; v++)
      if (node_ent[v] == t) {
        tags[nn] = (size_t)v + 1;
        for (int c = 0; c < 3; c++) xyz[3 * nn + c] = s->x[3 * v + c];
        nn++;
      }
    if (nn) GmshCall("add surface nodes", gmshModelMeshAddNodes(2, (int)(t + 1), tags, nn, xyz, 3 * nn, NULL, 0, &ierr_));
    PetscCall(PetscFree(tags));
    PetscCall(PetscFree(xyz));
  }
  for (PetscInt t = 0; t < ntag; t++) {
    size_t *et, *en, ne = 0;
    if (!tcount[t]) continue;
    PetscCall(PetscMalloc1(tcount[t], &et));
    PetscCall(PetscMalloc1(3 * tcount[t], &en));
    for (PetscInt tr = 0; tr < s->ntri; tr++)
      if (s->tag[tr] == t) {
        et[ne] = (size_t)tr + 1;
        for (int k = 0; k < 3; k++) en[3 * ne + k] = (size_t)s->tri[3 * tr + k] + 1;
        ne++;
      }
    GmshCall("add surface triangles", gmshModelMeshAddElementsByType((int)(t + 1), 2, et, ne, en, 3 * ne, &ierr_));
    PetscCall(PetscFree(et));
    PetscCall(PetscFree(en));
  }
  PetscCall(PetscFree(node_ent));
  /* Gmsh 4.8 does not mesh a discrete volume; a built-in-kernel volume bounded by the discrete
   * surfaces (the .geo "Surface Loop / Volume" recipe for STL input) keeps their triangles. */
  {
    int loop = 0;
    GmshCall("add surface loop", loop = gmshModelGeoAddSurfaceLoop(surf_tags, (size_t)nsurf, 1, &ierr_));
    GmshCall("add volume", gmshModelGeoAddVolume(&loop, 1, 1, &ierr_));
    GmshCall("synchronise", gmshModelGeoSynchronize(&ierr_));
  }
  GmshCall("3D mesh generation", gmshModelMeshGenerate(3, &ierr_));
  if (o->netgen) GmshCall("Netgen optimisation", gmshModelMeshOptimize("Netgen", 0, 1, NULL, 0, &ierr_));

  /* physical groups: surface tag t -> id t+1 named wall/inlet/outlet_k; volume "fluid" id 1 */
  PetscCall(PetscMalloc1(ntag, &m->names));
  m->nnames = ntag;
  for (PetscInt t = 0; t < ntag; t++) PetscCall(PetscStrallocpy(t == 0 ? "wall" : s->caps[t - 1].name, &m->names[t]));
  for (PetscInt t = 0; t < ntag; t++) {
    int et = (int)(t + 1);
    if (!tcount[t]) continue;
    GmshCall("add physical surface", gmshModelAddPhysicalGroup(2, &et, 1, HT_MESH_FACE_ID((int)t), &ierr_));
    GmshCall("name physical surface", gmshModelSetPhysicalName(2, HT_MESH_FACE_ID((int)t), m->names[t], &ierr_));
  }
  {
    int vt = 1;
    GmshCall("add physical volume", gmshModelAddPhysicalGroup(3, &vt, 1, HT_MESH_FLUID_ID, &ierr_));
    GmshCall("name physical volume", gmshModelSetPhysicalName(3, HT_MESH_FLUID_ID, "fluid", &ierr_));
  }
  if (msh_path) GmshCall("write mesh file", gmshWrite(msh_path, &ierr_));

  /* read the mesh back into plain arrays */
  GmshCall("get nodes", gmshModelMeshGetNodes(&ntags, &ntags_n, &coord, &ncoord_n, &par, &npar_n, -1, -1, 0, 0, &ierr_));
  for (size_t i = 0; i < ntags_n; i++) maxtag = ntags[i] > maxtag ? ntags[i] : maxtag;
  PetscCall(PetscMalloc1(maxtag + 1, &map));
  for (size_t i = 0; i <= maxtag; i++) map[i] = (size_t)-1;
  m->nnodes = (PetscInt)ntags_n;
  PetscCall(PetscMalloc1(3 * ntags_n, &m->x));
  for (size_t i = 0; i < ntags_n; i++) {
    map[ntags[i]] = i;
    for (int c = 0; c < 3; c++) m->x[3 * i + c] = coord[3 * i + c];
  }
  gmshFree(ntags);
  gmshFree(coord);
  gmshFree(par);
  {
    size_t *et = NULL, net = 0, *en = NULL, nen = 0;
    GmshCall("get tetrahedra", gmshModelMeshGetElementsByType(4, &et, &net, &en, &nen, -1, 0, 1, &ierr_));
    m->ntet = (PetscInt)net;
    PetscCall(PetscMalloc1(4 * net + 1, &m->tet));
    for (size_t i = 0; i < 4 * net; i++) {
      PetscCheck(en[i] <= maxtag && map[en[i]] != (size_t)-1, PETSC_COMM_SELF, PETSC_ERR_LIB, "gmsh mesh: tetrahedron refers to unknown node %zu", en[i]);
      m->tet[i] = (PetscInt)map[en[i]];
    }
    gmshFree(et);
    gmshFree(en);
  }
  PetscCheck(m->ntet > 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "gmsh 3D mesh generation produced no tetrahedra");
  for (PetscInt t = 0; t < m->ntet; t++) { /* positive orientation */
    PetscReal a[3], b[3], c[3], bc[3];
    PetscInt *v = &m->tet[4 * t];
    Sub(&m->x[3 * v[1]], &m->x[3 * v[0]], a);
    Sub(&m->x[3 * v[2]], &m->x[3 * v[0]], b);
    Sub(&m->x[3 * v[3]], &m->x[3 * v[0]], c);
    Cross(b, c, bc);
    if (Dot(a, bc) < 0) {
      PetscInt tmp = v[2];
      v[2]         = v[3];
      v[3]         = tmp;
    }
  }
  {
    PetscInt nb = 0;
    PetscCall(PetscMalloc1(3 * s->ntri + 1, &m->btri));
    PetscCall(PetscMalloc1(s->ntri + 1, &m->btag));
    for (PetscInt t = 0; t < ntag; t++) {
      size_t *et = NULL, net = 0, *en = NULL, nen = 0;
      if (!tcount[t]) continue;
      GmshCall("get boundary triangles", gmshModelMeshGetElementsByType(2, &et, &net, &en, &nen, (int)(t + 1), 0, 1, &ierr_));
      PetscCheck(nb + (PetscInt)net <= s->ntri, PETSC_COMM_SELF, PETSC_ERR_LIB, "gmsh mesh: more boundary triangles than the surface has");
      for (size_t i = 0; i < net; i++) {
        for (int k = 0; k < 3; k++) m->btri[3 * nb + k] = (PetscInt)map[en[3 * i + k]];
        m->btag[nb++] = t;
      }
      gmshFree(et);
      gmshFree(en);
    }
    m->nbtri = nb;
  }
  PetscCall(PetscFree(map));
  PetscCall(PetscFree(tcount));
  PetscCall(PetscFree(surf_tags));
  GmshCall("remove model", gmshModelRemove(&ierr_));
  PetscCall(HtMesh_Quality(m, &m->q));
  PetscCheck(m->q.inverted == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "gmsh mesh has %" PetscInt_FMT " degenerate tetrahedra", m->q.inverted);
  HtLog_Info("mesh: %" PetscInt_FMT " nodes, %" PetscInt_FMT " tetrahedra, %" PetscInt_FMT " boundary triangles, %.3f mL, dihedral %.1f..%.1f deg, min radius ratio %.3f", m->nnodes, m->ntet, m->nbtri, (double)m->q.volume_mL, (double)m->q.min_dihedral_deg, (double)m->q.max_dihedral_deg, (double)m->q.min_radius_ratio);
  PetscFunctionReturn(0);
}
