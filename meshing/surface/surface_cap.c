/* Flat caps at the inlet/outlet ends of the vessel network.
 *
 * For each end: plane through the centerline point a short distance inside the end (inset * radius),
 * perpendicular to the local centerline tangent. The "end piece" is the edge-connected set of triangles
 * having a vertex beyond the plane, grown from the triangle nearest the plane centre; it is removed
 * (triangles crossing the plane are clipped, sharing the new vertices), so cuts elsewhere on the same
 * infinite plane (another vessel) are untouched. The opening, a closed loop of boundary edges lying in
 * the plane, is closed by concentric rings of triangles (edge length ~ local wall edge length) sharing
 * the loop's vertices, so the result is watertight and the cap exactly planar. */
#include "htsurface.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

PetscErrorCode HtSurface_GetCapInset_Private(PetscReal *radii);
PetscErrorCode HtSurface_Improve_Private(HtSurface *s, PetscInt rounds);

typedef struct {
  PetscInt   np, cp, nt, ct;
  PetscReal *x;
  PetscInt  *tri, *tag;
} Work;

static PetscErrorCode WorkAddPoint(Work *w, const PetscReal *x, PetscInt *id)
{
  PetscFunctionBeginUser;
  if (w->np == w->cp) {
    PetscReal *nx;
    w->cp = 2 * w->cp + 64;
    PetscCall(PetscMalloc1(3 * w->cp, &nx));
    PetscCall(PetscArraycpy(nx, w->x, 3 * w->np));
    PetscCall(PetscFree(w->x));
    w->x = nx;
  }
  for (int c = 0; c < 3; c++) w->x[3 * w->np + c] = x[c];
  *id = w->np++;
  PetscFunctionReturn(0);
}

static PetscErrorCode WorkAddTri(Work *w, PetscInt a, PetscInt b, PetscInt c, PetscInt tag)
{
  PetscFunctionBeginUser;
  if (w->nt == w->ct) {
    PetscInt *nt, *ng;
    w->ct = 2 * w->ct + 64;
    PetscCall(PetscMalloc1(3 * w->ct, &nt));
    PetscCall(PetscMalloc1(w->ct, &ng));
    PetscCall(PetscArraycpy(nt, w->tri, 3 * w->nt));
    PetscCall(PetscArraycpy(ng, w->tag, w->nt));
    PetscCall(PetscFree(w->tri));
    PetscCall(PetscFree(w->tag));
    w->tri = nt;
    w->tag = ng;
  }
  w->tri[3 * w->nt] = a; w->tri[3 * w->nt + 1] = b; w->tri[3 * w->nt + 2] = c;
  w->tag[w->nt++] = tag;
  PetscFunctionReturn(0);
}

/* drop triangles with tag < 0 */
static void WorkCompact(Work *w)
{
  PetscInt n = 0;
  for (PetscInt t = 0; t < w->nt; t++)
    if (w->tag[t] >= 0) {
      for (int k = 0; k < 3; k++) w->tri[3 * n + k] = w->tri[3 * t + k];
      w->tag[n++] = w->tag[t];
    }
  w->nt = n;
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
static inline PetscReal Dist(const PetscReal *a, const PetscReal *b)
{
  PetscReal d[3];
  Sub(a, b, d);
  return Norm(d);
}

/* Point and radius on a segment at arc distance sd from one end (clamped). */
static void SegmentAt(const HtNetSegment *seg, PetscBool from_start, PetscReal sd, PetscReal x[3], PetscReal *r)
{
  PetscReal L = 0, s;
  for (PetscInt i = 1; i < seg->npts; i++) L += Dist(&seg->x[3 * i], &seg->x[3 * (i - 1)]);
  s = from_start ? sd : L - sd;
  s = PetscMax(0.0, PetscMin(L, s));
  PetscReal acc = 0;
  for (PetscInt i = 1; i < seg->npts; i++) {
    PetscReal l = Dist(&seg->x[3 * i], &seg->x[3 * (i - 1)]);
    if (acc + l >= s || i == seg->npts - 1) {
      PetscReal f = l > 0 ? (s - acc) / l : 0;
      f           = PetscMax(0.0, PetscMin(1.0, f));
      for (int c = 0; c < 3; c++) x[c] = (1 - f) * seg->x[3 * (i - 1) + c] + f * seg->x[3 * i + c];
      *r = (1 - f) * seg->r[i - 1] + f * seg->r[i];
      return;
    }
    acc += l;
  }
  for (int c = 0; c < 3; c++) x[c] = seg->x[c];
  *r = seg->r[0];
}

static PetscReal SegmentLength(const HtNetSegment *seg)
{
  PetscReal L = 0;
  for (PetscInt i = 1; i < seg->npts; i++) L += Dist(&seg->x[3 * i], &seg->x[3 * (i - 1)]);
  return L;
}

typedef struct {
  PetscInt a, b, t, k;
} CEdge;

static int CEdgeCmp(const void *p, const void *q)
{
  const CEdge *e = (const CEdge *)p, *f = (const CEdge *)q;
  if (e->a != f->a) return e->a < f->a ? -1 : 1;
  if (e->b != f->b) return e->b < f->b ? -1 : 1;
  return e->t < f->t ? -1 : (e->t > f->t);
}

/* nbr[3t+k]: triangle across edge k of t (-1 at boundary / non-manifold edges) */
static PetscErrorCode Neighbours(const Work *w, PetscInt **nbr_out)
{
  CEdge    *e;
  PetscInt *nbr;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(3 * w->nt + 1, &e));
  PetscCall(PetscMalloc1(3 * w->nt + 1, &nbr));
  for (PetscInt t = 0; t < w->nt; t++)
    for (PetscInt k = 0; k < 3; k++) {
      PetscInt u = w->tri[3 * t + k], v = w->tri[3 * t + (k + 1) % 3];
      e[3 * t + k] = (CEdge){PetscMin(u, v), PetscMax(u, v), t, k};
      nbr[3 * t + k] = -1;
    }
  qsort(e, (size_t)(3 * w->nt), sizeof(CEdge), CEdgeCmp);
  for (PetscInt i = 0; i < 3 * w->nt;) {
    PetscInt j = i;
    while (j < 3 * w->nt && e[j].a == e[i].a && e[j].b == e[i].b) j++;
    if (j - i == 2) {
      nbr[3 * e[i].t + e[i].k]         = e[i + 1].t;
      nbr[3 * e[i + 1].t + e[i + 1].k] = e[i].t;
    }
    i = j;
  }
  PetscCall(PetscFree(e));
  *nbr_out = nbr;
  PetscFunctionReturn(0);
}

