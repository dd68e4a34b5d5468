/* Automatic blood-pool segmentation of contrast CT (see htsegment.h for the method). */
#include "segment_priv.h"
#include <htvolumeio.h>
#include <math.h>
#include <string.h>

PetscErrorCode HtSegment_DefaultOptions(HtSegmentOptions *o)
{
  PetscFunctionBeginUser;
  memset(o, 0, sizeof(*o));
  o->verbose  = PETSC_FALSE;
  o->min_HU   = NAN;
  o->max_HU   = NAN;
  o->separate = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode HtSegment_SetFromOptions(HtSegmentOptions *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-seg_verbose", &o->verbose, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_min_HU", &o->min_HU, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_max_HU", &o->max_HU, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-seg_separate", &o->separate, NULL));
  PetscFunctionReturn(0);
}

/* ---- histogram ------------------------------------------------------------------------------ */
#define HMIN -1100
#define HMAX 3100
#define HN   (HMAX - HMIN)

/* Modes of the smoothed intensity histogram: soft tissue in [-100, 120] HU and contrast blood
 * (the highest peak between tissue + 100 HU and 800 HU). */
static PetscErrorCode Histogram_Modes(const HtVolume *ct, PetscReal *tissue, PetscReal *blood, PetscBool *blood_found)
{
  double *h, *hs;
  size_t  N = HtGrid_Count(&ct->g);
  PetscFunctionBeginUser;
  PetscCall(PetscCalloc2(HN, &h, HN, &hs));
  for (size_t i = 0; i < N; i++) {
    float v = ct->val[i];
    if (!(v >= (float)HMIN && v < (float)(HMAX - 1))) continue; /* also skips NaN */
    int b = (int)lrintf(v) - HMIN;
    if (b >= 0 && b < HN) h[b] += 1;
  }
  /* Gaussian smoothing, sigma 8 HU: CT noise gives spiky histograms */
  const int    W = 24;
  const double s = 8.0;
  for (int b = 0; b < HN; b++) {
    double acc = 0, ws = 0;
    for (int t = -W; t <= W; t++) {
      int c = b + t;
      if (c < 0 || c >= HN) continue;
      double w = exp(-0.5 * t * t / (s * s));
      acc += w * h[c];
      ws += w;
    }
    hs[b] = acc / ws;
  }
  int bt = -100 - HMIN;
  for (int b = -100 - HMIN; b <= 120 - HMIN; b++)
    if (hs[b] > hs[bt]) bt = b;
  *tissue = bt + HMIN;
  /* blood: the highest local maximum above tissue + 100 */
  int bb = -1;
  for (int b = bt + 100; b <= 800 - HMIN; b++) {
    if (b <= 0 || b >= HN - 1) continue;
    if (hs[b] >= hs[b - 1] && hs[b] > hs[b + 1] && (bb < 0 || hs[b] > hs[bb])) bb = b;
  }
  *blood_found = bb >= 0 ? PETSC_TRUE : PETSC_FALSE;
  *blood       = bb >= 0 ? bb + HMIN : 300.0;
  PetscCall(PetscFree2(h, hs));
  PetscFunctionReturn(0);
}

/* ---- descending-aorta seed -------------------------------------------------------------------- */
typedef struct {
  PetscReal cx, cy;  /* centroid, index units */
  PetscReal r_mm;    /* inscribed radius */
  PetscReal req_mm;  /* radius of the disc of equal area */
  PetscReal rmean;   /* running mean of req over the linked run */
  size_t    peak;    /* voxel of the inscribed-circle centre */
  PetscInt  prev;    /* index of the linked disc on slice k-1 (-1 none) */
  PetscInt  run;     /* number of linked slices ending here */
  PetscInt  k;
  PetscBool end;     /* no disc links to it from slice k+1 */
} Disc;

/* Round bright discs on every axial slice of mask cand, linked across slices into vertical
 * tubes (similar size, overlapping centres). Returns all discs (free with PetscFree). */
static PetscErrorCode FindTubes(const HtGrid *g, const uint8_t *cand, Disc **discs, PetscInt *ndiscs)
{
  PetscInt nx = g->n[0], ny = g->n[1], nz = g->n[2];
  size_t   ns = (size_t)nx * ny, N = HtGrid_Count(g);
  float   *d2;
  int32_t *comp;
  size_t  *q;
  Disc    *disc = NULL;
  PetscInt ndisc = 0, cap = 4096, *first;
  double   pix   = g->spacing[0] * g->spacing[1];
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(N, &d2));
  PetscCall(HtSeg_EDT(g, cand, 0, PETSC_TRUE, d2)); /* in-slice distances */
  PetscCall(PetscMalloc2(ns, &comp, ns, &q));
  PetscCall(PetscMalloc1(cap, &disc));
  PetscCall(PetscMalloc1(nz + 1, &first));
  for (PetscInt k = 0; k < nz; k++) {
    const uint8_t *s  = cand + (size_t)k * ns;
    const float   *dk = d2 + (size_t)k * ns;
    first[k]          = ndisc;
    memset(comp, 0, ns * sizeof(int32_t));
    for (size_t st = 0; st < ns; st++) {
      if (!s[st] || comp[st]) continue;
      size_t head = 0, tail = 0, peak = st;
      double sx = 0, sy = 0;
      q[tail++] = st;
      comp[st]  = 1;
      while (head < tail) {
        size_t   id = q[head++];
        PetscInt i = (PetscInt)(id % (size_t)nx), j = (PetscInt)(id / (size_t)nx);
        sx += i;
        sy += j;
        if (dk[id] > dk[peak]) peak = id;
        size_t nb[4];
        int    nn = 0;
        if (i > 0) nb[nn++] = id - 1;
        if (i < nx - 1) nb[nn++] = id + 1;
        if (j > 0) nb[nn++] = id - (size_t)nx;
        if (j < ny - 1) nb[nn++] = id + (size_t)nx;
        for (int t = 0; t < nn; t++)
          if (s[nb[t]] && !comp[nb[t]]) {
            comp[nb[t]] = 1;
            q[tail++]   = nb[t];
          }
      }
      /* inscribed radius: distance to the nearest background centre minus half a pixel */
      PetscReal r    = sqrt((double)dk[peak]) - 0.5 * PetscMin(g->spacing[0], g->spacing[1]);
      PetscReal area = (double)tail * pix;
      PetscReal rnd  = r > 0 ? area / (PETSC_PI * r * r) : 1e9;
      /* aorta-sized and round (a compressed true lumen of a dissection is still accepted) */
      if (r < 3.5 || r > 25.0 || rnd > 3.0) continue;
      if (ndisc >= cap) {
        Disc *nd;
        PetscCall(PetscMalloc1(2 * cap, &nd));
        PetscCall(PetscArraycpy(nd, disc, cap));
        PetscCall(PetscFree(disc));
        disc = nd;
        cap *= 2;
      }
      Disc *D   = &disc[ndisc++];
      D->cx     = sx / tail;
      D->cy     = sy / tail;
      D->r_mm   = r;
      D->req_mm = sqrt(area / PETSC_PI);
      D->rmean  = D->req_mm;
      D->peak   = (size_t)k * ns + peak;
      D->prev   = -1;
      D->run    = 1;
      D->k      = k;
      D->end    = PETSC_TRUE;
      /* link to the closest disc of the previous slice whose run has a similar size */
      if (k > 0) {
        PetscReal best = 1e30;
        for (PetscInt p = first[k - 1]; p < first[k]; p++) {
          PetscReal dx = (disc[p].cx - D->cx) * g->spacing[0], dy = (disc[p].cy - D->cy) * g->spacing[1];
          PetscReal dd = sqrt(dx * dx + dy * dy);
          if (dd < 0.5 * PetscMax(D->req_mm, disc[p].req_mm) && fabs(disc[p].rmean - D->req_mm) < 0.3 * disc[p].rmean && dd < best) {
            best    = dd;
            D->prev = p;
          }
        }
        if (D->prev >= 0) {
          Disc *P        = &disc[D->prev];
          D->run         = P->run + 1;
          D->rmean       = (P->rmean * P->run + D->req_mm) / D->run;
          P->end         = PETSC_FALSE;
        }
      }
    }
  }
  *discs  = disc;
  *ndiscs = ndisc;
  PetscCall(PetscFree(first));
  PetscCall(PetscFree2(comp, q));
  PetscCall(PetscFree(d2));
  PetscFunctionReturn(0);
}

