/* Binary-image tools for the segmentation: exact Euclidean distance transforms (separable, with
 * anisotropic spacing), ball morphology built on them, connected components, per-slice hole
 * filling, box means. Masks are uint8 (0/1) on an HtGrid; distances are squared mm. */
#include "segment_priv.h"
#include <math.h>
#include <string.h>

#define HT_INF 1e20f

/* 1D squared distance transform of f (n samples, spacing h) in place, lower envelope of
 * parabolas (Felzenszwalb & Huttenlocher). Work arrays: v (int n), z (float n+1), d (float n). */
static void Edt1D(float *f, PetscInt n, PetscReal h, PetscInt stride, int *v, float *z, float *d, float *tmp)
{
  const float h2 = (float)(h * h);
  int         k  = 0;
  for (PetscInt q = 0; q < n; q++) tmp[q] = f[q * stride];
  /* skip if no finite sample: nothing to propagate */
  PetscInt first = -1;
  for (PetscInt q = 0; q < n; q++)
    if (tmp[q] < HT_INF) {
      first = q;
      break;
    }
  if (first < 0) return;
  v[0] = (int)first;
  z[0] = -HT_INF;
  z[1] = HT_INF;
  for (PetscInt q = first + 1; q < n; q++) {
    if (tmp[q] >= HT_INF) continue;
    float s;
    for (;;) {
      int p = v[k];
      /* intersection of parabolas from p and q, in sample units */
      s = ((tmp[q] + h2 * (float)q * (float)q) - (tmp[p] + h2 * (float)p * (float)p)) / (2.0f * h2 * (float)(q - p));
      if (s <= z[k] && k > 0) k--;
      else break;
    }
    if (s <= z[k]) { /* k == 0 and q dominates everywhere */
      v[0] = (int)q;
      z[0] = -HT_INF;
      z[1] = HT_INF;
      continue;
    }
    k++;
    v[k]     = (int)q;
    z[k]     = s;
    z[k + 1] = HT_INF;
  }
  k = 0;
  for (PetscInt q = 0; q < n; q++) {
    while (z[k + 1] < (float)q) k++;
    float dq = (float)(q - v[k]);
    d[q]     = h2 * dq * dq + tmp[v[k]];
  }
  for (PetscInt q = 0; q < n; q++) f[q * stride] = d[q];
}

PetscErrorCode HtSeg_EDT(const HtGrid *g, const uint8_t *m, uint8_t zero_value, PetscBool only_xy, float *d2)
{
  const PetscInt nx = g->n[0], ny = g->n[1], nz = g->n[2];
  size_t         N  = HtGrid_Count(g);
  PetscInt       nm = PetscMax(nx, PetscMax(ny, nz));
  int           *v;
  float         *z, *d, *tmp;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4(nm, &v, nm + 1, &z, nm, &d, nm, &tmp));
  for (size_t i = 0; i < N; i++) d2[i] = (m[i] == zero_value) ? 0.0f : HT_INF;
  for (PetscInt k = 0; k < nz; k++)
    for (PetscInt j = 0; j < ny; j++) Edt1D(d2 + HtGrid_Index(g, 0, j, k), nx, g->spacing[0], 1, v, z, d, tmp);
  for (PetscInt k = 0; k < nz; k++)
    for (PetscInt i = 0; i < nx; i++) Edt1D(d2 + HtGrid_Index(g, i, 0, k), ny, g->spacing[1], nx, v, z, d, tmp);
  if (!only_xy)
    for (PetscInt j = 0; j < ny; j++)
      for (PetscInt i = 0; i < nx; i++) Edt1D(d2 + HtGrid_Index(g, i, j, 0), nz, g->spacing[2], nx * ny, v, z, d, tmp);
  PetscCall(PetscFree4(v, z, d, tmp));
  PetscFunctionReturn(0);
}

PetscErrorCode HtSeg_Erode(const HtGrid *g, const uint8_t *m, PetscReal r_mm, uint8_t *out)
{
  size_t N = HtGrid_Count(g);
  float *d2;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(N, &d2));
  PetscCall(HtSeg_EDT(g, m, 0, PETSC_FALSE, d2));
  for (size_t i = 0; i < N; i++) out[i] = m[i] && d2[i] > (float)(r_mm * r_mm);
  PetscCall(PetscFree(d2));
  PetscFunctionReturn(0);
}

