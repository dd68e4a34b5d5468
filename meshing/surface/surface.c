/* Surface bookkeeping in plain C: options, topology/geometry checks and flat caps.
 * The contouring itself is in surface_vtk.cxx. */
#include "htsurface.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

PetscErrorCode HtSurface_FromLabelsVTK_Private(const HtLabels *, const int *, PetscInt, const HtSurfaceOptions *, HtSurface *);

static PetscReal ht_cap_inset = 0.75;

PetscErrorCode HtSurfaceOptions_Default(HtSurfaceOptions *o)
{
  PetscFunctionBeginUser;
  o->gauss_sigma_vox  = 0.6;
  o->smooth_iter      = 20;
  o->smooth_passband  = 0.1;
  o->decimate         = 0.0;
  o->target_triangles = 0;
  o->keep_largest     = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode HtSurfaceOptions_SetFromOptions(HtSurfaceOptions *o, const char *prefix)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-surface_sigma", &o->gauss_sigma_vox, NULL));
  PetscCall(PetscOptionsGetInt(NULL, prefix, "-surface_smooth_iter", &o->smooth_iter, NULL));
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-surface_passband", &o->smooth_passband, NULL));
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-surface_decimate", &o->decimate, NULL));
  PetscCall(PetscOptionsGetInt(NULL, prefix, "-surface_target_triangles", &o->target_triangles, NULL));
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-surface_keep_largest", &o->keep_largest, NULL));
  PetscCheck(o->decimate >= 0 && o->decimate < 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -surface_decimate %g: must be in [0, 1)", (double)o->decimate);
  PetscCheck(o->smooth_passband > 0 && o->smooth_passband <= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -surface_passband %g: must be in (0, 2]", (double)o->smooth_passband);
  PetscCheck(o->gauss_sigma_vox >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -surface_sigma %g: must be >= 0", (double)o->gauss_sigma_vox);
  PetscFunctionReturn(0);
}

PetscErrorCode HtSurface_SetCapInset(PetscReal radii)
{
  PetscFunctionBeginUser;
  PetscCheck(radii > 0 && radii < 10, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap inset %g radii: must be in (0, 10)", (double)radii);
  ht_cap_inset = radii;
  PetscFunctionReturn(0);
}

PetscErrorCode HtSurface_Destroy(HtSurface *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(s->x));
  PetscCall(PetscFree(s->tri));
  PetscCall(PetscFree(s->tag));
  PetscCall(PetscFree(s->caps));
  memset(s, 0, sizeof(*s));
  PetscFunctionReturn(0);
}

PetscErrorCode HtSurface_Copy(const HtSurface *src, HtSurface *dst)
{
  PetscFunctionBeginUser;
  memset(dst, 0, sizeof(*dst));
  dst->npts  = src->npts;
  dst->ntri  = src->ntri;
  dst->ncaps = src->ncaps;
  PetscCall(PetscMalloc1(3 * src->npts + 1, &dst->x));
  PetscCall(PetscMalloc1(3 * src->ntri + 1, &dst->tri));
  PetscCall(PetscMalloc1(src->ntri + 1, &dst->tag));
  PetscCall(PetscMalloc1(src->ncaps + 1, &dst->caps));
  PetscCall(PetscArraycpy(dst->x, src->x, 3 * src->npts));
  PetscCall(PetscArraycpy(dst->tri, src->tri, 3 * src->ntri));
  PetscCall(PetscArraycpy(dst->tag, src->tag, src->ntri));
  if (src->ncaps) PetscCall(PetscArraycpy(dst->caps, src->caps, src->ncaps));
  PetscFunctionReturn(0);
}

/* ---- small vector helpers ------------------------------------------------------------------ */
static inline void      Sub(const PetscReal *a, const PetscReal *b, PetscReal *c) { c[0] = a[0] - b[0]; c[1] = a[1] - b[1]; c[2] = a[2] - b[2]; }
static inline PetscReal Dot(const PetscReal *a, const PetscReal *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static inline void      Cross(const PetscReal *a, const PetscReal *b, PetscReal *c)
{
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}
static inline PetscReal Norm(const PetscReal *a) { return PetscSqrtReal(Dot(a, a)); }
static inline PetscReal Dist(const PetscReal *a, const PetscReal *b)
{
  PetscReal d[3];
  Sub(a, b, d);
  return Norm(d);
}

/* ---- edges ----------------------------------------------------------------------------------- */
typedef struct {
  PetscInt a, b;  /* a < b */
  PetscInt t;     /* triangle */
  int      fwd;   /* 1 if the triangle runs a->b */
} Edge;

static int EdgeCmp(const void *p, const void *q)
{
  const Edge *e = (const Edge *)p, *f = (const Edge *)q;
  if (e->a != f->a) return e->a < f->a ? -1 : 1;
  if (e->b != f->b) return e->b < f->b ? -1 : 1;
  return e->t < f->t ? -1 : (e->t > f->t);
}

static PetscErrorCode BuildEdges(const HtSurface *s, Edge **edges)
{
  Edge *e;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(3 * s->ntri + 1, &e));
  for (PetscInt t = 0; t < s->ntri; t++)
    for (int k = 0; k < 3; k++) {
      PetscInt u = s->tri[3 * t + k], v = s->tri[3 * t + (k + 1) % 3];
      Edge    *f = &e[3 * t + k];
      f->a = PetscMin(u, v); f->b = PetscMax(u, v); f->t = t; f->fwd = u < v;
    }
  qsort(e, (size_t)(3 * s->ntri), sizeof(Edge), EdgeCmp);
  *edges = e;
  PetscFunctionReturn(0);
}

static PetscInt UfFind(PetscInt *p, PetscInt i)
{
  while (p[i] != i) {
    p[i] = p[p[i]];
    i    = p[i];
  }
  return i;
}

PetscErrorCode HtSurface_Quality(const HtSurface *s, HtSurfaceQuality *q)
{
  Edge     *e;
  PetscInt *uf, nedges = 0;
  PetscBool have_bad = PETSC_FALSE;
  PetscReal vol6 = 0, area2 = 0, esum = 0;
  PetscFunctionBeginUser;
  memset(q, 0, sizeof(*q));
  q->npts        = s->npts;
  q->ntri        = s->ntri;
  q->min_edge_mm = PETSC_MAX_REAL;
  q->min_angle_deg = 180;
  for (PetscInt t = 0; t < s->ntri; t++)
    for (int k = 0; k < 3; k++) PetscCheck(s->tri[3 * t + k] >= 0 && s->tri[3 * t + k] < s->npts, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface: triangle %" PetscInt_FMT " refers to vertex %" PetscInt_FMT " of %" PetscInt_FMT, t, s->tri[3 * t + k], s->npts);
  PetscCall(BuildEdges(s, &e));
  PetscCall(PetscMalloc1(s->ntri + 1, &uf));
  for (PetscInt t = 0; t < s->ntri; t++) uf[t] = t;
  for (PetscInt i = 0; i < 3 * s->ntri;) {
    PetscInt j = i, nf = 0;
    while (j < 3 * s->ntri && e[j].a == e[i].a && e[j].b == e[i].b) {
      nf += e[j].fwd;
      j++;
    }
    PetscInt  m = j - i;
    PetscReal len = Dist(&s->x[3 * e[i].a], &s->x[3 * e[i].b]);
    nedges++;
    esum += len;
    q->min_edge_mm = PetscMin(q->min_edge_mm, len);
    q->max_edge_mm = PetscMax(q->max_edge_mm, len);
    if (m == 1) q->boundary_edges++;
    if (m > 2) q->nonmanifold_edges++;
    if (m == 2 && nf != 1) q->inconsistent_edges++;
    if ((m != 2) && !have_bad) {
      for (int c = 0; c < 3; c++) q->bad_x[c] = 0.5 * (s->x[3 * e[i].a + c] + s->x[3 * e[i].b + c]);
      have_bad = PETSC_TRUE;
    }
    for (PetscInt k = i + 1; k < j; k++) {
      PetscInt r0 = UfFind(uf, e[i].t), r1 = UfFind(uf, e[k].t);
      if (r0 != r1) uf[r1] = r0;
    }
    i = j;
  }
  for (PetscInt t = 0; t < s->ntri; t++) {
    const PetscReal *a = &s->x[3 * s->tri[3 * t]], *b = &s->x[3 * s->tri[3 * t + 1]], *c = &s->x[3 * s->tri[3 * t + 2]];
    PetscReal        ab[3], ac[3], n[3];
    if (UfFind(uf, t) == t) q->components++;
    {
      const PetscReal *p[3] = {a, b, c};
      for (int k = 0; k < 3; k++) {
        PetscReal u[3], v[3], cs;
        Sub(p[(k + 1) % 3], p[k], u);
        Sub(p[(k + 2) % 3], p[k], v);
        cs               = Dot(u, v) / (Norm(u) * Norm(v) + 1e-300);
        q->min_angle_deg = PetscMin(q->min_angle_deg, acos(PetscMax(-1.0, PetscMin(1.0, cs))) * 180.0 / PETSC_PI);
      }
    }
    Sub(b, a, ab);
    Sub(c, a, ac);
    Cross(ab, ac, n);
    area2 += Norm(n);
    vol6 += Dot(a, n); /* a . (b-a)x(c-a) = a . (b x c) */
  }
  q->euler        = s->npts - nedges + s->ntri;
  q->volume_mL    = vol6 / 6.0 / 1000.0;
  q->area_mm2     = 0.5 * area2;
  q->mean_edge_mm = nedges ? esum / nedges : 0;
  if (!nedges) q->min_edge_mm = 0;
  PetscCall(PetscFree(uf));
  PetscCall(PetscFree(e));
  PetscFunctionReturn(0);
}

PetscErrorCode HtSurface_Check(const HtSurface *s, HtSurfaceQuality *qout)
{
  HtSurfaceQuality q;
  PetscFunctionBeginUser;
  PetscCall(HtSurface_Quality(s, &q));
  if (qout) *qout = q;
  PetscCheck(s->ntri > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface is empty");
  PetscCheck(q.boundary_edges == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface not watertight: %" PetscInt_FMT " boundary edges near (%.1f, %.1f, %.1f) mm", q.boundary_edges, (double)q.bad_x[0], (double)q.bad_x[1], (double)q.bad_x[2]);
  PetscCheck(q.nonmanifold_edges == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface not manifold: %" PetscInt_FMT " edges shared by more than 2 triangles near (%.1f, %.1f, %.1f) mm", q.nonmanifold_edges, (double)q.bad_x[0], (double)q.bad_x[1], (double)q.bad_x[2]);
  PetscCheck(q.inconsistent_edges == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface not consistently oriented: %" PetscInt_FMT " edges", q.inconsistent_edges);
  PetscCheck(q.components == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface has %" PetscInt_FMT " connected components (expected 1)", q.components);
  PetscCheck(q.volume_mL > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface is inside out (enclosed volume %g mL)", (double)q.volume_mL);
  PetscFunctionReturn(0);
}

/* ---- triangle quality after decimation ------------------------------------------------------ */
static PetscReal MinAngle3(const PetscReal *a, const PetscReal *b, const PetscReal *c)
{
  const PetscReal *p[3] = {a, b, c};
  PetscReal        m    = PETSC_PI;
  for (int k = 0; k < 3; k++) {
    PetscReal u[3], v[3], nu, nv;
    Sub(p[(k + 1) % 3], p[k], u);
    Sub(p[(k + 2) % 3], p[k], v);
    nu = Norm(u);
    nv = Norm(v);
    if (nu == 0 || nv == 0) return 0;
    m = PetscMin(m, acos(PetscMax(-1.0, PetscMin(1.0, Dot(u, v) / (nu * nv)))));
  }
  return m;
}

static void TriNormal(const PetscReal *x, const PetscInt *t, PetscReal n[3])
{
  PetscReal u[3], v[3];
  Sub(&x[3 * t[1]], &x[3 * t[0]], u);
  Sub(&x[3 * t[2]], &x[3 * t[0]], v);
  Cross(u, v, n);
}

/* Quadric decimation leaves slivers (2-3 degree angles) that Gmsh's 3D mesher cannot refine around.
 * Alternate (1) edge flips between nearly coplanar triangles when the flip raises the smaller
 * minimum angle and (2) tangential relaxation (each vertex moves toward the centroid of its
 * neighbours within its tangent plane), which changes the shape by second-order amounts only.
 * Tagged surfaces: flips only between triangles of the same tag, and vertices shared by different
 * tags (cap rims) do not move, so caps stay planar and keep their outline. */
PetscErrorCode HtSurface_Improve_Private(HtSurface *s, PetscInt rounds);
PetscErrorCode HtSurface_Improve_Private(HtSurface *s, PetscInt rounds)
{
  const PetscReal cos_coplanar = cos(20.0 * PETSC_PI / 180.0);
  PetscFunctionBeginUser;
  for (PetscInt round = 0; round < rounds; round++) {
    Edge     *e;
    PetscInt *off, *adj, *cnt, ne = 0, nflip = 0;
    PetscBool *touched;
    PetscCall(BuildEdges(s, &e));
    /* vertex adjacency (CSR) from unique edges */
    PetscCall(PetscCalloc1(s->npts + 1, &off));
    for (PetscInt i = 0; i < 3 * s->ntri; i++)
      if (i == 0 || e[i].a != e[i - 1].a || e[i].b != e[i - 1].b) {
        off[e[i].a + 1]++;
        off[e[i].b + 1]++;
        ne++;
      }
    for (PetscInt v = 0; v < s->npts; v++) off[v + 1] += off[v];
    PetscCall(PetscMalloc1(2 * ne + 1, &adj));
    PetscCall(PetscCalloc1(s->npts, &cnt));
    for (PetscInt i = 0; i < 3 * s->ntri; i++)
      if (i == 0 || e[i].a != e[i - 1].a || e[i].b != e[i - 1].b) {
        adj[off[e[i].a] + cnt[e[i].a]++] = e[i].b;
        adj[off[e[i].b] + cnt[e[i].b]++] = e[i].a;
      }
    /* flips; a vertex or triangle takes part in at most one flip per round */
    PetscCall(PetscCalloc1(s->npts + s->ntri, &touched));
    for (PetscInt i = 0; i + 1 < 3 * s->ntri; i++) {
      if (e[i].a != e[i + 1].a || e[i].b != e[i + 1].b) continue;
      if (i + 2 < 3 * s->ntri && e[i + 2].a == e[i].a && e[i + 2].b == e[i].b) continue; /* non-manifold */
      PetscInt t1 = e[i].fwd ? e[i].t : e[i + 1].t, t2 = e[i].fwd ? e[i + 1].t : e[i].t;
      PetscInt a = e[i].a, b = e[i].b, c = -1, d = -1;
      if (e[i].fwd == e[i + 1].fwd) continue; /* inconsistent orientation: leave alone */
      if (s->tag && s->tag[t1] != s->tag[t2]) continue;
      if (touched[s->npts + t1] || touched[s->npts + t2]) continue;
      for (int k = 0; k < 3; k++) {
        if (s->tri[3 * t1 + k] != a && s->tri[3 * t1 + k] != b) c = s->tri[3 * t1 + k];
        if (s->tri[3 * t2 + k] != a && s->tri[3 * t2 + k] != b) d = s->tri[3 * t2 + k];
      }
      if (c < 0 || d < 0 || c == d || touched[a] || touched[b] || touched[c] || touched[d]) continue;
      PetscBool exists = PETSC_FALSE;
      for (PetscInt k = off[c]; k < off[c + 1]; k++) exists = exists || adj[k] == d;
      if (exists) continue;
      PetscReal n1[3], n2[3], m1[3], m2[3], nsum[3];
      PetscInt  T1[3] = {a, b, c}, T2[3] = {b, a, d}, N1[3] = {a, d, c}, N2[3] = {d, b, c};
      TriNormal(s->x, T1, n1);
      TriNormal(s->x, T2, n2);
      if (Norm(n1) == 0 || Norm(n2) == 0) continue;
      if (Dot(n1, n2) < cos_coplanar * Norm(n1) * Norm(n2)) continue;
      TriNormal(s->x, N1, m1);
      TriNormal(s->x, N2, m2);
      for (int k = 0; k < 3; k++) nsum[k] = n1[k] + n2[k];
      if (Norm(m1) == 0 || Norm(m2) == 0 || Dot(m1, nsum) < cos_coplanar * Norm(m1) * Norm(nsum) || Dot(m2, nsum) < cos_coplanar * Norm(m2) * Norm(nsum)) continue;
      PetscReal before = PetscMin(MinAngle3(&s->x[3 * a], &s->x[3 * b], &s->x[3 * c]), MinAngle3(&s->x[3 * b], &s->x[3 * a], &s->x[3 * d]));
      PetscReal after  = PetscMin(MinAngle3(&s->x[3 * a], &s->x[3 * d], &s->x[3 * c]), MinAngle3(&s->x[3 * d], &s->x[3 * b], &s->x[3 * c]));
      if (after < before + 1.0 * PETSC_PI / 180.0) continue;
      for (int k = 0; k < 3; k++) {
        s->tri[3 * t1 + k] = N1[k];
        s->tri[3 * t2 + k] = N2[k];
      }
      touched[a] = touched[b] = touched[c] = touched[d] = PETSC_TRUE;
      touched[s->npts + t1] = touched[s->npts + t2] = PETSC_TRUE;
      nflip++;
    }
    /* tangential relaxation over the (pre-flip) adjacency; boundary vertices stay */
    {
      PetscReal *vn, *nx;
      PetscInt *vtag;
      PetscCall(PetscCalloc1(3 * s->npts, &vn));
      PetscCall(PetscMalloc1(3 * s->npts, &nx));
      PetscCall(PetscMalloc1(s->npts, &vtag));
      for (PetscInt v = 0; v < s->npts; v++) vtag[v] = -1;
      for (PetscInt t = 0; t < s->ntri; t++)
        for (int k = 0; k < 3; k++) {
          PetscInt v = s->tri[3 * t + k], tg = s->tag ? s->tag[t] : 0;
          vtag[v]    = (vtag[v] == -1 || vtag[v] == tg) ? tg : -2; /* -2: on a rim */
        }
      for (PetscInt t = 0; t < s->ntri; t++) {
        PetscReal n[3];
        TriNormal(s->x, &s->tri[3 * t], n);
        for (int k = 0; k < 3; k++)
          for (int c = 0; c < 3; c++) vn[3 * s->tri[3 * t + k] + c] += n[c];
      }
      for (PetscInt v = 0; v < s->npts; v++) {
        PetscReal cen[3] = {0, 0, 0}, dlt[3], nn = Norm(&vn[3 * v]), dn;
        PetscInt  deg    = off[v + 1] - off[v];
        for (int c = 0; c < 3; c++) nx[3 * v + c] = s->x[3 * v + c];
        if (deg < 3 || nn == 0 || vtag[v] == -2) continue;
        for (PetscInt k = off[v]; k < off[v + 1]; k++)
          for (int c = 0; c < 3; c++) cen[c] += s->x[3 * adj[k] + c] / deg;
        Sub(cen, &s->x[3 * v], dlt);
        dn = Dot(dlt, &vn[3 * v]) / (nn * nn);
        for (int c = 0; c < 3; c++) nx[3 * v + c] = s->x[3 * v + c] + 0.5 * (dlt[c] - dn * vn[3 * v + c]);
      }
      /* in a flat cap a move must not fold a triangle (concave outlines): undo it there. The wall is
       * left alone: partial undos on curved regions do more harm than the rare fold they prevent. */
      for (int pass = 0; pass < 3; pass++) {
        PetscInt nundo = 0;
        for (PetscInt t = 0; t < s->ntri; t++) {
          PetscReal n0[3], n1[3];
          if (!s->tag || s->tag[t] <= 0) continue;
          TriNormal(s->x, &s->tri[3 * t], n0);
          TriNormal(nx, &s->tri[3 * t], n1);
          if (Dot(n0, n1) > 0) continue; /* only true inversions */
          for (int k = 0; k < 3; k++)
            for (int c = 0; c < 3; c++) nx[3 * s->tri[3 * t + k] + c] = s->x[3 * s->tri[3 * t + k] + c];
          nundo++;
        }
        if (!nundo) break;
      }
      PetscCall(PetscArraycpy(s->x, nx, 3 * s->npts));
      PetscCall(PetscFree(vn));
      PetscCall(PetscFree(nx));
      PetscCall(PetscFree(vtag));
    }
    PetscCall(PetscFree(touched));
    PetscCall(PetscFree(cnt));
    PetscCall(PetscFree(adj));
    PetscCall(PetscFree(off));
    PetscCall(PetscFree(e));
    PetscCall(PetscInfo(NULL, "surface improvement round %" PetscInt_FMT ": %" PetscInt_FMT " flips\n", round, nflip));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtSurface_FromLabels(const HtLabels *lab, const int *values, PetscInt nvalues, const HtSurfaceOptions *o, HtSurface *s)
{
  HtSurfaceOptions def;
  HtSurfaceQuality q;
  PetscFunctionBeginUser;
  PetscCheck(lab && lab->lab, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface from labels: empty label map");
  PetscCheck(nvalues > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "surface from labels: no label value given");
  if (!o) {
    PetscCall(HtSurfaceOptions_Default(&def));
    o = &def;
  }
  memset(s, 0, sizeof(*s));
  PetscCall(HtSurface_FromLabelsVTK_Private(lab, values, nvalues, o, s));
  if (o->decimate > 0 || o->target_triangles > 0) PetscCall(HtSurface_Improve_Private(s, 8));
  /* a direction matrix with determinant -1 (or VTK's convention) may leave the normals inward */
  PetscCall(HtSurface_Quality(s, &q));
  if (q.volume_mL < 0)
    for (PetscInt t = 0; t < s->ntri; t++) {
      PetscInt tmp      = s->tri[3 * t + 1];
      s->tri[3 * t + 1] = s->tri[3 * t + 2];
      s->tri[3 * t + 2] = tmp;
    }
  HtLog_Info("surface: %" PetscInt_FMT " points, %" PetscInt_FMT " triangles, %.2f mL", s->npts, s->ntri, (double)PetscAbsReal(q.volume_mL));
  PetscFunctionReturn(0);
}

PetscErrorCode HtSurface_GetCapInset_Private(PetscReal *radii)
{
  PetscReal v = ht_cap_inset;
  PetscBool set;
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-ht_cap_inset", &v, &set));
  PetscCheck(v > 0 && v < 10, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -ht_cap_inset %g: must be in (0, 10) radii", (double)v);
  *radii = v;
  PetscFunctionReturn(0);
}
