/* Synthetic networks for the planning tests: geometry known exactly. */
#pragma once
#include <htnetwork.h>
#include <math.h>

/* Radius of a tube of radius r0 with a cosine narrowing of depth a (fraction of r0) and length w,
 * centred at zc (a = 0: uniform). Minimum r0 (1 - a) at zc. */
static inline PetscReal TestNarrowRadius(PetscReal z, PetscReal r0, PetscReal a, PetscReal zc, PetscReal w)
{
  if (a <= 0 || fabs(z - zc) >= 0.5 * w) return r0;
  return r0 * (1.0 - a * 0.5 * (1.0 + cos(2.0 * PETSC_PI * (z - zc) / w)));
}

/* Straight tube along +z from the origin, length L (mm), samples every dz mm, radius r0 with an
 * optional narrowing; one inlet, one outlet. */
static inline PetscErrorCode TestMakeTube(HtNetwork *net, PetscReal L, PetscReal dz, PetscReal r0, PetscReal a, PetscReal zc, PetscReal w)
{
  PetscInt   n = (PetscInt)floor(L / dz + 0.5) + 1, n0, n1;
  PetscReal *x, *r, p0[3] = {0, 0, 0}, p1[3] = {0, 0, L};

  PetscFunctionBeginUser;
  PetscCall(HtNetwork_Init(net));
  PetscCall(HtNetwork_AddNode(net, p0, HT_NODE_INLET, "inlet", &n0));
  PetscCall(HtNetwork_AddNode(net, p1, HT_NODE_OUTLET, "outlet_1", &n1));
  PetscCall(PetscMalloc2(3 * n, &x, n, &r));
  for (PetscInt i = 0; i < n; i++) {
    PetscReal z = L * i / (n - 1);
    x[3 * i] = 0; x[3 * i + 1] = 0; x[3 * i + 2] = z;
    r[i] = TestNarrowRadius(z, r0, a, zc, w);
  }
  PetscCall(HtNetwork_AddSegment(net, n0, n1, n, x, r, "aorta", NULL));
  PetscCall(PetscFree2(x, r));
  PetscFunctionReturn(0);
}

/* Y: trunk (0,0,0)->(0,0,Lt) radius rt, two straight daughters to (+-dx, 0, Lt+Ld) of radii r1, r2. */
static inline PetscErrorCode TestMakeY(HtNetwork *net, PetscReal Lt, PetscReal rt, PetscReal Ld, PetscReal dx, PetscReal r1, PetscReal r2)
{
  PetscInt  nin, nj, no1, no2;
  PetscReal p0[3] = {0, 0, 0}, pj[3] = {0, 0, Lt}, pa[3] = {dx, 0, Lt + Ld}, pb[3] = {-dx, 0, Lt + Ld};
  enum { N = 21 };
  PetscReal x[3 * N], r[N];

  PetscFunctionBeginUser;
  PetscCall(HtNetwork_Init(net));
  PetscCall(HtNetwork_AddNode(net, p0, HT_NODE_INLET, "inlet", &nin));
  PetscCall(HtNetwork_AddNode(net, pj, HT_NODE_JUNCTION, "junction_1", &nj));
  PetscCall(HtNetwork_AddNode(net, pa, HT_NODE_OUTLET, "outlet_1", &no1));
  PetscCall(HtNetwork_AddNode(net, pb, HT_NODE_OUTLET, "outlet_2", &no2));
  for (PetscInt i = 0; i < N; i++) {
    for (int c = 0; c < 3; c++) x[3 * i + c] = p0[c] + (pj[c] - p0[c]) * i / (N - 1);
    r[i] = rt;
  }
  PetscCall(HtNetwork_AddSegment(net, nin, nj, N, x, r, "trunk", NULL));
  for (PetscInt i = 0; i < N; i++) {
    for (int c = 0; c < 3; c++) x[3 * i + c] = pj[c] + (pa[c] - pj[c]) * i / (N - 1);
    r[i] = r1;
  }
  PetscCall(HtNetwork_AddSegment(net, nj, no1, N, x, r, "left", NULL));
  for (PetscInt i = 0; i < N; i++) {
    for (int c = 0; c < 3; c++) x[3 * i + c] = pj[c] + (pb[c] - pj[c]) * i / (N - 1);
    r[i] = r2;
  }
  PetscCall(HtNetwork_AddSegment(net, nj, no2, N, x, r, "right", NULL));
  PetscFunctionReturn(0);
}

/* Aorta-like tree: ascending (0,0,0)->(0,0,60) r 12 mm; upper-body branch to (-40,0,160) r 7 mm;
 * descending straight to (30,0,260) (length ~202 mm) r 9 mm with a cosine narrowing of depth a at
 * arc length sc (width w). Murray split to the descending: 729/(729+343). */
static inline PetscErrorCode TestMakeCoarct(HtNetwork *net, PetscReal a, PetscReal sc, PetscReal w)
{
  PetscInt  nin, nj, nu, nd;
  PetscReal p0[3] = {0, 0, 0}, pj[3] = {0, 0, 60}, pu[3] = {-40, 0, 160}, pd[3] = {30, 0, 260};
  enum { N = 301 };
  PetscReal *x, *r, Ld = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(3 * N, &x, N, &r));
  PetscCall(HtNetwork_Init(net));
  PetscCall(HtNetwork_AddNode(net, p0, HT_NODE_INLET, "inlet", &nin));
  PetscCall(HtNetwork_AddNode(net, pj, HT_NODE_JUNCTION, "junction_1", &nj));
  PetscCall(HtNetwork_AddNode(net, pu, HT_NODE_OUTLET, "upper_body", &nu));
  PetscCall(HtNetwork_AddNode(net, pd, HT_NODE_OUTLET, "descending", &nd));
  for (PetscInt i = 0; i < 61; i++) {
    for (int c = 0; c < 3; c++) x[3 * i + c] = p0[c] + (pj[c] - p0[c]) * i / 60.0;
    r[i] = 12;
  }
  PetscCall(HtNetwork_AddSegment(net, nin, nj, 61, x, r, "ascending", NULL));
  for (PetscInt i = 0; i < 101; i++) {
    for (int c = 0; c < 3; c++) x[3 * i + c] = pj[c] + (pu[c] - pj[c]) * i / 100.0;
    r[i] = 7;
  }
  PetscCall(HtNetwork_AddSegment(net, nj, nu, 101, x, r, "upper", NULL));
  for (int c = 0; c < 3; c++) Ld += (pd[c] - pj[c]) * (pd[c] - pj[c]);
  Ld = sqrt(Ld);
  for (PetscInt i = 0; i < N; i++) {
    for (int c = 0; c < 3; c++) x[3 * i + c] = pj[c] + (pd[c] - pj[c]) * i / (N - 1.0);
    r[i] = TestNarrowRadius(Ld * i / (N - 1.0), 9, a, sc, w);
  }
  PetscCall(HtNetwork_AddSegment(net, nj, nd, N, x, r, "descending", NULL));
  PetscCall(PetscFree2(x, r));
  PetscFunctionReturn(0);
}