PetscErrorCode HtSeg_Dilate(const HtGrid *g, const uint8_t *m, PetscReal r_mm, uint8_t *out)
{
  size_t N = HtGrid_Count(g);
  float *d2;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(N, &d2));
  PetscCall(HtSeg_EDT(g, m, 1, PETSC_FALSE, d2));
  for (size_t i = 0; i < N; i++) out[i] = d2[i] <= (float)(r_mm * r_mm);
  PetscCall(PetscFree(d2));
  PetscFunctionReturn(0);
}

PetscErrorCode HtSeg_Open(const HtGrid *g, const uint8_t *m, PetscReal r_mm, uint8_t *out)
{
  size_t   N = HtGrid_Count(g);
  uint8_t *e;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(N, &e));
  PetscCall(HtSeg_Erode(g, m, r_mm, e));
  PetscCall(HtSeg_Dilate(g, e, r_mm, out));
  for (size_t i = 0; i < N; i++) out[i] = out[i] && m[i];
  PetscCall(PetscFree(e));
  PetscFunctionReturn(0);
}

/* Flood fill (6-connected) of mask m from seed; out = 1 on the component. Returns its size. */
PetscErrorCode HtSeg_KeepConnected(const HtGrid *g, const uint8_t *m, size_t seed, uint8_t *out, size_t *count)
{
  size_t   N = HtGrid_Count(g), head = 0, tail = 0;
  size_t  *q;
  PetscInt nx = g->n[0], ny = g->n[1], nz = g->n[2];
  PetscFunctionBeginUser;
  memset(out, 0, N);
  *count = 0;
  if (seed >= N || !m[seed]) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(N, &q));
  q[tail++] = seed;
  out[seed] = 1;
  while (head < tail) {
    size_t   id = q[head++];
    PetscInt i = (PetscInt)(id % (size_t)nx), j = (PetscInt)((id / (size_t)nx) % (size_t)ny), k = (PetscInt)(id / ((size_t)nx * ny));
    size_t   nb[6];
    int      nn = 0;
    if (i > 0) nb[nn++] = id - 1;
    if (i < nx - 1) nb[nn++] = id + 1;
    if (j > 0) nb[nn++] = id - (size_t)nx;
    if (j < ny - 1) nb[nn++] = id + (size_t)nx;
    if (k > 0) nb[nn++] = id - (size_t)nx * ny;
    if (k < nz - 1) nb[nn++] = id + (size_t)nx * ny;
    for (int t = 0; t < nn; t++)
      if (m[nb[t]] && !out[nb[t]]) {
        out[nb[t]] = 1;
        q[tail++]  = nb[t];
      }
  }
  *count = tail;
  PetscCall(PetscFree(q));
  PetscFunctionReturn(0);
}

/* Label 6-connected components of m: comp[i] = 1..ncomp (0 background); sizes[c] voxel counts
 * (allocated here, index 0 unused). */
PetscErrorCode HtSeg_Components(const HtGrid *g, const uint8_t *m, int32_t *comp, PetscInt *ncomp, size_t **sizes)
{
  size_t   N = HtGrid_Count(g);
  size_t  *q, cap = 1024;
  PetscInt nx = g->n[0], ny = g->n[1], nz = g->n[2];
  int32_t  nc = 0;
  size_t  *sz;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(N, &q));
  PetscCall(PetscMalloc1(cap, &sz));
  sz[0] = 0;
  memset(comp, 0, N * sizeof(int32_t));
  for (size_t s = 0; s < N; s++) {
    if (!m[s] || comp[s]) continue;
    size_t head = 0, tail = 0;
    nc++;
    if ((size_t)nc >= cap) {
      size_t *nsz;
      PetscCall(PetscMalloc1(2 * cap, &nsz));
      PetscCall(PetscArraycpy(nsz, sz, cap));
      PetscCall(PetscFree(sz));
      sz = nsz;
      cap *= 2;
    }
    q[tail++] = s;
    comp[s]   = nc;
    while (head < tail) {
      size_t   id = q[head++];
      PetscInt i = (PetscInt)(id % (size_t)nx), j = (PetscInt)((id / (size_t)nx) % (size_t)ny), k = (PetscInt)(id / ((size_t)nx * ny));
      size_t   nb[6];
      int      nn = 0;
      if (i > 0) nb[nn++] = id - 1;
      if (i < nx - 1) nb[nn++] = id + 1;
      if (j > 0) nb[nn++] = id - (size_t)nx;
      if (j < ny - 1) nb[nn++] = id + (size_t)nx;
      if (k > 0) nb[nn++] = id - (size_t)nx * ny;
      if (k < nz - 1) nb[nn++] = id + (size_t)nx * ny;
      for (int t = 0; t < nn; t++)
        if (m[nb[t]] && !comp[nb[t]]) {
          comp[nb[t]] = nc;
          q[tail++]   = nb[t];
        }
    }
    sz[nc] = tail;
  }
  PetscCall(PetscFree(q));
  *ncomp = nc;
  *sizes = sz;
  PetscFunctionReturn(0);
}