typedef struct {
  PetscInt a, b, v;
} Cut;

static PetscErrorCode CutVertex(Work *w, PetscReal **d, PetscInt *capd, Cut **cuts, PetscInt *ncut, PetscInt *capc, PetscInt u, PetscInt v, PetscInt *id)
{
  PetscInt a = PetscMin(u, v), b = PetscMax(u, v);
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < *ncut; i++)
    if ((*cuts)[i].a == a && (*cuts)[i].b == b) {
      *id = (*cuts)[i].v;
      PetscFunctionReturn(0);
    }
  {
    PetscReal da = (*d)[a], db = (*d)[b], f = da / (da - db), x[3];
    for (int c = 0; c < 3; c++) x[c] = w->x[3 * a + c] + f * (w->x[3 * b + c] - w->x[3 * a + c]);
    PetscCall(WorkAddPoint(w, x, id));
  }
  if (*id >= *capd) { /* keep the distance array as long as the points */
    PetscReal *nd;
    PetscInt   nc = 2 * (*capd) + 64;
    PetscCall(PetscMalloc1(nc, &nd));
    PetscCall(PetscArraycpy(nd, *d, *capd));
    PetscCall(PetscFree(*d));
    *d    = nd;
    *capd = nc;
  }
  (*d)[*id] = 0.0;
  if (*ncut == *capc) {
    Cut *nc;
    *capc = 2 * (*capc) + 64;
    PetscCall(PetscMalloc1(*capc, &nc));
    PetscCall(PetscArraycpy(nc, *cuts, *ncut));
    PetscCall(PetscFree(*cuts));
    *cuts = nc;
  }
  (*cuts)[(*ncut)++] = (Cut){a, b, *id};
  PetscFunctionReturn(0);
}

/* Point on closed polygon q (m points, cumulative params par[0..m], par[0]=0, par[m]=1) at u in [0,1). */
static void PolyAt(const PetscReal *q, PetscInt m, const PetscReal *par, PetscReal u, PetscReal x[3])
{
  PetscInt i = 0;
  while (i < m - 1 && par[i + 1] <= u) i++;
  PetscReal l = par[i + 1] - par[i], f = l > 0 ? (u - par[i]) / l : 0;
  for (int c = 0; c < 3; c++) x[c] = (1 - f) * q[3 * i + c] + f * q[3 * ((i + 1) % m) + c];
}

/* Ear clipping of the planar outline (vertex ids, counter-clockwise about N): always valid for a
 * simple polygon, no interior points; the flips of HtSurface_Improve_Private later even it out. */
static PetscErrorCode EarClip(Work *w, const PetscInt *loop, PetscInt m, const PetscReal N[3], PetscInt tag, const char *name)
{
  PetscInt *idx, n = m, guard = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(m, &idx));
  for (PetscInt i = 0; i < m; i++) idx[i] = loop[i];
  while (n > 3) {
    PetscBool found = PETSC_FALSE;
    for (PetscInt i = 0; i < n && !found; i++) {
      PetscInt         a = idx[(i + n - 1) % n], b = idx[i], c = idx[(i + 1) % n];
      const PetscReal *pa = &w->x[3 * a], *pb = &w->x[3 * b], *pc = &w->x[3 * c];
      PetscReal        ab[3], bc[3], cr[3];
      Sub(pb, pa, ab);
      Sub(pc, pb, bc);
      Cross(ab, bc, cr);
      if (Dot(cr, N) <= 0) continue; /* reflex or flat */
      PetscBool inside = PETSC_FALSE;
      for (PetscInt k = 0; k < n && !inside; k++) {
        PetscInt v = idx[k];
        if (v == a || v == b || v == c) continue;
        const PetscReal *p = &w->x[3 * v];
        PetscReal        e[3], f[3], g1[3], g2[3], g3[3];
        Sub(pb, pa, e); Sub(p, pa, f); Cross(e, f, g1);
        Sub(pc, pb, e); Sub(p, pb, f); Cross(e, f, g2);
        Sub(pa, pc, e); Sub(p, pc, f); Cross(e, f, g3);
        if (Dot(g1, N) >= 0 && Dot(g2, N) >= 0 && Dot(g3, N) >= 0) inside = PETSC_TRUE;
      }
      if (inside) continue;
      PetscCall(WorkAddTri(w, a, b, c, tag));
      for (PetscInt k = i; k < n - 1; k++) idx[k] = idx[k + 1];
      n--;
      found = PETSC_TRUE;
    }
    PetscCheck(found && ++guard < 4 * m, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap %s: the opening is not a simple planar polygon", name);
  }
  PetscCall(WorkAddTri(w, idx[0], idx[1], idx[2], tag));
  PetscCall(PetscFree(idx));
  PetscFunctionReturn(0);
}