static void DiscWorld(const HtGrid *g, const Disc *d, PetscReal x[3])
{
  PetscReal ijk[3] = {d->cx, d->cy, (PetscReal)d->k};
  HtGrid_IndexToWorld(g, ijk, x);
}

/* The descending aorta: the longest tube (ties within 20 %: the most posterior). Seed at the
 * middle of the run, radius = median equal-area radius of the run. */
static PetscErrorCode PickDescending(const HtGrid *g, const Disc *disc, PetscInt ndisc, PetscBool verbose, PetscInt *best_end, size_t *seed, PetscReal *radius_mm, PetscReal *rin_mm)
{
  PetscInt longest = 0, best = 0;
  PetscReal besty = -1e30;
  PetscFunctionBeginUser;
  PetscCheck(ndisc > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segmentation: no aorta-like round bright structure found on any axial slice (is this a contrast CT?)");
  for (PetscInt d = 0; d < ndisc; d++) longest = PetscMax(longest, disc[d].run);
  for (PetscInt d = 0; d < ndisc; d++) {
    if (!disc[d].end) continue;
    if (verbose && disc[d].run >= 5) HtLog_Info("segment: tube k %" PetscInt_FMT "..%" PetscInt_FMT " at (%.0f, %.0f) r %.1f mm", disc[d].k - disc[d].run + 1, disc[d].k, (double)disc[d].cx, (double)disc[d].cy, (double)disc[d].rmean);
    if (disc[d].run < 0.8 * longest) continue;
    PetscReal x[3];
    DiscWorld(g, &disc[d], x);
    if (x[1] > besty) {
      besty = x[1];
      best  = d;
    }
  }
  PetscInt   len = disc[best].run, *chain;
  PetscReal *rr, *ri;
  PetscCall(PetscMalloc3(len, &chain, len, &rr, len, &ri));
  for (PetscInt d = best, t = len - 1; d >= 0 && t >= 0; d = disc[d].prev, t--) {
    chain[t] = d;
    rr[t]    = disc[d].req_mm;
    ri[t]    = disc[d].r_mm;
  }
  PetscCall(PetscSortReal(len, rr));
  PetscCall(PetscSortReal(len, ri));
  *seed      = disc[chain[len / 2]].peak;
  *radius_mm = rr[len / 2];
  *rin_mm    = ri[len / 2];
  *best_end  = best;
  if (verbose) HtLog_Info("segment: descending aorta over %" PetscInt_FMT " slices (%.0f mm), median radius %.1f mm", len, (double)(len * g->spacing[2]), (double)*radius_mm);
  PetscCall(PetscFree3(chain, rr, ri));
  PetscFunctionReturn(0);
}

/* The ascending aorta: the longest other tube anterior to the descending one, of comparable
 * radius, not inside a chamber core, and joined to the seed through wide passages (core, the
 * blood pool eroded by 40 % of the aorta radius: a pulmonary artery touching the aorta only
 * by partial volume is not). -1 if none. */
static PetscErrorCode PickAscending(const HtGrid *g, const Disc *disc, PetscInt ndisc, PetscInt desc_end, PetscReal r_desc, const uint8_t *core, const float *d2, PetscReal r_core, PetscBool verbose, PetscInt *asc_end)
{
  PetscReal yd = 0, xd[3];
  PetscInt  nd = 0, best = -1, minrun = PetscMax(8, (PetscInt)ceil(20.0 / g->spacing[2]));
  PetscFunctionBeginUser;
  for (PetscInt d = desc_end; d >= 0; d = disc[d].prev) {
    DiscWorld(g, &disc[d], xd);
    yd += xd[1];
    nd++;
  }
  yd /= nd;
  for (PetscInt e = 0; e < ndisc; e++) {
    if (!disc[e].end || e == desc_end || disc[e].run < minrun) continue;
    if (disc[e].rmean < 0.6 * r_desc || disc[e].rmean > 1.6 * r_desc) continue;
    PetscInt  in = 0, incore = 0, n = 0;
    PetscReal y  = 0, x[3];
    for (PetscInt d = e; d >= 0; d = disc[d].prev) {
      DiscWorld(g, &disc[d], x);
      y += x[1];
      in += core[disc[d].peak] != 0;
      incore += d2[disc[d].peak] >= (float)(r_core * r_core);
      n++;
    }
    y /= n;
    if (in < 0.5 * n || incore > 0.5 * n || y > yd - r_desc) continue;
    if (best < 0 || disc[e].run > disc[best].run) best = e;
  }
  *asc_end = best;
  if (verbose) {
    if (best >= 0) HtLog_Info("segment: ascending aorta k %" PetscInt_FMT "..%" PetscInt_FMT " at (%.0f, %.0f), radius %.1f mm", disc[best].k - disc[best].run + 1, disc[best].k, (double)disc[best].cx, (double)disc[best].cy, (double)disc[best].rmean);
    else HtLog_Info("segment: no separate ascending-aorta tube found");
  }
  PetscFunctionReturn(0);
}

/* Paint the central part (0.6 x inscribed radius) of every disc of a run into mk. */
static void PaintRun(const HtGrid *g, const Disc *disc, PetscInt end, PetscInt kmin, const uint8_t *blood, uint8_t value, uint8_t *mk)
{
  PetscInt nx = g->n[0], ny = g->n[1];
  for (PetscInt d = end; d >= 0 && disc[d].k >= kmin; d = disc[d].prev) {
    PetscInt  pi = (PetscInt)(disc[d].peak % (size_t)nx), pj = (PetscInt)((disc[d].peak / (size_t)nx) % (size_t)ny);
    PetscReal r  = 0.6 * disc[d].r_mm;
    PetscInt  hi = (PetscInt)ceil(r / g->spacing[0]), hj = (PetscInt)ceil(r / g->spacing[1]);
    for (PetscInt j = PetscMax(0, pj - hj); j <= PetscMin(ny - 1, pj + hj); j++)
      for (PetscInt i = PetscMax(0, pi - hi); i <= PetscMin(nx - 1, pi + hi); i++) {
        PetscReal dx = (i - pi) * g->spacing[0], dy = (j - pj) * g->spacing[1];
        size_t    id = HtGrid_Index(g, i, j, disc[d].k);
        if (dx * dx + dy * dy <= r * r && blood[id]) mk[id] = value;
      }
  }
}

/* Marker-based watershed: flood the mask m from the labelled voxels of lab (non-zero), highest
 * key first (bucket queue on the distance, 0.1 mm buckets). Unreached mask voxels stay 0. */
static PetscErrorCode Watershed(const HtGrid *g, const uint8_t *m, const float *d2, uint8_t *lab)
{
  size_t    N = HtGrid_Count(g);
  PetscInt  nx = g->n[0], ny = g->n[1], nz = g->n[2];
  float     dmax = 0;
  PetscInt  nbk;
  int64_t  *head, *tailp, *next;
  PetscFunctionBeginUser;
  for (size_t i = 0; i < N; i++)
    if (m[i]) dmax = PetscMax(dmax, d2[i]);
  nbk = (PetscInt)(sqrt((double)dmax) / 0.1) + 2;
  /* FIFO buckets: on a plateau (a tube of constant radius) fronts advance at equal speed */
  PetscCall(PetscMalloc3(nbk, &head, nbk, &tailp, N, &next));
  for (PetscInt b = 0; b < nbk; b++) head[b] = tailp[b] = -1;
#define KEY(id) ((PetscInt)(sqrt((double)d2[id]) / 0.1))
#define PUSH(b, v) \
  do { \
    next[v] = -1; \
    if (tailp[b] >= 0) next[tailp[b]] = (int64_t)(v); \
    else head[b] = (int64_t)(v); \
    tailp[b] = (int64_t)(v); \
  } while (0)
  PetscInt cur = -1;
  for (size_t i = 0; i < N; i++)
    if (m[i] && lab[i]) {
      PetscInt b = KEY(i);
      PUSH(b, i);
      cur = PetscMax(cur, b);
    } else if (!m[i]) lab[i] = 0;
  while (cur >= 0) {
    if (head[cur] < 0) {
      cur--;
      continue;
    }
    size_t id = (size_t)head[cur];
    head[cur] = next[id];
    if (head[cur] < 0) tailp[cur] = -1;
    PetscInt i = (PetscInt)(id % (size_t)nx), j = (PetscInt)((id / (size_t)nx) % (size_t)ny), k = (PetscInt)(id / ((size_t)nx * ny));
    size_t   nb[6];
    int      nn = 0;
    if (i > 0) nb[nn++] = id - 1;
    if (i < nx - 1) nb[nn++] = id + 1;
    if (j > 0) nb[nn++] = id - (size_t)nx;
    if (j < ny - 1) nb[nn++] = id + (size_t)nx;
    if (k > 0) nb[nn++] = id - (size_t)nx * ny;
    if (k < nz - 1) nb[nn++] = id + (size_t)nx * ny;
    for (int t = 0; t < nn; t++) {
      size_t u = nb[t];
      if (!m[u] || lab[u]) continue;
      lab[u]     = lab[id];
      PetscInt b = KEY(u);
      PUSH(b, u);
      if (b > cur) cur = b;
    }
  }
#undef KEY
#undef PUSH
  PetscCall(PetscFree3(head, tailp, next));
  PetscFunctionReturn(0);
}

/* The right heart and pulmonary artery: in contrast CT they form a blood pool of their own (the
 * lungs lie between them and the left heart) or hang on the left pool through walls blurred
 * together. Take the largest component of what is left (candidates outside the left pool and
 * left-pool voxels neither label took) lying next to the left-heart label;
 * split it with the same watershed: chamber cores -> heart, the longest aorta-sized tube in it
 * (the pulmonary trunk) -> pulmonary artery. Labels are added to heart (value 1) and pa. */
static PetscErrorCode RightHeart(const HtGrid *g, const HtVolume *ct, const HtSegmentReport *R, const HtSegmentOptions *o, const uint8_t *opened, const uint8_t *blood, const uint8_t *aorta, uint8_t *heart, const Disc *disc, PetscInt ndisc, PetscReal r_core, PetscReal reach, uint8_t *pa)
{
  size_t   N = HtGrid_Count(g), *sizes, min_vox = (size_t)(30000.0 / HtGrid_VoxelVolume_mm3(g));
  int32_t *comp;
  PetscInt ncomp, best = 0;
  float   *d2;
  uint8_t *rh, *mk, *tmp, *nearpa;
  PetscBool any = PETSC_FALSE;
  PetscFunctionBeginUser;
  for (size_t i = 0; i < N && !any; i++) any = heart[i] != 0;
  if (!any) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(N, &comp));
  PetscCall(PetscMalloc1(N, &d2));
  PetscCall(PetscMalloc4(N, &rh, N, &mk, N, &tmp, N, &nearpa));
  /* what is left: candidates outside the left pool, and left-pool voxels neither label took */
  for (size_t i = 0; i < N; i++) rh[i] = (opened[i] || blood[i]) && !aorta[i] && !heart[i];
  PetscCall(HtSeg_Components(g, rh, comp, &ncomp, &sizes));
  PetscCall(HtSeg_EDT(g, heart, 1, PETSC_FALSE, d2)); /* distance to the left heart */
  {
    float *dmin;
    PetscCall(PetscMalloc1(ncomp + 1, &dmin));
    for (PetscInt c = 0; c <= ncomp; c++) dmin[c] = 1e30f;
    for (size_t i = 0; i < N; i++)
      if (comp[i]) dmin[comp[i]] = PetscMin(dmin[comp[i]], d2[i]);
    for (PetscInt c = 1; c <= ncomp; c++)
      if (sizes[c] >= min_vox && dmin[c] <= 15.0f * 15.0f && (!best || sizes[c] > sizes[best])) best = c;
    PetscCall(PetscFree(dmin));
  }
  if (best) {
    for (size_t i = 0; i < N; i++) rh[i] = comp[i] == best;
    /* same half-level rim as the left side */
    PetscCall(HtSeg_Dilate(g, rh, 1.01 * PetscMax(g->spacing[0], PetscMax(g->spacing[1], g->spacing[2])), tmp));
    for (size_t i = 0; i < N; i++) rh[i] = rh[i] || (tmp[i] && !aorta[i] && !heart[i] && ct->val[i] >= R->threshold_HU && ct->val[i] <= R->bone_HU);
    PetscCall(HtSeg_EDT(g, rh, 0, PETSC_FALSE, d2));
    {
      float dm = 0;
      for (size_t i = 0; i < N; i++)
        if (rh[i]) dm = PetscMax(dm, d2[i]);
      /* the right ventricle is a thin crescent: cores relative to this pool's own thickness */
      r_core = PetscMin(r_core, 0.7 * sqrt((double)dm));
      PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_rcore_rh", &r_core, NULL));
      if (o->verbose) HtLog_Info("segment: right pool thickest %.1f mm, cores above %.1f mm", sqrt((double)dm), (double)r_core);
    }
    for (size_t i = 0; i < N; i++) mk[i] = (rh[i] && d2[i] >= (float)(r_core * r_core)) ? HT_SEG_HEART : 0;
    for (size_t i = 0; i < N; i++) tmp[i] = mk[i] == HT_SEG_HEART;
    /* pulmonary trunk: longest tube of aorta-like size inside, outside the cores */
    PetscInt pe = -1, minrun = PetscMax(8, (PetscInt)ceil(20.0 / g->spacing[2]));
    for (PetscInt e = 0; e < ndisc; e++) {
      if (!disc[e].end || disc[e].run < minrun) continue;
      if (disc[e].rmean < 0.6 * R->aorta_radius_mm || disc[e].rmean > 1.8 * R->aorta_radius_mm) continue;
      PetscInt in = 0, incore = 0, n = 0;
      for (PetscInt d = e; d >= 0; d = disc[d].prev, n++) {
        in += rh[disc[d].peak] != 0;
        incore += d2[disc[d].peak] >= (float)(r_core * r_core);
      }
      if (in < 0.8 * n || incore > 0.5 * n) continue;
      if (pe < 0 || disc[e].run > disc[pe].run) pe = e;
    }
    PetscInt kpa = -1;
    if (pe >= 0) {
      PetscReal keep = 0.5;
      PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_pa_keep", &keep, NULL));
      kpa = disc[pe].k - (PetscInt)floor(keep * (disc[pe].run - 1));
      PaintRun(g, disc, pe, kpa, rh, HT_SEG_PA, mk);
    }
    PetscCall(Watershed(g, rh, d2, mk));
    PetscCall(HtSeg_Dilate(g, tmp, reach, rh)); /* chamber reach, as on the left */
    if (pe >= 0) {
      for (size_t i = 0; i < N; i++) tmp[i] = 0;
      PaintRun(g, disc, pe, -1, opened, 1, tmp);
      PetscCall(HtSeg_Dilate(g, tmp, 3.0 * disc[pe].rmean, nearpa)); /* trunk and proximal branches */
    }
    size_t nh = 0, np = 0;
    /* below the trunk marker's lowest slice, what the trunk flooded is outflow tract */
    PetscInt kcut = kpa;
    for (size_t i = 0; i < N; i++) {
      if (mk[i] == HT_SEG_HEART && rh[i] && !heart[i]) {
        heart[i] = 1;
        nh++;
      }
      if (pe >= 0 && mk[i] == HT_SEG_PA && nearpa[i]) {
        if ((PetscInt)(i / ((size_t)g->n[0] * g->n[1])) >= kcut) {
          pa[i] = 1;
          np++;
        } else if (rh[i] && !heart[i]) { /* outflow tract below the trunk marker: ventricle */
          heart[i] = 1;
          nh++;
        }
      }
    }
    if (o->verbose) HtLog_Info("segment: right heart pool %.0f mL: chambers %.0f mL, pulmonary artery %.0f mL%s", (double)sizes[best] * HtGrid_VoxelVolume_mm3(g) / 1000.0, (double)nh * HtGrid_VoxelVolume_mm3(g) / 1000.0, (double)np * HtGrid_VoxelVolume_mm3(g) / 1000.0, pe < 0 ? " (no trunk found)" : "");
  } else if (o->verbose) HtLog_Info("segment: no separate right-heart blood pool next to the left heart");
  PetscCall(PetscFree(sizes));
  PetscCall(PetscFree4(rh, mk, tmp, nearpa));
  PetscCall(PetscFree(d2));
  PetscCall(PetscFree(comp));
  PetscFunctionReturn(0);
}

