/* Centerline extraction (see htcenterline.h).
 *
 * Why TEASAR and not thinning: a shortest-path tree from one root is a tree by construction, so the
 * noise loops a thinning leaves in a rough segmentation (and the small holes of a dissection flap) do
 * not appear, and every stage is a bounded graph search (no iteration that could fail to terminate).
 * The edge cost len * (D_max / D)^4 (D = distance to the wall) is scale-free: inside any vessel the
 * cost grows as soon as the path leaves the axis, so small branches are as well centred as the aorta
 * (the original TEASAR penalty 5000 (1 - D/D_max)^16 is flat in the middle of a large lumen).
 * The skeleton is only a first guess; the final points are re-centred on the centroid of the lumen
 * cross-section and the radius is sqrt(area / pi) of that section, which is sub-voxel accurate where a
 * distance map is biased by the voxel grid. */
#include "htcenterline.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define PEN_EXP 4.0

PetscErrorCode HtCenterline_DefaultOptions(HtCenterlineOptions *o)
{
  PetscFunctionBeginUser;
  memset(o, 0, sizeof(*o));
  o->prune_ratio         = 2.0;
  o->min_branch_mm       = 3.0;
  o->resample_mm         = 1.0;
  o->smooth_mm           = 3.0;
  o->invalidate_scale    = 1.5;
  o->invalidate_const_mm = 2.0;
  o->area_radius         = PETSC_TRUE;
  o->recenter            = PETSC_TRUE;
  o->have_inlet_hint     = PETSC_FALSE;
  o->max_branches        = 1000;
  o->min_clean_fraction  = 0.25;
  PetscFunctionReturn(0);
}