/* Close the loop (vertex ids in cap orientation) with concentric rings; fills cap geometry. */
static PetscErrorCode TriangulateCap(Work *w, const PetscInt *loop, PetscInt m, PetscReal h, PetscInt tag, HtSurfaceCap *cap)
{
  PetscReal *q, *par, N[3] = {0, 0, 0}, mean[3] = {0, 0, 0}, cen[3] = {0, 0, 0}, asum = 0, P = 0;
  PetscInt  *ringA, *ringB, na = m, t0 = w->nt;
  PetscReal *parA, *parB;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(3 * m, &q));
  PetscCall(PetscMalloc1(m + 1, &par));
  for (PetscInt i = 0; i < m; i++)
    for (int c = 0; c < 3; c++) {
      q[3 * i + c] = w->x[3 * loop[i] + c];
      mean[c] += q[3 * i + c] / m;
    }
  par[0] = 0;
  for (PetscInt i = 0; i < m; i++) {
    PetscReal cr[3], a[3], b[3];
    P += Dist(&q[3 * i], &q[3 * ((i + 1) % m)]);
    par[i + 1] = P;
    Sub(&q[3 * i], mean, a);
    Sub(&q[3 * ((i + 1) % m)], mean, b);
    Cross(a, b, cr);
    for (int c = 0; c < 3; c++) N[c] += cr[c];
  }
  for (PetscInt i = 1; i <= m; i++) par[i] /= P;
  PetscReal nn = Norm(N);
  PetscCheck(nn > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap %s: degenerate opening", cap->name);
  for (int c = 0; c < 3; c++) N[c] /= nn;
  /* area centroid of the polygon (fan about the mean point) */
  for (PetscInt i = 0; i < m; i++) {
    PetscReal a[3], b[3], cr[3], ar;
    Sub(&q[3 * i], mean, a);
    Sub(&q[3 * ((i + 1) % m)], mean, b);
    Cross(a, b, cr);
    ar = 0.5 * Dot(cr, N);
    for (int c = 0; c < 3; c++) cen[c] += ar * (mean[c] + q[3 * i + c] + q[3 * ((i + 1) % m) + c]) / 3.0;
    asum += ar;
  }
  for (int c = 0; c < 3; c++) cen[c] /= asum;
  PetscReal Rm = PetscSqrtReal(asum / PETSC_PI);
  PetscInt  K  = (PetscInt)floor(Rm / h + 0.5) - 1;
  if (K < 0) K = 0;
  /* rings are scaled copies of the outline: valid only if it is star-shaped about the centroid */
  PetscBool star = PETSC_TRUE;
  for (PetscInt i = 0; i < m && star; i++) {
    PetscReal a[3], b[3], cr[3];
    Sub(&q[3 * i], cen, a);
    Sub(&q[3 * ((i + 1) % m)], cen, b);
    Cross(a, b, cr);
    if (Dot(cr, N) <= 1e-3 * Norm(a) * Norm(b)) star = PETSC_FALSE;
  }

  PetscCall(PetscMalloc1(m + 1, &ringA));
  PetscCall(PetscMalloc1(m + 1, &ringB));
  PetscCall(PetscMalloc1(m + 1, &parA));
  PetscCall(PetscMalloc1(m + 1, &parB));
  for (PetscInt i = 0; i < m; i++) {
    ringA[i] = loop[i];
    parA[i]  = par[i];
  }
  for (PetscInt j = 1; star && j <= K + 1; j++) {
    PetscReal sc = 1.0 - (PetscReal)j / (PetscReal)(K + 1);
    PetscInt  nb;
    if (j == K + 1) { /* centre vertex: fan */
      PetscInt cid;
      PetscCall(WorkAddPoint(w, cen, &cid));
      for (PetscInt i = 0; i < na; i++) PetscCall(WorkAddTri(w, ringA[i], ringA[(i + 1) % na], cid, tag));
      break;
    }
    nb = (PetscInt)floor(m * sc + 0.5);
    if (nb < 3) nb = 3;
    for (PetscInt k = 0; k < nb; k++) {
      PetscReal u = (PetscReal)k / nb, x[3];
      PolyAt(q, m, par, u, x);
      for (int c = 0; c < 3; c++) x[c] = cen[c] + sc * (x[c] - cen[c]);
      PetscCall(WorkAddPoint(w, x, &ringB[k]));
      parB[k] = u;
    }
    /* stitch ring A (outer) to ring B (inner), both running with increasing parameter */
    {
      PetscInt i = 0, k = 0;
      while (i < na || k < nb) {
        PetscReal an = (i + 1 < na) ? parA[i + 1] : 1.0, bn = (k + 1 < nb) ? parB[k + 1] : 1.0;
        if (i < na && (k >= nb || an <= bn)) {
          PetscCall(WorkAddTri(w, ringA[i], ringA[(i + 1) % na], ringB[k % nb], tag));
          i++;
        } else {
          PetscCall(WorkAddTri(w, ringA[i % na], ringB[(k + 1) % nb], ringB[k], tag));
          k++;
        }
      }
    }
    for (PetscInt k = 0; k < nb; k++) {
      ringA[k] = ringB[k];
      parA[k]  = parB[k];
    }
    na = nb;
  }
  /* every cap triangle must face along N (no fold); otherwise ear-clip the outline instead */
  if (star)
    for (PetscInt t = t0; t < w->nt && star; t++) {
      PetscReal ab[3], ac[3], cr[3];
      Sub(&w->x[3 * w->tri[3 * t + 1]], &w->x[3 * w->tri[3 * t]], ab);
      Sub(&w->x[3 * w->tri[3 * t + 2]], &w->x[3 * w->tri[3 * t]], ac);
      Cross(ab, ac, cr);
      if (Dot(cr, N) <= 0) star = PETSC_FALSE;
    }
  if (!star) {
    w->nt = t0; /* drop the ring triangles; their extra points end up unused and are removed later */
    PetscCall(EarClip(w, loop, m, N, tag, cap->name));
    HtLog_Warn("cap %s: outline not star-shaped, closed by ear clipping (coarser cap triangles)", cap->name);
  }
  /* cap geometry from its triangles */
  {
    PetscReal A = 0, C[3] = {0, 0, 0};
    for (PetscInt t = t0; t < w->nt; t++) {
      const PetscReal *a = &w->x[3 * w->tri[3 * t]], *b = &w->x[3 * w->tri[3 * t + 1]], *c = &w->x[3 * w->tri[3 * t + 2]];
      PetscReal        ab[3], ac[3], cr[3], ar;
      Sub(b, a, ab);
      Sub(c, a, ac);
      Cross(ab, ac, cr);
      ar = 0.5 * Norm(cr);
      A += ar;
      for (int k = 0; k < 3; k++) C[k] += ar * (a[k] + b[k] + c[k]) / 3.0;
    }
    for (int k = 0; k < 3; k++) {
      cap->centre[k] = C[k] / A;
      cap->normal[k] = N[k];
    }
    cap->area_mm2  = A;
    cap->radius_mm = PetscSqrtReal(A / PETSC_PI);
  }
  PetscCall(PetscFree(q));
  PetscCall(PetscFree(par));
  PetscCall(PetscFree(ringA));
  PetscCall(PetscFree(ringB));
  PetscCall(PetscFree(parA));
  PetscCall(PetscFree(parB));
  PetscFunctionReturn(0);
}