/* Dense voxels (above the bone limit) that belong to a vessel: undiluted contrast and calcium
 * inside the vessel outline. They form small components (large ones are skeleton) mostly
 * surrounded by contrast blood, whereas rib or vertebra fragments and costal calcium are
 * surrounded by soft tissue, fat and marrow. A component is vascular when at least 40 % of the
 * voxels around it (6-neighbours outside it) are in the contrast range. */
static PetscErrorCode VascularDense(const HtGrid *g, const HtVolume *ct, const int32_t *comp, PetscInt ncomp, const size_t *sizes, size_t min_vox, PetscReal thr_HU, PetscReal bone_HU, uint8_t *vd)
{
  size_t  *nbr, *nbl, N = HtGrid_Count(g);
  PetscInt nx = g->n[0], ny = g->n[1], nz = g->n[2];
  PetscFunctionBeginUser;
  PetscCall(PetscCalloc2(ncomp + 1, &nbr, ncomp + 1, &nbl));
  for (PetscInt k = 0; k < nz; k++)
    for (PetscInt j = 0; j < ny; j++)
      for (PetscInt i = 0; i < nx; i++) {
        size_t  id = HtGrid_Index(g, i, j, k);
        int32_t c  = comp[id];
        if (!c || sizes[c] >= min_vox) continue;
        size_t nb[6];
        int    nn = 0;
        if (i > 0) nb[nn++] = id - 1;
        if (i < nx - 1) nb[nn++] = id + 1;
        if (j > 0) nb[nn++] = id - (size_t)nx;
        if (j < ny - 1) nb[nn++] = id + (size_t)nx;
        if (k > 0) nb[nn++] = id - (size_t)nx * ny;
        if (k < nz - 1) nb[nn++] = id + (size_t)nx * ny;
        for (int t = 0; t < nn; t++) {
          if (comp[nb[t]] == c) continue;
          float v = ct->val[nb[t]];
          nbr[c]++;
          nbl[c] += v >= (float)thr_HU && v <= (float)bone_HU;
        }
      }
  for (size_t i = 0; i < N; i++) {
    int32_t c = comp[i];
    vd[i]     = c && sizes[c] < min_vox && nbr[c] && (double)nbl[c] >= 0.4 * (double)nbr[c];
  }
  PetscCall(PetscFree2(nbr, nbl));
  PetscFunctionReturn(0);
}