/* Per axial slice (k), set to 1 the 4-connected background regions of m that do not touch the
 * slice border, whose area is at most max_area_mm2 and (when val is given) whose mean value is
 * at most max_mean. */
PetscErrorCode HtSeg_FillHoles2D(const HtGrid *g, uint8_t *m, PetscReal max_area_mm2, const float *val, PetscReal max_mean)
{
  PetscInt nx = g->n[0], ny = g->n[1], nz = g->n[2];
  size_t   ns = (size_t)nx * ny;
  int32_t *seen;
  size_t  *q;
  double   pix = g->spacing[0] * g->spacing[1];
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(ns, &seen, ns, &q));
  for (PetscInt k = 0; k < nz; k++) {
    uint8_t *s = m + (size_t)k * ns;
    memset(seen, 0, ns * sizeof(int32_t));
    for (size_t st = 0; st < ns; st++) {
      if (s[st] || seen[st]) continue;
      size_t    head = 0, tail = 0;
      PetscBool border = PETSC_FALSE;
      q[tail++]        = st;
      seen[st]         = 1;
      while (head < tail) {
        size_t   id = q[head++];
        PetscInt i = (PetscInt)(id % (size_t)nx), j = (PetscInt)(id / (size_t)nx);
        if (i == 0 || j == 0 || i == nx - 1 || j == ny - 1) border = PETSC_TRUE;
        size_t nb[4];
        int    nn = 0;
        if (i > 0) nb[nn++] = id - 1;
        if (i < nx - 1) nb[nn++] = id + 1;
        if (j > 0) nb[nn++] = id - (size_t)nx;
        if (j < ny - 1) nb[nn++] = id + (size_t)nx;
        for (int t = 0; t < nn; t++)
          if (!s[nb[t]] && !seen[nb[t]]) {
            seen[nb[t]] = 1;
            q[tail++]   = nb[t];
          }
      }
      if (!border && (double)tail * pix <= max_area_mm2 && val) {
        double mean = 0;
        for (size_t t = 0; t < tail; t++) mean += val[(size_t)k * ns + q[t]];
        if (mean / (double)tail > max_mean) continue; /* too bright for what we fill */
      }
      if (!border && (double)tail * pix <= max_area_mm2)
        for (size_t t = 0; t < tail; t++) s[q[t]] = 1;
    }
  }
  PetscCall(PetscFree2(seen, q));
  PetscFunctionReturn(0);
}

/* Mean of m (0/1) over an axis-aligned box of half-width r_mm around each voxel (clipped at the
 * volume border), separable running sums. */
PetscErrorCode HtSeg_BoxMean(const HtGrid *g, const uint8_t *m, PetscReal r_mm, float *out)
{
  PetscInt nx = g->n[0], ny = g->n[1], nz = g->n[2];
  size_t   N  = HtGrid_Count(g);
  PetscInt nm = PetscMax(nx, PetscMax(ny, nz));
  double  *line, *cs;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(nm, &line, nm + 1, &cs));
  for (size_t i = 0; i < N; i++) out[i] = (float)m[i];
  for (int a = 0; a < 3; a++) {
    PetscInt n = g->n[a], h = (PetscInt)floor(r_mm / g->spacing[a]);
    size_t   stride = a == 0 ? 1 : (a == 1 ? (size_t)nx : (size_t)nx * ny);
    PetscInt o1 = a == 0 ? ny : nx, o2 = a == 2 ? ny : nz;
    for (PetscInt b = 0; b < o2; b++)
      for (PetscInt c = 0; c < o1; c++) {
        size_t base = a == 0 ? HtGrid_Index(g, 0, c, b) : (a == 1 ? HtGrid_Index(g, c, 0, b) : HtGrid_Index(g, c, b, 0));
        cs[0]       = 0;
        for (PetscInt t = 0; t < n; t++) cs[t + 1] = cs[t] + out[base + (size_t)t * stride];
        for (PetscInt t = 0; t < n; t++) {
          PetscInt lo = PetscMax(0, t - h), hi = PetscMin(n - 1, t + h);
          line[t]     = (cs[hi + 1] - cs[lo]) / (double)(hi - lo + 1);
        }
        for (PetscInt t = 0; t < n; t++) out[base + (size_t)t * stride] = (float)line[t];
      }
  }
  PetscCall(PetscFree2(line, cs));
  PetscFunctionReturn(0);
}