/* Collapse opening edges shorter than hmin (cuts near a vertex leave tiny edges, which would give
 * slivers in the cap and in the tets). loop: opening in wall order, both ends on the plane, so the
 * midpoint stays on it. near: triangles touching the opening. Collapses that would fold a triangle or
 * break the link condition are skipped. Removed triangles get tag -1. */
static PetscErrorCode CollapseShortEdges(Work *w, PetscInt *loop, PetscInt *mloop, const PetscInt *near, PetscInt nnear, PetscReal hmin)
{
  PetscInt  m = *mloop;
  PetscBool changed = PETSC_TRUE;
  PetscFunctionBeginUser;
  while (changed && m > 8) {
    changed = PETSC_FALSE;
    for (PetscInt i = 0; i < m && !changed; i++) {
      PetscInt  a = loop[i], b = loop[(i + 1) % m], na = 0, nb = 0, ncommon = 0, va[64], vb[64];
      PetscReal mid[3];
      PetscBool ok = PETSC_TRUE;
      if (Dist(&w->x[3 * a], &w->x[3 * b]) >= hmin) continue;
      for (int c = 0; c < 3; c++) mid[c] = 0.5 * (w->x[3 * a + c] + w->x[3 * b + c]);
      for (PetscInt j = 0; j < nnear && ok; j++) {
        PetscInt t = near[j], *v = &w->tri[3 * t], ha = -1, hb = -1;
        if (w->tag[t] < 0) continue;
        for (int k = 0; k < 3; k++) {
          if (v[k] == a) ha = k;
          if (v[k] == b) hb = k;
        }
        if (ha < 0 && hb < 0) continue;
        for (int k = 0; k < 3; k++) {
          if (ha >= 0 && v[k] != a && na < 64) va[na++] = v[k];
          if (hb >= 0 && v[k] != b && nb < 64) vb[nb++] = v[k];
        }
        if (ha >= 0 && hb >= 0) continue;
        /* the moved triangle must keep its orientation */
        PetscReal p[3][3], q[3][3], e1[3], e2[3], n0[3], n1[3];
        for (int k = 0; k < 3; k++)
          for (int c = 0; c < 3; c++) {
            p[k][c] = w->x[3 * v[k] + c];
            q[k][c] = (v[k] == a || v[k] == b) ? mid[c] : p[k][c];
          }
        Sub(p[1], p[0], e1); Sub(p[2], p[0], e2); Cross(e1, e2, n0);
        Sub(q[1], q[0], e1); Sub(q[2], q[0], e2); Cross(e1, e2, n1);
        if (Dot(n0, n1) <= 0.2 * Norm(n0) * Norm(n1)) ok = PETSC_FALSE;
      }
      if (!ok) continue;
      for (PetscInt x = 0; x < na; x++)
        for (PetscInt y = 0; y < nb; y++)
          if (va[x] == vb[y] && va[x] != a && va[x] != b) {
            PetscBool dup = PETSC_FALSE;
            for (PetscInt z = 0; z < x; z++) dup = dup || va[z] == va[x];
            if (!dup) ncommon++;
          }
      if (ncommon != 1) continue; /* link condition for a boundary edge */
      for (int c = 0; c < 3; c++) w->x[3 * a + c] = mid[c];
      for (PetscInt j = 0; j < nnear; j++) {
        PetscInt t = near[j], *v = &w->tri[3 * t], hasa = 0;
        if (w->tag[t] < 0) continue;
        for (int k = 0; k < 3; k++) hasa += v[k] == a;
        for (int k = 0; k < 3; k++)
          if (v[k] == b) {
            if (hasa) w->tag[t] = -1; /* the triangle on the collapsed edge */
            else v[k] = a;
          }
      }
      for (PetscInt k = (i + 1) % m; k < m - 1; k++) loop[k] = loop[k + 1];
      if ((i + 1) % m == 0) { /* removed loop[0]: rotate so the order is kept */
        for (PetscInt k = 0; k < m - 1; k++) loop[k] = loop[k + 1];
      }
      m--;
      changed = PETSC_TRUE;
    }
  }
  *mloop = m;
  PetscFunctionReturn(0);
}