static PetscErrorCode AortaFlapLayer(const HtGrid *g, const HtVolume *ct, const HtSegmentReport *R, const uint8_t *bone, const uint8_t *vdense, const uint8_t *heart, const uint8_t *pa, const uint8_t *flz, uint8_t *aorta, uint8_t *ring)
{
  size_t    N = HtGrid_Count(g), nadd = 0;
  PetscReal frac = 0.3, rad = 3.0, rim = 1.01 * PetscMax(g->spacing[0], PetscMax(g->spacing[1], g->spacing[2]));
  PetscInt  h[3];
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_flap_frac", &frac, NULL));
  PetscReal t_lo = R->tissue_HU + frac * (R->blood_HU - R->tissue_HU), t_hi = R->tissue_HU + 0.5 * (R->blood_HU - R->tissue_HU);
  for (int a = 0; a < 3; a++) h[a] = (PetscInt)floor(rad / g->spacing[a]);
  PetscCall(HtSeg_Dilate(g, aorta, rim, ring));
  for (size_t i = 0; i < N; i++) {
    float v = ct->val[i];
    ring[i] = ring[i] && flz[i] && !aorta[i] && !heart[i] && !pa[i] && !bone[i] && v >= (float)t_lo && (v <= (float)R->bone_HU || vdense[i]) ? 1 : 0;
  }
  for (PetscInt k = 0; k < g->n[2]; k++)
    for (PetscInt j = 0; j < g->n[1]; j++)
      for (PetscInt i = 0; i < g->n[0]; i++) {
        size_t id = HtGrid_Index(g, i, j, k);
        if (!ring[id]) continue;
        if (ct->val[id] >= (float)t_hi) { /* already above the half level (cut by the opening) */
          ring[id] = 2;
          continue;
        }
        double sum = 0;
        size_t n   = 0;
        for (PetscInt dk = -h[2]; dk <= h[2]; dk++)
          for (PetscInt dj = -h[1]; dj <= h[1]; dj++)
            for (PetscInt di = -h[0]; di <= h[0]; di++) {
              PetscInt a = i + di, b = j + dj, c = k + dk;
              if (a < 0 || b < 0 || c < 0 || a >= g->n[0] || b >= g->n[1] || c >= g->n[2]) continue;
              PetscReal x = di * g->spacing[0], y = dj * g->spacing[1], z = dk * g->spacing[2];
              if (x * x + y * y + z * z > rad * rad) continue;
              size_t u = HtGrid_Index(g, a, b, c);
              if (aorta[u]) continue;
              sum += PetscMin(ct->val[u], (float)R->blood_HU);
              n++;
            }
        if (n && sum / (double)n >= t_lo) ring[id] = 2;
      }
  for (size_t i = 0; i < N; i++)
    if (ring[i] == 2) {
      aorta[i] = 1;
      nadd++;
    }
  (void)nadd;
  PetscFunctionReturn(0);
}

