/* Planning: narrowings (stenoses, coarctations) along native segments.
 *
 * The healthy reference at a centerline point is the "bridging envelope"
 *   env(s) = min( max r over [s - W, s], max r over [s, s + W] ),
 * which follows a monotone taper (one of the two maxima is the local radius) but bridges a dip
 * shorter than W (both sides are wider). W = max(20 mm, 4 x median radius). Radii are median-of-3
 * filtered first so one noisy sample neither makes nor hides a lesion. A lesion grows from a core
 * where 1 - r/env >= min_severity/2 while that severity keeps falling toward ~0 (so its ends sit on
 * healthy lumen). Its reference radius is the straight line between r(s0) and r(s1) (the healthy
 * neighbours, what a stent restores) and its severity 1 - r_min/r_ref. A narrowing that touches a
 * segment end is not bridged (the end point is its own reference). */
#include <htplan.h>
#include <stdlib.h>

static int CmpReal(const void *a, const void *b)
{
  PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return (x > y) - (x < y);
}

static int CmpLesion(const void *a, const void *b)
{
  const HtLesion *x = (const HtLesion *)a, *y = (const HtLesion *)b;
  return (x->severity < y->severity) - (x->severity > y->severity); /* worst first */
}

static void PointAt(const HtNetSegment *S, PetscReal s, PetscReal x[3])
{
  PetscInt i = 0;
  while (i + 2 < S->npts && S->s[i + 1] < s) i++;
  PetscReal ds = S->s[i + 1] - S->s[i], t = ds > 0 ? (s - S->s[i]) / ds : 0;
  t = PetscMax(0.0, PetscMin(1.0, t));
  for (int c = 0; c < 3; c++) x[c] = S->x[3 * i + c] + t * (S->x[3 * (i + 1) + c] - S->x[3 * i + c]);
}