PetscErrorCode HtCenterline_SetFromOptions(HtCenterlineOptions *o, const char *prefix)
{
  PetscInt  n = 3;
  PetscBool set;
  PetscReal hint[3];
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-centerline_prune_ratio", &o->prune_ratio, NULL));
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-centerline_min_branch_mm", &o->min_branch_mm, NULL));
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-centerline_resample_mm", &o->resample_mm, NULL));
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-centerline_smooth_mm", &o->smooth_mm, NULL));
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-centerline_invalidate_scale", &o->invalidate_scale, NULL));
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-centerline_invalidate_const_mm", &o->invalidate_const_mm, NULL));
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-centerline_area_radius", &o->area_radius, NULL));
  PetscCall(PetscOptionsGetReal(NULL, prefix, "-centerline_min_clean_fraction", &o->min_clean_fraction, NULL));
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-centerline_recenter", &o->recenter, NULL));
  PetscCall(PetscOptionsGetRealArray(NULL, prefix, "-centerline_inlet_hint", hint, &n, &set));
  if (set) {
    PetscCheck(n == 3, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -centerline_inlet_hint: expected x,y,z (3 values), got %" PetscInt_FMT, n);
    o->have_inlet_hint = PETSC_TRUE;
    for (int c = 0; c < 3; c++) o->inlet_hint_mm[c] = hint[c];
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------- */
/* Exact EDT: 1D lower envelope of parabolas (Felzenszwalb & Huttenlocher 2012) along each axis.    */

static void EDT1D(const double *f, double *d, PetscInt n, double h, PetscInt *v, double *z)
{
  PetscInt k = 0;
  v[0]       = 0;
  z[0]       = -HUGE_VAL;
  z[1]       = HUGE_VAL;
  for (PetscInt q = 1; q < n; q++) {
    double s;
    if (!isfinite(f[q])) continue;
    if (!isfinite(f[v[0]])) { /* first finite sample replaces an infinite start */
      v[0] = q;
      continue;
    }
    for (;;) {
      double qh = q * h, vh = v[k] * h;
      s = ((f[q] + qh * qh) - (f[v[k]] + vh * vh)) / (2 * (qh - vh));
      if (s <= z[k] && k > 0) k--;
      else break;
    }
    k++;
    v[k]     = q;
    z[k]     = s;
    z[k + 1] = HUGE_VAL;
  }
  if (!isfinite(f[v[0]])) {
    for (PetscInt q = 0; q < n; q++) d[q] = HUGE_VAL;
    return;
  }
  k = 0;
  for (PetscInt q = 0; q < n; q++) {
    double dq;
    while (z[k + 1] < q * h) k++;
    dq   = (q - v[k]) * h;
    d[q] = dq * dq + f[v[k]];
  }
}

PetscErrorCode HtDistance_EDT(const HtGrid *g, const uint8_t *mask, PetscBool border_is_background, float *d2)
{
  PetscInt nmax = PetscMax(g->n[0], PetscMax(g->n[1], g->n[2])) + 2, *v;
  double  *f, *d, *z, *buf;
  size_t   N = HtGrid_Count(g);
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(N, &buf));
  PetscCall(PetscMalloc4(nmax, &f, nmax, &d, nmax + 1, &z, nmax, &v));
  for (size_t i = 0; i < N; i++) buf[i] = mask[i] ? HUGE_VAL : 0.0;
  for (int a = 0; a < 3; a++) {
    PetscInt n = g->n[a], o = border_is_background ? 1 : 0;
    PetscInt b = (a + 1) % 3, c = (a + 2) % 3;
    size_t   stride[3] = {1, (size_t)g->n[0], (size_t)g->n[0] * g->n[1]};
    for (PetscInt ic = 0; ic < g->n[c]; ic++)
      for (PetscInt ib = 0; ib < g->n[b]; ib++) {
        size_t base = ib * stride[b] + ic * stride[c];
        /* with a background border, pad one background sample on each side */
        if (o) f[0] = f[n + 1] = 0.0;
        for (PetscInt q = 0; q < n; q++) f[q + o] = buf[base + q * stride[a]];
        EDT1D(f, d, n + 2 * o, g->spacing[a], v, z);
        for (PetscInt q = 0; q < n; q++) buf[base + q * stride[a]] = d[q + o];
      }
  }
  {
    /* no background anywhere: report the grid diagonal squared rather than infinity */
    double cap = 0;
    for (int a = 0; a < 3; a++) cap += PetscSqr(g->n[a] * g->spacing[a]);
    for (size_t i = 0; i < N; i++) d2[i] = (float)(isfinite(buf[i]) ? buf[i] : cap);
  }
  PetscCall(PetscFree4(f, d, z, v));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------- */
/* Working context                                                                                 */

typedef struct {
  const HtGrid *g;
  uint8_t      *mask; /* full grid, largest component, cavities filled */
  float        *D;    /* full grid, distance to background (mm) */
  PetscInt      M;    /* mask voxels */
  PetscInt     *vox;  /* M linear indices */
  int          *id;   /* full grid -> mask id or -1 */
  int           noff;
  int           off[26][3];
  double        offlen[26];
  double        Dmax, hmin, hmax, hmean;
} Ctx;

static void Decode(const HtGrid *g, size_t lin, PetscInt ijk[3])
{
  ijk[0] = (PetscInt)(lin % (size_t)g->n[0]);
  lin /= (size_t)g->n[0];
  ijk[1] = (PetscInt)(lin % (size_t)g->n[1]);
  ijk[2] = (PetscInt)(lin / (size_t)g->n[1]);
}

static void VoxWorld(const Ctx *c, PetscInt mid, PetscReal x[3])
{
  PetscInt  ijk[3];
  PetscReal f[3];
  Decode(c->g, (size_t)c->vox[mid], ijk);
  for (int a = 0; a < 3; a++) f[a] = ijk[a];
  HtGrid_IndexToWorld(c->g, f, x);
}

/* Distance map trilinearly interpolated at a world point (0 outside the grid). */
static PetscReal DAt(const Ctx *c, const PetscReal x[3])
{
  PetscReal f[3], w[3], val = 0;
  PetscInt  i0[3];
  HtGrid_WorldToIndex(c->g, x, f);
  for (int a = 0; a < 3; a++) {
    i0[a] = (PetscInt)PetscFloorReal(f[a]);
    w[a]  = f[a] - i0[a];
  }
  for (int corner = 0; corner < 8; corner++) {
    PetscInt  ii[3];
    PetscReal wt = 1;
    PetscBool in = PETSC_TRUE;
    for (int a = 0; a < 3; a++) {
      int bit = (corner >> a) & 1;
      ii[a]   = i0[a] + bit;
      wt *= bit ? w[a] : 1 - w[a];
      if (ii[a] < 0 || ii[a] >= c->g->n[a]) in = PETSC_FALSE;
    }
    if (in && wt > 0) val += wt * c->D[HtGrid_Index(c->g, ii[0], ii[1], ii[2])];
  }
  return val;
}

/* Nearest-voxel mask lookup at a world point: 1 inside, 0 outside, -1 beyond the field of view
 * (farther than half a voxel outside the box of voxel centres: the image says nothing there). */
static int InsideAt3(const Ctx *c, const PetscReal x[3])
{
  PetscReal f[3];
  PetscInt  ii[3];
  HtGrid_WorldToIndex(c->g, x, f);
  for (int a = 0; a < 3; a++) {
    ii[a] = (PetscInt)PetscFloorReal(f[a] + 0.5);
    if (ii[a] < 0 || ii[a] >= c->g->n[a]) return -1;
  }
  return c->mask[HtGrid_Index(c->g, ii[0], ii[1], ii[2])] ? 1 : 0;
}
static PetscBool InsideAt(const Ctx *c, const PetscReal x[3]) { return InsideAt3(c, x) == 1 ? PETSC_TRUE : PETSC_FALSE; }
/* Within two voxels of the field-of-view border. */
static PetscBool NearBorder(const Ctx *c, const PetscReal x[3])
{
  PetscReal f[3];
  HtGrid_WorldToIndex(c->g, x, f);
  for (int a = 0; a < 3; a++)
    if (f[a] < 2 || f[a] > c->g->n[a] - 3) return PETSC_TRUE;
  return PETSC_FALSE;
}
/* Inside the box spanned by the voxel centres. */
static PetscBool InBox(const Ctx *c, const PetscReal x[3])
{
  PetscReal f[3];
  HtGrid_WorldToIndex(c->g, x, f);
  for (int a = 0; a < 3; a++)
    if (f[a] < -1e-9 || f[a] > c->g->n[a] - 1 + 1e-9) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* ---------------------------------------------------------------------------------------------- */
/* Binary heap with lazy deletion for Dijkstra                                                      */

typedef struct {
  double  *key;
  PetscInt *val;
  PetscInt  n, cap;
} Heap;

static PetscErrorCode HeapPush(Heap *h, double k, PetscInt v)
{
  PetscInt i;
  PetscFunctionBeginUser;
  if (h->n == h->cap) {
    PetscInt  cap = h->cap ? 2 * h->cap : 1024;
    double   *nk;
    PetscInt *nv;
    PetscCall(PetscMalloc2(cap, &nk, cap, &nv));
    if (h->n) {
      PetscCall(PetscArraycpy(nk, h->key, h->n));
      PetscCall(PetscArraycpy(nv, h->val, h->n));
    }
    PetscCall(PetscFree2(h->key, h->val));
    h->key = nk;
    h->val = nv;
    h->cap = cap;
  }
  i = h->n++;
  while (i > 0) {
    PetscInt p = (i - 1) / 2;
    if (h->key[p] <= k) break;
    h->key[i] = h->key[p];
    h->val[i] = h->val[p];
    i         = p;
  }
  h->key[i] = k;
  h->val[i] = v;
  PetscFunctionReturn(0);
}

static void HeapPop(Heap *h, double *k, PetscInt *v)
{
  double   lk = h->key[h->n - 1];
  PetscInt lv = h->val[h->n - 1], i = 0;
  *k          = h->key[0];
  *v          = h->val[0];
  h->n--;
  for (;;) {
    PetscInt l = 2 * i + 1, m;
    if (l >= h->n) break;
    m = (l + 1 < h->n && h->key[l + 1] < h->key[l]) ? l + 1 : l;
    if (h->key[m] >= lk) break;
    h->key[i] = h->key[m];
    h->val[i] = h->val[m];
    i         = m;
  }
  if (h->n > 0) {
    h->key[i] = lk;
    h->val[i] = lv;
  }
}

/* Dijkstra over the mask voxels (26-neighbourhood) from src. Penalised: edge cost
 * len * ((Dmax/Du)^p + (Dmax/Dv)^p) / 2, else plain Euclidean length. pred may be NULL. */
static PetscErrorCode Dijkstra(const Ctx *c, PetscInt src, PetscBool penal, double *dist, PetscInt *pred)
{
  Heap     h = {0};
  double  *pen = NULL;
  PetscFunctionBeginUser;
  for (PetscInt m = 0; m < c->M; m++) {
    dist[m] = HUGE_VAL;
    if (pred) pred[m] = -1;
  }
  if (penal) {
    PetscCall(PetscMalloc1(c->M, &pen));
    for (PetscInt m = 0; m < c->M; m++) {
      double Dv = PetscMax((double)c->D[c->vox[m]], 0.25 * c->hmin);
      pen[m]    = pow(c->Dmax / Dv, PEN_EXP);
    }
  }
  dist[src] = 0;
  PetscCall(HeapPush(&h, 0.0, src));
  while (h.n > 0) {
    double   du;
    PetscInt u, ijk[3];
    HeapPop(&h, &du, &u);
    if (du > dist[u]) continue;
    Decode(c->g, (size_t)c->vox[u], ijk);
    for (int k = 0; k < c->noff; k++) {
      PetscInt nn[3];
      int      v;
      double   w, dv;
      for (int a = 0; a < 3; a++) nn[a] = ijk[a] + c->off[k][a];
      if (nn[0] < 0 || nn[1] < 0 || nn[2] < 0 || nn[0] >= c->g->n[0] || nn[1] >= c->g->n[1] || nn[2] >= c->g->n[2]) continue;
      v = c->id[HtGrid_Index(c->g, nn[0], nn[1], nn[2])];
      if (v < 0) continue;
      w  = penal ? c->offlen[k] * 0.5 * (pen[u] + pen[v]) : c->offlen[k];
      dv = du + w;
      if (dv < dist[v]) {
        dist[v] = dv;
        if (pred) pred[v] = u;
        PetscCall(HeapPush(&h, dv, v));
      }
    }
  }
  PetscCall(PetscFree2(h.key, h.val));
  PetscCall(PetscFree(pen));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------- */
/* Region preparation: largest 26-connected component, enclosed cavities filled                    */

static PetscErrorCode PrepareMask(const HtLabels *lab, int value, uint8_t *mask, PetscInt *nregion, PetscInt *ncomp, PetscInt *nused, PetscInt *nfilled)
{
  const HtGrid *g = &lab->g;
  size_t        N = HtGrid_Count(g);
  int          *comp;
  PetscInt     *queue, best = -1, bestsize = 0, nc = 0;
  PetscFunctionBeginUser;
  *nregion = 0;
  for (size_t i = 0; i < N; i++) {
    mask[i] = (uint8_t)(value < 0 ? lab->lab[i] != 0 : lab->lab[i] == value);
    *nregion += mask[i];
  }
  *ncomp = 0;
  *nused = 0;
  *nfilled = 0;
  if (!*nregion) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(N, &comp));
  PetscCall(PetscMalloc1(N, &queue));
  for (size_t i = 0; i < N; i++) comp[i] = -1;
  for (size_t s = 0; s < N; s++) {
    PetscInt head = 0, tail = 0;
    if (!mask[s] || comp[s] >= 0) continue;
    comp[s]       = (int)nc;
    queue[tail++] = (PetscInt)s;
    while (head < tail) {
      PetscInt ijk[3];
      Decode(g, (size_t)queue[head++], ijk);
      for (int dk = -1; dk <= 1; dk++)
        for (int dj = -1; dj <= 1; dj++)
          for (int di = -1; di <= 1; di++) {
            PetscInt i = ijk[0] + di, j = ijk[1] + dj, k = ijk[2] + dk;
            size_t   q;
            if (i < 0 || j < 0 || k < 0 || i >= g->n[0] || j >= g->n[1] || k >= g->n[2]) continue;
            q = HtGrid_Index(g, i, j, k);
            if (mask[q] && comp[q] < 0) {
              comp[q]       = (int)nc;
              queue[tail++] = (PetscInt)q;
            }
          }
    }
    if (tail > bestsize) {
      bestsize = tail;
      best     = nc;
    }
    nc++;
  }
  *ncomp = nc;
  for (size_t i = 0; i < N; i++) mask[i] = (uint8_t)(comp[i] == best);
  /* background 6-connected to the grid border is outside; anything else is an enclosed cavity */
  {
    PetscInt head = 0, tail = 0;
    uint8_t *outside = (uint8_t *)comp; /* reuse storage as bytes */
    memset(outside, 0, N);
    for (PetscInt k = 0; k < g->n[2]; k++)
      for (PetscInt j = 0; j < g->n[1]; j++)
        for (PetscInt i = 0; i < g->n[0]; i++) {
          size_t q;
          if (!(i == 0 || j == 0 || k == 0 || i == g->n[0] - 1 || j == g->n[1] - 1 || k == g->n[2] - 1)) continue;
          q = HtGrid_Index(g, i, j, k);
          if (!mask[q] && !outside[q]) {
            outside[q]    = 1;
            queue[tail++] = (PetscInt)q;
          }
        }
    while (head < tail) {
      PetscInt ijk[3];
      Decode(g, (size_t)queue[head++], ijk);
      for (int a = 0; a < 3; a++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
          PetscInt nn[3] = {ijk[0], ijk[1], ijk[2]};
          size_t   q;
          nn[a] += sgn;
          if (nn[a] < 0 || nn[a] >= g->n[a]) continue;
          q = HtGrid_Index(g, nn[0], nn[1], nn[2]);
          if (!mask[q] && !outside[q]) {
            outside[q]    = 1;
            queue[tail++] = (PetscInt)q;
          }
        }
    }
    for (size_t i = 0; i < N; i++) {
      if (!mask[i] && !outside[i]) {
        mask[i] = 1;
        (*nfilled)++;
      }
      *nused += mask[i];
    }
  }
  PetscCall(PetscFree(queue));
  PetscCall(PetscFree(comp));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------- */
/* Skeleton graph                                                                                   */

typedef struct {
  PetscInt  a, b;  /* graph nodes */
  PetscInt  nv;    /* voxels (mask ids) from a to b */
  PetscInt *v;
  PetscBool alive;
  PetscReal len;   /* mm along voxel centres */
} GSeg;

typedef struct {
  PetscInt nnodes, nsegs, capsegs;
  PetscInt *nodevox; /* mask id of each node */
  GSeg     *segs;
} Graph;

static PetscErrorCode GraphAddSeg(Graph *G, const Ctx *c, PetscInt a, PetscInt b, PetscInt nv, const PetscInt *v)
{
  GSeg *s;
  PetscFunctionBeginUser;
  if (G->nsegs == G->capsegs) {
    PetscInt cap = G->capsegs ? 2 * G->capsegs : 64;
    GSeg    *ns;
    PetscCall(PetscCalloc1(cap, &ns));
    if (G->nsegs) PetscCall(PetscArraycpy(ns, G->segs, G->nsegs));
    PetscCall(PetscFree(G->segs));
    G->segs    = ns;
    G->capsegs = cap;
  }
  s        = &G->segs[G->nsegs++];
  s->a     = a;
  s->b     = b;
  s->nv    = nv;
  s->alive = PETSC_TRUE;
  PetscCall(PetscMalloc1(nv, &s->v));
  PetscCall(PetscArraycpy(s->v, v, nv));
  s->len = 0;
  for (PetscInt i = 1; i < nv; i++) {
    PetscReal p[3], q[3];
    VoxWorld(c, v[i - 1], p);
    VoxWorld(c, v[i], q);
    s->len += PetscSqrtReal(PetscSqr(p[0] - q[0]) + PetscSqr(p[1] - q[1]) + PetscSqr(p[2] - q[2]));
  }
  PetscFunctionReturn(0);
}

static PetscInt GraphDegree(const Graph *G, PetscInt n, PetscInt *ids, PetscInt maxids)
{
  PetscInt d = 0;
  for (PetscInt i = 0; i < G->nsegs; i++) {
    if (!G->segs[i].alive) continue;
    if (G->segs[i].a == n || G->segs[i].b == n) {
      if (ids && d < maxids) ids[d] = i;
      d++;
    }
  }
  return d;
}

/* Join the two segments meeting at every degree-2 node, so nodes are ends or junctions only. */
static PetscErrorCode GraphMergeDegree2(Graph *G, const Ctx *c)
{
  PetscBool changed = PETSC_TRUE;
  PetscInt  guard   = 0;
  PetscFunctionBeginUser;
  while (changed && guard++ < 100000) {
    changed = PETSC_FALSE;
    for (PetscInt n = 0; n < G->nnodes; n++) {
      PetscInt ids[2], *v, nv = 0, other[2];
      GSeg    *s0, *s1;
      if (GraphDegree(G, n, ids, 2) != 2) continue;
      s0 = &G->segs[ids[0]];
      s1 = &G->segs[ids[1]];
      if (ids[0] == ids[1]) continue;
      other[0] = s0->a == n ? s0->b : s0->a;
      other[1] = s1->a == n ? s1->b : s1->a;
      if (other[0] == n || other[1] == n) continue;
      PetscCall(PetscMalloc1(s0->nv + s1->nv, &v));
      /* s0 oriented to end at n, then s1 oriented from n (skip the shared voxel) */
      if (s0->b == n)
        for (PetscInt i = 0; i < s0->nv; i++) v[nv++] = s0->v[i];
      else
        for (PetscInt i = s0->nv - 1; i >= 0; i--) v[nv++] = s0->v[i];
      if (s1->a == n)
        for (PetscInt i = 1; i < s1->nv; i++) v[nv++] = s1->v[i];
      else
        for (PetscInt i = s1->nv - 2; i >= 0; i--) v[nv++] = s1->v[i];
      s0->alive = s1->alive = PETSC_FALSE;
      PetscCall(PetscFree(s0->v));
      PetscCall(PetscFree(G->segs[ids[1]].v));
      PetscCall(GraphAddSeg(G, c, other[0], other[1], nv, v));
      PetscCall(PetscFree(v));
      changed = PETSC_TRUE;
    }
  }
  PetscFunctionReturn(0);
}

static PetscReal VoxPathLength(const Ctx *c, PetscInt nv, const PetscInt *v)
{
  PetscReal len = 0;
  for (PetscInt i = 1; i < nv; i++) {
    PetscReal p[3], q[3];
    VoxWorld(c, v[i - 1], p);
    VoxWorld(c, v[i], q);
    len += PetscSqrtReal(PetscSqr(p[0] - q[0]) + PetscSqr(p[1] - q[1]) + PetscSqr(p[2] - q[2]));
  }
  return len;
}

/* Two junctions joined by a segment shorter than ratio x their radius are one junction seen twice
 * (branches leaving the main path a few voxels apart): merge b into a, extending b's other segments. */
static PetscErrorCode GraphMergeCloseJunctions(Graph *G, const Ctx *c, PetscReal ratio, const PetscReal *jpos, PetscInt *nmerged)
{
  PetscFunctionBeginUser;
  for (PetscInt guard = 0; guard < G->nsegs + 1; guard++) {
    PetscInt best = -1;
    PetscReal bestlen = PETSC_MAX_REAL;
    for (PetscInt i = 0; i < G->nsegs; i++) {
      GSeg     *s = &G->segs[i];
      PetscReal rj;
      if (!s->alive || GraphDegree(G, s->a, NULL, 0) < 3 || GraphDegree(G, s->b, NULL, 0) < 3) continue;
      rj = PetscMax(c->D[c->vox[G->nodevox[s->a]]], c->D[c->vox[G->nodevox[s->b]]]);
      {
        /* by path length, or by the distance of the junction centres when they are known */
        PetscReal len = jpos ? PetscSqrtReal(PetscSqr(jpos[3 * s->a] - jpos[3 * s->b]) + PetscSqr(jpos[3 * s->a + 1] - jpos[3 * s->b + 1]) + PetscSqr(jpos[3 * s->a + 2] - jpos[3 * s->b + 2])) : s->len;
        if (len < ratio * rj && len < bestlen) {
          bestlen = len;
          best    = i;
        }
      }
    }
    if (best < 0) break;
    {
      GSeg    *si = &G->segs[best];
      PetscInt a = si->a, b = si->b;
      si->alive = PETSC_FALSE;
      for (PetscInt k = 0; k < G->nsegs; k++) {
        GSeg     *sk = &G->segs[k];
        PetscInt *v, nv = 0;
        if (!sk->alive || (sk->a != b && sk->b != b)) continue;
        PetscCall(PetscMalloc1(sk->nv + si->nv, &v));
        if (sk->a == b) { /* a .. b (segment i), then b .. (segment k) */
          for (PetscInt q = 0; q < si->nv; q++) v[nv++] = si->v[q];
          for (PetscInt q = 1; q < sk->nv; q++) v[nv++] = sk->v[q];
          sk->a = a;
        } else { /* .. b (segment k), then b .. a (segment i reversed) */
          for (PetscInt q = 0; q < sk->nv; q++) v[nv++] = sk->v[q];
          for (PetscInt q = si->nv - 2; q >= 0; q--) v[nv++] = si->v[q];
          sk->b = a;
        }
        PetscCall(PetscFree(sk->v));
        sk->v   = v;
        sk->nv  = nv;
        sk->len = VoxPathLength(c, nv, v);
      }
      (*nmerged)++;
      if (jpos) break; /* centres must be recomputed after a merge */
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode GraphDestroy(Graph *G)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < G->nsegs; i++) PetscCall(PetscFree(G->segs[i].v));
  PetscCall(PetscFree(G->segs));
  PetscCall(PetscFree(G->nodevox));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------- */
/* Polyline processing                                                                              */

typedef struct {
  PetscInt   n, cap;
  PetscReal *x; /* 3n */
  PetscReal *r; /* n */
} Poly;

static PetscErrorCode PolyReserve(Poly *p, PetscInt n)
{
  PetscFunctionBeginUser;
  if (n > p->cap) {
    PetscReal *nx, *nr;
    PetscCall(PetscMalloc1(3 * n, &nx));
    PetscCall(PetscCalloc1(n, &nr));
    if (p->n) {
      PetscCall(PetscArraycpy(nx, p->x, 3 * p->n));
      PetscCall(PetscArraycpy(nr, p->r, p->n));
    }
    PetscCall(PetscFree(p->x));
    PetscCall(PetscFree(p->r));
    p->x   = nx;
    p->r   = nr;
    p->cap = n;
  }
  PetscFunctionReturn(0);
}

static void PolyArc(const Poly *p, PetscReal *s)
{
  s[0] = 0;
  for (PetscInt i = 1; i < p->n; i++) s[i] = s[i - 1] + PetscSqrtReal(PetscSqr(p->x[3 * i] - p->x[3 * i - 3]) + PetscSqr(p->x[3 * i + 1] - p->x[3 * i - 2]) + PetscSqr(p->x[3 * i + 2] - p->x[3 * i - 1]));
}

/* Moving average over an arc-length window of full width w; the window shrinks near the ends so the
 * end points stay fixed and are not pulled inwards. */
static PetscErrorCode PolySmooth(Poly *p, PetscReal w)
{
  PetscReal *s, *y;
  PetscFunctionBeginUser;
  if (p->n < 3 || w <= 0) PetscFunctionReturn(0);
  PetscCall(PetscMalloc2(p->n, &s, 3 * p->n, &y));
  PolyArc(p, s);
  for (PetscInt i = 0; i < p->n; i++) {
    PetscReal hw = PetscMin(0.5 * w, PetscMin(s[i], s[p->n - 1] - s[i])), acc[3] = {0, 0, 0};
    PetscInt  cnt = 0;
    for (PetscInt j = i; j >= 0 && s[i] - s[j] <= hw + 1e-9; j--, cnt++)
      for (int c = 0; c < 3; c++) acc[c] += p->x[3 * j + c];
    for (PetscInt j = i + 1; j < p->n && s[j] - s[i] <= hw + 1e-9; j++, cnt++)
      for (int c = 0; c < 3; c++) acc[c] += p->x[3 * j + c];
    for (int c = 0; c < 3; c++) y[3 * i + c] = acc[c] / cnt;
  }
  PetscCall(PetscArraycpy(p->x, y, 3 * p->n));
  PetscCall(PetscFree2(s, y));
  PetscFunctionReturn(0);
}

/* Resample at (about) ds, keeping both ends. */
static PetscErrorCode PolyResample(Poly *p, PetscReal ds)
{
  PetscReal *s, *y, L;
  PetscInt   n, k = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(p->n, &s));
  PolyArc(p, s);
  L = s[p->n - 1];
  n = PetscMax(2, (PetscInt)PetscFloorReal(L / ds + 0.5) + 1);
  PetscCall(PetscMalloc1(3 * n, &y));
  for (PetscInt i = 0; i < n; i++) {
    PetscReal t = L * i / (n - 1), u;
    while (k < p->n - 2 && s[k + 1] < t) k++;
    u = s[k + 1] > s[k] ? (t - s[k]) / (s[k + 1] - s[k]) : 0;
    u = PetscMin(1.0, PetscMax(0.0, u));
    for (int c = 0; c < 3; c++) y[3 * i + c] = (1 - u) * p->x[3 * k + c] + u * p->x[3 * (k + 1) + c];
  }
  for (int c = 0; c < 3; c++) {
    y[c]               = p->x[c];
    y[3 * (n - 1) + c] = p->x[3 * (p->n - 1) + c];
  }
  PetscCall(PetscFree(p->x));
    PetscCall(PetscFree(p->r));
  p->x   = y;
  p->n   = n;
  p->cap = n;
  PetscCall(PetscCalloc1(n, &p->r));
  PetscCall(PetscFree(s));
  PetscFunctionReturn(0);
}

static void PolyReverse(Poly *p)
{
  for (PetscInt i = 0, j = p->n - 1; i < j; i++, j--) {
    for (int c = 0; c < 3; c++) {
      PetscReal t        = p->x[3 * i + c];
      p->x[3 * i + c]    = p->x[3 * j + c];
      p->x[3 * j + c]    = t;
    }
    PetscReal t = p->r[i];
    p->r[i]     = p->r[j];
    p->r[j]     = t;
  }
}

/* An open end (the polyline starts at it): the skeleton veers to the farthest corner of the end face,
 * so cut the part within ~1 lumen radius of the end (*cut = that radius). The end is rebuilt by
 * PolyExtendEnd once the rest is re-centred. */
static PetscErrorCode PolyTrimEnd(const Ctx *c, Poly *p, PetscReal *cut)
{
  PetscReal *s, Mx = 0;
  PetscInt   i = 0;
  PetscFunctionBeginUser;
  *cut = 0;
  if (p->n < 3) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(p->n, &s));
  PolyArc(p, s);
  /* cut until the arc length from the end exceeds the widest lumen radius seen so far (the radius
   * shrinks towards a blunt or concave end, so the local value would understate it) */
  {
    PetscReal *Dp, Dref = 0, s0;
    PetscInt   i0 = 0;
    PetscCall(PetscMalloc1(p->n, &Dp));
    for (PetscInt k = 0; k < p->n; k++) Dp[k] = DAt(c, &p->x[3 * k]);
    /* a thin tail (a sliver of the label along a neighbouring structure, e.g. the aortic root against
     * the heart) is not lumen: cut it back to where the lumen is at least half as wide as the vessel
     * it belongs to. Not at the field-of-view border, where a thin vessel may really leave. */
    if (!NearBorder(c, &p->x[0])) {
      for (PetscInt k = 0; k < p->n && s[k] <= 0.5 * s[p->n - 1]; k++) Dref = PetscMax(Dref, Dp[k]);
      while (i0 < p->n - 1 && Dp[i0] < 0.5 * Dref && s[i0] < 0.5 * s[p->n - 1]) i0++;
    }
    s0 = s[i0];
    for (i = i0; i < p->n - 1; i++) {
      /* widest lumen whose inscribed ball reaches this arc position, looking inwards too */
      Mx = 0;
      for (PetscInt k = i0; k < p->n && s[k] <= s[i] + c->Dmax; k++)
        if (s[k] - s0 <= s[i] - s0 + Dp[k]) Mx = PetscMax(Mx, Dp[k]);
      if (s[i] - s0 >= Mx) break;
    }
    PetscCall(PetscFree(Dp));
  }
  if (s[i] > 0.5 * s[p->n - 1]) { /* short piece: trim at most half */
    i = 0;
    while (i < p->n - 1 && s[i] < 0.5 * s[p->n - 1]) i++;
  }
  *cut = Mx;
  if (i > 0) {
    PetscCall(PetscArraymove(p->x, p->x + 3 * i, 3 * (p->n - i)));
    p->n -= i;
  }
  PetscCall(PetscFree(s));
  PetscFunctionReturn(0);
}

/* Extend the polyline start straight along the direction of its first ~reach mm to the last point
 * inside the lumen and inside the box of voxel centres, adding samples every ds. */
static PetscErrorCode PolyExtendEnd(const Ctx *c, Poly *p, PetscReal reach, PetscReal ds)
{
  PetscReal *s, dir[3], nrm = 0, step = 0.25 * c->hmin, L = 0;
  PetscInt   j = 0, maxsteps, nadd;
  PetscFunctionBeginUser;
  if (p->n < 2) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(p->n, &s));
  PolyArc(p, s);
  /* a long baseline: the samples next to an open end are the least reliable */
  reach = PetscMax(2 * reach, 4 * c->hmax);
  while (j < p->n - 1 && s[j] < reach) j++;
  PetscCall(PetscFree(s));
  for (int a = 0; a < 3; a++) {
    dir[a] = p->x[a] - p->x[3 * j + a];
    nrm += dir[a] * dir[a];
  }
  nrm = PetscSqrtReal(nrm);
  if (nrm <= 0) PetscFunctionReturn(0);
  for (int a = 0; a < 3; a++) dir[a] /= nrm;
  maxsteps = (PetscInt)(4 * (c->Dmax + 2 * c->hmax) / step) + 10;
  for (PetscInt k = 1; k <= maxsteps; k++) {
    PetscReal q[3];
    for (int a = 0; a < 3; a++) q[a] = p->x[a] + k * step * dir[a];
    if (!InsideAt(c, q) || !InBox(c, q)) break;
    L = k * step;
  }
  if (L <= 0) PetscFunctionReturn(0);
  nadd = (PetscInt)PetscCeilReal(L / ds - 1e-9);
  PetscCall(PolyReserve(p, p->n + nadd));
  PetscCall(PetscArraymove(p->x + 3 * nadd, p->x, 3 * p->n));
  PetscCall(PetscArraymove(p->r + nadd, p->r, p->n));
  for (PetscInt k = 0; k < nadd; k++) {
    PetscReal t = L * (nadd - k) / nadd; /* sample k is at distance t beyond the old start */
    for (int a = 0; a < 3; a++) p->x[3 * k + a] = p->x[3 * nadd + a] + t * dir[a];
  }
  p->n += nadd;
  PetscFunctionReturn(0);
}

/* Lumen cross-section in the plane through x perpendicular to t: area (mm^2), centroid, and whether it is
 * clean (closed, not leaking into a neighbouring vessel). Sampled with step h on a (2M+1)^2 grid,
 * flood-filled from the sample nearest x so other vessels crossing the plane are not counted. */
typedef struct {
  PetscInt  Mmax;
  uint8_t  *state; /* 0 unknown, 1 inside (queued), 2 outside */
  PetscInt *queue;
  PetscReal extent; /* last section: farthest lumen sample from the centroid (mm) */
  PetscBool closed; /* last section: neither leaking out of the sampling disk nor clipped by the FOV */
} Section;

static PetscErrorCode CrossSection(const Ctx *c, Section *S, const PetscReal x[3], const PetscReal t[3], PetscReal rD, PetscReal *area, PetscReal cen[3], PetscBool *clean)
{
  PetscReal u[3], v[3], h = 0.2 * c->hmin, nt, Rmax;
  PetscInt  M, W, head = 0, tail = 0, start = -1;
  PetscReal sa = 0, sb = 0;
  PetscBool leak = PETSC_FALSE, clipped = PETSC_FALSE;
  PetscFunctionBeginUser;
  *area     = 0;
  *clean    = PETSC_FALSE;
  S->extent = 0;
  S->closed = PETSC_FALSE;
  for (int a = 0; a < 3; a++) cen[a] = x[a];
  nt = PetscSqrtReal(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
  if (nt <= 0) PetscFunctionReturn(0);
  /* u: any unit vector perpendicular to t; v = t x u */
  {
    PetscReal tn[3] = {t[0] / nt, t[1] / nt, t[2] / nt}, e[3] = {0, 0, 0}, d, nu;
    int       m     = PetscAbsReal(tn[0]) < PetscAbsReal(tn[1]) ? (PetscAbsReal(tn[0]) < PetscAbsReal(tn[2]) ? 0 : 2) : (PetscAbsReal(tn[1]) < PetscAbsReal(tn[2]) ? 1 : 2);
    e[m]            = 1;
    d               = e[0] * tn[0] + e[1] * tn[1] + e[2] * tn[2];
    for (int a = 0; a < 3; a++) u[a] = e[a] - d * tn[a];
    nu = PetscSqrtReal(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    for (int a = 0; a < 3; a++) u[a] /= nu;
    v[0] = tn[1] * u[2] - tn[2] * u[1];
    v[1] = tn[2] * u[0] - tn[0] * u[2];
    v[2] = tn[0] * u[1] - tn[1] * u[0];
  }
  Rmax = 2.0 * rD + 3 * c->hmax;
  M    = PetscMin(S->Mmax, (PetscInt)PetscCeilReal(Rmax / h));
  W    = 2 * M + 1;
  memset(S->state, 0, (size_t)W * W);
  /* start at the centre sample, or the nearest inside sample within one voxel */
  {
    PetscInt rr = (PetscInt)PetscCeilReal(c->hmax / h);
    PetscReal best = PETSC_MAX_REAL;
    for (PetscInt b = -rr; b <= rr; b++)
      for (PetscInt a = -rr; a <= rr; a++) {
        PetscReal q[3], d2 = (PetscReal)(a * a + b * b);
        if (d2 >= best) continue;
        for (int k = 0; k < 3; k++) q[k] = x[k] + h * (a * u[k] + b * v[k]);
        if (InsideAt(c, q)) {
          best  = d2;
          start = (b + M) * W + (a + M);
        }
      }
  }
  if (start < 0) PetscFunctionReturn(0);
  S->state[start] = 1;
  S->queue[tail++] = start;
  while (head < tail) {
    PetscInt cur = S->queue[head++], a = cur % W - M, b = cur / W - M;
    sa += a;
    sb += b;
    if (a == -M || a == M || b == -M || b == M) leak = PETSC_TRUE;
    for (int k = 0; k < 4; k++) {
      PetscInt na = a + (k == 0) - (k == 1), nb = b + (k == 2) - (k == 3), id;
      PetscReal q[3];
      if (na < -M || na > M || nb < -M || nb > M) continue;
      id = (nb + M) * W + (na + M);
      if (S->state[id]) continue;
      for (int e = 0; e < 3; e++) q[e] = x[e] + h * (na * u[e] + nb * v[e]);
      switch (InsideAt3(c, q)) {
      case 1:
        S->state[id]     = 1;
        S->queue[tail++] = id;
        break;
      case -1:
        clipped = PETSC_TRUE; /* the lumen runs out of the field of view in this plane */
        S->state[id] = 2;
        break;
      default:
        S->state[id] = 2;
      }
    }
  }
  *area = tail * h * h;
  for (int e = 0; e < 3; e++) cen[e] = x[e] + h * (sa / tail * u[e] + sb / tail * v[e]);
  {
    /* a lumen section is a compact near-disk; a section that runs into a branch (junction) is
     * elongated and reaches far from its centroid. Second moments and the farthest sample decide. */
    PetscReal ra = PetscSqrtReal(*area / PETSC_PI), ma = sa / tail, mb = sb / tail, caa = 0, cbb = 0, cab = 0, fmax = 0, l1, l2, tr, det;
    for (PetscInt q = 0; q < tail; q++) {
      PetscReal da = (PetscReal)(S->queue[q] % W - M) - ma, db = (PetscReal)(S->queue[q] / W - M) - mb;
      caa += da * da;
      cbb += db * db;
      cab += da * db;
      fmax = PetscMax(fmax, da * da + db * db);
    }
    tr   = (caa + cbb) / tail;
    det  = (caa * cbb - cab * cab) / ((PetscReal)tail * tail);
    l1   = 0.5 * tr + PetscSqrtReal(PetscMax(0.0, 0.25 * tr * tr - det));
    l2   = 0.5 * tr - PetscSqrtReal(PetscMax(0.0, 0.25 * tr * tr - det));
    fmax = h * PetscSqrtReal(fmax);
    S->extent = fmax;
    S->closed = (PetscBool)(!leak && !clipped);
    *clean = (PetscBool)(!leak && !clipped && l2 > 0 && l1 <= 2.25 * l2 && fmax <= 1.4 * ra + c->hmax && ra >= 0.5 * rD);
  }
  PetscFunctionReturn(0);
}

/* The lumen section through x of least area among planes tilted up to ~17 degrees from the plane
 * normal to t: the normal section of a tube is the smallest one, and on the steep flank of a
 * narrowing a small tangent error would otherwise shift the centroid and inflate the area. */
static PetscErrorCode CrossSectionMin(const Ctx *c, Section *S, const PetscReal x[3], const PetscReal t0[3], PetscReal rD, PetscReal *area, PetscReal cen[3], PetscBool *clean)
{
  PetscReal t[3], nt = PetscSqrtReal(t0[0] * t0[0] + t0[1] * t0[1] + t0[2] * t0[2]);
  PetscFunctionBeginUser;
  PetscCall(CrossSection(c, S, x, t0, rD, area, cen, clean));
  if (!*clean || nt <= 0) PetscFunctionReturn(0);
  for (int e = 0; e < 3; e++) t[e] = t0[e] / nt;
  for (int level = 0; level < 2; level++) {
    PetscReal step = level ? 0.075 : 0.15;
    for (int round = 0; round < 3; round++) {
      PetscBool improved = PETSC_FALSE;
      PetscReal u[3], v[3], e0[3] = {0, 0, 0}, d, nu;
      int       m = PetscAbsReal(t[0]) < PetscAbsReal(t[1]) ? (PetscAbsReal(t[0]) < PetscAbsReal(t[2]) ? 0 : 2) : (PetscAbsReal(t[1]) < PetscAbsReal(t[2]) ? 1 : 2);
      e0[m] = 1;
      d     = t[m];
      for (int e = 0; e < 3; e++) u[e] = e0[e] - d * t[e];
      nu = PetscSqrtReal(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
      for (int e = 0; e < 3; e++) u[e] /= nu;
      v[0] = t[1] * u[2] - t[2] * u[1];
      v[1] = t[2] * u[0] - t[0] * u[2];
      v[2] = t[0] * u[1] - t[1] * u[0];
      for (int k = 0; k < 4; k++) {
        PetscReal tk[3], ak, ck[3], sg = (k & 1) ? -step : step;
        PetscBool okk;
        for (int e = 0; e < 3; e++) tk[e] = t[e] + sg * (k < 2 ? u[e] : v[e]);
        PetscCall(CrossSection(c, S, x, tk, rD, &ak, ck, &okk));
        if (okk && ak < *area) {
          PetscReal nk = PetscSqrtReal(tk[0] * tk[0] + tk[1] * tk[1] + tk[2] * tk[2]);
          *area = ak;
          for (int e = 0; e < 3; e++) {
            cen[e] = ck[e];
            t[e]   = tk[e] / nk;
          }
          improved = PETSC_TRUE;
          break;
        }
      }
      if (!improved) break;
    }
  }
  PetscFunctionReturn(0);
}

static void Tangent(const Poly *p, PetscInt i, PetscReal t[3])
{
  PetscInt a = PetscMax(0, i - 1), b = PetscMin(p->n - 1, i + 1);
  for (int c = 0; c < 3; c++) t[c] = p->x[3 * b + c] - p->x[3 * a + c];
}

/* Distance-map radius: D is measured to the nearest background voxel centre, the wall lies about half a
 * voxel closer. */
static PetscReal RadiusFromD(const Ctx *c, const PetscReal x[3]) { return PetscMax(DAt(c, x) - 0.5 * c->hmean, 0.5 * c->hmin); }

/* Re-centre samples on the section centroid (twice; junction ends keep their position), rebuild open
 * ends (cut_a/cut_b > 0: trimmed lumen radius) by straight extension from the re-centred samples, then
 * the radius of every sample. Near an open end that is not a field-of-view cut (aortic root against
 * the heart label) the section is clipped by the neighbouring structure, so the last cut mm take the
 * radius of the first sample beyond. */
static PetscErrorCode PolyRadius(const Ctx *c, Section *S, const HtCenterlineOptions *o, Poly *p, PetscBool leaf_a, PetscBool leaf_b, PetscReal cut_a, PetscReal cut_b, PetscReal *clean_frac)
{
  PetscBool *clean;
  PetscReal *s;
  PetscFunctionBeginUser;
  if (o->recenter && p->n >= 3) {
    /* Jacobi sweeps (tangents from the previous positions, so a moved sample does not tilt its
     * neighbours' planes), each followed by the moving average: centroids of oblique or clipped
     * sections are noisy and must not be followed point by point */
    PetscReal *y, *rDs, *sa;
    PetscCall(PetscMalloc3(3 * p->n, &y, p->n, &rDs, p->n, &sa));
    for (int it = 0; it < 3; it++) {
      PolyArc(p, sa);
      for (PetscInt i = 0; i < p->n; i++) rDs[i] = RadiusFromD(c, &p->x[3 * i]);
      for (PetscInt i = 0; i < p->n; i++) {
        PetscReal t[3], area, cen[3], rD, d = 0;
        PetscBool ok;
        PetscInt  a = PetscMax(0, i - 2), b = PetscMin(p->n - 1, i + 2);
        for (int e = 0; e < 3; e++) y[3 * i + e] = p->x[3 * i + e];
        if ((i == 0 && !leaf_a) || (i == p->n - 1 && !leaf_b)) continue;
        /* on the steep flank of a narrowing the section centroid is unstable (it follows any tilt of
         * the plane): keep the smoothed skeleton there */
        if (sa[b] > sa[a] && PetscAbsReal(rDs[b] - rDs[a]) / (sa[b] - sa[a]) > 0.2) continue;
        Tangent(p, i, t);
        rD = RadiusFromD(c, &p->x[3 * i]);
        PetscCall(CrossSectionMin(c, S, &p->x[3 * i], t, rD, &area, cen, &ok));
        if (!ok) continue;
        for (int e = 0; e < 3; e++) d += PetscSqr(cen[e] - p->x[3 * i + e]);
        if (PetscSqrtReal(d) > 0.5 * rD) continue; /* never jump out of the vessel */
        for (int e = 0; e < 3; e++) y[3 * i + e] = cen[e];
      }
      PetscCall(PetscArraycpy(p->x, y, 3 * p->n));
      PetscCall(PolySmooth(p, o->smooth_mm));
    }
    PetscCall(PetscFree3(y, rDs, sa));
  }
  for (int side = 0; side < 2; side++) {
    if (!(side ? leaf_b : leaf_a)) continue;
    if (side) PolyReverse(p);
    /* samples whose section is clipped (field-of-view border, neighbouring label) were not re-centred:
     * drop them and extend from the first clean one */
    if (o->recenter) {
      PetscInt   k = 0;
      PetscReal *sa, drop = PetscMax(0.5 * (side ? cut_b : cut_a), 2 * c->hmax);
      /* the end sample is held fixed by the smoothing: drop the first half lumen radius too */
      PetscCall(PetscMalloc1(p->n, &sa));
      PolyArc(p, sa);
      while (k < p->n - 2 && sa[k] < drop && sa[k] < 0.25 * sa[p->n - 1]) k++;
      PetscCall(PetscFree(sa));
      for (; k < p->n - 2; k++) {
        PetscReal t[3], area, cen[3];
        PetscBool ok;
        Tangent(p, k, t);
        PetscCall(CrossSection(c, S, &p->x[3 * k], t, RadiusFromD(c, &p->x[3 * k]), &area, cen, &ok));
        if (ok) break;
      }
      if (k > 0 && k < p->n - 2) {
        PetscCall(PetscArraymove(p->x, p->x + 3 * k, 3 * (p->n - k)));
        p->n -= k;
      }
    }
    PetscCall(PolyExtendEnd(c, p, side ? cut_b : cut_a, o->resample_mm));
    if (side) PolyReverse(p);
  }
  PetscCall(PetscMalloc1(p->n, &clean));
  for (PetscInt i = 0; i < p->n; i++) {
    PetscReal t[3], area, cen[3], rD = RadiusFromD(c, &p->x[3 * i]);
    clean[i] = PETSC_FALSE;
    p->r[i]  = rD;
    if (!o->area_radius) continue;
    Tangent(p, i, t);
    PetscCall(CrossSectionMin(c, S, &p->x[3 * i], t, rD, &area, cen, &clean[i]));
    if (clean[i]) p->r[i] = PetscSqrtReal(area / PETSC_PI);
  }
  PetscCall(PetscMalloc1(p->n, &s));
  PolyArc(p, s);
  /* runs of unclean sections (junction zones, a neighbouring vessel touching the plane): the
   * distance-map radius there is the distance to the nearest wall of anything, which makes false
   * dips at branch origins; interpolate between the clean samples (or the junction end) instead */
  if (o->area_radius) {
    PetscInt i = 0;
    while (i < p->n) {
      PetscInt j, lo, hi;
      if (clean[i]) {
        i++;
        continue;
      }
      for (j = i; j < p->n && !clean[j]; j++) {}
      lo = i - 1;
      hi = j;
      if (lo < 0 && !leaf_a) lo = 0;        /* junction end: keep its own value as anchor */
      if (hi >= p->n && !leaf_b) hi = p->n - 1;
      if (lo >= 0 && hi < p->n && hi > lo && s[hi] > s[lo]) {
        for (PetscInt k = PetscMax(i, lo + 1); k < PetscMin(j, hi); k++) p->r[k] = p->r[lo] + (p->r[hi] - p->r[lo]) * (s[k] - s[lo]) / (s[hi] - s[lo]);
      }
      i = j;
    }
  }
  for (int side = 0; side < 2; side++) {
    PetscReal cut = side ? cut_b : cut_a, L = s[p->n - 1];
    PetscInt  k;
    if (!(side ? leaf_b : leaf_a)) continue;
    cut = PetscMin(cut, 0.5 * L);
    if (!side) {
      for (k = 0; k < p->n - 1 && (s[k] < cut || !clean[k]); k++) {}
      for (PetscInt i = 0; i < k; i++) p->r[i] = p->r[k];
    } else {
      for (k = p->n - 1; k > 0 && (L - s[k] < cut || !clean[k]); k--) {}
      for (PetscInt i = k + 1; i < p->n; i++) p->r[i] = p->r[k];
    }
  }
  PetscCall(PetscFree(s));
  {
    PetscInt nc = 0;
    for (PetscInt i = 0; i < p->n; i++) nc += clean[i] ? 1 : 0;
    *clean_frac = p->n ? (PetscReal)nc / p->n : 0;
  }
  PetscCall(PetscFree(clean));
  PetscFunctionReturn(0);
}

/* Fraction of compact (disk-like) lumen sections along a voxel path, sampled every ds after smoothing:
 * a quick tubularity measure used to prune branches before the junctions are placed. */
static PetscErrorCode VoxPathCleanFraction(const Ctx *c, Section *S, const HtCenterlineOptions *o, PetscInt nv, const PetscInt *v, PetscReal *frac)
{
  Poly     p = {0};
  PetscInt nc = 0;
  PetscFunctionBeginUser;
  *frac = 1;
  if (nv < 2) PetscFunctionReturn(0);
  PetscCall(PolyReserve(&p, nv));
  p.n = nv;
  for (PetscInt k = 0; k < nv; k++) VoxWorld(c, v[k], &p.x[3 * k]);
  PetscCall(PolySmooth(&p, o->smooth_mm));
  PetscCall(PolyResample(&p, o->resample_mm));
  for (PetscInt i = 0; i < p.n; i++) {
    PetscReal t[3], area, cen[3];
    PetscBool ok;
    Tangent(&p, i, t);
    PetscCall(CrossSection(c, S, &p.x[3 * i], t, RadiusFromD(c, &p.x[3 * i]), &area, cen, &ok));
    nc += ok ? 1 : 0;
  }
  *frac = (PetscReal)nc / p.n;
  PetscCall(PetscFree(p.x));
  PetscCall(PetscFree(p.r));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------- */

PetscErrorCode HtCenterline_Extract(const HtLabels *lab, int value, const HtCenterlineOptions *opt, HtNetwork *netout, HtCenterlineReport *rep)
{
  const HtGrid      *g = &lab->g;
  size_t             N = HtGrid_Count(g);
  HtCenterlineOptions o;
  HtCenterlineReport r;
  Ctx                c;
  PetscInt           nregion, ncomp, nused, nfilled, start = 0, root = -1, *pred, *onskel, *path;
  double            *dist, *daf;
  uint8_t           *covered;
  Graph              G;
  Poly              *poly = NULL;
  PetscReal         *jpos = NULL, *cleanfrac = NULL;
  Section            S = {0};
  HtNetwork          netbuf, *net = &netbuf;
  char               what[80];
  PetscFunctionBeginUser;
  if (opt) o = *opt;
  else PetscCall(HtCenterline_DefaultOptions(&o));
  memset(&r, 0, sizeof(r));
  memset(&c, 0, sizeof(c));
  memset(&G, 0, sizeof(G));
  r.inlet_hint_dist_mm = -1;
  {
    const char *nm = HtLabels_GetName(lab, value);
    if (nm) snprintf(what, sizeof(what), "label %d (%s)", value, nm);
    else if (value < 0) snprintf(what, sizeof(what), "label map (all non-zero labels)");
    else snprintf(what, sizeof(what), "label %d", value);
  }
  PetscCheck(lab->lab && N > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "centerline: %s: empty label map", what);
  PetscCheck(o.resample_mm > 0 && o.prune_ratio >= 0 && o.min_branch_mm >= 0 && o.invalidate_scale >= 0 && o.max_branches > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "centerline: %s: invalid options (resample %g mm, prune ratio %g)", what, (double)o.resample_mm, (double)o.prune_ratio);
  /* built in a private network and handed over only when complete: no partial output on error */
  PetscCall(HtNetwork_Destroy(netout));
  PetscCall(HtNetwork_Init(net));

  c.g = g;
  PetscCall(PetscMalloc1(N, &c.mask));
  PetscCall(PrepareMask(lab, value, c.mask, &nregion, &ncomp, &nused, &nfilled));
  r.region_voxels = nregion;
  r.ncomponents   = ncomp;
  r.used_voxels   = nused;
  r.filled_voxels = nfilled;
  if (nused < 8) {
    PetscCall(PetscFree(c.mask));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "centerline: no skeleton: %s region has %" PetscInt_FMT " voxels", what, nregion);
  }
  if (ncomp > 1) HtLog_Info("centerline: %s has %" PetscInt_FMT " connected components, using the largest (%" PetscInt_FMT " of %" PetscInt_FMT " voxels)", what, ncomp, nused - nfilled, nregion);

  /* geometry of the neighbourhood */
  c.hmin  = PetscMin(g->spacing[0], PetscMin(g->spacing[1], g->spacing[2]));
  c.hmax  = PetscMax(g->spacing[0], PetscMax(g->spacing[1], g->spacing[2]));
  c.hmean = (g->spacing[0] + g->spacing[1] + g->spacing[2]) / 3.0;
  for (int dk = -1; dk <= 1; dk++)
    for (int dj = -1; dj <= 1; dj++)
      for (int di = -1; di <= 1; di++) {
        if (!di && !dj && !dk) continue;
        c.off[c.noff][0] = di;
        c.off[c.noff][1] = dj;
        c.off[c.noff][2] = dk;
        c.offlen[c.noff] = PetscSqrtReal(PetscSqr(di * g->spacing[0]) + PetscSqr(dj * g->spacing[1]) + PetscSqr(dk * g->spacing[2]));
        c.noff++;
      }

  /* distance map (outside the grid is not wall: vessels leave the field of view open) */
  PetscCall(PetscMalloc1(N, &c.D));
  PetscCall(HtDistance_EDT(g, c.mask, PETSC_FALSE, c.D));
  PetscCall(PetscMalloc1(N, &c.id));
  PetscCall(PetscMalloc1(nused, &c.vox));
  for (size_t i = 0; i < N; i++) {
    if (c.mask[i]) {
      c.D[i]       = sqrtf(c.D[i]);
      c.id[i]      = (int)c.M;
      c.vox[c.M++] = (PetscInt)i;
      if (c.D[i] > c.Dmax) {
        c.Dmax = c.D[i];
        start  = c.M - 1;
      }
    } else {
      c.D[i]  = 0;
      c.id[i] = -1;
    }
  }
  r.max_radius_mm = c.Dmax - 0.5 * c.hmean;

  /* root: the voxel geodesically farthest from the deepest voxel, an end of the tree */
  PetscCall(PetscMalloc2(c.M, &dist, c.M, &daf));
  PetscCall(PetscMalloc1(c.M, &pred));
  PetscCall(Dijkstra(&c, start, PETSC_FALSE, dist, NULL));
  {
    double best = -1;
    for (PetscInt m = 0; m < c.M; m++)
      if (isfinite(dist[m]) && dist[m] > best) {
        best = dist[m];
        root = m;
      }
  }
  PetscCall(Dijkstra(&c, root, PETSC_FALSE, daf, NULL));
  PetscCall(Dijkstra(&c, root, PETSC_TRUE, dist, pred));

  /* TEASAR: repeatedly take the uncovered voxel farthest from the root, follow the penalised
   * shortest-path tree back to the skeleton, cover a tube of radius scale*D + const around the path */
  PetscCall(PetscCalloc1(c.M, &covered));
  PetscCall(PetscCalloc1(c.M, &onskel));
  PetscCall(PetscMalloc1(c.M, &path));
  onskel[root] = 1;
  {
    PetscInt nroot = 1;
    path[0]        = root;
    for (PetscInt it = 0; it <= o.max_branches; it++) {
      PetscInt target = -1, np = 0;
      double   best   = -1;
      if (it == 0) np = nroot; /* cover around the root first */
      else {
        for (PetscInt m = 0; m < c.M; m++)
          if (!covered[m] && isfinite(daf[m]) && daf[m] > best) {
            best   = daf[m];
            target = m;
          }
        if (target < 0) break;
        PetscCheck(it < o.max_branches, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "centerline: %s: more than %" PetscInt_FMT " branches, region too irregular for a vessel tree", what, o.max_branches);
        for (PetscInt v = target; v >= 0; v = pred[v]) {
          path[np++] = v;
          if (onskel[v]) break;
        }
        PetscCheck(np > 0 && onskel[path[np - 1]], PETSC_COMM_SELF, PETSC_ERR_LIB, "centerline: %s: centerline could not reach the skeleton from voxel %" PetscInt_FMT, what, c.vox[target]);
        for (PetscInt q = 0; q < np; q++) onskel[path[q]] = 1;
        r.npaths++;
      }
      for (PetscInt q = 0; q < np; q++) {
        PetscInt  ijk[3], lo[3], hi[3];
        /* the lumen width near q is the largest D of path voxels whose ball reaches q: near a blunt or
         * concave end (and where the path runs to the wall) the local D understates it */
        PetscReal Dq = c.D[c.vox[path[q]]], R, xq[3];
        VoxWorld(&c, path[q], xq);
        for (PetscInt q2 = 0; q2 < np; q2++) {
          PetscReal D2 = c.D[c.vox[path[q2]]], x2[3];
          if (D2 <= Dq) continue;
          VoxWorld(&c, path[q2], x2);
          if (PetscSqr(x2[0] - xq[0]) + PetscSqr(x2[1] - xq[1]) + PetscSqr(x2[2] - xq[2]) <= D2 * D2) Dq = D2;
        }
        R = o.invalidate_scale * Dq + o.invalidate_const_mm;
        Decode(g, (size_t)c.vox[path[q]], ijk);
        for (int a = 0; a < 3; a++) {
          PetscInt rr = (PetscInt)(R / g->spacing[a]);
          lo[a]       = PetscMax(0, ijk[a] - rr);
          hi[a]       = PetscMin(g->n[a] - 1, ijk[a] + rr);
        }
        for (PetscInt k = lo[2]; k <= hi[2]; k++)
          for (PetscInt j = lo[1]; j <= hi[1]; j++)
            for (PetscInt i = lo[0]; i <= hi[0]; i++) {
              int m = c.id[HtGrid_Index(g, i, j, k)];
              if (m < 0 || covered[m]) continue;
              if (PetscSqr((i - ijk[0]) * g->spacing[0]) + PetscSqr((j - ijk[1]) * g->spacing[1]) + PetscSqr((k - ijk[2]) * g->spacing[2]) <= R * R) covered[m] = 1;
            }
      }
    }
  }
  PetscCheck(r.npaths > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "centerline: no skeleton: %s region has %" PetscInt_FMT " voxels and is no longer than its width", what, nregion);

  /* graph: nodes = root, leaves, voxels with >= 2 skeleton children */
  {
    PetscInt *nchild, *gid, nn = 0;
    PetscCall(PetscCalloc1(c.M, &nchild));
    PetscCall(PetscMalloc1(c.M, &gid));
    for (PetscInt m = 0; m < c.M; m++) {
      gid[m] = -1;
      if (onskel[m] && m != root) nchild[pred[m]]++;
    }
    for (PetscInt m = 0; m < c.M; m++)
      if (onskel[m] && (m == root || nchild[m] != 1)) nn++;
    G.nnodes = nn;
    PetscCall(PetscMalloc1(nn, &G.nodevox));
    nn = 0;
    for (PetscInt m = 0; m < c.M; m++)
      if (onskel[m] && (m == root || nchild[m] != 1)) {
        gid[m]          = nn;
        G.nodevox[nn++] = m;
      }
    for (PetscInt n = 0; n < G.nnodes; n++) {
      PetscInt m = G.nodevox[n], np = 0;
      if (m == root) continue;
      path[np++] = m;
      for (m = pred[m]; gid[m] < 0; m = pred[m]) path[np++] = m;
      path[np++] = m;
      /* voxels from the upstream graph node to this one */
      for (PetscInt a = 0, b = np - 1; a < b; a++, b--) {
        PetscInt t = path[a];
        path[a]    = path[b];
        path[b]    = t;
      }
      PetscCall(GraphAddSeg(&G, &c, gid[m], n, np, path));
    }
    PetscCall(PetscFree(nchild));
    PetscCall(PetscFree(gid));
  }
  PetscCall(GraphMergeDegree2(&G, &c));

  /* prune spurs, shortest first: terminal segments shorter than prune_ratio x junction radius */
  for (PetscInt guard = 0; guard < G.nsegs + 1; guard++) {
    PetscInt  best = -1;
    PetscReal bestlen = PETSC_MAX_REAL;
    for (PetscInt i = 0; i < G.nsegs; i++) {
      GSeg    *s = &G.segs[i];
      PetscInt da, db, junc;
      if (!s->alive) continue;
      da = GraphDegree(&G, s->a, NULL, 0);
      db = GraphDegree(&G, s->b, NULL, 0);
      if (da == 1 && db >= 3) junc = s->b;
      else if (db == 1 && da >= 3) junc = s->a;
      else continue;
      {
        /* junction radius: the widest lumen next to the junction on the other branches (a junction
         * found in a thin offshoot would otherwise protect every spur around it) */
        PetscReal rj = c.D[c.vox[G.nodevox[junc]]], xj[3];
        VoxWorld(&c, G.nodevox[junc], xj);
        for (PetscInt k = 0; k < G.nsegs; k++) {
          GSeg *sk = &G.segs[k];
          if (k == i || !sk->alive || (sk->a != junc && sk->b != junc)) continue;
          for (PetscInt q = 0; q < sk->nv; q++) {
            PetscReal xq[3], Dq = c.D[c.vox[sk->v[q]]];
            if (Dq <= rj) continue;
            VoxWorld(&c, sk->v[q], xq);
            if (PetscSqr(xq[0] - xj[0]) + PetscSqr(xq[1] - xj[1]) + PetscSqr(xq[2] - xj[2]) <= PetscSqr(Dq + rj)) rj = Dq;
          }
        }
        PetscReal thr = PetscMax(o.min_branch_mm, o.prune_ratio * rj);
        if (s->len < thr && s->len < bestlen) {
          bestlen = s->len;
          best    = i;
        }
      }
    }
    if (best < 0) break;
    G.segs[best].alive = PETSC_FALSE;
    r.npruned++;
    PetscCall(GraphMergeDegree2(&G, &c));
  }

  {
    PetscReal Rmax = 2.0 * c.Dmax + 3 * c.hmax;
    S.Mmax         = (PetscInt)PetscCeilReal(Rmax / (0.2 * c.hmin)) + 1;
    PetscCall(PetscMalloc1((size_t)(2 * S.Mmax + 1) * (2 * S.Mmax + 1), &S.state));
    PetscCall(PetscMalloc1((size_t)(2 * S.Mmax + 1) * (2 * S.Mmax + 1), &S.queue));
  }
  /* a terminal branch whose tip lies inside the lumen section of the rest of the tree is a second
   * path through the same wide or non-circular lumen (double-lumen dissection, flattened vessel), not
   * a branch. Tips on the field-of-view border are vessels leaving the image and are kept. */
  for (PetscInt guard = 0; guard < G.nsegs + 1; guard++) {
    PetscInt pruned = -1;
    for (PetscInt i = 0; i < G.nsegs && pruned < 0; i++) {
      GSeg     *sg = &G.segs[i];
      PetscInt  leaf, tipv, da, db, bestk = -1, bestq = -1;
      PetscReal xt[3], bestd2 = PETSC_MAX_REAL;
      if (!sg->alive) continue;
      da = GraphDegree(&G, sg->a, NULL, 0);
      db = GraphDegree(&G, sg->b, NULL, 0);
      if (da == 1 && db >= 3) leaf = sg->a;
      else if (db == 1 && da >= 3) leaf = sg->b;
      else continue;
      tipv = G.nodevox[leaf];
      VoxWorld(&c, tipv, xt);
      if (NearBorder(&c, xt)) continue;
      for (PetscInt k = 0; k < G.nsegs; k++) {
        if (k == i || !G.segs[k].alive) continue;
        for (PetscInt q = 0; q < G.segs[k].nv; q++) {
          PetscReal xq[3], d2;
          VoxWorld(&c, G.segs[k].v[q], xq);
          d2 = PetscSqr(xq[0] - xt[0]) + PetscSqr(xq[1] - xt[1]) + PetscSqr(xq[2] - xt[2]);
          if (d2 < bestd2) {
            bestd2 = d2;
            bestk  = k;
            bestq  = q;
          }
        }
      }
      if (bestk < 0) continue;
      {
        GSeg     *sk = &G.segs[bestk];
        PetscInt  q0 = PetscMax(0, bestq - 3), q1 = PetscMin(sk->nv - 1, bestq + 3);
        PetscReal xq[3], x0[3], x1[3], t[3], area, cen[3], dc = 0;
        PetscBool ok;
        VoxWorld(&c, sk->v[bestq], xq);
        VoxWorld(&c, sk->v[q0], x0);
        VoxWorld(&c, sk->v[q1], x1);
        for (int e = 0; e < 3; e++) t[e] = x1[e] - x0[e];
        PetscCall(CrossSection(&c, &S, xq, t, RadiusFromD(&c, xq), &area, cen, &ok));
        for (int e = 0; e < 3; e++) dc += PetscSqr(xt[e] - cen[e]);
        /* or the branch runs alongside: its tip is closer to the other path than the two lumen radii
         * together (the false lumen of a dissection beside the true lumen) */
        {
          PetscReal rq = ok ? PetscSqrtReal(area / PETSC_PI) : RadiusFromD(&c, xq), rt = 0;
          PetscInt  half = sg->nv / 2;
          for (PetscInt q = 0; q < sg->nv; q++) {
            PetscBool tipside = (PetscBool)(leaf == sg->a ? q <= half : q >= half);
            if (tipside) rt = PetscMax(rt, c.D[c.vox[sg->v[q]]] - 0.5 * c.hmean);
          }
          if ((S.closed && PetscSqrtReal(dc) <= S.extent + c.hmax) || PetscSqrtReal(bestd2) <= rq + rt + c.hmax) pruned = i;
        }
      }
    }
    if (pruned < 0) break;
    G.segs[pruned].alive = PETSC_FALSE;
    r.npruned++;
    PetscCall(GraphMergeDegree2(&G, &c));
  }
  PetscCall(GraphMergeCloseJunctions(&G, &c, 0.5, NULL, &r.nmerged));
  PetscCall(GraphMergeDegree2(&G, &c));

  /* polylines: smooth voxel paths, fix open ends, resample, re-centre, radius */
  /* terminal branches that are not tubes (few compact sections): pruned now, so that the junctions
   * they leave behind are not placed or merged on their account */
  if (o.area_radius) {
    for (PetscInt guard = 0; guard < G.nsegs + 1; guard++) {
      PetscInt  best = -1;
      PetscReal bestf = o.min_clean_fraction;
      for (PetscInt i = 0; i < G.nsegs; i++) {
        GSeg     *sg = &G.segs[i];
        PetscInt  da, db;
        PetscReal f;
        if (!sg->alive) continue;
        da = GraphDegree(&G, sg->a, NULL, 0);
        db = GraphDegree(&G, sg->b, NULL, 0);
        if (!((da == 1 && db >= 3) || (db == 1 && da >= 3))) continue;
        PetscCall(VoxPathCleanFraction(&c, &S, &o, sg->nv, sg->v, &f));
        if (f < bestf) {
          bestf = f;
          best  = i;
        }
      }
      if (best < 0) break;
      G.segs[best].alive = PETSC_FALSE;
      r.npruned++;
      PetscCall(GraphMergeDegree2(&G, &c));
    }
    PetscCall(GraphMergeCloseJunctions(&G, &c, 0.5, NULL, &r.nmerged));
    PetscCall(GraphMergeDegree2(&G, &c));
  }

  /* junctions: the centre of the largest inscribed sphere near the skeleton branch point (the branch
   * point itself sits where the side path met the main path, off-centre in a wide junction); two
   * junctions whose centres nearly coincide are one (merged, centres recomputed) */
  PetscCall(PetscMalloc1(3 * G.nnodes, &jpos));
  for (PetscInt pass = 0; pass < G.nnodes + 1; pass++) {
    PetscInt before = r.nmerged;
    for (PetscInt n = 0; n < G.nnodes; n++) {
      PetscInt  ijk[3], lo[3], hi[3], bestm = G.nodevox[n];
      size_t    lin = (size_t)c.vox[G.nodevox[n]];
      PetscReal R = c.D[lin], bestD = c.D[lin], bestd2 = 0;
      VoxWorld(&c, G.nodevox[n], &jpos[3 * n]);
      if (GraphDegree(&G, n, NULL, 0) < 3) continue;
      Decode(g, lin, ijk);
      for (int a = 0; a < 3; a++) {
        PetscInt rr = (PetscInt)(R / g->spacing[a]);
        lo[a]       = PetscMax(0, ijk[a] - rr);
        hi[a]       = PetscMin(g->n[a] - 1, ijk[a] + rr);
      }
      for (PetscInt k = lo[2]; k <= hi[2]; k++)
        for (PetscInt j = lo[1]; j <= hi[1]; j++)
          for (PetscInt i = lo[0]; i <= hi[0]; i++) {
            size_t    q  = HtGrid_Index(g, i, j, k);
            PetscReal d2 = PetscSqr((i - ijk[0]) * g->spacing[0]) + PetscSqr((j - ijk[1]) * g->spacing[1]) + PetscSqr((k - ijk[2]) * g->spacing[2]);
            if (c.id[q] < 0 || d2 > R * R) continue;
            if (c.D[q] > bestD + 1e-6 || (c.D[q] > bestD - 1e-6 && d2 < bestd2)) {
              bestD  = c.D[q];
              bestd2 = d2;
              bestm  = c.id[q];
            }
          }
      VoxWorld(&c, bestm, &jpos[3 * n]);
    }
    PetscCall(GraphMergeCloseJunctions(&G, &c, 0.5, jpos, &r.nmerged));
    if (r.nmerged == before) break;
    PetscCall(GraphMergeDegree2(&G, &c));
  }
  PetscCall(PetscCalloc1(G.nsegs, &poly));
  PetscCall(PetscCalloc1(G.nsegs, &cleanfrac));
  for (PetscInt i = 0; i < G.nsegs; i++) {
    GSeg     *s = &G.segs[i];
    Poly     *p = &poly[i];
    PetscBool leaf_a, leaf_b;
    if (!s->alive) continue;
    leaf_a = (PetscBool)(GraphDegree(&G, s->a, NULL, 0) == 1);
    leaf_b = (PetscBool)(GraphDegree(&G, s->b, NULL, 0) == 1);
    PetscCall(PolyReserve(p, s->nv));
    p->n = s->nv;
    for (PetscInt k = 0; k < s->nv; k++) VoxWorld(&c, s->v[k], &p->x[3 * k]);
    for (int e = 0; e < 3; e++) {
      p->x[e]                  = jpos[3 * s->a + e];
      p->x[3 * (p->n - 1) + e] = jpos[3 * s->b + e];
    }
    PetscCall(PolySmooth(p, o.smooth_mm));
    {
      PetscReal cut_a = 0, cut_b = 0;
      if (leaf_a) PetscCall(PolyTrimEnd(&c, p, &cut_a));
      if (leaf_b) {
        PolyReverse(p);
        PetscCall(PolyTrimEnd(&c, p, &cut_b));
        PolyReverse(p);
      }
      PetscCall(PolyResample(p, o.resample_mm));
      PetscCall(PolyRadius(&c, &S, &o, p, leaf_a, leaf_b, cut_a, cut_b, &cleanfrac[i]));
    }
  }

  /* terminal branches where the lumen section is hardly ever a compact disk are not vessels (sheets
   * and fringes of a rough segmentation, flattened false lumen): prune them, least tubular first,
   * and join the two polylines left at a junction that drops to two branches */
  if (o.area_radius) {
    for (PetscInt guard = 0; guard < G.nsegs + 1; guard++) {
      PetscInt  best = -1;
      PetscReal bestf = o.min_clean_fraction;
      for (PetscInt i = 0; i < G.nsegs; i++) {
        GSeg    *sg = &G.segs[i];
        PetscInt da, db;
        if (!sg->alive) continue;
        da = GraphDegree(&G, sg->a, NULL, 0);
        db = GraphDegree(&G, sg->b, NULL, 0);
        if (!((da == 1 && db >= 3) || (db == 1 && da >= 3))) continue;
        if (cleanfrac[i] < bestf) {
          bestf = cleanfrac[i];
          best  = i;
        }
      }
      if (best < 0) break;
      G.segs[best].alive = PETSC_FALSE;
      r.npruned++;
      for (PetscInt n = 0; n < G.nnodes; n++) {
        PetscInt ids[2], oi, ok2, nn = 0;
        Poly     q   = {0};
        Poly    *pi, *pk;
        if (GraphDegree(&G, n, ids, 2) != 2) continue;
        pi  = &poly[ids[0]];
        pk  = &poly[ids[1]];
        oi  = G.segs[ids[0]].a == n ? G.segs[ids[0]].b : G.segs[ids[0]].a;
        ok2 = G.segs[ids[1]].a == n ? G.segs[ids[1]].b : G.segs[ids[1]].a;
        if (G.segs[ids[0]].a == n) PolyReverse(pi); /* pi now ends at n */
        if (G.segs[ids[1]].b == n) PolyReverse(pk); /* pk now starts at n */
        PetscCall(PolyReserve(&q, pi->n + pk->n));
        for (PetscInt k = 0; k < pi->n; k++, nn++) {
          for (int e = 0; e < 3; e++) q.x[3 * nn + e] = pi->x[3 * k + e];
          q.r[nn] = pi->r[k];
        }
        for (PetscInt k = 1; k < pk->n; k++, nn++) {
          for (int e = 0; e < 3; e++) q.x[3 * nn + e] = pk->x[3 * k + e];
          q.r[nn] = pk->r[k];
        }
        q.n           = nn;
        cleanfrac[ids[0]] = (cleanfrac[ids[0]] * pi->n + cleanfrac[ids[1]] * pk->n) / (pi->n + pk->n);
        PetscCall(PetscFree(pi->x));
        PetscCall(PetscFree(pi->r));
        PetscCall(PetscFree(pk->x));
        PetscCall(PetscFree(pk->r));
        pk->n = pk->cap = 0;
        *pi   = q;
        G.segs[ids[0]].a     = oi;
        G.segs[ids[0]].b     = ok2;
        G.segs[ids[1]].alive = PETSC_FALSE;
      }
    }
  }

  /* inlet, BFS orientation and naming */
  {
    PetscInt *nodeid, *queue, head = 0, tail = 0, inlet = -1, nout = 0, njun = 0, nseg = 0;
    PetscReal bestd = PETSC_MAX_REAL;
    PetscBool *used;
    PetscCall(PetscMalloc2(G.nnodes, &nodeid, G.nnodes, &queue));
    PetscCall(PetscCalloc1(G.nsegs, &used));
    /* open-end positions come from the processed polylines */
    for (PetscInt n = 0; n < G.nnodes; n++) {
      PetscInt  id, deg = GraphDegree(&G, n, &id, 1);
      PetscReal score, x[3];
      Poly     *p;
      nodeid[n] = -1;
      if (deg != 1) continue;
      r.nends++;
      p = &poly[id];
      if (G.segs[id].a == n) for (int e = 0; e < 3; e++) x[e] = p->x[e];
      else for (int e = 0; e < 3; e++) x[e] = p->x[3 * (p->n - 1) + e];
      if (o.have_inlet_hint) score = PetscSqrtReal(PetscSqr(x[0] - o.inlet_hint_mm[0]) + PetscSqr(x[1] - o.inlet_hint_mm[1]) + PetscSqr(x[2] - o.inlet_hint_mm[2]));
      else {
        /* mean radius over the first 10 mm (at most half the segment) from this end */
        PetscReal acc = 0, *sarc;
        PetscInt  cnt = 0;
        PetscCall(PetscMalloc1(p->n, &sarc));
        PolyArc(p, sarc);
        for (PetscInt k = 0; k < p->n; k++) {
          PetscReal dd = G.segs[id].a == n ? sarc[k] : sarc[p->n - 1] - sarc[k];
          if (dd <= PetscMin(10.0, 0.5 * sarc[p->n - 1])) {
            acc += p->r[k];
            cnt++;
          }
        }
        PetscCall(PetscFree(sarc));
        score = -(cnt ? acc / cnt : 0);
      }
      if (score < bestd) {
        bestd = score;
        inlet = n;
      }
    }
    PetscCheck(inlet >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "centerline: %s: the skeleton has no open end (closed loop?)", what);
    if (o.have_inlet_hint) r.inlet_hint_dist_mm = bestd;
    queue[tail++] = inlet;
    while (head < tail) {
      PetscInt  n = queue[head++], ids[64], deg = GraphDegree(&G, n, ids, 64);
      PetscReal x[3];
      char      name[32];
      HtNodeKind kind;
      PetscCheck(deg <= 64, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "centerline: %s: junction with %" PetscInt_FMT " branches", what, deg);
      /* node position: end of an attached processed polyline */
      {
        Poly *p = &poly[ids[0]];
        if (G.segs[ids[0]].a == n) for (int e = 0; e < 3; e++) x[e] = p->x[e];
        else for (int e = 0; e < 3; e++) x[e] = p->x[3 * (p->n - 1) + e];
      }
      if (n == inlet) {
        kind = HT_NODE_INLET;
        snprintf(name, sizeof(name), "inlet");
      } else if (deg == 1) {
        kind = HT_NODE_OUTLET;
        snprintf(name, sizeof(name), "outlet_%" PetscInt_FMT, ++nout);
      } else {
        kind = HT_NODE_JUNCTION;
        snprintf(name, sizeof(name), "junction_%" PetscInt_FMT, ++njun);
      }
      PetscCall(HtNetwork_AddNode(net, x, kind, name, &nodeid[n]));
      for (PetscInt k = 0; k < PetscMin(deg, 64); k++) {
        GSeg    *s = &G.segs[ids[k]];
        PetscInt other = s->a == n ? s->b : s->a;
        if (used[ids[k]]) continue;
        used[ids[k]] = PETSC_TRUE;
        if (s->a != n) { /* orient downstream: from n to other */
          PetscInt t = s->a;
          s->a       = s->b;
          s->b       = t;
          PolyReverse(&poly[ids[k]]);
        }
        PetscCheck(nodeid[other] == -1, PETSC_COMM_SELF, PETSC_ERR_LIB, "centerline: %s: skeleton graph has a cycle at node %" PetscInt_FMT, what, other);
        queue[tail++] = other;
        nodeid[other] = -2; /* queued */
      }
    }
    /* segments in BFS order of their proximal node */
    for (PetscInt q = 0; q < tail; q++) {
      PetscInt n = queue[q], ids[64], deg = GraphDegree(&G, n, ids, 64);
      for (PetscInt k = 0; k < PetscMin(deg, 64); k++) {
        GSeg *s = &G.segs[ids[k]];
        Poly *p = &poly[ids[k]];
        char  name[32];
        if (s->a != n) continue;
        /* make the end samples coincide exactly with the nodes */
        for (int e = 0; e < 3; e++) {
          p->x[e]                  = net->nodes[nodeid[s->a]].x[e];
          p->x[3 * (p->n - 1) + e] = net->nodes[nodeid[s->b]].x[e];
        }
        snprintf(name, sizeof(name), "seg_%" PetscInt_FMT, nseg++);
        PetscCall(HtNetwork_AddSegment(net, nodeid[s->a], nodeid[s->b], p->n, p->x, p->r, name, NULL));
      }
    }
    r.njunctions = njun;
    r.nsegments  = net->nsegs;
    PetscCall(PetscFree2(nodeid, queue));
    PetscCall(PetscFree(used));
  }
  r.total_length_mm = HtNetwork_TotalLength(net);
  PetscCall(HtNetwork_Check(net));
  *netout = netbuf;
  HtLog_Info("centerline: %s: %" PetscInt_FMT " segments, %" PetscInt_FMT " junctions, %" PetscInt_FMT " open ends, %.1f mm total, %" PetscInt_FMT " spurs pruned", what, r.nsegments, r.njunctions, r.nends, (double)r.total_length_mm, r.npruned);

  for (PetscInt i = 0; i < G.nsegs; i++) {
    PetscCall(PetscFree(poly[i].x));
    PetscCall(PetscFree(poly[i].r));
  }
  PetscCall(PetscFree(poly));
  PetscCall(PetscFree(jpos));
  PetscCall(PetscFree(cleanfrac));
  PetscCall(PetscFree(S.state));
  PetscCall(PetscFree(S.queue));
  PetscCall(GraphDestroy(&G));
  PetscCall(PetscFree(covered));
  PetscCall(PetscFree(onskel));
  PetscCall(PetscFree(path));
  PetscCall(PetscFree(pred));
  PetscCall(PetscFree2(dist, daf));
  PetscCall(PetscFree(c.vox));
  PetscCall(PetscFree(c.id));
  PetscCall(PetscFree(c.D));
  PetscCall(PetscFree(c.mask));
  if (rep) *rep = r;
  PetscFunctionReturn(0);
}