/* Fill the background components of m (6-connected) that do not touch the volume border. */
static PetscErrorCode FillCavities(const HtGrid *g, uint8_t *m, uint8_t *work)
{
  size_t    N = HtGrid_Count(g), *sizes;
  int32_t  *comp;
  PetscInt  nc, nx = g->n[0], ny = g->n[1], nz = g->n[2];
  PetscBool *border;
  PetscFunctionBeginUser;
  for (size_t i = 0; i < N; i++) work[i] = !m[i];
  PetscCall(PetscMalloc1(N, &comp));
  PetscCall(HtSeg_Components(g, work, comp, &nc, &sizes));
  PetscCall(PetscCalloc1(nc + 1, &border));
  for (PetscInt k = 0; k < nz; k++)
    for (PetscInt j = 0; j < ny; j++)
      for (PetscInt i = 0; i < nx; i++)
        if (i == 0 || j == 0 || k == 0 || i == nx - 1 || j == ny - 1 || k == nz - 1) border[comp[HtGrid_Index(g, i, j, k)]] = PETSC_TRUE;
  for (size_t i = 0; i < N; i++)
    if (comp[i] && !border[comp[i]]) m[i] = 1;
  PetscCall(PetscFree(border));
  PetscCall(PetscFree(sizes));
  PetscCall(PetscFree(comp));
  PetscFunctionReturn(0);
}