static PetscErrorCode FillLesion(const HtNetSegment *S, PetscInt seg, PetscReal s0, PetscReal s1, HtLesion *L)
{
  PetscReal rmin = PETSC_MAX_REAL, smin = s0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(L, sizeof(*L)));
  for (PetscInt i = 0; i < S->npts; i++) {
    if (S->s[i] < s0 || S->s[i] > s1) continue;
    if (S->r[i] < rmin) {
      rmin = S->r[i];
      smin = S->s[i];
    }
  }
  {
    PetscReal ra = HtNetSegment_RadiusAt(S, s0), rb = HtNetSegment_RadiusAt(S, s1);
    if (ra < rmin) { rmin = ra; smin = s0; }
    if (rb < rmin) { rmin = rb; smin = s1; }
    L->r_ref_mm = s1 > s0 ? ra + (rb - ra) * (smin - s0) / (s1 - s0) : ra;
  }
  L->seg       = seg;
  L->s0_mm     = s0;
  L->s1_mm     = s1;
  L->s_min_mm  = smin;
  L->r_min_mm  = rmin;
  L->severity  = L->r_ref_mm > 0 ? 1.0 - rmin / L->r_ref_mm : 0;
  L->length_mm = s1 - s0;
  PointAt(S, s0, L->x0_mm);
  PointAt(S, s1, L->x1_mm);
  PointAt(S, smin, L->x_min_mm);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPlan_FindLesions(const HtNetwork *net, PetscReal min_severity, PetscInt *n, HtLesion **lesions)
{
  PetscInt  cnt = 0, cap = 0;
  HtLesion *out = NULL;

  PetscFunctionBeginUser;
  PetscCheck(min_severity > 0 && min_severity < 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "lesions: min_severity %g outside (0, 1)", (double)min_severity);
  for (PetscInt g = 0; g < net->nsegs; g++) {
    const HtNetSegment *S = &net->segs[g];
    PetscInt            np = S->npts;
    PetscReal          *rf, *env, *sev, *tmp, W;

    if (S->kind != 0 || np < 5) continue;
    PetscCall(PetscMalloc4(np, &rf, np, &env, np, &sev, np, &tmp));
    for (PetscInt i = 0; i < np; i++) {
      if (i == 0 || i == np - 1) rf[i] = S->r[i];
      else {
        PetscReal a = S->r[i - 1], b = S->r[i], c = S->r[i + 1];
        rf[i] = PetscMax(PetscMin(a, b), PetscMin(PetscMax(a, b), c));
      }
      tmp[i] = rf[i];
    }
    qsort(tmp, np, sizeof(PetscReal), CmpReal);
    W = PetscMax(20.0, 4.0 * tmp[np / 2]);
    for (PetscInt i = 0; i < np; i++) {
      PetscReal ml = rf[i], mr = rf[i];
      for (PetscInt j = i - 1; j >= 0 && S->s[i] - S->s[j] <= W; j--) ml = PetscMax(ml, rf[j]);
      for (PetscInt j = i + 1; j < np && S->s[j] - S->s[i] <= W; j++) mr = PetscMax(mr, rf[j]);
      env[i] = PetscMin(ml, mr);
      sev[i] = env[i] > 0 ? 1.0 - rf[i] / env[i] : 0;
    }
    /* runs around each local peak of the severity */
    PetscInt i = 0;
    while (i < np) {
      if (sev[i] < 0.5 * min_severity) {
        i++;
        continue;
      }
      /* the core run above half the threshold, then its peak */
      PetscInt a = i, b = i, pk = i;
      while (b + 1 < np && sev[b + 1] >= 0.5 * min_severity) b++;
      for (PetscInt j = a; j <= b; j++)
        if (sev[j] > sev[pk]) pk = j;
      /* extend to the healthy neighbours: while the severity keeps falling and is not ~0, and always
       * while it is above a quarter of the peak (noise plateaus inside the narrowing) */
      while (a > 0 && sev[a] > 0.002 && (sev[a - 1] <= sev[a] || sev[a] > 0.25 * sev[pk])) a--;
      while (b < np - 1 && sev[b] > 0.002 && (sev[b + 1] <= sev[b] || sev[b] > 0.25 * sev[pk])) b++;
      HtLesion L;
      PetscCall(FillLesion(S, g, S->s[a], S->s[b], &L));
      if (L.severity >= min_severity && L.length_mm > 0) {
        if (cnt == cap) {
          HtLesion *nl;
          cap = cap ? 2 * cap : 4;
          PetscCall(PetscMalloc1(cap, &nl));
          if (cnt) PetscCall(PetscArraycpy(nl, out, cnt));
          PetscCall(PetscFree(out));
          out = nl;
        }
        out[cnt++] = L;
      }
      i = PetscMax(b, i) + 1;
    }
    PetscCall(PetscFree4(rf, env, sev, tmp));
  }
  if (cnt > 1) qsort(out, cnt, sizeof(HtLesion), CmpLesion);
  *n       = cnt;
  *lesions = out;
  PetscFunctionReturn(0);
}

PetscErrorCode HtPlan_RegionFromPoints(const HtNetwork *net, const PetscReal x0_mm[3], const PetscReal x1_mm[3], HtLesion *region)
{
  PetscInt  g0, g1;
  PetscReal s0, s1, d0, d1;

  PetscFunctionBeginUser;
  PetscCall(HtPlan_LocatePoint(net, x0_mm, &g0, &s0, &d0));
  PetscCall(HtPlan_LocatePoint(net, x1_mm, &g1, &s1, &d1));
  PetscCheck(g0 == g1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "region: its ends lie on different segments (%s, %s)", net->segs[g0].name, net->segs[g1].name);
  if (s1 < s0) {
    PetscReal t = s0;
    s0          = s1;
    s1          = t;
  }
  PetscCheck(s1 - s0 > 0.5, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "region on segment %s: ends %g mm apart (need > 0.5 mm)", net->segs[g0].name, (double)(s1 - s0));
  PetscCall(FillLesion(&net->segs[g0], g0, s0, s1, region));
  PetscFunctionReturn(0);
}