/* distance of a triangle's centroid from the line through p0 along the unit vector t */
static PetscReal AxisDist(const Work *w, const PetscInt *v, const PetscReal *p0, const PetscReal *t)
{
  PetscReal c[3], dd, r2 = 0;
  for (int k = 0; k < 3; k++) c[k] = (w->x[3 * v[0] + k] + w->x[3 * v[1] + k] + w->x[3 * v[2] + k]) / 3.0 - p0[k];
  dd = Dot(c, t);
  for (int k = 0; k < 3; k++) r2 += (c[k] - dd * t[k]) * (c[k] - dd * t[k]);
  return PetscSqrtReal(r2);
}

/* rlim: the end piece grows only through triangles within rlim end radii of the axis (PETSC_MAX_REAL: no
 * limit). *status: 0 capped; 1 the plane opened several holes; 2 the end-piece removal left an opening off
 * the plane. On status != 0, w is modified and must be restored by the caller. */
static PetscErrorCode CapEnd(Work *w, const HtNetwork *net, PetscInt node, PetscInt tag, HtSurfaceCap *cap, PetscReal rlim, PetscInt *status)
{
  const HtNetSegment *seg = NULL;
  PetscInt            deg = 0, *nbr = NULL, *stack, nstack = 0, nreg = 0, capd, ncut = 0, capc = 0;
  PetscReal           inset, r_end, r, p0[3], pa[3], pb[3], t[3], tmp, L, *d;
  PetscBool           from_start = PETSC_FALSE, *reg;
  Cut                *cuts = NULL;
  const char         *nname = net->nodes[node].name;
  PetscFunctionBeginUser;
  for (PetscInt s = 0; s < net->nsegs; s++)
    for (int e = 0; e < 2; e++)
      if (net->segs[s].node[e] == node) {
        deg++;
        seg        = &net->segs[s];
        from_start = e == 0 ? PETSC_TRUE : PETSC_FALSE;
      }
  PetscCheck(deg == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: end node has %" PetscInt_FMT " segments (expected 1)", nname, deg);
  PetscCheck(seg->npts >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: segment %s has < 2 points", nname, seg->name);
  PetscCall(HtSurface_GetCapInset_Private(&inset));
  SegmentAt(seg, from_start, 0.0, p0, &r_end);
  PetscCheck(r_end > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: radius %g mm at the end", nname, (double)r_end);
  L = SegmentLength(seg);
  PetscCheck(L > 1.5 * inset * r_end, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: segment %s is %.2f mm long, too short for a cap %.2f mm inside", nname, seg->name, (double)L, (double)(inset * r_end));
  SegmentAt(seg, from_start, inset * r_end, p0, &r);
  SegmentAt(seg, from_start, PetscMax(0.0, inset * r_end - r), pa, &tmp);
  SegmentAt(seg, from_start, inset * r_end + r, pb, &tmp);
  Sub(pb, pa, t);
  tmp = Norm(t);
  PetscCheck(tmp > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: zero tangent", nname);
  for (int c = 0; c < 3; c++) t[c] /= tmp; /* points into the vessel */

  capd = w->np + 64;
  PetscCall(PetscMalloc1(capd, &d));
  for (PetscInt v = 0; v < w->np; v++) {
    PetscReal dv[3];
    Sub(&w->x[3 * v], p0, dv);
    d[v] = Dot(dv, t);
  }
  /* seed: triangle with a vertex beyond the plane whose centroid is nearest the plane centre */
  PetscInt  seed = -1;
  PetscReal best = PETSC_MAX_REAL;
  for (PetscInt tr = 0; tr < w->nt; tr++) {
    const PetscInt *v = &w->tri[3 * tr];
    if (!(d[v[0]] < 0 || d[v[1]] < 0 || d[v[2]] < 0)) continue;
    PetscReal cc[3];
    for (int c = 0; c < 3; c++) cc[c] = (w->x[3 * v[0] + c] + w->x[3 * v[1] + c] + w->x[3 * v[2] + c]) / 3.0;
    PetscReal dd = Dist(cc, p0);
    if (dd < best) {
      best = dd;
      seed = tr;
    }
  }
  PetscCheck(seed >= 0 && best < 3.0 * r, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: the surface does not cross the cutting plane near (%.1f, %.1f, %.1f) mm", nname, (double)p0[0], (double)p0[1], (double)p0[2]);
  PetscCall(Neighbours(w, &nbr));
  PetscCall(PetscCalloc1(w->nt, &reg));
  PetscCall(PetscMalloc1(w->nt, &stack));
  reg[seed]       = PETSC_TRUE;
  stack[nstack++] = seed;
  while (nstack) {
    PetscInt tr = stack[--nstack];
    nreg++;
    for (int k = 0; k < 3; k++) {
      PetscInt o = nbr[3 * tr + k];
      if (o < 0 || reg[o]) continue;
      const PetscInt *v = &w->tri[3 * o];
      if ((d[v[0]] < 0 || d[v[1]] < 0 || d[v[2]] < 0) && AxisDist(w, v, p0, t) <= rlim * r) {
        reg[o]          = PETSC_TRUE;
        stack[nstack++] = o;
      }
    }
  }
  PetscCheck(nreg < w->nt / 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: the plane would remove %" PetscInt_FMT " of %" PetscInt_FMT " triangles; the end is not a clean tube", nname, nreg, w->nt);
  /* local edge length, then snap near-plane vertices of the end piece onto the plane (no slivers) */
  PetscReal h = 0;
  PetscInt  nh = 0;
  for (PetscInt tr = 0; tr < w->nt; tr++)
    if (reg[tr])
      for (int k = 0; k < 3; k++) {
        h += Dist(&w->x[3 * w->tri[3 * tr + k]], &w->x[3 * w->tri[3 * tr + (k + 1) % 3]]);
        nh++;
      }
  h /= nh;
  for (PetscInt tr = 0; tr < w->nt; tr++)
    if (reg[tr])
      for (int k = 0; k < 3; k++) {
        PetscInt v = w->tri[3 * tr + k];
        if (d[v] != 0 && PetscAbsReal(d[v]) < 0.3 * h) {
          for (int c = 0; c < 3; c++) w->x[3 * v + c] -= d[v] * t[c];
          d[v] = 0;
        }
      }
  /* snapping can lay a whole triangle into the plane: it would overlap the cap, drop it */
  for (PetscInt tr = 0; tr < w->nt; tr++) {
    const PetscInt *v = &w->tri[3 * tr];
    if (d[v[0]] == 0 && d[v[1]] == 0 && d[v[2]] == 0 && Dist(&w->x[3 * v[0]], p0) < 4.0 * r) w->tag[tr] = -1;
  }
  /* remove the end piece, clip the crossing triangles */
  PetscInt nt0 = w->nt;
  for (PetscInt tr = 0; tr < nt0; tr++) {
    if (!reg[tr] || w->tag[tr] < 0) continue;
    PetscInt v[3] = {w->tri[3 * tr], w->tri[3 * tr + 1], w->tri[3 * tr + 2]}, npos = 0, nneg = 0, poly[4], np = 0, tg = w->tag[tr];
    for (int k = 0; k < 3; k++) {
      npos += d[v[k]] > 0;
      nneg += d[v[k]] < 0;
    }
    if (nneg == 0) continue;
    w->tag[tr] = -1;
    if (npos == 0) continue;
    for (int k = 0; k < 3; k++) {
      PetscInt u = v[k], x = v[(k + 1) % 3];
      if (d[u] >= 0) poly[np++] = u;
      if ((d[u] > 0 && d[x] < 0) || (d[u] < 0 && d[x] > 0)) PetscCall(CutVertex(w, &d, &capd, &cuts, &ncut, &capc, u, x, &poly[np++]));
    }
    if (np == 3) PetscCall(WorkAddTri(w, poly[0], poly[1], poly[2], tg));
    else if (np == 4) {
      if (Dist(&w->x[3 * poly[1]], &w->x[3 * poly[3]]) < Dist(&w->x[3 * poly[0]], &w->x[3 * poly[2]])) {
        PetscCall(WorkAddTri(w, poly[0], poly[1], poly[3], tg));
        PetscCall(WorkAddTri(w, poly[1], poly[2], poly[3], tg));
      } else {
        PetscCall(WorkAddTri(w, poly[0], poly[1], poly[2], tg));
        PetscCall(WorkAddTri(w, poly[0], poly[2], poly[3], tg));
      }
    } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_PLIB, "cap at network node %s: clipped polygon with %" PetscInt_FMT " vertices", nname, np);
  }
  WorkCompact(w);
  PetscCall(PetscFree(nbr));
  PetscCall(PetscFree(reg));
  PetscCall(PetscFree(stack));
  PetscCall(PetscFree(cuts));

  /* opening: boundary edges lying in the plane near p0 */
  {
    CEdge    *e;
    PetscInt *next, nb = 0, *loop, m = 0, start = -1, nloops = 0, bestm = 0, *bestloop, noff = 0;
    PetscReal bestd = PETSC_MAX_REAL;
    PetscCall(PetscMalloc1(3 * w->nt + 1, &e));
    PetscCall(PetscMalloc1(w->np, &next));
    for (PetscInt v = 0; v < w->np; v++) next[v] = -1;
    for (PetscInt tr = 0; tr < w->nt; tr++)
      for (PetscInt k = 0; k < 3; k++) {
        PetscInt u = w->tri[3 * tr + k], v = w->tri[3 * tr + (k + 1) % 3];
        e[3 * tr + k] = (CEdge){PetscMin(u, v), PetscMax(u, v), tr, k};
      }
    qsort(e, (size_t)(3 * w->nt), sizeof(CEdge), CEdgeCmp);
    for (PetscInt i = 0; i < 3 * w->nt;) {
      PetscInt j = i;
      while (j < 3 * w->nt && e[j].a == e[i].a && e[j].b == e[i].b) j++;
      if (j - i == 1 && e[i].a < capd && e[i].b < capd && d[e[i].a] == 0 && d[e[i].b] == 0) {
        PetscInt u = w->tri[3 * e[i].t + e[i].k], v = w->tri[3 * e[i].t + (e[i].k + 1) % 3];
        PetscCheck(next[u] < 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: the opening touches itself at (%.1f, %.1f, %.1f) mm", nname, (double)w->x[3 * u], (double)w->x[3 * u + 1], (double)w->x[3 * u + 2]);
        next[u] = v;
        nb++;
      } else if (j - i == 1) noff++;
      i = j;
    }
    PetscCall(PetscFree(e));
    *status = 0;
    if (noff > 0) {
      *status = 2;
      PetscCall(PetscFree(next));
      PetscCall(PetscFree(d));
      PetscFunctionReturn(0);
    }
    PetscCheck(nb >= 3, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: no opening found in the cutting plane", nname);
    PetscCall(PetscMalloc1(nb, &loop));
    PetscCall(PetscMalloc1(nb, &bestloop));
    for (PetscInt v0 = 0; v0 < w->np; v0++) {
      if (next[v0] < 0) continue;
      PetscReal c[3] = {0, 0, 0};
      m     = 0;
      start = v0;
      for (PetscInt v = start; v >= 0 && next[v] >= 0;) {
        PetscInt nv = next[v];
        loop[m++]   = v;
        next[v]     = -1; /* consumed */
        v           = nv;
        if (v == start) break;
        PetscCheck(m < nb, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: opening is not a simple loop", nname);
        if (next[v] < 0) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: opening in the cutting plane is not closed near (%.1f, %.1f, %.1f) mm", nname, (double)w->x[3 * v], (double)w->x[3 * v + 1], (double)w->x[3 * v + 2]);
      }
      nloops++;
      for (PetscInt i = 0; i < m; i++)
        for (int k = 0; k < 3; k++) c[k] += w->x[3 * loop[i] + k] / m;
      if (Dist(c, p0) < bestd) {
        bestd = Dist(c, p0);
        bestm = m;
        PetscCall(PetscArraycpy(bestloop, loop, m));
      }
    }
    if (nloops != 1) {
      *status = 1;
      PetscCall(PetscFree(loop));
      PetscCall(PetscFree(bestloop));
      PetscCall(PetscFree(next));
      PetscCall(PetscFree(d));
      PetscFunctionReturn(0);
    }
    /* the wall runs loop[i] -> loop[i+1]; the cap must run the other way */
    {
      PetscInt *nearv, nn = 0;
      PetscCall(PetscMalloc1(w->nt, &nearv));
      for (PetscInt tr = 0; tr < w->nt; tr++) {
        const PetscInt *v = &w->tri[3 * tr];
        if (d[v[0]] == 0 || d[v[1]] == 0 || d[v[2]] == 0) nearv[nn++] = tr;
      }
      PetscCall(CollapseShortEdges(w, bestloop, &bestm, nearv, nn, 0.5 * h));
      PetscCall(PetscFree(nearv));
      WorkCompact(w);
    }
    for (PetscInt i = 0; i < bestm; i++) loop[i] = bestloop[(bestm - i) % bestm];
    PetscCall(TriangulateCap(w, loop, bestm, h, tag, cap));
    PetscCall(PetscFree(loop));
    PetscCall(PetscFree(bestloop));
    PetscCall(PetscFree(next));
  }
  PetscCall(PetscFree(d));
  /* the cap must face out of the vessel, i.e. against the inward tangent */
  PetscCheck(Dot(cap->normal, t) < -0.99, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: cap normal is not along the vessel axis (cos %.3f); surface inside out?", nname, (double)-Dot(cap->normal, t));
  cap->node = node;
  cap->tag  = tag;
  PetscFunctionReturn(0);
}

PetscErrorCode HtSurface_Cap(const HtSurface *s, const HtNetwork *net, HtSurface *capped)
{
  Work      w;
  PetscInt  nends = 0, *ends, nout = 0, *keep;
  PetscFunctionBeginUser;
  PetscCheck(s && s->ntri > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap: empty surface");
  PetscCheck(net && net->nnodes > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap: empty network");
  memset(&w, 0, sizeof(w));
  memset(capped, 0, sizeof(*capped));
  w.cp = s->npts + 1024;
  w.ct = s->ntri + 4096;
  PetscCall(PetscMalloc1(3 * w.cp, &w.x));
  PetscCall(PetscMalloc1(3 * w.ct, &w.tri));
  PetscCall(PetscMalloc1(w.ct, &w.tag));
  w.np = s->npts;
  w.nt = s->ntri;
  PetscCall(PetscArraycpy(w.x, s->x, 3 * s->npts));
  PetscCall(PetscArraycpy(w.tri, s->tri, 3 * s->ntri));
  for (PetscInt t = 0; t < s->ntri; t++) w.tag[t] = s->tag ? s->tag[t] : 0;

  PetscCall(PetscMalloc1(net->nnodes, &ends));
  for (PetscInt n = 0; n < net->nnodes; n++)
    if (net->nodes[n].kind == HT_NODE_INLET) ends[nends++] = n;
  PetscCheck(nends == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap: network has %" PetscInt_FMT " inlet nodes (expected 1)", nends);
  for (PetscInt n = 0; n < net->nnodes; n++)
    if (net->nodes[n].kind == HT_NODE_OUTLET) ends[nends++] = n;
  PetscCall(PetscCalloc1(nends, &capped->caps));
  capped->ncaps = nends;
  for (PetscInt c = 0; c < nends; c++) {
    HtSurfaceCap *cap = &capped->caps[c];
    if (c == 0) PetscCall(PetscSNPrintf(cap->name, sizeof(cap->name), "inlet"));
    else PetscCall(PetscSNPrintf(cap->name, sizeof(cap->name), "outlet_%" PetscInt_FMT, ++nout));
    {
      /* first the whole connected end piece; if the plane also cuts a neighbouring vessel (several holes),
       * retry with the end piece limited to 2 radii around the axis */
      Work     bk = w;
      PetscInt st = 0, st2 = 0;
      PetscCall(PetscMalloc1(3 * w.np, &bk.x));
      PetscCall(PetscMalloc1(3 * w.nt, &bk.tri));
      PetscCall(PetscMalloc1(w.nt, &bk.tag));
      bk.cp = w.np;
      bk.ct = w.nt;
      PetscCall(PetscArraycpy(bk.x, w.x, 3 * w.np));
      PetscCall(PetscArraycpy(bk.tri, w.tri, 3 * w.nt));
      PetscCall(PetscArraycpy(bk.tag, w.tag, w.nt));
      PetscCall(CapEnd(&w, net, ends[c], c + 1, cap, PETSC_MAX_REAL, &st));
      if (st) {
        PetscCall(PetscFree(w.x));
        PetscCall(PetscFree(w.tri));
        PetscCall(PetscFree(w.tag));
        w = bk;
        PetscCall(PetscMalloc1(3 * w.np, &bk.x));
        PetscCall(PetscMalloc1(3 * w.nt, &bk.tri));
        PetscCall(PetscMalloc1(w.nt, &bk.tag));
        PetscCall(PetscArraycpy(bk.x, w.x, 3 * w.np));
        PetscCall(PetscArraycpy(bk.tri, w.tri, 3 * w.nt));
        PetscCall(PetscArraycpy(bk.tag, w.tag, w.nt));
        PetscCall(CapEnd(&w, net, ends[c], c + 1, cap, 2.0, &st2));
        PetscCheck(st2 == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cap at network node %s: the cutting plane %s; the end is too close to a branch or another vessel", net->nodes[ends[c]].name, st == 1 ? "opens several holes" : "does not separate the end cleanly");
      }
      PetscCall(PetscFree(bk.x));
      PetscCall(PetscFree(bk.tri));
      PetscCall(PetscFree(bk.tag));
    }
    HtLog_Info("cap %s: area %.2f mm^2 (r_eq %.2f mm), centre (%.1f, %.1f, %.1f) mm", cap->name, (double)cap->area_mm2, (double)cap->radius_mm, (double)cap->centre[0], (double)cap->centre[1], (double)cap->centre[2]);
  }
  PetscCall(PetscFree(ends));
  /* drop unused vertices */
  PetscCall(PetscMalloc1(w.np, &keep));
  for (PetscInt v = 0; v < w.np; v++) keep[v] = -1;
  for (PetscInt t = 0; t < 3 * w.nt; t++) keep[w.tri[t]] = 0;
  capped->npts = 0;
  for (PetscInt v = 0; v < w.np; v++)
    if (keep[v] == 0) keep[v] = capped->npts++;
  PetscCall(PetscMalloc1(3 * capped->npts, &capped->x));
  for (PetscInt v = 0; v < w.np; v++)
    if (keep[v] >= 0)
      for (int c = 0; c < 3; c++) capped->x[3 * keep[v] + c] = w.x[3 * v + c];
  capped->ntri = w.nt;
  PetscCall(PetscMalloc1(3 * w.nt, &capped->tri));
  PetscCall(PetscMalloc1(w.nt, &capped->tag));
  for (PetscInt t = 0; t < 3 * w.nt; t++) capped->tri[t] = keep[w.tri[t]];
  PetscCall(PetscArraycpy(capped->tag, w.tag, w.nt));
  PetscCall(PetscFree(keep));
  PetscCall(PetscFree(w.x));
  PetscCall(PetscFree(w.tri));
  PetscCall(PetscFree(w.tag));
  /* the clipped rim and the ring stitching leave some thin triangles */
  PetscCall(HtSurface_Improve_Private(capped, 6));
  PetscCall(HtSurface_Check(capped, NULL));
  PetscFunctionReturn(0);
}
