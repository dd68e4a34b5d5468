/* Planning: virtual surgery on a (cloned) network: stent/angioplasty, bypass graft, resection, band. */
#include <htplan.h>

static PetscErrorCode CheckSeg(const HtNetwork *net, PetscInt seg, const char *what)
{
  PetscFunctionBeginUser;
  PetscCheck(seg >= 0 && seg < net->nsegs, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: segment %" PetscInt_FMT " does not exist (network has %" PetscInt_FMT ")", what, seg, net->nsegs);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPlan_ApplyStent(HtNetwork *net, const HtLesion *l, PetscReal success)
{
  HtNetSegment *S;
  PetscReal     len, r0, r1;

  PetscFunctionBeginUser;
  PetscCall(CheckSeg(net, l->seg, "stent"));
  PetscCheck(success >= 0 && success <= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "stent: success fraction %g outside [0, 1]", (double)success);
  S   = &net->segs[l->seg];
  len = HtNetSegment_Length(S);
  PetscCheck(l->s0_mm >= 0 && l->s1_mm <= len + 1e-9 && l->s1_mm > l->s0_mm, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "stent on segment %s: range [%g, %g] mm outside [0, %g]", S->name, (double)l->s0_mm, (double)l->s1_mm, (double)len);
  r0 = HtNetSegment_RadiusAt(S, l->s0_mm);
  r1 = HtNetSegment_RadiusAt(S, l->s1_mm);
  for (PetscInt i = 0; i < S->npts; i++) {
    if (S->s[i] <= l->s0_mm || S->s[i] >= l->s1_mm) continue;
    /* the lumen the healthy neighbours imply; a stent never narrows the vessel */
    PetscReal rl = r0 + (r1 - r0) * (S->s[i] - l->s0_mm) / (l->s1_mm - l->s0_mm);
    if (rl > S->r[i]) S->r[i] += success * (rl - S->r[i]);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtPlan_ApplyBand(HtNetwork *net, PetscInt seg, PetscReal s0_mm, PetscReal s1_mm, PetscReal factor)
{
  HtNetSegment *S;

  PetscFunctionBeginUser;
  PetscCall(CheckSeg(net, seg, "band"));
  PetscCheck(factor > 0 && factor <= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "band: radius factor %g outside (0, 1]", (double)factor);
  S = &net->segs[seg];
  PetscCheck(s1_mm > s0_mm && s0_mm >= 0 && s1_mm <= HtNetSegment_Length(S) + 1e-9, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "band on segment %s: range [%g, %g] mm invalid", S->name, (double)s0_mm, (double)s1_mm);
  for (PetscInt i = 0; i < S->npts; i++)
    if (S->s[i] >= s0_mm && S->s[i] <= s1_mm) S->r[i] *= factor;
  PetscFunctionReturn(0);
}

/* Node at arc length s of seg: an end node, or a new node from splitting the segment. */
static PetscErrorCode NodeAt(HtNetwork *net, PetscInt seg, PetscReal s, PetscInt *node)
{
  PetscReal len = HtNetSegment_Length(&net->segs[seg]);
  PetscInt  newseg;

  PetscFunctionBeginUser;
  PetscCheck(s >= -1e-9 && s <= len + 1e-9, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bypass: s = %g mm outside segment %s [0, %g]", (double)s, net->segs[seg].name, (double)len);
  if (s < 0.5) *node = net->segs[seg].node[0];
  else if (s > len - 0.5) *node = net->segs[seg].node[1];
  else PetscCall(HtNetwork_SplitSegment(net, seg, s, node, &newseg));
  PetscCheck(net->nodes[*node].kind != HT_NODE_INLET && net->nodes[*node].kind != HT_NODE_OUTLET, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bypass: anastomosis on %s node %s is not allowed (move it inside a segment)",
             net->nodes[*node].kind == HT_NODE_INLET ? "inlet" : "outlet", net->nodes[*node].name);
  net->nodes[*node].kind = HT_NODE_JUNCTION;
  PetscFunctionReturn(0);
}

PetscErrorCode HtPlan_ApplyBypass(HtNetwork *net, PetscInt seg_from, PetscReal s_from_mm, PetscInt seg_to, PetscReal s_to_mm, PetscReal radius_mm, PetscReal length_mm, PetscInt *graft)
{
  PetscInt  na, nb, id;
  PetscReal A[3], B[3], u[3], nrm[3], D = 0, L, h, lo, hi;
  enum { NP = 41 };
  PetscReal x[3 * NP], r[NP];

  PetscFunctionBeginUser;
  PetscCall(CheckSeg(net, seg_from, "bypass"));
  PetscCall(CheckSeg(net, seg_to, "bypass"));
  PetscCheck(radius_mm > 0.25 && radius_mm < 30, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bypass: graft radius_mm %g outside (0.25, 30)", (double)radius_mm);
  /* on one segment, split the distal point first so the proximal arc length stays valid */
  if (seg_from == seg_to && s_to_mm < s_from_mm) {
    PetscCall(NodeAt(net, seg_from, s_from_mm, &na));
    PetscCall(NodeAt(net, seg_to, s_to_mm, &nb));
  } else if (seg_from == seg_to) {
    PetscCall(NodeAt(net, seg_to, s_to_mm, &nb));
    PetscCall(NodeAt(net, seg_from, s_from_mm, &na));
  } else {
    PetscCall(NodeAt(net, seg_from, s_from_mm, &na));
    PetscCall(NodeAt(net, seg_to, s_to_mm, &nb));
  }
  PetscCheck(na != nb, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bypass: both anastomoses at node %s", net->nodes[na].name);
  for (int c = 0; c < 3; c++) {
    A[c] = net->nodes[na].x[c];
    B[c] = net->nodes[nb].x[c];
    u[c] = B[c] - A[c];
    D += u[c] * u[c];
  }
  D = PetscSqrtReal(D);
  PetscCheck(D > 1.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bypass: anastomoses only %g mm apart", (double)D);
  for (int c = 0; c < 3; c++) u[c] /= D;
  L = length_mm > 0 ? length_mm : 1.2 * D;
  PetscCheck(L >= D - 1e-9, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bypass: graft length %g mm shorter than the %g mm between its ends", (double)L, (double)D);
  {
    /* bow direction: perpendicular to AB, built from the axis least aligned with it */
    int       ax = 0;
    PetscReal e[3] = {0, 0, 0}, d = 0, nn = 0;
    for (int c = 1; c < 3; c++)
      if (PetscAbsReal(u[c]) < PetscAbsReal(u[ax])) ax = c;
    e[ax] = 1;
    for (int c = 0; c < 3; c++) d += e[c] * u[c];
    for (int c = 0; c < 3; c++) {
      nrm[c] = e[c] - d * u[c];
      nn += nrm[c] * nrm[c];
    }
    for (int c = 0; c < 3; c++) nrm[c] /= PetscSqrtReal(nn);
  }
  /* bow height h so the polyline x(t) = A + t AB + h sin(pi t) n has length L (bisection) */
  lo = 0;
  hi = L;
  for (int it = 0; it < 100; it++) {
    PetscReal len = 0;
    h             = 0.5 * (lo + hi);
    for (PetscInt i = 1; i < NP; i++) {
      PetscReal t0 = (PetscReal)(i - 1) / (NP - 1), t1 = (PetscReal)i / (NP - 1), dd = 0;
      for (int c = 0; c < 3; c++) {
        PetscReal p0 = A[c] + t0 * (B[c] - A[c]) + h * PetscSinReal(PETSC_PI * t0) * nrm[c];
        PetscReal p1 = A[c] + t1 * (B[c] - A[c]) + h * PetscSinReal(PETSC_PI * t1) * nrm[c];
        dd += (p1 - p0) * (p1 - p0);
      }
      len += PetscSqrtReal(dd);
    }
    if (len > L) hi = h;
    else lo = h;
  }
  h = (L - D < 1e-9) ? 0 : 0.5 * (lo + hi);
  for (PetscInt i = 0; i < NP; i++) {
    PetscReal t = (PetscReal)i / (NP - 1);
    for (int c = 0; c < 3; c++) x[3 * i + c] = A[c] + t * (B[c] - A[c]) + h * PetscSinReal(PETSC_PI * t) * nrm[c];
    r[i] = radius_mm;
  }
  PetscCall(HtNetwork_AddSegment(net, na, nb, NP, x, r, "graft", &id));
  net->segs[id].kind = 1;
  if (graft) *graft = id;
  PetscFunctionReturn(0);
}

/* Walk 'dist' mm upstream (dir < 0) or downstream (dir > 0) of (seg, s) along native segments; at a
 * junction continue into the widest native segment; stop 1 mm short of the inlet or an outlet. */
static PetscErrorCode Walk(const HtNetwork *net, PetscInt seg, PetscReal s, PetscReal dist, int dir, PetscInt *oseg, PetscReal *os)
{
  PetscFunctionBeginUser;
  for (PetscInt guard = 0; guard <= net->nsegs; guard++) {
    PetscReal len = HtNetSegment_Length(&net->segs[seg]);
    if (dir < 0 && s - dist >= 1.0) { *oseg = seg; *os = s - dist; PetscFunctionReturn(0); }
    if (dir > 0 && s + dist <= len - 1.0) { *oseg = seg; *os = s + dist; PetscFunctionReturn(0); }
    PetscInt  node = net->segs[seg].node[dir < 0 ? 0 : 1], next = -1;
    PetscReal best = -1;
    if (net->nodes[node].kind != HT_NODE_INLET && net->nodes[node].kind != HT_NODE_OUTLET) {
      for (PetscInt g = 0; g < net->nsegs; g++) {
        const HtNetSegment *G = &net->segs[g];
        if (G->kind != 0 || g == seg || G->node[dir < 0 ? 1 : 0] != node) continue;
        PetscReal r = dir < 0 ? G->r[G->npts - 1] : G->r[0];
        if (r > best) { best = r; next = g; }
      }
    }
    if (next < 0) { /* network end: stay 1 mm inside */
      *oseg = seg;
      *os   = dir < 0 ? PetscMin(1.0, 0.5 * len) : PetscMax(len - 1.0, 0.5 * len);
      PetscFunctionReturn(0);
    }
    dist -= dir < 0 ? s : len - s;
    seg = next;
    s   = dir < 0 ? HtNetSegment_Length(&net->segs[next]) : 0;
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bypass: walking along the network from segment %s does not end (loop?)", net->segs[seg].name);
}

PetscErrorCode HtPlan_ApplyBypassAroundLesion(HtNetwork *net, const HtLesion *l, PetscReal margin_mm, PetscReal radius_mm, PetscReal length_mm, PetscInt *graft)
{
  PetscInt  ga, gb;
  PetscReal sa, sb;

  PetscFunctionBeginUser;
  PetscCall(CheckSeg(net, l->seg, "bypass"));
  PetscCheck(margin_mm >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bypass: margin_mm %g must be >= 0", (double)margin_mm);
  /* anastomoses margin_mm outside the lesion; when the lesion sits near a junction they move onto
   * the neighbouring segment (e.g. an arch-to-descending graft past the left subclavian) */
  PetscCall(Walk(net, l->seg, l->s0_mm, margin_mm, -1, &ga, &sa));
  PetscCall(Walk(net, l->seg, l->s1_mm, margin_mm, +1, &gb, &sb));
  PetscCheck(ga != gb || sb - sa > 2.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bypass around the lesion on segment %s: no room for anastomoses", net->segs[l->seg].name);
  PetscCall(HtPlan_ApplyBypass(net, ga, sa, gb, sb, radius_mm, length_mm, graft));
  PetscFunctionReturn(0);
}

/* Nodes downstream of 'start' (following segment orientation), marked in mark[]. */
static void MarkDownstream(const HtNetwork *net, PetscInt start, PetscBool *mark)
{
  if (mark[start]) return;
  mark[start] = PETSC_TRUE;
  for (PetscInt g = 0; g < net->nsegs; g++)
    if (net->segs[g].node[0] == start) MarkDownstream(net, net->segs[g].node[1], mark);
}

PetscErrorCode HtPlan_ApplyResection(HtNetwork *net, const HtLesion *l)
{
  HtNetSegment *S;
  PetscReal     len, d[3], x0[3], x1[3], r0, r1;
  PetscBool    *mark;
  PetscInt      np = 0, inlet = -1;
  PetscReal    *xn, *rn;

  PetscFunctionBeginUser;
  PetscCall(CheckSeg(net, l->seg, "resection"));
  S   = &net->segs[l->seg];
  len = HtNetSegment_Length(S);
  PetscCheck(l->s0_mm > 0.5 && l->s1_mm < len - 0.5 && l->s1_mm > l->s0_mm, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "resection on segment %s: range [%g, %g] mm must lie strictly inside [0, %g]", S->name, (double)l->s0_mm, (double)l->s1_mm, (double)len);
  for (PetscInt i = 0; i < net->nnodes; i++)
    if (net->nodes[i].kind == HT_NODE_INLET) inlet = i;
  /* downstream of the segment's distal node must not reach back upstream (no loops through it) */
  PetscCall(PetscCalloc1(net->nnodes, &mark));
  MarkDownstream(net, S->node[1], mark);
  PetscCheck(!mark[S->node[0]] && (inlet < 0 || !mark[inlet]), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "resection on segment %s: the downstream network loops back upstream", S->name);
  r0 = HtNetSegment_RadiusAt(S, l->s0_mm);
  r1 = HtNetSegment_RadiusAt(S, l->s1_mm);
  {
    /* positions of the cut ends */
    PetscInt i = 0;
    while (i + 2 < S->npts && S->s[i + 1] < l->s0_mm) i++;
    PetscReal t = (l->s0_mm - S->s[i]) / (S->s[i + 1] - S->s[i]);
    for (int c = 0; c < 3; c++) x0[c] = S->x[3 * i + c] + t * (S->x[3 * i + 3 + c] - S->x[3 * i + c]);
    i = 0;
    while (i + 2 < S->npts && S->s[i + 1] < l->s1_mm) i++;
    t = (l->s1_mm - S->s[i]) / (S->s[i + 1] - S->s[i]);
    for (int c = 0; c < 3; c++) x1[c] = S->x[3 * i + c] + t * (S->x[3 * i + 3 + c] - S->x[3 * i + c]);
  }
  for (int c = 0; c < 3; c++) d[c] = x1[c] - x0[c];
  /* new centerline: proximal part, the join at x0 (mean radius), distal part moved by -d */
  PetscCall(PetscMalloc2(3 * (S->npts + 1), &xn, S->npts + 1, &rn));
  for (PetscInt i = 0; i < S->npts; i++) {
    if (S->s[i] < l->s0_mm - 1e-9) {
      for (int c = 0; c < 3; c++) xn[3 * np + c] = S->x[3 * i + c];
      rn[np++] = S->r[i];
    }
  }
  for (int c = 0; c < 3; c++) xn[3 * np + c] = x0[c];
  rn[np++] = 0.5 * (r0 + r1);
  for (PetscInt i = 0; i < S->npts; i++) {
    if (S->s[i] > l->s1_mm + 1e-9) {
      for (int c = 0; c < 3; c++) xn[3 * np + c] = S->x[3 * i + c] - d[c];
      rn[np++] = S->r[i];
    }
  }
  PetscCheck(np >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "resection on segment %s: nothing left", S->name);
  /* translate everything downstream so the anatomy stays connected */
  for (PetscInt nd = 0; nd < net->nnodes; nd++)
    if (mark[nd])
      for (int c = 0; c < 3; c++) net->nodes[nd].x[c] -= d[c];
  for (PetscInt g = 0; g < net->nsegs; g++) {
    HtNetSegment *G = &net->segs[g];
    if (g == l->seg || !mark[G->node[0]]) continue;
    for (PetscInt i = 0; i < G->npts; i++)
      for (int c = 0; c < 3; c++) G->x[3 * i + c] -= d[c];
  }
  /* replace the segment's arrays in place (same id, same nodes) */
  PetscCall(PetscFree(S->x));
  PetscCall(PetscFree(S->r));
  PetscCall(PetscFree(S->s));
  PetscCall(PetscMalloc1(3 * np, &S->x));
  PetscCall(PetscMalloc1(np, &S->r));
  PetscCall(PetscMalloc1(np, &S->s));
  S->npts = np;
  PetscCall(PetscArraycpy(S->x, xn, 3 * np));
  PetscCall(PetscArraycpy(S->r, rn, np));
  S->s[0] = 0;
  for (PetscInt i = 1; i < np; i++) {
    PetscReal dd = 0;
    for (int c = 0; c < 3; c++) dd += PetscSqr(S->x[3 * i + c] - S->x[3 * i - 3 + c]);
    S->s[i] = S->s[i - 1] + PetscSqrtReal(dd);
  }
  PetscCall(PetscFree2(xn, rn));
  PetscCall(PetscFree(mark));
  PetscFunctionReturn(0);
}