/* ---- main ---------------------------------------------------------------------------------- */
static PetscErrorCode SegmentAxial(const HtVolume *ct, const HtSegmentOptions *opt, HtLabels *labels, HtSegmentReport *rep)
{
  HtSegmentOptions o;
  HtSegmentReport  R;
  const HtGrid    *g = &ct->g;
  size_t           N = HtGrid_Count(g);
  double           t0 = HtTime_Now();
  uint8_t         *cand, *bone, *tmp, *blood, *heart, *aorta, *opened, *pa, *vdense, *flz;
  float           *f;
  PetscBool        found;
  PetscFunctionBeginUser;
  if (opt) o = *opt;
  else PetscCall(HtSegment_DefaultOptions(&o));
  memset(&R, 0, sizeof(R));
  PetscCheck(g->n[2] >= 8, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segmentation: only %" PetscInt_FMT " slices, a 3D CT is needed", g->n[2]);

  /* 1. intensities */
  PetscCall(Histogram_Modes(ct, &R.tissue_HU, &R.blood_HU, &found));
  if (!isnan(o.min_HU)) R.threshold_HU = o.min_HU;
  else {
    PetscCheck(found, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segmentation: no contrast-blood peak above %.0f HU in the histogram (not a contrast CT?); give -seg_min_HU", (double)(R.tissue_HU + 100));
    R.threshold_HU = R.tissue_HU + 0.5 * (R.blood_HU - R.tissue_HU);
  }
  R.bone_HU = !isnan(o.max_HU) ? o.max_HU : PetscMax(700.0, R.blood_HU + 250.0);
  PetscCheck(R.bone_HU > R.threshold_HU, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segmentation: upper limit %.0f HU is not above the threshold %.0f HU", (double)R.bone_HU, (double)R.threshold_HU);
  if (o.verbose) HtLog_Info("segment: soft tissue %.0f HU, contrast blood %.0f HU, threshold %.0f HU, bone above %.0f HU", (double)R.tissue_HU, (double)R.blood_HU, (double)R.threshold_HU, (double)R.bone_HU);

  PetscCall(PetscMalloc6(N, &cand, N, &bone, N, &tmp, N, &blood, N, &heart, N, &aorta));
  PetscCall(PetscMalloc4(N, &opened, N, &pa, N, &vdense, N, &flz));
  memset(flz, 0, N);
  memset(pa, 0, N);
  PetscCall(PetscMalloc1(N, &f));

  /* 2. bone: dense voxels, closed and hole-filled per slice (marrow of vertebrae, sternum),
   * then grown by 1.5 mm (partial volume at the cortex) */
  /* a ring of calcium around a contrast-filled lumen must not be taken for a vertebra: only
   * holes darker than the middle of the blood range are marrow */
  PetscReal marrow_max = 0.5 * (R.threshold_HU + R.blood_HU);
  for (size_t i = 0; i < N; i++) bone[i] = ct->val[i] > R.bone_HU;
  {
    /* skeleton = large dense components; small ones are vascular calcium, which must not eat
     * the neighbouring lumen (they stay out of the candidates through the upper limit) */
    int32_t *comp;
    size_t  *sizes;
    PetscInt ncomp;
    size_t   min_vox = (size_t)(2000.0 / HtGrid_VoxelVolume_mm3(g)) + 1; /* 2 mL */
    PetscCall(PetscMalloc1(N, &comp));
    PetscCall(HtSeg_Components(g, bone, comp, &ncomp, &sizes));
    PetscCall(VascularDense(g, ct, comp, ncomp, sizes, min_vox, R.threshold_HU, R.bone_HU, vdense));
    for (size_t i = 0; i < N; i++) bone[i] = comp[i] && sizes[comp[i]] >= min_vox;
    PetscCall(PetscFree(sizes));
    PetscCall(PetscFree(comp));
  }
  PetscCall(HtSeg_Dilate(g, bone, 1.5, tmp));
  PetscCall(HtSeg_FillHoles2D(g, tmp, 2500.0, ct->val, marrow_max));
  PetscCall(HtSeg_Erode(g, tmp, 1.5, bone)); /* closing + fill */
  PetscCall(HtSeg_FillHoles2D(g, bone, 2500.0, ct->val, marrow_max));
  PetscCall(HtSeg_Dilate(g, bone, 1.5, tmp));
  PetscCall(PetscArraycpy(bone, tmp, N));

  /* 3. contrast candidates */
  size_t ncand = 0;
  for (size_t i = 0; i < N; i++) {
    cand[i] = ct->val[i] >= R.threshold_HU && (ct->val[i] <= R.bone_HU || vdense[i]) && !bone[i];
    ncand += cand[i];
  }
  if (o.verbose) HtLog_Info("segment: %zu candidate voxels (%.0f mL)", ncand, (double)ncand * HtGrid_VoxelVolume_mm3(g) / 1000.0);

  /* 4. seed: descending aorta */
  size_t   seed = 0;
  Disc    *disc = NULL;
  PetscInt ndisc = 0, desc_end = -1, asc_end = -1;
  PetscCall(FindTubes(g, cand, &disc, &ndisc));
  PetscReal r_in = 0;
  PetscCall(PickDescending(g, disc, ndisc, o.verbose, &desc_end, &seed, &R.aorta_radius_mm, &r_in));
  {
    PetscInt  i = (PetscInt)(seed % (size_t)g->n[0]), j = (PetscInt)((seed / (size_t)g->n[0]) % (size_t)g->n[1]), k = (PetscInt)(seed / ((size_t)g->n[0] * g->n[1]));
    PetscReal ijk[3] = {i, j, k};
    HtGrid_IndexToWorld(g, ijk, R.seed_mm);
  }

  /* 5. blood pool: open with a small ball (cuts bridges to bone, vessels touching by partial
   * volume), keep the seed's component, fill small holes (calcium, flaps) */
  PetscReal r_open = PetscMax(1.5, 1.01 * PetscMax(g->spacing[0], PetscMax(g->spacing[1], g->spacing[2])));
  size_t    nb;
  PetscCall(HtSeg_Open(g, cand, r_open, opened));
  PetscCall(HtSeg_KeepConnected(g, opened, seed, blood, &nb));
  PetscCheck(nb > 0, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "segmentation: the aorta seed vanished after opening (radius %.1f mm)", (double)r_open);
  PetscCall(HtSeg_FillHoles2D(g, blood, 200.0, NULL, 0));
  /* partial-volume rim: the lumen edge is blurred, so voxels next to the pool that are at least
   * a quarter of the way from tissue to blood belong to it (hysteresis, one or two layers) */
  {
    PetscReal frac = 0.5, rim = 1.01 * PetscMax(g->spacing[0], PetscMax(g->spacing[1], g->spacing[2]));
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_rim", &rim, NULL));
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_rim_frac", &frac, NULL));
    PetscReal t_low = R.tissue_HU + frac * (R.blood_HU - R.tissue_HU);
    if (!isnan(o.min_HU)) t_low = PetscMin(t_low, o.min_HU);
    PetscCall(HtSeg_Dilate(g, blood, rim, tmp));
    for (size_t i = 0; i < N; i++) blood[i] = blood[i] || (tmp[i] && ct->val[i] >= t_low && (ct->val[i] <= R.bone_HU || vdense[i]) && !bone[i]);
  }
  if (o.verbose) HtLog_Info("segment: blood pool connected to the aorta %.0f mL", (double)nb * HtGrid_VoxelVolume_mm3(g) / 1000.0);

  /* 6. separation. The aorta meets the chambers at a neck (aortic annulus), much narrower than
   * the chambers: a marker-based watershed of the distance map splits the pool there. Markers:
   * the seed's tube (aorta) and the cores of the chambers, i.e. the parts thicker than the aorta
   * by a margin. Flooding runs from thick to thin, so each region takes the thick parts it reaches
   * through its widest passage; thin partial-volume bridges are decided last. */
  memset(heart, 0, N);
  memset(aorta, 0, N);
  if (o.separate) {
    float    *d2  = f;
    PetscReal r_s = 0, dmax = 0;
    PetscCall(HtSeg_EDT(g, blood, 0, PETSC_FALSE, d2));
    r_s = sqrt((double)d2[seed]);
    for (size_t i = 0; i < N; i++) dmax = PetscMax(dmax, (PetscReal)d2[i]);
    dmax = sqrt(dmax);
    /* inscribed radii: a flattened lumen must not inflate the chamber threshold */
    /* chambers are the thickest parts of the pool: cores are at least 80 % as thick as the
     * thickest voxel, and clearly thicker than the aorta at the seed (no core at all in a
     * plain tube) */
    PetscReal r_core = PetscMax(0.8 * dmax, PetscMax(1.5 * PetscMax(r_s, r_in), PetscMax(r_s, r_in) + 6.0));
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_rcore", &r_core, NULL));
    if (o.verbose) HtLog_Info("segment: distance map: %.1f mm at the seed, %.1f mm max, chamber cores above %.1f mm", (double)r_s, (double)dmax, (double)r_core);
    /* markers: 1 on the aorta tubes (descending, ascending when found), 2 the chamber cores */
    uint8_t *mk = heart;
    for (size_t i = 0; i < N; i++) mk[i] = (blood[i] && d2[i] >= (float)(r_core * r_core)) ? HT_SEG_HEART : 0;
    {
      size_t nk;
      PetscCall(HtSeg_Erode(g, blood, 0.4 * r_in, tmp));
      PetscCall(HtSeg_KeepConnected(g, tmp, seed, cand, &nk));
      if (!nk) PetscCall(PetscArraycpy(cand, blood, N));
    }
    PetscCall(PickAscending(g, disc, ndisc, desc_end, R.aorta_radius_mm, cand, d2, r_core, o.verbose, &asc_end));
    PaintRun(g, disc, desc_end, -1, blood, HT_SEG_AORTA, mk);
    if (asc_end >= 0) PaintRun(g, disc, asc_end, -1, blood, HT_SEG_AORTA, mk);
    mk[seed] = HT_SEG_AORTA;
    for (size_t i = 0; i < N; i++) tmp[i] = mk[i] == HT_SEG_HEART;
    PetscCall(Watershed(g, blood, d2, mk));
    /* the chambers reach about one core radius beyond their cores; what the heart region floods
     * further out (pulmonary veins and arteries into the lungs, caval veins) is left unlabelled */
    PetscReal reach = r_core + 10.0;
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_reach", &reach, NULL));
    PetscCall(HtSeg_Dilate(g, tmp, reach, cand));
    for (size_t i = 0; i < N; i++) {
      aorta[i] = mk[i] == HT_SEG_AORTA;
      heart[i] = mk[i] == HT_SEG_HEART && cand[i];
    }
    PetscCall(RightHeart(g, ct, &R, &o, opened, blood, aorta, heart, disc, ndisc, r_core, reach, pa));
  } else PetscCall(PetscArraycpy(aorta, blood, N));

  /* one connected aorta (the centerline is extracted from it): islands are left unlabelled */
  {
    size_t na;
    PetscCall(HtSeg_KeepConnected(g, aorta, seed, tmp, &na));
    if (na > 0) PetscCall(PetscArraycpy(aorta, tmp, N));
  }
  /* the aorta's outer layer next to a false lumen: the intimal flap of a dissection is thinner
   * than the blur, so true-lumen voxels beside it stay below the half level although no tissue
   * lies behind them. A voxel of the layer around the aorta between 30 % and 50 % of the
   * tissue-to-blood step joins the aorta when what lies outside the aorta around it (within
   * 3 mm) is itself enhanced (mean above the 30 % level: false lumen, not wall and fat). At a
   * plain vessel wall the outside is tissue and the unbiased half level stays. */
  if (o.separate) {
    /* false-lumen zone: thick regions of intermediate enhancement (a quarter of the way from
     * tissue to blood, below the threshold), grown by 4 mm. The partial-volume edge of a bright
     * vein or chamber is too thin to survive the opening, so they do not count. */
    PetscReal fz = 0.25;
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_fl_frac", &fz, NULL));
    PetscReal t_fl = R.tissue_HU + fz * (R.blood_HU - R.tissue_HU);
    for (size_t i = 0; i < N; i++) cand[i] = ct->val[i] >= t_fl && ct->val[i] < R.threshold_HU && !bone[i];
    PetscCall(HtSeg_Open(g, cand, r_open, tmp));
    PetscReal fzr = 4.0;
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_fl_grow", &fzr, NULL));
    PetscCall(HtSeg_Dilate(g, tmp, fzr, flz));
    PetscCall(AortaFlapLayer(g, ct, &R, bone, vdense, heart, pa, flz, aorta, tmp));
  }
  /* the aortic outline next to a false lumen: a closing (4 mm ball) of the aorta label fills
   * the flap between the true lumen and the enhanced part of the false lumen; only inside the
   * false-lumen zone, because between branch origins and contrast-filled veins it would merge
   * them and break the centerlines */
  if (o.separate) {
    PetscReal rc = 4.0;
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-seg_aorta_close", &rc, NULL));
    if (rc > 0) {
      PetscCall(HtSeg_Dilate(g, aorta, rc, tmp));
      PetscCall(HtSeg_Erode(g, tmp, rc, cand));
      for (size_t i = 0; i < N; i++)
        if (cand[i] && flz[i] && !aorta[i] && !heart[i] && !pa[i] && !bone[i] && ct->val[i] > R.tissue_HU - 100) aorta[i] = 1;
    }
    /* a surface is extracted from this label: no enclosed cavities (a closed-off pocket of
     * flap or calcium), and one component */
    PetscCall(FillCavities(g, aorta, tmp));
    size_t na;
    PetscCall(HtSeg_KeepConnected(g, aorta, seed, tmp, &na));
    if (na > 0) PetscCall(PetscArraycpy(aorta, tmp, N));
  }
  /* 7. labels */
  PetscCall(HtLabels_Alloc(labels, g));
  for (size_t i = 0; i < N; i++) {
    if (aorta[i]) labels->lab[i] = HT_SEG_AORTA;
    else if (heart[i]) labels->lab[i] = HT_SEG_HEART;
    else if (pa[i]) labels->lab[i] = HT_SEG_PA;
  }
  PetscCall(HtLabels_SetName(labels, HT_SEG_AORTA, "aorta"));
  PetscCall(HtLabels_SetName(labels, HT_SEG_HEART, "heart"));
  PetscCall(HtLabels_SetName(labels, HT_SEG_PA, "pulmonary_artery"));
  for (size_t i = 0; i < N; i++)
    if (labels->lab[i] < 8) R.nvoxels[labels->lab[i]]++;
  for (int v = 1; v < 8; v++) R.volume_mL[v] = (PetscReal)R.nvoxels[v] * HtGrid_VoxelVolume_mm3(g) / 1000.0;
  R.seconds = HtTime_Now() - t0;
  if (o.verbose) HtLog_Info("segment: aorta %.1f mL, heart %.1f mL, pulmonary artery %.1f mL (%.1f s)", (double)R.volume_mL[1], (double)R.volume_mL[2], (double)R.volume_mL[3], R.seconds);
  PetscCall(PetscFree(disc));
  PetscCall(PetscFree6(cand, bone, tmp, blood, heart, aorta));
  PetscCall(PetscFree4(opened, pa, vdense, flz));
  PetscCall(PetscFree(f));
  if (rep) *rep = R;
  PetscFunctionReturn(0);
}

PetscErrorCode HtSegment_BloodPool(const HtVolume *ct, const HtSegmentOptions *opt, HtLabels *labels, HtSegmentReport *rep)
{
  PetscFunctionBeginUser;
  memset(labels, 0, sizeof(*labels));
  PetscCheck(ct && ct->val && HtGrid_Count(&ct->g) > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segmentation: empty CT volume");
  for (int a = 0; a < 3; a++) PetscCheck(ct->g.spacing[a] > 0 && ct->g.n[a] > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segmentation: invalid grid (axis %d: %" PetscInt_FMT " voxels, spacing %g mm)", a, ct->g.n[a], (double)ct->g.spacing[a]);
  if (fabs(ct->g.dir[8]) > 0.7) {
    PetscCall(SegmentAxial(ct, opt, labels, rep));
    PetscFunctionReturn(0);
  }
  /* sagittal/coronal acquisitions: segment an axially reoriented copy (a pure permutation of the
   * voxels), then carry the labels back voxel by voxel through world coordinates */
  HtVolume ax;
  HtLabels la;
  PetscCall(HtVolume_Copy(ct, &ax));
  PetscCall(HtVolume_Reorient(&ax));
  PetscCheck(fabs(ax.g.dir[8]) > 0.7, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segmentation: no volume axis is close to the head-foot direction (oblique volume)");
  PetscCall(SegmentAxial(&ax, opt, &la, rep));
  PetscCall(HtVolume_Free(&ax));
  PetscCall(HtLabels_Alloc(labels, &ct->g));
  for (PetscInt k = 0; k < ct->g.n[2]; k++)
    for (PetscInt j = 0; j < ct->g.n[1]; j++)
      for (PetscInt i = 0; i < ct->g.n[0]; i++) {
        PetscReal ijk[3] = {i, j, k}, x[3], q[3];
        HtGrid_IndexToWorld(&ct->g, ijk, x);
        HtGrid_WorldToIndex(&la.g, x, q);
        PetscInt a = (PetscInt)lround(q[0]), b = (PetscInt)lround(q[1]), c = (PetscInt)lround(q[2]);
        if (a >= 0 && b >= 0 && c >= 0 && a < la.g.n[0] && b < la.g.n[1] && c < la.g.n[2]) labels->lab[HtGrid_Index(&ct->g, i, j, k)] = la.lab[HtGrid_Index(&la.g, a, b, c)];
      }
  for (PetscInt t = 0; t < la.nnames; t++) PetscCall(HtLabels_SetName(labels, la.names[t].value, la.names[t].name));
  PetscCall(HtLabels_Free(&la));
  PetscFunctionReturn(0);
}

static PetscBool Match(uint8_t l, int v) { return v < 0 ? (l != 0) : (l == v); }

PetscErrorCode HtSegment_Dice(const HtLabels *a, int va, const HtLabels *b, int vb, PetscReal *dice)
{
  size_t na = 0, nb = 0, nab = 0, N;
  PetscFunctionBeginUser;
  PetscCheck(HtGrid_Same(&a->g, &b->g, 1e-3), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "Dice: the two label maps are on different grids");
  N = HtGrid_Count(&a->g);
  for (size_t i = 0; i < N; i++) {
    PetscBool x = Match(a->lab[i], va), y = Match(b->lab[i], vb);
    na += x;
    nb += y;
    nab += x && y;
  }
  *dice = (na + nb) ? 2.0 * (PetscReal)nab / (PetscReal)(na + nb) : 1.0;
  PetscFunctionReturn(0);
}

PetscErrorCode HtSegment_Overlap(const HtLabels *a, int va, const HtLabels *b, int vb, PetscReal *frac)
{
  size_t na = 0, nab = 0, N;
  PetscFunctionBeginUser;
  PetscCheck(HtGrid_Same(&a->g, &b->g, 1e-3), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "overlap: the two label maps are on different grids");
  N = HtGrid_Count(&a->g);
  for (size_t i = 0; i < N; i++) {
    PetscBool x = Match(a->lab[i], va);
    na += x;
    nab += x && Match(b->lab[i], vb);
  }
  *frac = na ? (PetscReal)nab / (PetscReal)na : 0.0;
  PetscFunctionReturn(0);
}
